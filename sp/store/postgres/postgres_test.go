package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/storetest"
)

const dsnEnv = "SP_TEST_POSTGRES_DSN"

// server is the database the tests create their schemas in.
type server struct {
	dsn   string
	admin *sql.DB
}

// connect returns the test server, or skips when none is configured. In CI a
// missing or unreachable database fails the run: a skipped backend there would
// pass unnoticed. A DSN that is set but unreachable fails everywhere, since
// whoever set it meant the tests to run.
func connect(tb testing.TB) *server {
	tb.Helper()
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		if ci {
			tb.Fatalf("%s not set: CI needs a PostgreSQL database for the store tests", dsnEnv)
		}
		tb.Skipf("%s not set: set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests", dsnEnv)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", dsnEnv, err)
	}
	admin := stdlib.OpenDB(*cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		_ = admin.Close()
		tb.Fatalf("%s is set but the database is unreachable: %v", dsnEnv, err)
	}
	tb.Cleanup(func() { _ = admin.Close() })
	return &server{dsn: dsn, admin: admin}
}

// open returns a store in a fresh schema of its own, dropped when tb ends.
func (srv *server) open(tb testing.TB) *Store {
	tb.Helper()
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "sptest_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	_, err := srv.admin.ExecContext(ctx, `CREATE SCHEMA `+schema)
	require.NoError(tb, err)
	tb.Cleanup(func() {
		_, err := srv.admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		require.NoError(tb, err)
	})
	dsn, err := withSearchPath(srv.dsn, schema)
	require.NoError(tb, err)
	s, err := Open(ctx, dsn)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

// withSearchPath sets search_path in either DSN form pgx accepts.
func withSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return fmt.Sprintf("%s search_path=%s", dsn, schema), nil
}

func TestConformance(t *testing.T) {
	srv := connect(t)
	storetest.RunTests(t, func(t *testing.T) store.Store { return srv.open(t) })
}

func BenchmarkStore(b *testing.B) {
	srv := connect(b)
	storetest.RunBenchmarks(b, func(b *testing.B) store.Store { return srv.open(b) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	srv := connect(t)
	s := srv.open(t)
	ctx := t.Context()
	o, err := s.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)

	var schema string
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema))
	dsn, err := withSearchPath(srv.dsn, schema)
	require.NoError(t, err)
	// Replicas starting together: every Open migrates or finds the work done.
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			again, err := Open(ctx, dsn)
			if err == nil {
				_, err = again.GetOrganization(ctx, o.ID)
				_ = again.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		require.NoError(t, <-errs)
	}
	var n int
	require.NoError(t, s.db.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n))
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	require.NoError(t, err)
	require.Equal(t, len(files), n, "every embedded migration, once")
}

func TestOpenRefusesMissingSchema(t *testing.T) {
	srv := connect(t)
	dsn, err := withSearchPath(srv.dsn, "sptest_does_not_exist")
	require.NoError(t, err)
	_, err = Open(t.Context(), dsn)
	require.ErrorContains(t, err, "no schema")
	_, err = Open(t.Context(), "postgres://%zz")
	require.Error(t, err)
}

func TestWithSearchPath(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://u@h:5432/db?sslmode=disable", "postgres://u@h:5432/db?search_path=s&sslmode=disable"},
		{"host=h dbname=db", "host=h dbname=db search_path=s"},
	} {
		got, err := withSearchPath(tc.dsn, "s")
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}
