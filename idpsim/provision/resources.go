package provision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Object is a JSON object that keeps its members in order, so that a user
// read from the SCIM server is sent back (changed) in the order the server
// gave it, as Okta does with its GET-then-PUT updates.
type Object struct {
	keys []string
	vals map[string]json.RawMessage
}

// UnmarshalJSON reads a JSON object, keeping the member order.
func (o *Object) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	o.keys, o.vals = nil, map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("bad object key")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		if _, dup := o.vals[key]; !dup {
			o.keys = append(o.keys, key)
		}
		o.vals[key] = raw
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	return nil
}

// MarshalJSON writes the object with its members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(o.vals[k])
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// Set sets a member, appending it if new.
func (o *Object) Set(key string, v any) {
	raw, err := marshal(v)
	if err != nil {
		raw = []byte("null")
	}
	if o.vals == nil {
		o.vals = map[string]json.RawMessage{}
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = raw
}

// Get returns a member's raw JSON.
func (o Object) Get(key string) (json.RawMessage, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// String returns a string member, or "".
func (o Object) String(key string) string {
	var s string
	if raw, ok := o.vals[key]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// Bool returns a boolean member; ok is false if it is missing or not a
// boolean.
func (o Object) Bool(key string) (v, ok bool) {
	raw, found := o.vals[key]
	if !found {
		return false, false
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return false, false
	}
	return v, true
}

func (o Object) clone() Object {
	out := Object{keys: append([]string(nil), o.keys...), vals: make(map[string]json.RawMessage, len(o.vals))}
	for k, v := range o.vals {
		out.vals[k] = v
	}
	return out
}

// Keys returns the member names in order.
func (o Object) Keys() []string { return append([]string(nil), o.keys...) }

// UserProfile is what Okta sends of a user to an app: the app profile made
// from the Okta profile by the SCIM template's mappings.
type UserProfile struct {
	OktaID      string // sent as externalId
	UserName    string // the app username (Application username format)
	GivenName   string
	FamilyName  string
	Email       string
	DisplayName string
	Locale      string // BCP 47, such as en-US
}

// Name is a SCIM user's name.
type Name struct {
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

// Email is a SCIM user's email.
type Email struct {
	Primary bool   `json:"primary"`
	Value   string `json:"value"`
	Type    string `json:"type"`
}

// CreateUserBody is the body of Okta's POST /Users, members in Okta's order.
type CreateUserBody struct {
	Schemas     []string `json:"schemas"`
	UserName    string   `json:"userName"`
	Name        Name     `json:"name"`
	Emails      []Email  `json:"emails"`
	DisplayName string   `json:"displayName"`
	Locale      string   `json:"locale"`
	ExternalID  string   `json:"externalId"`
	Groups      []string `json:"groups"`
	Password    string   `json:"password"`
	Active      bool     `json:"active"`
}

// NewCreateUserBody is the POST /Users body for the profile. Okta always
// sends a password: the synced one, or a random one when password sync is
// off.
func NewCreateUserBody(p UserProfile, password string) CreateUserBody {
	return CreateUserBody{
		Schemas:     []string{SchemaUser},
		UserName:    p.UserName,
		Name:        Name{GivenName: p.GivenName, FamilyName: p.FamilyName},
		Emails:      []Email{{Primary: true, Value: p.Email, Type: "work"}},
		DisplayName: p.DisplayName,
		Locale:      p.Locale,
		ExternalID:  p.OktaID,
		Groups:      []string{},
		Password:    password,
		Active:      true,
	}
}

// MergeUser returns the user read from the SCIM server with Okta's profile
// written over it, as Okta's GET-then-PUT update does: userName, the name's
// givenName and familyName (other name parts kept), emails (replaced only
// if the primary email changed), displayName, locale, externalId and
// active; password only when given. Everything else the server returned
// (id, meta, groups, extensions) is sent back unchanged.
func MergeUser(current Object, id string, p UserProfile, active bool, password string) Object {
	out := current.clone()
	if _, ok := out.vals["schemas"]; !ok {
		out.Set("schemas", []string{SchemaUser})
	}
	if out.String("id") == "" {
		out.Set("id", id)
	}
	out.Set("userName", p.UserName)

	var name Object
	if raw, ok := out.vals["name"]; !ok || json.Unmarshal(raw, &name) != nil {
		name = Object{}
	}
	name.Set("givenName", p.GivenName)
	name.Set("familyName", p.FamilyName)
	out.Set("name", name)

	if !hasPrimaryEmail(out, p.Email) {
		out.Set("emails", []Email{{Primary: true, Value: p.Email, Type: "work"}})
	}
	out.Set("displayName", p.DisplayName)
	out.Set("locale", p.Locale)
	out.Set("externalId", p.OktaID)
	out.Set("active", active)
	if password != "" {
		out.Set("password", password)
	}
	return out
}

// hasPrimaryEmail reports whether the resource's primary (or only) email is
// already email.
func hasPrimaryEmail(o Object, email string) bool {
	raw, ok := o.vals["emails"]
	if !ok {
		return false
	}
	var emails []struct {
		Primary bool   `json:"primary"`
		Value   string `json:"value"`
	}
	if json.Unmarshal(raw, &emails) != nil || len(emails) == 0 {
		return false
	}
	for _, e := range emails {
		if e.Primary || len(emails) == 1 {
			return strings.EqualFold(e.Value, email)
		}
	}
	return false
}

// PatchOp is a SCIM PATCH body.
type PatchOp struct {
	Schemas    []string    `json:"schemas"`
	Operations []Operation `json:"Operations"`
}

// Operation is one PATCH operation. Value is omitted only when nil (a
// remove); an empty member list is sent as [].
type Operation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

// Patch builds a PATCH body.
func Patch(ops ...Operation) PatchOp {
	return PatchOp{Schemas: []string{SchemaPatchOp}, Operations: ops}
}

// activeValue is the path-less value of Okta's (de)activation PATCH.
type activeValue struct {
	Active bool `json:"active"`
}

// passwordValue is the path-less value of Okta's password PATCH.
type passwordValue struct {
	Password string `json:"password"`
}

// groupValue is the path-less value of Okta's group rename PATCH.
type groupValue struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
}

// SetActivePatch is Okta's deactivation (false) or reactivation (true).
func SetActivePatch(active bool) PatchOp {
	return Patch(Operation{Op: "replace", Value: activeValue{Active: active}})
}

// PasswordPatch is Okta's password sync for template apps.
func PasswordPatch(password string) PatchOp {
	return Patch(Operation{Op: "replace", Value: passwordValue{Password: password}})
}

// RenameGroupPatch is Okta's group name update, sent with every membership
// update too.
func RenameGroupPatch(id, displayName string) PatchOp {
	return Patch(Operation{Op: "replace", Value: groupValue{ID: id, DisplayName: displayName}})
}

// Member is a member of a SCIM group as Okta sends it: no type.
type Member struct {
	Value   string `json:"value"`
	Display string `json:"display"`
}

// MembershipPatch removes members (one op each, by filter, no value) and
// adds members (one op with the list), in Okta's order.
func MembershipPatch(add []Member, removeIDs []string) PatchOp {
	var ops []Operation
	for _, id := range removeIDs {
		ops = append(ops, Operation{Op: "remove", Path: fmt.Sprintf(`members[value eq "%s"]`, id)})
	}
	if len(add) > 0 {
		ops = append(ops, Operation{Op: "add", Path: "members", Value: add})
	}
	return Patch(ops...)
}

// ReplaceMembersPatch is a full push of the membership ([] to empty the
// group).
func ReplaceMembersPatch(members []Member) PatchOp {
	if members == nil {
		members = []Member{}
	}
	return Patch(Operation{Op: "replace", Path: "members", Value: members})
}

// GroupBody is the body of POST /Groups (members []) and of the PUT a
// custom app gets for every group update.
type GroupBody struct {
	Schemas     []string `json:"schemas"`
	DisplayName string   `json:"displayName"`
	Members     []Member `json:"members"`
}

// NewGroupBody builds a group body.
func NewGroupBody(displayName string, members []Member) GroupBody {
	if members == nil {
		members = []Member{}
	}
	return GroupBody{Schemas: []string{SchemaGroup}, DisplayName: displayName, Members: members}
}
