// Package features embeds the conformance suite's Gherkin files and the project's
// list of behaviour rules, so that the suite runs from any working directory and
// from a single binary.
package features

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed *.feature rules.txt
var files embed.FS

// FS returns the feature files (at the root of the returned file system).
func FS() fs.FS { return files }

// RuleStatus says whether a rule is expected to have passing scenarios yet.
type RuleStatus string

const (
	Implemented RuleStatus = "implemented"
	Planned     RuleStatus = "planned"
)

// Rule is one entry of the behaviour catalogue.
type Rule struct {
	ID      string
	Status  RuleStatus
	Summary string
}

// Rules returns the rule catalogue in file order.
func Rules() ([]Rule, error) {
	b, err := files.ReadFile("rules.txt")
	if err != nil {
		return nil, err
	}
	return ParseRules(b)
}

// ParseRules reads lines of the form "ID status summary…"; blank lines and lines
// starting with # are ignored.
func ParseRules(b []byte) ([]Rule, error) {
	var rules []Rule
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return nil, fmt.Errorf("rules.txt:%d: want \"ID status summary\"", n)
		}
		st := RuleStatus(f[1])
		if st != Implemented && st != Planned {
			return nil, fmt.Errorf("rules.txt:%d: status %q is neither %q nor %q", n, f[1], Implemented, Planned)
		}
		if seen[f[0]] {
			return nil, fmt.Errorf("rules.txt:%d: rule %s listed twice", n, f[0])
		}
		seen[f[0]] = true
		rules = append(rules, Rule{ID: f[0], Status: st, Summary: strings.Join(f[2:], " ")})
	}
	return rules, sc.Err()
}
