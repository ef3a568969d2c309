package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Store implements store.Store on a database/sql pool. The zero value is not
// usable; backends build one with New.
type Store struct {
	d  *Dialect
	db *sql.DB
	// tx is set on the Store handed to an InTx function and on the Stores derived
	// from it; every statement then runs in that transaction.
	tx *txState
	// guarded: the enclosing savepoint belongs to one store method and rolls back
	// as a whole if the method fails, so its statements need no savepoint of
	// their own.
	guarded bool
	// stmts keeps statements prepared; nil when the dialect does not want it.
	stmts *stmtCache
}

type txState struct {
	tx *sql.Tx
	// savepoints numbers the savepoints of this transaction; names only need to
	// be unique while nested, but a counter is the simplest way to get that.
	savepoints int
}

var _ store.Store = (*Store)(nil)

// New returns a Store using db, whose schema is already migrated. The Store owns
// db: Close closes it.
func New(db *sql.DB, d *Dialect) *Store { return &Store{d: d, db: db, stmts: newStmtCache(db, d)} }

// Close closes the pool. A Store handed to an InTx function does not own the
// pool, so closing it is a mistake worth reporting rather than ignoring.
func (s *Store) Close() error {
	if s.tx != nil {
		return fmt.Errorf("%w: Close called on the transaction of InTx", store.ErrInvalid)
	}
	err := s.db.Close()
	s.stmts.wait()
	return err
}

// InTx runs fn in a transaction, or, when s is already in one, under a
// savepoint, so that a nested call that fails undoes only its own changes.
func (s *Store) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	if fn == nil {
		return fmt.Errorf("%w: InTx without a function", store.ErrInvalid)
	}
	body := func(tx *Store) error { return fn(tx) }
	if s.tx != nil {
		return s.savepoint(ctx, false, body)
	}
	return s.begin(ctx, body)
}

// begin runs fn in a new transaction, committing on nil. A panic in fn rolls the
// transaction back before it goes on up: an HTTP server recovers panics, and a
// transaction left open would hold SQLite's write lock for good.
func (s *Store) begin(ctx context.Context, fn func(tx *Store) error) error {
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.mapErr(err)
	}
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback()
		}
	}()
	if err := fn(&Store{d: s.d, db: s.db, tx: &txState{tx: sqlTx}, stmts: s.stmts}); err != nil {
		done = true
		if rbErr := sqlTx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("%s: rollback: %w", s.d.Name, rbErr))
		}
		return err
	}
	done = true
	return s.mapErr(sqlTx.Commit())
}

// savepoint runs fn inside the current transaction so that its changes are
// undone, and the transaction stays usable, when it returns an error.
func (s *Store) savepoint(ctx context.Context, guarded bool, fn func(tx *Store) error) error {
	s.tx.savepoints++
	name := "sp" + strconv.Itoa(s.tx.savepoints)
	if _, err := s.tx.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return s.mapErr(err)
	}
	if err := fn(&Store{d: s.d, db: s.db, tx: s.tx, guarded: guarded, stmts: s.stmts}); err != nil {
		if _, rbErr := s.tx.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rbErr != nil {
			return errors.Join(err, fmt.Errorf("%s: rollback to savepoint: %w", s.d.Name, rbErr))
		}
		_, _ = s.tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
		return err
	}
	_, err := s.tx.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name)
	return s.mapErr(err)
}

// write runs a one-statement change. Outside a transaction the statement is
// atomic already; inside a caller's transaction it may need a savepoint (see
// Dialect.FailedStatementAbortsTx).
func (s *Store) write(ctx context.Context, fn func(s *Store) error) error {
	if s.tx != nil && !s.guarded && s.d.FailedStatementAbortsTx {
		return s.savepoint(ctx, true, fn)
	}
	return fn(s)
}

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) q() querier {
	if s.tx != nil {
		return s.tx.tx
	}
	return s.db
}

// mapErr is the one place where driver errors become store sentinels. The
// driver error stays in the chain for logs.
func (s *Store) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	}
	if kind := s.d.Classify(err); kind != nil {
		return fmt.Errorf("%w: %w", kind, err)
	}
	return fmt.Errorf("%s: %w", s.d.Name, err)
}

// args converts timestamps to the dialect's stored form.
func (s *Store) args(args []any) []any {
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			args[i] = s.d.TimeValue(t.UTC())
		}
	}
	return args
}

// exec runs a one-statement change and reports the rows it touched.
func (s *Store) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := s.write(ctx, func(s *Store) error {
		res, err := s.execContext(ctx, s.d.rebind(query), s.args(args))
		if err != nil {
			return s.mapErr(err)
		}
		n, err = res.RowsAffected()
		return s.mapErr(err)
	})
	return n, err
}

// execOne is exec for statements that must touch exactly one row: none means
// that what was named does not exist.
func (s *Store) execOne(ctx context.Context, what, query string, args ...any) error {
	n, err := s.exec(ctx, query, args...)
	if err == nil && n == 0 {
		return notFound(what)
	}
	return err
}

type rowScanner interface{ Scan(dest ...any) error }

// one reads a single row; no row is ErrNotFound naming what was looked for.
func one[T any](ctx context.Context, s *Store, what, query string, args []any, scan func(rowScanner) (T, error)) (T, error) {
	v, err := queryRow(ctx, s, s.d.rebind(query), s.args(args), scan)
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound(what)
	}
	return v, s.mapErr(err)
}

// oneWrite is one for a change that returns its row (UPDATE/DELETE … RETURNING).
func oneWrite[T any](ctx context.Context, s *Store, what, query string, args []any, scan func(rowScanner) (T, error)) (T, error) {
	var v T
	err := s.write(ctx, func(s *Store) error {
		var err error
		v, err = one(ctx, s, what, query, args, scan)
		return err
	})
	return v, err
}

// list reads every row. The result is never nil, so that callers rendering JSON
// get [] rather than null.
func list[T any](ctx context.Context, s *Store, query string, args []any, scan func(rowScanner) (T, error)) ([]T, error) {
	out := []T{}
	err := s.queryRows(ctx, s.d.rebind(query), s.args(args), func(rows *sql.Rows) error {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if err != nil {
		return nil, s.mapErr(err)
	}
	return out, nil
}

// scanRow scans r, reading *time.Time destinations through timeScanner.
func scanRow(r rowScanner, dest ...any) error {
	for i, d := range dest {
		if p, ok := d.(*time.Time); ok {
			dest[i] = timeScanner{p}
		}
	}
	return r.Scan(dest...)
}

// UnixMicro stores timestamps as integer microseconds since the Unix epoch, for
// databases without a timestamp type. timeScanner reads them back.
func UnixMicro(t time.Time) any { return t.UnixMicro() }

type timeScanner struct{ p *time.Time }

func (ts timeScanner) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*ts.p = x.UTC()
	case int64:
		*ts.p = time.UnixMicro(x).UTC()
	default:
		return fmt.Errorf("sqlstore: cannot read %T as a timestamp", v)
	}
	return nil
}

// stamp returns t, or the current time when t is zero, at the precision every
// backend keeps (microseconds) and in UTC, so that what a create returns equals
// what a later read returns.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func notFound(what string) error { return fmt.Errorf("%w: %s", store.ErrNotFound, what) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{store.ErrInvalid}, args...)...)
}

func scanTime(r rowScanner) (time.Time, error) {
	var t time.Time
	err := scanRow(r, &t)
	return t, err
}

func scanString(r rowScanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

func fmtConflict(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{store.ErrConflict}, args...)...)
}
