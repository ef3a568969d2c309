// Package postgres is the store backend for larger installations and for several
// SP replicas sharing one database: sessions, pending requests and the assertion
// replay cache live here, so the replicas behave as one.
//
// It goes through database/sql with pgx's stdlib driver rather than pgxpool: the
// SQL and the transaction handling are then the very code the SQLite backend
// runs (internal/sqlstore), and database/sql's pool is all this workload needs.
// pgx still speaks the protocol and reports server errors as *pgconn.PgError.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// maxOpenConns bounds each process's share of the server's max_connections
// (100 by default), which several replicas divide between them.
const maxOpenConns = 10

// Store is a store.Store in a PostgreSQL schema.
type Store struct {
	*sqlstore.Store
	db *sql.DB
}

var _ store.Store = (*Store)(nil)

// Open connects with dsn (a postgres:// URL or key=value string, as pgx accepts)
// and brings the schema up to date. The tables live in the first existing
// schema of the search_path, which the DSN can set (search_path=…) to keep
// several stores in one database apart. Replicas may Open concurrently:
// migrations are serialised by an advisory lock.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxOpenConns)
	db.SetMaxIdleConns(maxOpenConns)
	db.SetConnMaxIdleTime(5 * time.Minute)

	fail := func(err error) (*Store, error) {
		_ = db.Close()
		return nil, err
	}
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fail(fmt.Errorf("postgres: connect: %w", err))
	}
	if !schema.Valid {
		return fail(errors.New("postgres: no schema of the search_path exists; create it first"))
	}
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fail(err)
	}
	if err := sqlstore.Migrate(ctx, db, dialect, migrations); err != nil {
		return fail(fmt.Errorf("%w (schema %s)", err, schema.String))
	}
	return &Store{Store: sqlstore.New(db, dialect), db: db}, nil
}

var dialect = &sqlstore.Dialect{
	Name:                    "postgres",
	NumberedPlaceholders:    true,
	TimeValue:               func(t time.Time) any { return t },
	Classify:                classify,
	FailedStatementAbortsTx: true,
	// Keyed on the schema, so that stores in different schemas (parallel tests)
	// do not wait for each other. 0x5350 is "SP".
	MigrationLock: `SELECT pg_advisory_xact_lock(x'5350'::int, hashtext(current_schema()))`,
}

func classify(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code {
	case "23505": // unique_violation
		return store.ErrConflict
	case "23503": // foreign_key_violation
		return store.ErrNotFound
	case "23514", "23502": // check_violation, not_null_violation
		return store.ErrInvalid
	case "22021", "22P05": // a NUL byte or an encoding the database cannot hold
		return store.ErrInvalid
	}
	return nil
}
