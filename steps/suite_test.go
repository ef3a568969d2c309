package steps_test

import (
	"context"
	"flag"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/colors"

	"github.com/ssoharness/ssoharness/features"
	"github.com/ssoharness/ssoharness/steps"
	"github.com/ssoharness/ssoharness/steps/target"
)

// opts is bound to the command line so that
// `go test ./steps -args -godog.tags=@SSO-07 -godog.concurrency=4 -godog.random`
// works; godog's flag binding needs it at package level.
var opts = godog.Options{
	Output:      colors.Colored(os.Stdout),
	Format:      "progress",
	Concurrency: 4,
	Strict:      true,
}

func init() { godog.BindFlags("godog.", flag.CommandLine, &opts) }

// TestFeatures runs the Gherkin suite against the in-process reference SP, then
// checks rule coverage: every rule marked implemented in features/rules.txt must
// have at least one passing scenario in this run.
func TestFeatures(t *testing.T) {
	rules, err := features.Rules()
	if err != nil {
		t.Fatal(err)
	}
	cov := &coverage{passed: map[string]int{}, failed: map[string]int{}}

	o := opts
	o.TestingT = t
	o.FS = features.FS()
	o.Paths = []string{"."}
	suite := godog.TestSuite{
		Name: "conformance",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			steps.Initializer(steps.Config{NewTarget: func(ctx context.Context) (target.Target, error) {
				return target.NewInProcess(ctx)
			}})(sc)
			sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
				cov.record(steps.RuleTags(s), err == nil)
				return ctx, nil
			})
		},
		Options: &o,
	}
	if suite.Run() != 0 {
		t.Fatal("the conformance suite failed")
	}

	// Coverage is only meaningful for a full run; a run narrowed by tags checks
	// only the rules it selected.
	var planned, missing []string
	for _, r := range rules {
		switch {
		case r.Status == features.Planned:
			planned = append(planned, r.ID)
		case o.Tags != "" && !strings.Contains(o.Tags, r.ID):
			continue
		case cov.passed[r.ID] == 0:
			missing = append(missing, r.ID)
		}
	}
	t.Logf("rules with passing scenarios: %s", strings.Join(cov.ids(), " "))
	if len(planned) > 0 {
		t.Logf("rules not implemented yet (%d): %s", len(planned), strings.Join(planned, " "))
	}
	if len(missing) > 0 {
		t.Fatalf("rules marked implemented without a passing scenario: %s", strings.Join(missing, " "))
	}
}

type coverage struct {
	mu             sync.Mutex
	passed, failed map[string]int
}

func (c *coverage) record(ids []string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range ids {
		if ok {
			c.passed[id]++
		} else {
			c.failed[id]++
		}
	}
}

func (c *coverage) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for id := range c.passed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
