// Package steps holds the conformance suite's step definitions. One world value
// lives per scenario (godog calls the initializer once per scenario), so
// scenarios share nothing and run in parallel and in any order.
package steps

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/cucumber/godog"

	"github.com/ssoharness/ssoharness/steps/oktaremote"
	"github.com/ssoharness/ssoharness/steps/target"
)

// Config says how each scenario gets its service provider.
type Config struct {
	// NewTarget starts (or connects to) the SP for one scenario.
	NewTarget func(ctx context.Context) (target.Target, error)
	// Keys supplies the fake Okta's app keys; nil makes a fresh key per app.
	Keys *KeyPool
	// OktaHost is the host (name or IP) each scenario's fake Okta listens on
	// and calls itself by; empty means 127.0.0.1. An SP on another machine
	// fetches the app's metadata from the fake Okta, so it needs an address
	// that SP can reach.
	OktaHost string
	// OktaURL is the base URL of a fake Okta that is already running (the
	// idpsim command), for every scenario to use instead of starting one of
	// its own; OktaHost and Keys then do not apply. Scenarios share it
	// safely: their people and groups have names of their own, faults are
	// per app, and a scenario that would move its clock is skipped.
	OktaURL string
	// OktaToken is that fake Okta's management API (SSWS) token.
	OktaToken string
	// OktaHTTP talks to that fake Okta; nil means one client made by
	// Initializer, shared by its scenarios (and their connections).
	OktaHTTP *http.Client
	// CleanUp makes every scenario remove, at its end and over SCIM, the users
	// and groups it made: for an SP that runs share.
	CleanUp bool
}

// Initializer returns the godog scenario initializer.
func Initializer(cfg Config) func(*godog.ScenarioContext) {
	exprs := &regexCache{}
	if cfg.OktaURL != "" && cfg.OktaHTTP == nil {
		cfg.OktaHTTP = &http.Client{Timeout: oktaremote.DefaultTimeout}
	}
	return func(godogSC *godog.ScenarioContext) {
		sc := scenario{ScenarioContext: godogSC, exprs: exprs}
		w := &world{cfg: cfg, browsers: map[string]*person{}, tenants: map[string]*tenant{}, names: newNamer()}
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			return ctx, w.start(ctx)
		})
		sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
			w.close()
			return ctx, nil
		})
		// A step that needs what the target cannot offer is skipped, naming
		// what is missing, whichever step it is: the run reports it per rule
		// rather than failing on a capability the SP never claimed.
		sc.StepContext().After(func(ctx context.Context, _ *godog.Step, _ godog.StepResultStatus, err error) (context.Context, error) {
			if errors.Is(err, target.ErrUnsupported) && !errors.Is(err, godog.ErrSkip) {
				what := strings.TrimPrefix(err.Error(), target.ErrUnsupported.Error()+": ")
				skip := fmt.Errorf("%w: needs %s", godog.ErrSkip, what)
				return withSkip(ctx, skip), skip
			}
			if errors.Is(err, godog.ErrSkip) {
				return withSkip(ctx, err), nil
			}
			return ctx, nil
		})
		w.registerOrg(sc)
		w.registerSetup(sc)
		w.registerSSO(sc)
		w.registerRefusals(sc)
		w.registerSignIn(sc)
		w.registerProvisioning(sc)
		w.registerSCIMProtocol(sc)
	}
}

// skipKey holds, in a scenario's context, why it was skipped. godog hands an
// After hook the error of the scenario's last step only, which is nil when an
// earlier step was skipped: without this a skipped scenario would count as
// passed.
type skipKey struct{}

func withSkip(ctx context.Context, err error) context.Context {
	if ctx.Value(skipKey{}) != nil {
		return ctx
	}
	return context.WithValue(ctx, skipKey{}, err)
}

// skippedIn returns why the scenario whose context this is was skipped, or nil.
func skippedIn(ctx context.Context) error {
	err, _ := ctx.Value(skipKey{}).(error)
	return err
}

// scenario is godog's scenario context with step expressions compiled once
// per run instead of once per scenario: godog would otherwise compile every
// step's regular expression again for each of the suite's scenarios.
type scenario struct {
	*godog.ScenarioContext
	exprs *regexCache
}

// Step registers a step definition under a cached compiled expression.
func (sc scenario) Step(expr string, fn any) { sc.ScenarioContext.Step(sc.exprs.get(expr), fn) }

// regexCache holds the compiled step expressions; scenarios start on several
// goroutines at once.
type regexCache struct{ m sync.Map }

func (c *regexCache) get(expr string) *regexp.Regexp {
	if re, ok := c.m.Load(expr); ok {
		return re.(*regexp.Regexp)
	}
	re, _ := c.m.LoadOrStore(expr, regexp.MustCompile(expr))
	return re.(*regexp.Regexp)
}

// RuleTags returns the rule IDs a scenario is tagged with (e.g. "SSO-07").
func RuleTags(s *godog.Scenario) []string {
	var ids []string
	for _, t := range s.Tags {
		if ruleTag.MatchString(t.Name) {
			ids = append(ids, strings.TrimPrefix(t.Name, "@"))
		}
	}
	return ids
}

var ruleTag = regexp.MustCompile(`^@[A-Z]+-\d+$`)

// namesFromEmail turns "ada.lovelace@x" into ("Ada", "Lovelace"), so that
// scenarios can speak of people by email alone.
func namesFromEmail(email string) (given, family string) {
	local, _, _ := strings.Cut(email, "@")
	parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' })
	if len(parts) == 0 {
		return "Test", "User"
	}
	given = strings.ToUpper(parts[0][:1]) + parts[0][1:]
	family = "Tester"
	if len(parts) > 1 {
		family = strings.ToUpper(parts[1][:1]) + parts[1][1:]
	}
	return given, family
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
