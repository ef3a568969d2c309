package features

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRules(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Rule
		wantErr string
	}{
		{name: "comments and blanks", in: "# x\n\nA-1 implemented does a\nB-2 planned does b\n",
			want: []Rule{{"A-1", Implemented, "does a"}, {"B-2", Planned, "does b"}}},
		{name: "unknown status", in: "A-1 maybe x\n", wantErr: "neither"},
		{name: "missing status", in: "A-1\n", wantErr: "want"},
		{name: "duplicate", in: "A-1 planned x\nA-1 planned y\n", wantErr: "twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRules([]byte(tc.in))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestEmbeddedCatalogue(t *testing.T) {
	rules, err := Rules()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(rules), 32, "every SPEC.md rule is listed")
	names, err := fs.Glob(FS(), "*.feature")
	require.NoError(t, err)
	assert.NotEmpty(t, names)
}

// TestScenarioTagsNameKnownRules keeps the catalogue and the features in step: a
// tag that names no rule is a typo, and an implemented rule needs a scenario.
func TestScenarioTagsNameKnownRules(t *testing.T) {
	rules, err := Rules()
	require.NoError(t, err)
	known := map[string]Rule{}
	for _, r := range rules {
		known[r.ID] = r
	}
	tagged := map[string]bool{}
	names, err := fs.Glob(FS(), "*.feature")
	require.NoError(t, err)
	for _, name := range names {
		b, err := fs.ReadFile(FS(), name)
		require.NoError(t, err)
		for _, m := range ruleTag.FindAllStringSubmatch(string(b), -1) {
			_, ok := known[m[1]]
			assert.True(t, ok, "%s: tag @%s names no rule in rules.txt", name, m[1])
			tagged[m[1]] = true
		}
	}
	for _, r := range rules {
		if r.Status == Implemented {
			assert.True(t, tagged[r.ID], "rule %s is marked implemented but no scenario is tagged @%s", r.ID, r.ID)
		}
	}
}

var ruleTag = regexp.MustCompile(`@((?:SSO|JIT|SCIM|PROTO)-\d+)\b`)
