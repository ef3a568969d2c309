package scimapi_test

import (
	"context"
	"crypto/rand"
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
	return st
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
