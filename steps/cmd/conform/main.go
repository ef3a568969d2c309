// Command conform runs the ssoharness conformance suite: Gherkin scenarios for
// every rule of the behaviour catalogue, driven through a fake Okta.
//
//	conform                         run every scenario against the in-process reference SP
//	conform -target sp.yaml         run them against the SP a target file describes
//	conform -okta http://127.0.0.1:8081
//	                                use a running fake Okta (bin/idpsim, its API token in
//	                                $IDPSIM_API_TOKEN) instead of one per scenario
//	conform -list                   print the rules and scenarios it would run
//	conform -tags @SSO-07 -format pretty,junit:report.xml
//
// Each scenario starts a fake Okta of its own, in process, unless -okta names
// one that is already running; then every scenario uses that one at the same
// time, each with people and groups of its own, and the scenarios that would
// move its clock (which all of them share) are skipped, naming why.
//
// Against the in-process reference SP it exits 0 only when every selected
// scenario passed and every implemented rule it selected has a passing
// scenario. Against a target file, scenarios that need what the target does
// not offer are skipped, each naming what is missing; the run exits 0 when
// none failed (and, with -require-all, when every selected rule passed).
// Exit code 1 is a failed run, 2 a usage or set-up error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/colors"

	"github.com/ssoharness/ssoharness/features"
	"github.com/ssoharness/ssoharness/steps"
	"github.com/ssoharness/ssoharness/steps/oktaremote"
	"github.com/ssoharness/ssoharness/steps/target"
)

func main() {
	code, err := run(os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "conform:", err)
	}
	os.Exit(code)
}

