// Package sqlite is the embedded store backend: one SQLite file, no server, no
// cgo (modernc.org/sqlite). It is the default for the reference SP and for tests.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// BusyTimeoutMillis is how long a connection waits for another writer (in this
// process or another) before giving up with SQLITE_BUSY.
const BusyTimeoutMillis = 10000

// maxOpenConns bounds the pool. WAL lets readers run beside the one writer, so
// more than one connection helps; each connection has its own page cache, so an
// unbounded burst would only cost memory. Writers are not limited to a single
// connection on purpose: a function passed to InTx that wrongly writes through
// the outer store then fails after the busy timeout instead of waiting forever
// for the connection its own transaction holds.
const maxOpenConns = 8

// Store is a store.Store kept in one SQLite file.
type Store struct {
	*sqlstore.Store
	db *sql.DB
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. Several processes may open the same file; the busy timeout
// makes their writes queue. In-memory databases are refused: every pooled
// connection would see a different, empty one.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: open %q: want the path of a database file", path)
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := sqlstore.Migrate(ctx, db, dialect, migrations); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return &Store{Store: sqlstore.New(db, dialect), db: db}, nil
}

// dsn sets, on every connection of the pool:
//   - WAL, so readers never wait for the writer;
//   - synchronous=NORMAL, which WAL makes safe against corruption (a power cut
//     may lose the last commits, not the database);
//   - foreign keys, which the schema's cascades depend on;
//   - the busy timeout;
//   - BEGIN IMMEDIATE for transactions: a deferred transaction that reads and
//     then writes fails with SQLITE_BUSY at once, without waiting, when another
//     writer got in between; taking the write lock up front makes it wait.
func dsn(path string) string {
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(BusyTimeoutMillis))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	// The escaped path keeps a '?' or '#' in a file name from ending the path.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

var dialect = &sqlstore.Dialect{
	Name:      "sqlite",
	TimeValue: sqlstore.UnixMicro,
	Classify:  classify,
	// modernc compiles every query it is not given prepared; compiling was
	// about a third of a SCIM create's time.
	PrepareStatements: true,
}

func classify(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return store.ErrConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return store.ErrNotFound
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return store.ErrInvalid
	}
	return nil
}
