package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// stmtCache keeps statements prepared for drivers that otherwise compile every
// query they are handed (modernc's SQLite does; pgx keeps a cache of its own,
// see Dialect.PrepareStatements). Compiling is a large share of a short
// statement's cost, and the SP runs the same few dozen statements all day.
//
// database/sql prepares a cached statement once per pooled connection and
// hands a transaction the one of its connection (Tx.StmtContext).
type stmtCache struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
	// pending counts background prepares, which Close waits for: one still
	// opening a connection would otherwise touch the database after Close.
	pending sync.WaitGroup
}

// maxCachedStmts bounds the cache: queries built with a variable number of
// placeholders (IN lists, filters) are many, and the ones beyond the bound
// simply run unprepared.
const maxCachedStmts = 256

func newStmtCache(db *sql.DB, d *Dialect) *stmtCache {
	if !d.PrepareStatements {
		return nil
	}
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, or nil when it is not ready:
// the query then runs unprepared this once.
//
// Preparing takes a connection of the pool. Inside a transaction that could
// wait for ever: the pool may be held by transactions queued behind this one
// for SQLite's write lock. So a statement first met inside a transaction is
// prepared in the background, once a connection is free.
func (c *stmtCache) get(ctx context.Context, query string, inTx bool) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	st, known := c.m[query]
	if known || len(c.m) >= maxCachedStmts {
		c.mu.Unlock()
		return st // nil while a background prepare is pending
	}
	c.m[query] = nil
	c.mu.Unlock()
	if inTx {
		c.pending.Go(func() { c.prepare(context.WithoutCancel(ctx), query) })
		return nil
	}
	return c.prepare(ctx, query)
}

// prepare fills the cache entry of query; on failure it forgets the entry, so
// that a later call tries again (and the unprepared run reports the error).
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	st, err := c.db.PrepareContext(ctx, query)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		delete(c.m, query)
		return nil
	}
	c.m[query] = st
	return st
}

// withStmt runs fn with the cached statement of query bound to s's
// transaction, if any; with nil when query runs unprepared.
func (s *Store) withStmt(ctx context.Context, query string, fn func(st *sql.Stmt) error) error {
	st := s.stmts.get(ctx, query, s.tx != nil)
	if st != nil && s.tx != nil {
		// Closing the transaction's copy leaves the cached statement alone;
		// closing at once keeps a long transaction from collecting copies.
		st = s.tx.tx.StmtContext(ctx, st)
		defer st.Close()
	}
	return fn(st)
}

func (s *Store) execContext(ctx context.Context, query string, args []any) (res sql.Result, err error) {
	err = s.withStmt(ctx, query, func(st *sql.Stmt) error {
		if st == nil {
			res, err = s.q().ExecContext(ctx, query, args...)
		} else {
			res, err = st.ExecContext(ctx, args...)
		}
		return err
	})
	return res, err
}

// queryRow scans the first row of query with scan.
func queryRow[T any](ctx context.Context, s *Store, query string, args []any, scan func(rowScanner) (T, error)) (v T, err error) {
	err = s.withStmt(ctx, query, func(st *sql.Stmt) error {
		if st == nil {
			v, err = scan(s.q().QueryRowContext(ctx, query, args...))
		} else {
			v, err = scan(st.QueryRowContext(ctx, args...))
		}
		return err
	})
	return v, err
}

// queryRows calls each with every row of query.
func (s *Store) queryRows(ctx context.Context, query string, args []any, each func(*sql.Rows) error) error {
	return s.withStmt(ctx, query, func(st *sql.Stmt) error {
		var rows *sql.Rows
		var err error
		if st == nil {
			rows, err = s.q().QueryContext(ctx, query, args...)
		} else {
			rows, err = st.QueryContext(ctx, args...)
		}
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// wait returns once no background prepare is running; after the pool is
// closed they all fail at once.
func (c *stmtCache) wait() {
	if c != nil {
		c.pending.Wait()
	}
}
