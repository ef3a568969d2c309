package scimapi

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/elimity-com/scim"
	scimfilter "github.com/elimity-com/scim/filter"
	"github.com/scim2/filter-parser/v2"

	"github.com/ssoharness/ssoharness/sp/store"
)

// filterAttrs maps the attribute paths a resource type can filter on, in
// lower case, to the store's names.
type filterAttrs map[string]store.SCIMAttr

var (
	userFilterAttrs = filterAttrs{
		"id":           store.SCIMAttrID,
		"externalid":   store.SCIMAttrExternalID,
		"username":     store.SCIMAttrUserName,
		"emails.value": store.SCIMAttrEmail,
	}
	groupFilterAttrs = filterAttrs{
		"id":          store.SCIMAttrID,
		"externalid":  store.SCIMAttrExternalID,
		"displayname": store.SCIMAttrDisplayName,
	}
)

// maxLeaves bounds a filter's comparisons: Okta sends one, and each costs a
// clause in the query.
const maxLeaves = 20

// storeFilter translates the filter elimity parsed and checked against the
// schema into the store's equality filter. Everything the store cannot answer
// exactly is invalidFilter: a client must never get a full list for a filter it
// believes was applied. A nil validator is no filter.
func storeFilter(v *scimfilter.Validator, coreSchema string, attrs filterAttrs) (*store.SCIMFilter, error) {
	if v == nil {
		return nil, nil
	}
	leaves := 0
	var walk func(e filter.Expression) (*store.SCIMFilter, error)
	walk = func(e filter.Expression) (*store.SCIMFilter, error) {
		switch e := e.(type) {
		case *filter.AttributeExpression:
			if leaves++; leaves > maxLeaves {
				return nil, invalidFilter("A filter may compare at most %d attributes.", maxLeaves)
			}
			return leafFilter(e.AttributePath, e.Operator, e.CompareValue, coreSchema, attrs)
		case *filter.ValuePath:
			// emails[value eq "x"] is emails.value eq "x".
			inner, ok := e.ValueFilter.(*filter.AttributeExpression)
			if !ok || inner.AttributePath.SubAttribute != nil || inner.AttributePath.URIPrefix != nil {
				return nil, unsupportedFilter()
			}
			if leaves++; leaves > maxLeaves {
				return nil, invalidFilter("A filter may compare at most %d attributes.", maxLeaves)
			}
			sub := inner.AttributePath.AttributeName
			path := e.AttributePath
			path.SubAttribute = &sub
			return leafFilter(path, inner.Operator, inner.CompareValue, coreSchema, attrs)
		case *filter.LogicalExpression:
			l, err := walk(e.Left)
			if err != nil {
				return nil, err
			}
			r, err := walk(e.Right)
			if err != nil {
				return nil, err
			}
			logic := store.SCIMAnd
			if e.Operator == filter.OR {
				logic = store.SCIMOr
			}
			return &store.SCIMFilter{Logic: logic, Left: l, Right: r}, nil
		}
		return nil, unsupportedFilter()
	}
	return walk(v.GetFilter())
}

func leafFilter(p filter.AttributePath, op filter.CompareOperator, value any, coreSchema string, attrs filterAttrs) (*store.SCIMFilter, error) {
	if uri := p.URI(); uri != "" && !strings.EqualFold(uri, coreSchema) {
		return nil, unsupportedFilter()
	}
	name := strings.ToLower(p.AttributeName)
	if sub := p.SubAttributeName(); sub != "" {
		name += "." + strings.ToLower(sub)
	}
	attr, ok := attrs[name]
	if !ok || !strings.EqualFold(string(op), string(filter.EQ)) {
		return nil, unsupportedFilter()
	}
	s, ok := value.(string)
	if !ok {
		return nil, invalidFilter("%s must be compared with a string.", p)
	}
	s, err := unescapeFilterString(s)
	if err != nil {
		return nil, invalidFilter("The value compared with %s is not a valid string: %v.", p, err)
	}
	return &store.SCIMFilter{Attr: attr, Value: s}, nil
}

// unescapeFilterString decodes the escapes of a filter's string value. A
// filter's strings are JSON strings (RFC 7644 §3.4.2.2), but the parser hands
// them over as written between the quotes, so `displayName eq "Quoted \"Ops\""`
// would otherwise look for a name with backslashes in it.
func unescapeFilterString(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var out string
	if err := json.Unmarshal([]byte(`"`+s+`"`), &out); err != nil {
		return "", errors.New("a backslash starts no JSON escape")
	}
	return out, nil
}

func unsupportedFilter() error {
	return invalidFilter(`Only "eq" on userName, externalId, emails.value and id (users) or displayName, externalId and id (groups), joined by "and" or "or", is supported.`)
}

// page converts SCIM's 1-based startIndex and count into the store's query.
func page(p scim.ListRequestParams, f *store.SCIMFilter) store.SCIMQuery {
	return store.SCIMQuery{Filter: f, Offset: p.StartIndex - 1, Limit: p.Count}
}

// total returns the number of matches for a list, asking the store to count
// only when the page does not tell: a short page that starts at the first
// match, or any non-empty short page, ends the list.
func total(q store.SCIMQuery, got int, count func() (int, error)) (int, error) {
	if got < q.Limit && (got > 0 || q.Offset == 0) {
		return q.Offset + got, nil
	}
	return count()
}
