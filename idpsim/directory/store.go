// Package directory is the fake Okta org's directory: users, apps, app
// assignments and the browser sessions of signed-in users, stored in SQLite
// (modernc.org/sqlite, no cgo).
//
// Every change goes through a transaction; a Store holds no state of its own
// besides the database handle, so several Stores (or processes) on one file
// see the same org. Times are stamped with the Store's clock (see WithClock),
// so a server with an injected clock gets consistent created, lastUpdated and
// session expiry times.
package directory

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors. Callers match them with errors.Is.
var (
	// ErrNotFound: no such user, app, assignment or live session.
	ErrNotFound = errors.New("directory: not found")
	// ErrConflict: the change would break a uniqueness rule, such as two
	// users with the same login.
	ErrConflict = errors.New("directory: conflict")
	// ErrInvalid: the input breaks a rule of the directory (see the wrapped
	// message for which).
	ErrInvalid = errors.New("directory: invalid input")
	// ErrBadCredentials: unknown login, wrong password, or a user without a
	// password. Deliberately one error, so callers cannot tell which.
	ErrBadCredentials = errors.New("directory: bad credentials")
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// timeFormat is how times are stored: UTC with milliseconds, as Okta shows
// them, and fixed-width so that text comparison orders them.
const timeFormat = "2006-01-02T15:04:05.000Z"

// Store is the directory. Its methods are safe for concurrent use.
type Store struct {
	db         *sql.DB
	clock      func() time.Time
	bcryptCost int
}

// Option configures Open.
type Option func(*Store)

// WithBcryptCost sets the bcrypt cost for new password hashes. Tests use
// bcrypt.MinCost to stay fast; the default is bcrypt.DefaultCost.
func WithBcryptCost(cost int) Option {
	return func(s *Store) { s.bcryptCost = cost }
}

// Open opens (creating if needed) the SQLite database at path and applies
// the embedded migrations. The connection runs in WAL mode with a busy
// timeout and foreign keys on, and every transaction begins IMMEDIATE so
// that two writers queue on the busy timeout instead of failing with
// SQLITE_BUSY when a read lock is upgraded.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("directory: open: empty database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("directory: open %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("directory: open %s: %w", path, err)
	}
	s := &Store{db: db, clock: time.Now, bcryptCost: bcrypt.DefaultCost}
	for _, o := range opts {
		o(s)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("directory: open %s: %w", path, err)
	}
	return s, nil
}

// Close closes the database. Stores made with WithClock share it, so close
// only the one returned by Open.
func (s *Store) Close() error { return s.db.Close() }

// WithClock returns a Store on the same database whose timestamps and
// session expiry use now. A server with its own (possibly fixed) clock uses
// it so that the directory and the SAML responses agree on the time.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	if now == nil {
		now = time.Now
	}
	c.clock = now
	return &c
}

func (s *Store) now() time.Time { return s.clock().UTC() }

// migrate applies the migrations not yet recorded in schema_migrations, each
// in its own transaction, in file-name order.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s: name must start with a number and an underscore", base)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			var n int
			// Checked inside the (immediate) transaction, so two processes
			// opening the same new file do not both apply it.
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`,
				version, base, fmtTime(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// Tx is one directory transaction. It has the same reading and writing
// methods as Store; all of them see and make changes that become visible
// together when the function given to Update returns nil.
type Tx struct {
	s  *Store
	tx *sql.Tx
}

// Update runs fn in one write transaction, committed if fn returns nil and
// rolled back otherwise. Use it to make several changes atomically, such as
// applying a seed document.
func (s *Store) Update(ctx context.Context, fn func(*Tx) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error { return fn(&Tx{s: s, tx: tx}) })
}

// Reset empties the directory: users, groups, apps, assignments, sessions,
// provisioning state, tasks and the SCIM request log.
func (s *Store) Reset(ctx context.Context) error {
	return s.Update(ctx, func(tx *Tx) error {
		// Tables that hang off apps, users and groups empty by cascade.
		for _, table := range []string{"sessions", "app_assignments", "apps", "users", "groups"} {
			if _, err := tx.tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
				return fmt.Errorf("directory: reset %s: %w", table, err)
			}
		}
		return nil
	})
}

// queryer is what *sql.DB and *sql.Tx have in common, so that reads can run
// inside or outside a transaction.
type queryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func fmtTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("directory: stored time %q: %w", s, err)
	}
	return t, nil
}

// isUniqueViolation reports whether err is SQLite's UNIQUE constraint error.
// The driver's error text is stable ("UNIQUE constraint failed: ..."), and
// matching it avoids depending on the driver's error type.
func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
