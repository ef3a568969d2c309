package steps

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/cucumber/godog"

	"github.com/ssoharness/ssoharness/features"
)

// Coverage tallies scenario outcomes per rule ID. It is safe for concurrent use:
// scenarios finish on several goroutines.
type Coverage struct {
	mu    sync.Mutex
	rules map[string]*RuleTally
}

// RuleTally is one rule's outcome in a run.
type RuleTally struct {
	Passed, Failed, Skipped int
	// Reasons says why scenarios failed or were skipped, one line each.
	Reasons []string
}

// NewCoverage returns an empty tally.
func NewCoverage() *Coverage { return &Coverage{rules: map[string]*RuleTally{}} }

// Record counts one finished scenario. err is what godog passed to the After
// hook: nil for a pass, godog.ErrSkip (possibly wrapped) for a skip.
func (c *Coverage) Record(s *godog.Scenario, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range RuleTags(s) {
		t := c.rules[id]
		if t == nil {
			t = &RuleTally{}
			c.rules[id] = t
		}
		switch {
		case err == nil:
			t.Passed++
		case errors.Is(err, godog.ErrSkip):
			t.Skipped++
			t.Reasons = append(t.Reasons, fmt.Sprintf("skipped %q: %s", s.Name, skipReason(err)))
		default:
			t.Failed++
			t.Reasons = append(t.Reasons, fmt.Sprintf("failed %q: %v", s.Name, err))
		}
	}
}

// Tally returns a copy of one rule's tally.
func (c *Coverage) Tally(id string) RuleTally {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.rules[id]; t != nil {
		return RuleTally{Passed: t.Passed, Failed: t.Failed, Skipped: t.Skipped, Reasons: append([]string(nil), t.Reasons...)}
	}
	return RuleTally{}
}

// Missing returns the implemented rules among selected that have no passing
// scenario. selected nil means all rules.
func (c *Coverage) Missing(rules []features.Rule, selected func(id string) bool) []string {
	var missing []string
	for _, r := range rules {
		if r.Status != features.Implemented || (selected != nil && !selected(r.ID)) {
			continue
		}
		if c.Tally(r.ID).Passed == 0 {
			missing = append(missing, r.ID)
		}
	}
	return missing
}

// Failed returns the rules with at least one failed scenario.
func (c *Coverage) Failed(rules []features.Rule) []string {
	var failed []string
	for _, r := range rules {
		if c.Tally(r.ID).Failed > 0 {
			failed = append(failed, r.ID)
		}
	}
	return failed
}

// WriteSummary prints one line per rule: what passed, failed or was skipped, and
// the rules still planned.
func (c *Coverage) WriteSummary(w io.Writer, rules []features.Rule) {
	var planned, notRun []string
	for _, r := range rules {
		t := c.Tally(r.ID)
		ran := t.Passed+t.Failed+t.Skipped > 0
		switch {
		case r.Status == features.Planned && !ran:
			planned = append(planned, r.ID)
			continue
		case !ran:
			notRun = append(notRun, r.ID)
			continue
		}
		summary := r.Summary
		if r.Status == features.Planned {
			summary += " (planned: partly covered)"
		}
		verdict := "PASS"
		switch {
		case t.Failed > 0:
			verdict = "FAIL"
		case t.Passed == 0:
			verdict = "SKIP"
		}
		fmt.Fprintf(w, "%-9s %s  %d passed, %d failed, %d skipped  %s\n", r.ID, verdict, t.Passed, t.Failed, t.Skipped, summary)
		sort.Strings(t.Reasons)
		for _, why := range t.Reasons {
			fmt.Fprintf(w, "          %s\n", why)
		}
	}
	if len(notRun) > 0 {
		fmt.Fprintf(w, "not run (%d): %s\n", len(notRun), strings.Join(notRun, " "))
	}
	if len(planned) > 0 {
		fmt.Fprintf(w, "planned, not yet covered (%d): %s\n", len(planned), strings.Join(planned, " "))
	}
}

// skipReason is why a scenario was skipped: the message of the error that
// carries godog.ErrSkip, without godog's "skipped: " and without the errors
// godog joined to it (the target's own words for the same thing).
func skipReason(err error) string {
	for {
		joined, ok := err.(interface{ Unwrap() []error })
		if !ok {
			break
		}
		var next error
		for _, e := range joined.Unwrap() {
			if errors.Is(e, godog.ErrSkip) {
				next = e
				break
			}
		}
		if next == nil {
			break
		}
		err = next
	}
	return strings.TrimPrefix(err.Error(), godog.ErrSkip.Error()+": ")
}
