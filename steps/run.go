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
					err = SkippedIn(ctx)
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
	Feature  string
	Name     string
	Location string // file:line
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
