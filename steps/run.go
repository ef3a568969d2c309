package steps

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
)

// NewSuite returns the conformance suite for godog to run with opts, recording
// every scenario's outcome in cov.
func NewSuite(cfg Config, opts *godog.Options, cov *Coverage) godog.TestSuite {
	init := Initializer(cfg)
	return godog.TestSuite{
		Name: "conformance",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			init(sc)
			sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
				if err == nil {
					err = skippedIn(ctx)
				}
				cov.Record(s, err)
				return ctx, nil
			})
		},
		Options: opts,
	}
}

// ScenarioInfo describes one scenario (one example row of an outline) without
// running it.
type ScenarioInfo struct {
	Rules    []string
	Tags     []string // every tag, with its @
	Feature  string
	Name     string
	Location string // file:line
}

// MatchTags tells whether a scenario with tags is selected by a godog tag
// expression: "," is or, "&&" is and, "~" is not, and "" selects everything
// (godog's own rules, which it does not export).
func MatchTags(expr string, tags []string) bool {
	if strings.TrimSpace(expr) == "" {
		return true
	}
	has := func(tag string) bool {
		for _, t := range tags {
			if strings.ReplaceAll(t, "@", "") == tag {
				return true
			}
		}
		return false
	}
	for _, alt := range strings.Split(expr, ",") {
		all := strings.TrimSpace(alt) != ""
		for _, term := range strings.Split(alt, "&&") {
			term = strings.ReplaceAll(strings.TrimSpace(term), "@", "")
			if neg, ok := strings.CutPrefix(term, "~"); ok {
				all = all && !has(neg)
			} else {
				all = all && has(term)
			}
		}
		if all {
			return true
		}
	}
	return false
}

// SelectedRules returns the rule IDs of the scenarios that the tag expression
// selects.
func SelectedRules(scenarios []ScenarioInfo, expr string) map[string]bool {
	ids := map[string]bool{}
	for _, s := range scenarios {
		if MatchTags(expr, s.Tags) {
			for _, id := range s.Rules {
				ids[id] = true
			}
		}
	}
	return ids
}

// ListScenarios reads every .feature file in fsys.
func ListScenarios(fsys fs.FS) ([]ScenarioInfo, error) {
	names, err := fs.Glob(fsys, "*.feature")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []ScenarioInfo
	ids := &messages.Incrementing{}
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		doc, err := gherkin.ParseGherkinDocument(strings.NewReader(string(b)), ids.NewId)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		lines := map[string]int64{}
		if doc.Feature != nil {
			for _, c := range doc.Feature.Children {
				if c.Scenario == nil {
					continue
				}
				lines[c.Scenario.Id] = c.Scenario.Location.Line
				for _, ex := range c.Scenario.Examples {
					for _, row := range ex.TableBody {
						lines[row.Id] = row.Location.Line
					}
				}
			}
		}
		for _, p := range gherkin.Pickles(*doc, name, ids.NewId) {
			info := ScenarioInfo{Feature: doc.Feature.Name, Name: p.Name}
			for _, t := range p.Tags {
				info.Tags = append(info.Tags, t.Name)
				if ruleTag.MatchString(t.Name) {
					info.Rules = append(info.Rules, strings.TrimPrefix(t.Name, "@"))
				}
			}
			line := lines[p.AstNodeIds[len(p.AstNodeIds)-1]]
			info.Location = fmt.Sprintf("%s:%d", name, line)
			out = append(out, info)
		}
	}
	return out, nil
}
