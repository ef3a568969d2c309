package steps_test

import (
	"context"
	"flag"
	"os"
	"strings"
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
	cov := steps.NewCoverage()

	o := opts
	o.TestingT = t
	o.FS = features.FS()
	o.Paths = []string{"."}
	cfg := steps.Config{
		NewTarget: func(ctx context.Context) (target.Target, error) { return target.NewInProcess(ctx) },
		Keys:      steps.NewKeyPool(16),
	}
	status := steps.NewSuite(cfg, &o, cov).Run()

	var sb strings.Builder
	cov.WriteSummary(&sb, rules)
	t.Log("rule coverage:\n" + sb.String())
	if status != 0 {
		t.Fatal("the conformance suite failed")
	}
	// A run narrowed by tags checks only the rules it selected.
	scenarios, err := steps.ListScenarios(features.FS())
	if err != nil {
		t.Fatal(err)
	}
	chosen := steps.SelectedRules(scenarios, o.Tags)
	selected := func(id string) bool { return chosen[id] }
	if missing := cov.Missing(rules, selected); len(missing) > 0 {
		t.Fatalf("rules marked implemented without a passing scenario: %s", strings.Join(missing, " "))
	}
}
