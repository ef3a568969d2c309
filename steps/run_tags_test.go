package steps

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatchTags(t *testing.T) {
	t.Parallel()
	tags := []string{"@SSO-07", "@wip"}
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{"", true},
		{"@SSO-07", true},
		{"SSO-07", true},
		{"@SSO-08", false},
		{"@SSO-08,@SSO-07", true},
		{"~@SSO-07", false},
		{"~@SSO-08", true},
		{"@SSO-07 && @wip", true},
		{"@SSO-07 && ~@wip", false},
		{"@SSO-08,@SSO-07 && ~@wip", false},
		{"@SSO-0", false},
	} {
		assert.Equal(t, tc.want, MatchTags(tc.expr, tags), tc.expr)
	}
}
