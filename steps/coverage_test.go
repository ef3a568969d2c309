package steps

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"

	"github.com/ssoharness/ssoharness/features"
)

func TestCoverageTalliesPerRule(t *testing.T) {
	t.Parallel()
	scenario := func(name string, tags ...string) *godog.Scenario {
		s := &godog.Scenario{Name: name}
		for _, tag := range tags {
			s.Tags = append(s.Tags, &messages.PickleTag{Name: tag})
		}
		return s
	}
	unsupported := errors.New("target: not supported")
	// godog joins what an after-step hook returns to the step's own error.
	skipped := errors.Join(fmt.Errorf("%w: needs Okta sign-in (the target offers SCIM only)", godog.ErrSkip), unsupported)

	cov := NewCoverage()
	cov.Record(scenario("passes", "@SSO-07", "@wip"), nil)
	cov.Record(scenario("skips", "@SSO-07"), skipped)
	cov.Record(scenario("fails", "@SCIM-04"), errors.New("ada is not a member"))
	cov.Record(scenario("skips too", "@SCIM-05"), skipped)

	assert.Equal(t, RuleTally{Passed: 1, Skipped: 1, Reasons: []string{`skipped "skips": needs Okta sign-in (the target offers SCIM only)`}}, cov.Tally("SSO-07"))
	assert.Equal(t, 1, cov.Tally("SCIM-04").Failed)
	assert.Equal(t, RuleTally{}, cov.Tally("wip"), "tags that are not rule IDs are not rules")

	rules := []features.Rule{
		{ID: "SSO-07", Status: features.Implemented, Summary: "IdP-initiated"},
		{ID: "SCIM-04", Status: features.Implemented, Summary: "Assigning creates"},
		{ID: "SCIM-05", Status: features.Implemented, Summary: "Updates"},
		{ID: "SCIM-06", Status: features.Implemented, Summary: "Deactivating"},
	}
	var out strings.Builder
	cov.WriteSummary(&out, rules)
	for _, want := range []string{
		"SSO-07    PASS  1 passed, 0 failed, 1 skipped",
		"SCIM-04   FAIL  0 passed, 1 failed, 0 skipped",
		"SCIM-05   SKIP  0 passed, 0 failed, 1 skipped",
		`skipped "skips too": needs Okta sign-in`,
		"not run (1): SCIM-06",
	} {
		assert.Contains(t, out.String(), want)
	}
	assert.Equal(t, []string{"SCIM-04", "SCIM-05", "SCIM-06"}, cov.Missing(rules, nil))
	assert.Equal(t, []string{"SCIM-04"}, cov.Failed(rules))
}