type options struct {
	features    string
	tags        string
	format      string
	concurrency int
	random      int64
	list        bool
	noColors    bool
	target      string
	requireAll  bool
	oktaHost    string
	oktaURL     string
	oktaToken   string // the name of the variable holding the token
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) (int, error) {
	fset := flag.NewFlagSet("conform", flag.ContinueOnError)
	fset.SetOutput(stderr)
	var o options
	fset.StringVar(&o.features, "features", "", "folder of .feature files to run instead of the built-in ones")
	fset.StringVar(&o.tags, "tags", "", "tag expression selecting scenarios, e.g. '@SSO-07,@SSO-08' or '~@SCIM-10'")
	fset.StringVar(&o.format, "format", "pretty", "formatters, comma-separated: pretty, progress, junit:FILE, cucumber:FILE")
	fset.IntVar(&o.concurrency, "concurrency", 4, "scenarios run at once")
	fset.Int64Var(&o.random, "random", 0, "run scenarios in random order with this seed (0: file order; -1: pick a seed)")
	fset.BoolVar(&o.list, "list", false, "print the rules and scenarios, run nothing")
	fset.BoolVar(&o.noColors, "no-colors", false, "plain output")
	fset.StringVar(&o.target, "target", "", "target file (YAML) describing the SP to test; none: the in-process reference SP")
	fset.StringVar(&o.oktaHost, "okta-host", "", "host or IP the fake Okta listens on and calls itself by; the SP must reach it to fetch metadata (default 127.0.0.1)")
	fset.StringVar(&o.oktaURL, "okta", "", "a running fake Okta (bin/idpsim) to use instead of one started in-process per scenario: its base URL, such as http://127.0.0.1:8081")
	fset.StringVar(&o.oktaToken, "okta-token-env", "IDPSIM_API_TOKEN", "with -okta: the environment variable holding its SSWS API token (idpsim prints the token at start and takes -api-token)")
	fset.BoolVar(&o.requireAll, "require-all", false, "with -target: also fail when a selected rule has no passing scenario (all of its scenarios skipped)")
	fset.Usage = func() {
		fmt.Fprintf(stderr, "Usage: conform [flags]\n\nRuns the ssoharness conformance suite.\n\nFlags:\n")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, nil
		}
		return 2, nil
	}
	if fset.NArg() > 0 {
		return 2, fmt.Errorf("unexpected arguments: %s", strings.Join(fset.Args(), " "))
	}
	if o.concurrency < 1 {
		return 2, errors.New("-concurrency must be at least 1")
	}
	if o.oktaURL != "" && o.oktaHost != "" {
		return 2, errors.New("-okta and -okta-host cannot be used together: -okta-host is where the fake Okta started per scenario listens, and -okta starts none")
	}

	fsys := features.FS()
	if o.features != "" {
		fsys = os.DirFS(o.features)
	}
	rules, err := features.Rules()
	if err != nil {
		return 2, err
	}
	scenarios, err := steps.ListScenarios(fsys)
	if err != nil {
		return 2, err
	}
	if o.list {
		return list(stdout, scenarios, rules, o.tags)
	}

	out := stdout
	if !o.noColors {
		out = colors.Colored(stdout)
	}
	gopts := godog.Options{
		Output:      out,
		Format:      o.format,
		Tags:        o.tags,
		Concurrency: o.concurrency,
		Randomize:   o.random,
		Strict:      true,
		NoColors:    o.noColors,
		FS:          fsys,
		Paths:       []string{"."},
	}
	cfg := steps.Config{
		NewTarget: func(ctx context.Context) (target.Target, error) { return target.NewInProcess(ctx) },
		Keys:      steps.NewKeyPool(16),
		OktaHost:  o.oktaHost,
	}
	if o.oktaURL != "" {
		// Checked once here, so that a wrong URL or token is one set-up
		// error rather than a failure in every scenario.
		token := os.Getenv(o.oktaToken)
		if token == "" {
			return 2, fmt.Errorf("-okta needs the fake Okta's API token in $%s (idpsim prints it at start as \"API token\"; -okta-token-env names another variable)", o.oktaToken)
		}
		client := &http.Client{Timeout: oktaremote.DefaultTimeout}
		okta, err := oktaremote.New(o.oktaURL, token, client)
		if err != nil {
			return 2, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := okta.Check(ctx); err != nil {
			var refused *oktaremote.APIError
			if errors.As(err, &refused) && refused.Status == http.StatusUnauthorized {
				return 2, fmt.Errorf("-okta %s: the fake Okta refused the token in $%s: %w", o.oktaURL, o.oktaToken, err)
			}
			return 2, fmt.Errorf("-okta %s: %w", o.oktaURL, err)
		}
		cfg.OktaURL, cfg.OktaToken, cfg.OktaHTTP, cfg.Keys = okta.BaseURL(), token, client, nil
	}
	requireAll := true
	if o.target != "" {
		f, err := target.LoadFile(o.target, os.Getenv)
		if err != nil {
			return 2, err
		}
		// One client for every scenario: they share connections to the SP.
		client := &http.Client{Timeout: 30 * time.Second}
		cfg.NewTarget = func(ctx context.Context) (target.Target, error) {
			return target.NewExternal(ctx, f, target.WithHTTPClient(client))
		}
		requireAll = o.requireAll
		cfg.CleanUp = true
	}
	cov := steps.NewCoverage()
	status := steps.NewSuite(cfg, &gopts, cov).Run()

	fmt.Fprintln(stdout, "\nRule coverage:")
	cov.WriteSummary(stdout, rules)
	code := 0
	if failed := cov.Failed(rules); len(failed) > 0 {
		fmt.Fprintf(stdout, "failed rules: %s\n", strings.Join(failed, " "))
		code = 1
	} else if status != 0 {
		fmt.Fprintln(stdout, "the run failed (see the scenarios above)")
		code = 1
	}
	chosen := steps.SelectedRules(scenarios, o.tags)
	selected := func(id string) bool { return chosen[id] }
	if missing := cov.Missing(rules, selected); len(missing) > 0 {
		fmt.Fprintf(stdout, "selected rules without a passing scenario: %s\n", strings.Join(missing, " "))
		if requireAll {
			code = 1
		}
	}
	return code, nil
}

// list prints each rule with the scenarios the tag expression selects, and
// the rules it selects nothing of only when no expression was given.
func list(w io.Writer, scenarios []steps.ScenarioInfo, rules []features.Rule, tags string) (int, error) {
	byRule := map[string][]steps.ScenarioInfo{}
	n := 0
	for _, s := range scenarios {
		if !steps.MatchTags(tags, s.Tags) {
			continue
		}
		n++
		for _, id := range s.Rules {
			byRule[id] = append(byRule[id], s)
		}
	}
	listed := 0
	for _, r := range rules {
		if tags != "" && len(byRule[r.ID]) == 0 {
			continue
		}
		listed++
		fmt.Fprintf(w, "%s (%s) %s\n", r.ID, r.Status, r.Summary)
		for _, s := range byRule[r.ID] {
			fmt.Fprintf(w, "    %s  [%s]\n", s.Name, s.Location)
		}
	}
	fmt.Fprintf(w, "%d scenarios, %d rules\n", n, listed)
	return 0, nil
}
