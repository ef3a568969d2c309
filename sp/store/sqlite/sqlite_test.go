package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/storetest"
)

func openTemp(tb testing.TB) *Store {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "sp.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	storetest.RunTests(t, func(t *testing.T) store.Store { return openTemp(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) store.Store { return openTemp(b) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "sp.db")

	s, err := Open(ctx, path)
	require.NoError(t, err)
	o, err := s.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	first := migrationsApplied(t, s)
	require.NoError(t, s.Close())

	s, err = Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.GetOrganization(ctx, o.ID)
	require.NoError(t, err)
	require.Equal(t, o, got)
	require.Equal(t, first, migrationsApplied(t, s), "nothing is applied twice")
	files, err := fs.Glob(migrationFiles, "migrations/*.sql")
	require.NoError(t, err)
	require.Len(t, first, len(files), "every embedded migration, once")
	require.Contains(t, first[0], "0001_init.sql@")
}

// migrationsApplied lists schema_migrations as name@applied_at, so that a
// migration applied again would show as a changed time.
func migrationsApplied(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.db.QueryContext(t.Context(), `SELECT name, applied_at FROM schema_migrations ORDER BY version`)
	require.NoError(t, err)
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name, at string
		require.NoError(t, rows.Scan(&name, &at))
		names = append(names, name+"@"+at)
	}
	require.NoError(t, rows.Err())
	return names
}

func TestRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sp.db")
	s, err := Open(t.Context(), path)
	require.NoError(t, err)
	_, err = s.db.ExecContext(t.Context(), `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	_, err = Open(t.Context(), path)
	require.ErrorContains(t, err, "schema version 9999")
}

func TestConnectionSettings(t *testing.T) {
	s := openTemp(t)
	ctx := t.Context()
	// Hold several connections at once so that the pool's every connection,
	// not only the first, is checked.
	for range 3 {
		c, err := s.db.Conn(ctx)
		require.NoError(t, err)
		defer c.Close()
		var mode string
		var fk, busy, sync int
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode))
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk))
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy))
		require.NoError(t, c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync))
		require.Equal(t, "wal", mode)
		require.Equal(t, 1, fk)
		require.Equal(t, BusyTimeoutMillis, busy)
		require.Equal(t, 1, sync, "NORMAL")
	}
}

func TestOpenRefusesNonFiles(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file::memory:?cache=shared"} {
		_, err := Open(t.Context(), path)
		require.Error(t, err, "path %q", path)
	}
	_, err := Open(t.Context(), filepath.Join(t.TempDir(), "no", "such", "dir", "sp.db"))
	require.Error(t, err)
}

func TestOddFileNames(t *testing.T) {
	for _, name := range []string{"a db?x=1#frag.db", "100%.db", "a:b.db"} {
		path := filepath.Join(t.TempDir(), name)
		s, err := Open(t.Context(), path)
		require.NoError(t, err, name)
		_, err = s.CreateOrganization(t.Context(), store.Organization{Name: "Acme"})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		require.FileExists(t, path, "the name is used as given, not parsed as a URI")
	}
}
