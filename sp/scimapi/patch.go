package scimapi

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/schema"
	"github.com/scim2/filter-parser/v2"
)

// A user's PATCH is applied to a document: the user as a JSON object (the
// stored profile plus userName, active and externalId), with each extension's
// attributes under its schema URN. elimity has already checked every
// operation's path and value against the schemas; this file only carries the
// operations out, in order, on a copy. Nothing is stored unless every
// operation succeeds.

type docSchema struct {
	core schema.Schema
	exts []schema.Schema
}

// applyOps applies ops to doc in order.
func (ds docSchema) applyOps(doc map[string]any, ops []scim.PatchOperation) error {
	for i, op := range ops {
		if err := ds.apply(doc, strings.ToLower(op.Op), op.Path, op.Value); err != nil {
			return fmt.Errorf("operation %d: %w", i+1, err)
		}
	}
	return nil
}

func (ds docSchema) apply(doc map[string]any, op string, path *filter.Path, value any) error {
	if path != nil {
		return ds.applyPath(doc, op, *path, value)
	}
	// No path: the value is an object of attributes (RFC 7644 §3.5.2.1/3).
	// Its keys are attribute paths, or an extension URN holding an object of
	// that extension's attributes. Sorted, so that the outcome never depends on
	// map order.
	m, ok := value.(map[string]any)
	if !ok {
		return invalidValue("An operation without a path needs an object value.")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if ext, ok := ds.ext(k); ok {
			sub, _ := m[k].(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(sub)) {
				uri := ext.ID
				p := filter.Path{AttributePath: filter.AttributePath{URIPrefix: &uri, AttributeName: name}}
				if err := ds.applyPath(doc, op, p, sub[name]); err != nil {
					return err
				}
			}
			continue
		}
		p, err := filter.ParsePath([]byte(k))
		if err != nil {
			return invalidPath("%q is not an attribute path.", k)
		}
		if err := ds.applyPath(doc, op, p, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func (ds docSchema) ext(uri string) (schema.Schema, bool) {
	for _, e := range ds.exts {
		if strings.EqualFold(e.ID, uri) {
			return e, true
		}
	}
	return schema.Schema{}, false
}

func (ds docSchema) applyPath(doc map[string]any, op string, p filter.Path, value any) error {
	target, sch := doc, ds.core
	if uri := p.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, ds.core.ID) {
		ext, ok := ds.ext(uri)
		if !ok {
			return invalidPath("Unknown schema %q.", uri)
		}
		m, _ := doc[ext.ID].(map[string]any)
		if m == nil {
			if op == "remove" {
				return nil
			}
			m = map[string]any{}
			doc[ext.ID] = m
		}
		target, sch = m, ext
	}
	attr, ok := sch.Attributes.ContainsAttribute(p.AttributePath.AttributeName)
	if !ok {
		return invalidPath("Unknown attribute %q.", p.AttributePath.AttributeName)
	}
	name := attr.Name()
	if name == "password" {
		// Taken out before the document is built (see passwordOf): the
		// password is stored hashed on the account, never in the profile.
		if op == "remove" {
			return scimErr(http.StatusBadRequest, scimerrors.ScimTypeMutability, "The password can be replaced, not removed.")
		}
		return nil
	}
	sub := ""
	if s := p.AttributePath.SubAttributeName(); s != "" {
		a, ok := attr.SubAttributes().ContainsAttribute(s)
		if !ok {
			return invalidPath("Unknown sub-attribute %q of %q.", s, name)
		}
		sub = a.Name()
	}
	if p.ValueExpression != nil {
		return applyFiltered(target, op, attr, p, value)
	}
	if sub != "" {
		if attr.MultiValued() {
			return invalidPath("Select the values of %q with a filter, as in %s[type eq \"work\"].%s.", name, name, sub)
		}
		m, _ := target[name].(map[string]any)
		if op == "remove" {
			if m != nil {
				delete(m, sub)
				if len(m) == 0 {
					delete(target, name)
				}
			}
			return nil
		}
		if m == nil {
			m = map[string]any{}
			target[name] = m
		}
		m[sub] = value
		return nil
	}
	switch op {
	case "remove":
		if list, ok := value.([]any); ok && attr.MultiValued() && len(list) > 0 {
			target[name] = withoutValues(target[name], list)
			return nil
		}
		delete(target, name)
	case "add":
		switch {
		case attr.MultiValued():
			target[name] = withValues(target[name], value)
		case attr.HasSubAttributes():
			target[name] = merged(target[name], value)
		default:
			target[name] = value
		}
	case "replace":
		if !attr.MultiValued() && attr.HasSubAttributes() {
			// Sub-attributes not given stay (RFC 7644 §3.5.2.3).
			target[name] = merged(target[name], value)
		} else {
			target[name] = value
		}
	default:
		return invalidValue("Unknown operation %q.", op)
	}
	return nil
}

// applyFiltered handles paths such as emails[type eq "work"].value.
func applyFiltered(target map[string]any, op string, attr schema.CoreAttribute, p filter.Path, value any) error {
	name := attr.Name()
	if !attr.MultiValued() {
		return invalidPath("%q is not multi-valued; a filter cannot select its values.", name)
	}
	sub := ""
	if s := p.SubAttributeName(); s != "" {
		a, ok := attr.SubAttributes().ContainsAttribute(s)
		if !ok {
			return invalidPath("Unknown sub-attribute %q of %q.", s, name)
		}
		sub = a.Name()
	}
	elems, _ := target[name].([]any)
	var hit []int
	for i, e := range elems {
		m, _ := e.(map[string]any)
		ok, err := matches(p.ValueExpression, m)
		if err != nil {
			return err
		}
		if ok {
			hit = append(hit, i)
		}
	}
	switch {
	case op == "remove" && sub == "":
		kept := make([]any, 0, len(elems))
		for i, e := range elems {
			if !slices.Contains(hit, i) {
				kept = append(kept, e)
			}
		}
		target[name] = kept
	case op == "remove":
		for _, i := range hit {
			if m, ok := elems[i].(map[string]any); ok {
				delete(m, sub)
			}
		}
	case len(hit) == 0:
		// Nothing matches: add the value as a new element that the filter
		// would select, which is what Entra expects of
		// emails[type eq "work"].value when the user has no work email yet.
		elem := map[string]any{}
		if sub != "" {
			elem[sub] = value
		} else if m, ok := value.(map[string]any); ok {
			maps.Copy(elem, m)
		}
		addEqualities(elem, p.ValueExpression)
		target[name] = append(elems, elem)
	default:
		for _, i := range hit {
			m, _ := elems[i].(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			if sub != "" {
				m[sub] = value
			} else if v, ok := value.(map[string]any); ok {
				maps.Copy(m, v)
			}
			elems[i] = m
		}
	}
	return nil
}

// addEqualities sets on elem the attributes an "eq" filter (or an "and" of
// them) requires, where elem lacks them.
func addEqualities(elem map[string]any, e filter.Expression) {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		if e.Operator == filter.EQ {
			if _, ok := lookupFold(elem, e.AttributePath.AttributeName); !ok {
				elem[e.AttributePath.AttributeName] = e.CompareValue
			}
		}
	case *filter.LogicalExpression:
		if e.Operator == filter.AND {
			addEqualities(elem, e.Left)
			addEqualities(elem, e.Right)
		}
	}
}

// matches evaluates a value filter on one element of a multi-valued attribute.
func matches(e filter.Expression, elem map[string]any) (bool, error) {
	switch e := e.(type) {
	case *filter.AttributeExpression:
		v, present := lookupFold(elem, e.AttributePath.AttributeName)
		switch e.Operator {
		case filter.PR:
			return present && v != nil && v != "", nil
		case filter.EQ:
			return present && sameValue(v, e.CompareValue), nil
		case filter.NE:
			return !present || !sameValue(v, e.CompareValue), nil
		case filter.CO, filter.SW, filter.EW:
			s, ok1 := v.(string)
			want, ok2 := e.CompareValue.(string)
			if !ok1 || !ok2 {
				return false, nil
			}
			s, want = strings.ToLower(s), strings.ToLower(want)
			switch e.Operator {
			case filter.CO:
				return strings.Contains(s, want), nil
			case filter.SW:
				return strings.HasPrefix(s, want), nil
			}
			return strings.HasSuffix(s, want), nil
		}
		return false, invalidFilter("Operator %q is not supported in a PATCH path.", e.Operator)
	case *filter.LogicalExpression:
		l, err := matches(e.Left, elem)
		if err != nil {
			return false, err
		}
		r, err := matches(e.Right, elem)
		if err != nil {
			return false, err
		}
		if e.Operator == filter.AND {
			return l && r, nil
		}
		return l || r, nil
	case *filter.NotExpression:
		ok, err := matches(e.Expression, elem)
		return !ok, err
	}
	return false, invalidFilter("This PATCH path filter is not supported.")
}

// sameValue compares case-insensitively for strings (the sub-attributes a
// path filter names, value, type and display, are not case-exact) and by
// their text otherwise, since numbers arrive as json.Number or float64.
func sameValue(a, b any) bool {
	as, ok1 := a.(string)
	bs, ok2 := b.(string)
	if ok1 && ok2 {
		return strings.EqualFold(as, bs)
	}
	if ok1 != ok2 {
		return false
	}
	return fmt.Sprint(a) == fmt.Sprint(b)
}

func lookupFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// withValues appends to a multi-valued attribute the values not there yet.
func withValues(current, add any) []any {
	list, _ := current.([]any)
	out := append([]any{}, list...)
	items, ok := add.([]any)
	if !ok {
		items = []any{add}
	}
	for _, it := range items {
		if !slices.ContainsFunc(out, func(x any) bool { return sameElement(x, it) }) {
			out = append(out, it)
		}
	}
	return out
}

// withoutValues removes from a multi-valued attribute the values listed.
func withoutValues(current any, remove []any) []any {
	list, _ := current.([]any)
	out := make([]any, 0, len(list))
	for _, x := range list {
		if !slices.ContainsFunc(remove, func(r any) bool { return sameElement(x, r) }) {
			out = append(out, x)
		}
	}
	return out
}

// sameElement: complex values are the same when their "value" is; simple ones
// when equal.
func sameElement(a, b any) bool {
	am, ok1 := a.(map[string]any)
	bm, ok2 := b.(map[string]any)
	if ok1 && ok2 {
		av, aok := lookupFold(am, "value")
		bv, bok := lookupFold(bm, "value")
		if aok && bok {
			return sameValue(av, bv)
		}
		return fmt.Sprint(am) == fmt.Sprint(bm)
	}
	return sameValue(a, b)
}

func merged(current, add any) any {
	m, ok := add.(map[string]any)
	if !ok {
		return add
	}
	out := map[string]any{}
	if cur, ok := current.(map[string]any); ok {
		maps.Copy(out, cur)
	}
	maps.Copy(out, m)
	return out
}
