package adminapi

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// A filter is Okta's basic filter expression: comparisons joined by "and"
// (binding tighter) and "or", without parentheses, such as
//
//	status eq "ACTIVE" and profile.lastName sw "Love"
//
// Operators: eq, ne, sw (starts with), and gt, ge, lt, le (for timestamps,
// compared as text). Values are double-quoted strings (or true/false).
// Comparisons are case-insensitive.
type filter [][]comparison // OR of ANDs

type comparison struct {
	attr, op, value string
}

var filterOps = map[string]bool{"eq": true, "ne": true, "sw": true, "gt": true, "ge": true, "lt": true, "le": true}

func parseFilter(s string, attrs func(string) bool) (filter, error) {
	toks, err := tokenize(s)
	if err != nil {
		return nil, err
	}
	var f filter
	var cur []comparison
	for i := 0; i < len(toks); {
		if i+2 >= len(toks) {
			return nil, fmt.Errorf("incomplete comparison near %q", strings.Join(toks[i:], " "))
		}
		attr, op, val := toks[i], strings.ToLower(toks[i+1]), toks[i+2]
		if !attrs(attr) {
			return nil, fmt.Errorf("unsupported attribute %q", attr)
		}
		if !filterOps[op] {
			return nil, fmt.Errorf("unsupported operator %q", op)
		}
		if !strings.HasPrefix(val, `"`) && val != "true" && val != "false" {
			return nil, fmt.Errorf("the value of %s must be a double-quoted string", attr)
		}
		cur = append(cur, comparison{attr: attr, op: op, value: strings.Trim(val, `"`)})
		i += 3
		if i == len(toks) {
			break
		}
		switch strings.ToLower(toks[i]) {
		case "and":
		case "or":
			f, cur = append(f, cur), nil
		default:
			return nil, fmt.Errorf("expected and/or, found %q", toks[i])
		}
		i++
		if i == len(toks) {
			return nil, errors.New("the expression ends with and/or")
		}
	}
	if len(cur) > 0 {
		f = append(f, cur)
	}
	if len(f) == 0 {
		return nil, errors.New("empty expression")
	}
	return f, nil
}

// tokenize splits on spaces, keeping quoted strings (with \" escapes) whole
// and quoted.
func tokenize(s string) ([]string, error) {
	var out []string
	rs := []rune(strings.TrimSpace(s))
	for i := 0; i < len(rs); {
		switch {
		case unicode.IsSpace(rs[i]):
			i++
		case rs[i] == '(' || rs[i] == ')':
			return nil, errors.New("parentheses are not supported")
		case rs[i] == '"':
			var b strings.Builder
			b.WriteRune('"')
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) {
					j++
				}
				b.WriteRune(rs[j])
			}
			if j == len(rs) {
				return nil, errors.New("unterminated string")
			}
			b.WriteRune('"')
			out = append(out, b.String())
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		}
	}
	return out, nil
}

// match evaluates the filter against an object's attributes.
func (f filter) match(get func(attr string) string) bool {
	for _, and := range f {
		ok := true
		for _, c := range and {
			if !c.match(get(c.attr)) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c comparison) match(v string) bool {
	a, b := strings.ToLower(v), strings.ToLower(c.value)
	switch c.op {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "sw":
		return strings.HasPrefix(a, b)
	case "gt":
		return a > b
	case "ge":
		return a >= b
	case "lt":
		return a < b
	case "le":
		return a <= b
	}
	return false
}
