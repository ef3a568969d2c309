// Package sqlstore is the store.Store implementation shared by the database/sql
// backends. The SQLite and PostgreSQL backends differ only in what Dialect
// describes: placeholders, how timestamps are stored, how driver errors are
// classified and how a failed statement affects the transaction around it.
package sqlstore

import (
	"strconv"
	"strings"
	"time"
)

// Dialect is what one database needs said differently from another.
type Dialect struct {
	// Name appears in error messages.
	Name string
	// NumberedPlaceholders: queries are written with "?" and rewritten to $1, $2…
	NumberedPlaceholders bool
	// TimeValue converts a UTC timestamp to what the timestamp columns hold.
	TimeValue func(time.Time) any
	// Classify returns store.ErrConflict, store.ErrNotFound or store.ErrInvalid
	// for a driver error that breaks a constraint, nil for any other error.
	Classify func(error) error
	// FailedStatementAbortsTx: after an error the transaction accepts nothing but
	// ROLLBACK (PostgreSQL). Statements inside InTx then run under a savepoint so
	// that a caller can handle, say, ErrConflict and carry on in the same
	// transaction, as it can on SQLite.
	FailedStatementAbortsTx bool
	// PrepareStatements keeps statements prepared (stmtCache), for drivers
	// that compile every query otherwise.
	PrepareStatements bool
	// MigrationLock runs first in the migration transaction so that processes
	// starting together apply migrations one after another. Empty when the
	// transaction itself already excludes other writers (SQLite BEGIN IMMEDIATE).
	MigrationLock string
}

// rebind rewrites "?" placeholders for dialects that number them. The queries of
// this package never hold a literal question mark, so no quoting rules apply.
func (d *Dialect) rebind(q string) string {
	if !d.NumberedPlaceholders || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
