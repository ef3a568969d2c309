package sqlstore

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestRebind(t *testing.T) {
	numbered := &Dialect{NumberedPlaceholders: true}
	require.Equal(t, "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)", numbered.rebind("SELECT a FROM t WHERE b = ? AND c IN (?, ?)"))
	require.Equal(t, "SELECT 1", numbered.rebind("SELECT 1"))
	plain := &Dialect{}
	require.Equal(t, "WHERE b = ?", plain.rebind("WHERE b = ?"))
}

func TestReadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("CREATE TABLE x (a int);")}
	got, err := readMigrations(fstest.MapFS{
		"0002_more.sql": sql, "0010_later.sql": sql, "0001_init.sql": sql, "README.md": sql,
	})
	require.NoError(t, err)
	var names []string
	for _, m := range got {
		names = append(names, m.name)
	}
	require.Equal(t, []string{"0001_init.sql", "0002_more.sql", "0010_later.sql"}, names, "numeric order, other files ignored")

	for name, fsys := range map[string]fstest.MapFS{
		"no number":         {"init.sql": sql},
		"number zero":       {"0000_init.sql": sql},
		"no underscore":     {"0001.sql": sql},
		"duplicate version": {"0001_a.sql": sql, "1_b.sql": sql},
		"empty":             {},
	} {
		_, err := readMigrations(fsys)
		require.Error(t, err, name)
	}
}
