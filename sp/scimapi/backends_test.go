package scimapi_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/postgres"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// pgDSNEnv names the PostgreSQL server the store tests use too; without it the
// PostgreSQL variants are skipped.
const pgDSNEnv = "SP_TEST_POSTGRES_DSN"

// backend opens a fresh, empty store.
type backend struct {
	name string
	open func(tb testing.TB) store.Store
	// seedWorkers transactions of seedChunk users (0: all) seed a benchmark.
	seedWorkers, seedChunk int
}

// backends are SQLite, and PostgreSQL when SP_TEST_POSTGRES_DSN is set.
func backends() []backend {
	out := []backend{{"sqlite", openSQLite, 1, 0}}
	if os.Getenv(pgDSNEnv) != "" {
		out = append(out, backend{"postgres", openPostgres, 2, 1000})
	}
	return out
}

func openSQLite(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sp.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// openPostgres opens a store in a schema of its own, dropped when tb ends.
func openPostgres(tb testing.TB) store.Store {
	tb.Helper()
	dsn := os.Getenv(pgDSNEnv)
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(tb, err)
	admin := stdlib.OpenDB(*cfg)
	tb.Cleanup(func() { _ = admin.Close() })
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "scimtest_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	_, err = admin.ExecContext(ctx, `CREATE SCHEMA `+schema)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		require.NoError(tb, err)
	})
	st, err := postgres.Open(ctx, withSearchPath(tb, dsn, schema))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	return pgStore{Store: st, admin: admin, schema: schema}
}

// pgStore is a PostgreSQL store that can be vacuumed after a bulk load.
type pgStore struct {
	store.Store
	admin  *sql.DB
	schema string
}

// settle does what autovacuum does within a minute or so of a bulk load:
// statistics for the planner, and a visibility map for index-only scans. A
// benchmark run straight after seeding would otherwise measure plans made
// for empty tables.
func settle(tb testing.TB, st store.Store) {
	pg, ok := st.(pgStore)
	if !ok {
		return
	}
	for _, table := range []string{"users", "memberships", "scim_users", "scim_user_emails", "scim_user_counts", "teams", "team_members", "audit_events"} {
		_, err := pg.admin.ExecContext(context.Background(), `VACUUM (ANALYZE) `+pg.schema+`.`+table)
		require.NoError(tb, err)
	}
}

func withSearchPath(tb testing.TB, dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		require.NoError(tb, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
