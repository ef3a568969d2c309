package scimapi_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/store"
)

// account returns the SP account with email, or fails.
func (e *env) account(email string) store.User {
	e.t.Helper()
	u, err := e.store.GetUserByEmail(e.t.Context(), email)
	require.NoError(e.t, err, email)
	return u
}

func (e *env) noAccount(email string) {
	e.t.Helper()
	_, err := e.store.GetUserByEmail(e.t.Context(), email)
	require.ErrorIs(e.t, err, store.ErrNotFound, "no account for %s", email)
}

// membership returns the membership of the account in org, if any.
func (e *env) membership(org tenant, userID string) (store.Membership, bool) {
	e.t.Helper()
	m, err := e.store.GetMembership(e.t.Context(), org.org.ID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return m, false
	}
	require.NoError(e.t, err)
	return m, true
}

func (e *env) auditActions(org tenant) []string {
	e.t.Helper()
	events, err := e.store.ListAudit(e.t.Context(), org.org.ID, 100)
	require.NoError(e.t, err)
	var out []string
	for i := len(events) - 1; i >= 0; i-- {
		if strings.HasPrefix(events[i].Action, "scim.user") || strings.HasPrefix(events[i].Action, "scim.group") {
			out = append(out, events[i].Action)
			require.Equal(e.t, "scim-token:"+org.token[len("ssoh_scim_"):len("ssoh_scim_")+26], events[i].Actor, "the actor is the token id")
		}
	}
	return out
}

func TestCreateUser(t *testing.T) {
	e := newEnv(t)
	before := time.Now().Add(-time.Second)
	res := e.do(http.MethodPost, "/Users", oktaUser("Ada.Lovelace@acme.test", "Ada", "Lovelace"))
	require.Equal(t, http.StatusCreated, res.status, res.String())
	id := res.str("id")
	require.NotEmpty(t, id)
	require.Equal(t, baseURL+"/scim/v2/Users/"+id, res.header.Get("Location"))
	require.Equal(t, `W/"1"`, res.header.Get("Etag"))
	require.Equal(t, "Ada.Lovelace@acme.test", res.str("userName"))
	require.Equal(t, true, res.get("active"))
	require.Equal(t, "Ada", res.str("name.givenName"))
	require.Equal(t, "Lovelace", res.str("name.familyName"))
	require.Equal(t, "Ada.Lovelace@acme.test", res.str("emails.0.value"))
	require.Equal(t, "en-US", res.str("locale"))
	require.Equal(t, "00uAdaLovelace", res.str("externalId"))
	require.Contains(t, res.get("schemas"), userSchema)
	require.Nil(t, res.get("groups"), "group membership is not part of the user")
	require.Equal(t, "User", res.str("meta.resourceType"))
	require.Equal(t, baseURL+"/scim/v2/Users/"+id, res.str("meta.location"))
	require.Equal(t, `W/"1"`, res.str("meta.version"))
	created, err := time.Parse(time.RFC3339, res.str("meta.created"))
	require.NoError(t, err)
	require.False(t, created.Before(before.Truncate(time.Second)))
	require.Equal(t, res.str("meta.created"), res.str("meta.lastModified"))

	// The account: email is the userName (SCIM-03), profile from Okta, a SCIM
	// membership (SCIM-04).
	acct := e.account("ada.lovelace@acme.test")
	require.Equal(t, "Ada.Lovelace@acme.test", acct.Email)
	require.Equal(t, "Ada", acct.GivenName)
	require.Equal(t, "Lovelace", acct.FamilyName)
	require.Equal(t, "Ada Lovelace", acct.DisplayName)
	require.Equal(t, "en-US", acct.Locale)
	m, ok := e.membership(e.org, acct.ID)
	require.True(t, ok)
	require.Equal(t, store.SourceSCIM, m.Source)
	require.Equal(t, store.RoleMember, m.Role)
	require.Equal(t, []string{"scim.user.created"}, e.auditActions(e.org))

	// The same userName again, in any case, is 409 uniqueness (PROTO-05).
	for _, name := range []string{"Ada.Lovelace@acme.test", "ada.lovelace@ACME.test"} {
		requireSCIMError(t, e.do(http.MethodPost, "/Users", oktaUser(name, "Ada", "Lovelace")), http.StatusConflict, "uniqueness")
	}
	n, err := e.store.CountSCIMUsers(t.Context(), e.org.org.ID, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestCreateUserPassword(t *testing.T) {
	e := newEnv(t)
	body := oktaUser("ada@acme.test", "Ada", "Lovelace")
	// Okta's random create password: no policy may refuse it.
	body["password"] = "okta-random-7f3Q"
	res := e.do(http.MethodPost, "/Users", body)
	require.Equal(t, http.StatusCreated, res.status, res.String())
	require.NotContains(t, string(res.raw), "okta-random-7f3Q", "the password is never returned")
	require.Nil(t, res.get("password"))
	acct := e.account("ada@acme.test")
	require.True(t, password.Verify(acct.PasswordHash, "okta-random-7f3Q"), "stored as a hash the sign-in accepts (SCIM-07)")
	require.NotContains(t, acct.PasswordHash, "okta-random-7f3Q")
	su, err := e.store.GetSCIMUser(t.Context(), e.org.org.ID, res.str("id"))
	require.NoError(t, err)
	require.NotContains(t, su.Profile, "okta-random-7f3Q", "nor kept in the profile")
	require.NotContains(t, string(e.do(http.MethodGet, "/Users/"+res.str("id"), nil).raw), "password")

	body = oktaUser("bob@acme.test", "Bob", "B")
	body["password"] = strings.Repeat("p", 73)
	requireSCIMError(t, e.do(http.MethodPost, "/Users", body), http.StatusBadRequest, "invalidValue")
	e.noAccount("bob@acme.test")
}

func TestCreateUserAttachesExistingAccount(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	// Ada's account came through Globex, with her own name and password.
	globex, err := e.store.CreateOrganization(ctx, store.Organization{Name: "Globex"})
	require.NoError(t, err)
	hash, err := password.Hash("globex-password")
	require.NoError(t, err)
	acct, err := e.store.CreateUser(ctx, store.User{Email: "ada@acme.test", GivenName: "Augusta", FamilyName: "King", PasswordHash: hash})
	require.NoError(t, err)
	_, err = e.store.AddMembership(ctx, store.Membership{OrgID: globex.ID, UserID: acct.ID, Role: store.RoleAdmin, Source: store.SourceLocal})
	require.NoError(t, err)

	body := oktaUser("ADA@acme.test", "Ada", "Lovelace")
	body["password"] = "acme-random"
	res := e.do(http.MethodPost, "/Users", body)
	require.Equal(t, http.StatusCreated, res.status, res.String())
	got := e.account("ada@acme.test")
	require.Equal(t, acct.ID, got.ID, "attached, not duplicated")
	require.Equal(t, "Augusta", got.GivenName, "another organization's account is not changed")
	require.True(t, password.Verify(got.PasswordHash, "globex-password"), "nor its password")
	m, ok := e.membership(e.org, acct.ID)
	require.True(t, ok)
	require.Equal(t, store.SourceSCIM, m.Source)
	m, ok = e.membership(tenant{org: globex}, acct.ID)
	require.True(t, ok)
	require.Equal(t, store.RoleAdmin, m.Role, "the other membership is untouched")
}

func TestCreateUserRefusals(t *testing.T) {
	e := newEnv(t)
	e.mustCreate("taken@acme.test")
	valid := func(change func(map[string]any)) map[string]any {
		b := oktaUser("new@acme.test", "New", "User")
		change(b)
		return b
	}
	for name, tc := range map[string]struct {
		body     any
		status   int
		scimType string
	}{
		"malformed JSON":        {`{"schemas":[`, http.StatusBadRequest, "invalidSyntax"},
		"trailing garbage":      {`{"schemas":["` + userSchema + `"],"userName":"a@acme.test"} x`, http.StatusBadRequest, "invalidSyntax"},
		"not an object":         {`[1,2]`, http.StatusBadRequest, "invalidSyntax"},
		"empty body":            {``, http.StatusBadRequest, "invalidSyntax"},
		"no schemas":            {valid(func(b map[string]any) { delete(b, "schemas") }), http.StatusBadRequest, "invalidSyntax"},
		"no userName":           {valid(func(b map[string]any) { delete(b, "userName") }), http.StatusBadRequest, "invalidValue"},
		"blank userName":        {valid(func(b map[string]any) { b["userName"] = "  " }), http.StatusBadRequest, "invalidValue"},
		"userName not a string": {valid(func(b map[string]any) { b["userName"] = 42 }), http.StatusBadRequest, "invalidValue"},
		"active not a boolean":  {valid(func(b map[string]any) { b["active"] = "yes" }), http.StatusBadRequest, "invalidValue"},
		"no email anywhere":     {valid(func(b map[string]any) { b["userName"] = "ada"; delete(b, "emails") }), http.StatusBadRequest, "invalidValue"},
		"emails not a list":     {valid(func(b map[string]any) { b["emails"] = "ada@acme.test" }), http.StatusBadRequest, "invalidSyntax"},
		"duplicate userName":    {valid(func(b map[string]any) { b["userName"] = "TAKEN@acme.test" }), http.StatusConflict, "uniqueness"},
		"body over 1 MiB":       {`{"schemas":["` + userSchema + `"],"userName":"` + strings.Repeat("a", 1<<20) + `"}`, http.StatusRequestEntityTooLarge, ""},
		"attribute given twice": {`{"schemas":["` + userSchema + `"],"userName":"a@acme.test","USERNAME":"b@acme.test"}`, http.StatusBadRequest, "invalidSyntax"},
	} {
		res := e.do(http.MethodPost, "/Users", tc.body)
		require.Equal(t, tc.status, res.status, "%s: %s", name, res)
		requireSCIMError(t, res, tc.status, tc.scimType)
		require.NotContains(t, string(res.raw), "store:", name)
	}
	n, err := e.store.CountSCIMUsers(t.Context(), e.org.org.ID, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n, "nothing was created")

	// Unknown sub-attributes are ignored (RFC 7643 §2.1), however deep.
	deep := `{"schemas":["` + userSchema + `"],"userName":"deep@acme.test","name":{"givenName":"D","x":` +
		strings.Repeat(`{"a":`, 5000) + `1` + strings.Repeat(`}`, 5000) + `}}`
	res := e.do(http.MethodPost, "/Users", deep)
	require.Equal(t, http.StatusCreated, res.status, res.String())
	require.Equal(t, map[string]any{"givenName": "D"}, res.get("name"))
}

func TestCreateUserVariants(t *testing.T) {
	e := newEnv(t)
	// A userName that is not an address: the primary email is the account's.
	b := oktaUser("ada", "Ada", "Lovelace")
	b["emails"] = []any{map[string]any{"value": "home@ada.test"}, map[string]any{"value": "ada@acme.test", "primary": true}}
	res := e.do(http.MethodPost, "/Users", b)
	require.Equal(t, http.StatusCreated, res.status, res.String())
	e.account("ada@acme.test")

	// Created inactive: a SCIM user without an account.
	b = oktaUser("later@acme.test", "Later", "User")
	b["active"] = false
	res = e.do(http.MethodPost, "/Users", b)
	require.Equal(t, http.StatusCreated, res.status, res.String())
	require.Equal(t, false, res.get("active"))
	e.noAccount("later@acme.test")

	// The enterprise extension round-trips.
	b = oktaUser("grace@acme.test", "Grace", "Hopper")
	b["schemas"] = []string{userSchema, entSchema}
	b[entSchema] = map[string]any{"department": "Navy", "employeeNumber": "1906"}
	res = e.do(http.MethodPost, "/Users", b)
	require.Equal(t, http.StatusCreated, res.status, res.String())
	got := e.do(http.MethodGet, "/Users/"+res.str("id"), nil)
	ext, _ := got.json[entSchema].(map[string]any)
	require.Equal(t, "Navy", ext["department"], got.String())

	// application/json is accepted as well (Okta's SPEC test sends it).
	res = e.send(http.MethodPost, "/Users", oktaUser("json@acme.test", "J", "S"), "Authorization", "Bearer "+e.org.token, "Content-Type", "application/json")
	require.Equal(t, http.StatusCreated, res.status, res.String())
}

func TestGetUser(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	res := e.do(http.MethodGet, "/Users/"+id, nil)
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, id, res.str("id"))
	etag := res.header.Get("Etag")
	require.Equal(t, `W/"1"`, etag)

	// If-None-Match with the current version: 304 and no body.
	res = e.do(http.MethodGet, "/Users/"+id, nil, "If-None-Match", etag)
	require.Equal(t, http.StatusNotModified, res.status)
	require.Empty(t, res.raw)
	require.Equal(t, http.StatusOK, e.do(http.MethodGet, "/Users/"+id, nil, "If-None-Match", `W/"7"`).status)

	for _, unknown := range []string{"scu_missing", "00919288221112222", "%2e%2e", "a%20b"} {
		requireSCIMError(t, e.do(http.MethodGet, "/Users/"+unknown, nil), http.StatusNotFound, "")
	}
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	empty := e.do(http.MethodGet, "/Users?startIndex=1&count=2", nil)
	require.Equal(t, http.StatusOK, empty.status)
	require.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"itemsPerPage":0,"startIndex":1,"Resources":[]}`,
		string(empty.raw), "Resources is [] when empty, never null")

	var ids []string
	for i := range 7 {
		ids = append(ids, e.mustCreate(fmt.Sprintf("user%d@acme.test", i)))
	}
	pageIDs := func(res response) []string {
		var out []string
		list, _ := res.get("Resources").([]any)
		for _, r := range list {
			out = append(out, r.(map[string]any)["id"].(string))
		}
		return out
	}
	for name, tc := range map[string]struct {
		query                 string
		want                  []string
		total, start, perPage int
	}{
		"first page":                 {"startIndex=1&count=3", ids[0:3], 7, 1, 3},
		"second page is 1-based":     {"startIndex=4&count=3", ids[3:6], 7, 4, 3},
		"last short page":            {"startIndex=7&count=3", ids[6:7], 7, 7, 1},
		"past the end":               {"startIndex=9&count=3", nil, 7, 9, 0},
		"count 0: only the total":    {"count=0", nil, 7, 1, 0},
		"negative count is 0":        {"count=-3", nil, 7, 1, 0},
		"startIndex 0 is 1":          {"startIndex=0&count=2", ids[0:2], 7, 1, 2},
		"no parameters: all, capped": {"", ids, 7, 1, 7},
		"Okta's test connection":     {"startIndex=1&count=2", ids[0:2], 7, 1, 2},
		"Okta's import page size":    {"startIndex=1&count=100", ids, 7, 1, 7},
	} {
		res := e.do(http.MethodGet, "/Users?"+tc.query, nil)
		require.Equal(t, http.StatusOK, res.status, name)
		require.Equal(t, tc.want, pageIDs(res), name)
		require.EqualValues(t, tc.total, res.get("totalResults"), name)
		require.EqualValues(t, tc.start, res.get("startIndex"), name)
		require.EqualValues(t, tc.perPage, res.get("itemsPerPage"), name)
		require.NotNil(t, res.get("Resources"), name)
	}
	for _, q := range []string{"count=abc", "startIndex=x"} {
		requireSCIMError(t, e.do(http.MethodGet, "/Users?"+q, nil), http.StatusBadRequest, "")
	}
}

func TestListUsersCountIsCapped(t *testing.T) {
	e := newEnvWith(t, nil, 3)
	for i := range 5 {
		e.mustCreate(fmt.Sprintf("u%d@acme.test", i))
	}
	res := e.do(http.MethodGet, "/Users?count=1000", nil)
	require.EqualValues(t, 5, res.get("totalResults"))
	require.EqualValues(t, 3, res.get("itemsPerPage"), "capped at MaxResults")
	cfg := e.do(http.MethodGet, "/ServiceProviderConfig", nil)
	require.EqualValues(t, 3, cfg.get("filter.maxResults"), "and the cap is the one announced")
}

func TestFilterUsers(t *testing.T) {
	e := newEnv(t)
	ada := e.mustCreate("ada@acme.test")
	b := oktaUser("bob@acme.test", "Bob", "B")
	b["emails"] = []any{map[string]any{"value": "bob@acme.test", "primary": true}, map[string]any{"value": "shared@home.test", "type": "home"}}
	bob := e.do(http.MethodPost, "/Users", b).str("id")
	b = oktaUser("cat@acme.test", "Cat", "C")
	b["emails"] = []any{map[string]any{"value": "SHARED@home.test"}}
	b["externalId"] = "00uCAT"
	cat := e.do(http.MethodPost, "/Users", b).str("id")
	// A deactivated user is still found: Okta looks before it creates (SCIM-13).
	require.Equal(t, http.StatusOK, e.do(http.MethodPatch, "/Users/"+cat, patchOp(op("replace", "", map[string]any{"active": false}))).status)

	for filter, want := range map[string][]string{
		`userName eq "ada@acme.test"`:                                                  {ada},
		`userName eq "ADA@Acme.TEST"`:                                                  {ada},
		`USERNAME EQ "ada@acme.test"`:                                                  {ada},
		`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ada@acme.test"`:       {ada},
		`userName eq "nobody@acme.test"`:                                               nil,
		`externalId eq "00uCAT"`:                                                       {cat},
		`externalId eq "00ucat"`:                                                       nil,
		`id eq "` + bob + `"`:                                                          {bob},
		`emails.value eq "shared@home.test"`:                                           {bob, cat},
		`emails[value eq "shared@HOME.test"]`:                                          {bob, cat},
		`emails.value eq "ada@acme.test"`:                                              {ada},
		`userName eq "ada@acme.test" or externalId eq "00uCAT"`:                        {ada, cat},
		`emails.value eq "shared@home.test" and userName eq "cat@acme.test"`:           {cat},
		`userName eq "cat@acme.test" and (id eq "` + ada + `" or id eq "` + cat + `")`: {cat},
	} {
		res := e.do(http.MethodGet, "/Users?filter="+queryEscape(filter)+"&startIndex=1&count=100", nil)
		require.Equal(t, http.StatusOK, res.status, "%s: %s", filter, res)
		var got []string
		list, _ := res.get("Resources").([]any)
		for _, r := range list {
			got = append(got, r.(map[string]any)["id"].(string))
		}
		require.Equal(t, want, got, filter)
		require.EqualValues(t, len(want), res.get("totalResults"), filter)
	}

	// Everything else is refused: never a silent full list (PROTO-03).
	for _, filter := range []string{
		`name.givenName eq "Ada"`,
		`displayName eq "Ada Lovelace"`,
		`userName co "ada"`,
		`userName sw "ada"`,
		`userName ne "ada@acme.test"`,
		`userName pr`,
		`not (userName eq "ada@acme.test")`,
		`active eq true`,
		`emails[type eq "work"]`,
		`emails[type eq "work" and value eq "ada@acme.test"]`,
		`meta.created gt "2020-01-01T00:00:00Z"`,
		`unknownAttribute eq "x"`,
		`userName eq 42`,
		`userName eq`,
		`userName eq "unterminated`,
		`((userName eq "a"`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Navy"`,
		strings.Repeat(`userName eq "a" or `, 25) + `userName eq "a"`,
	} {
		res := e.do(http.MethodGet, "/Users?filter="+queryEscape(filter), nil)
		requireSCIMError(t, res, http.StatusBadRequest, "invalidFilter")
	}
}

func TestReplaceUser(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	acct := e.account("ada@acme.test")
	current := e.do(http.MethodGet, "/Users/"+id, nil)

	// Okta's template-app update: GET, then PUT of the whole user (SCIM-05).
	body := current.json
	body["userName"] = "ada.king@acme.test"
	body["name"] = map[string]any{"givenName": "Augusta", "familyName": "King", "middleName": "Ada"}
	body["displayName"] = "Augusta Ada King"
	body["emails"] = []any{map[string]any{"value": "ada.king@acme.test", "primary": true, "type": "work"}}
	body["locale"] = "en-GB"
	body["title"] = "Countess"
	res := e.do(http.MethodPut, "/Users/"+id, body)
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.Equal(t, "ada.king@acme.test", res.str("userName"))
	require.Equal(t, "Ada", res.str("name.middleName"))
	require.Equal(t, "Countess", res.str("title"))
	require.Equal(t, `W/"2"`, res.str("meta.version"))
	got := e.account("ada.king@acme.test")
	require.Equal(t, acct.ID, got.ID)
	require.Equal(t, "Augusta", got.GivenName)
	require.Equal(t, "King", got.FamilyName)
	require.Equal(t, "Augusta Ada King", got.DisplayName)
	require.Equal(t, "en-GB", got.Locale)
	e.noAccount("ada@acme.test")
	require.Equal(t, res.json, e.do(http.MethodGet, "/Users/"+id, nil).json, "GET returns what PUT stored")

	// Attributes left out of a PUT are gone; "active" left out keeps the state.
	delete(body, "title")
	delete(body, "active")
	res = e.do(http.MethodPut, "/Users/"+id, body)
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.Nil(t, res.get("title"))
	require.Equal(t, true, res.get("active"))

	// The same PUT again writes nothing: the version stays.
	again := e.do(http.MethodPut, "/Users/"+id, body)
	require.Equal(t, res.str("meta.version"), again.str("meta.version"))

	e.mustCreate("bob@acme.test")
	body["userName"] = "BOB@acme.test"
	requireSCIMError(t, e.do(http.MethodPut, "/Users/"+id, body), http.StatusConflict, "uniqueness")
	requireSCIMError(t, e.do(http.MethodPut, "/Users/scu_missing", body), http.StatusNotFound, "")
	requireSCIMError(t, e.do(http.MethodPut, "/Users/"+id, `{"userName":`), http.StatusBadRequest, "invalidSyntax")
	require.Equal(t, "ada.king@acme.test", e.do(http.MethodGet, "/Users/"+id, nil).str("userName"))
}

func TestDeactivateAndReactivate(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	id := e.mustCreate("ada@acme.test")
	acct := e.account("ada@acme.test")
	team, err := e.store.CreateTeam(ctx, store.Team{OrgID: e.org.org.ID, Name: "Platform"})
	require.NoError(t, err)
	require.NoError(t, e.store.AddTeamMember(ctx, team.ID, acct.ID))

	// SCIM-06/12: Okta's deactivation (also suspend and unassign) removes her
	// from the organization and its teams; no other organization holds the
	// account, so it goes.
	res := e.do(http.MethodPatch, "/Users/"+id, patchOp(op("replace", "", map[string]any{"active": false})))
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.Equal(t, false, res.get("active"))
	e.noAccount("ada@acme.test")
	members, err := e.store.ListTeamMembers(ctx, team.ID)
	require.NoError(t, err)
	require.Empty(t, members)

	// The SCIM user stays: GET and the userName filter find it (SCIM-13).
	require.Equal(t, false, e.do(http.MethodGet, "/Users/"+id, nil).get("active"))
	found := e.do(http.MethodGet, "/Users?filter="+queryEscape(`userName eq "ada@acme.test"`), nil)
	require.EqualValues(t, 1, found.get("totalResults"))
	require.Equal(t, id, found.str("Resources.0.id"))

	// Deactivating again changes nothing.
	again := e.do(http.MethodPatch, "/Users/"+id, patchOp(op("replace", "", map[string]any{"active": false})))
	require.Equal(t, res.str("meta.version"), again.str("meta.version"))

	// Reactivation re-creates the account from the stored profile and re-adds
	// the membership.
	res = e.do(http.MethodPatch, "/Users/"+id, patchOp(op("replace", "", map[string]any{"active": true})))
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.Equal(t, true, res.get("active"))
	back := e.account("ada@acme.test")
	require.NotEqual(t, acct.ID, back.ID, "a new account: the old one was deleted")
	require.Equal(t, "Ada", back.GivenName)
	require.Equal(t, "en-US", back.Locale)
	m, ok := e.membership(e.org, back.ID)
	require.True(t, ok)
	require.Equal(t, store.SourceSCIM, m.Source)
	require.Equal(t, []string{"scim.user.created", "scim.user.deactivated", "scim.user.reactivated"}, e.auditActions(e.org))
}

// SCIM-11 and SCIM-13 for a user whom another organization also holds.
func TestDeactivateSharedAccount(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	globex := e.tenant("Globex")
	id := e.mustCreate("ada@acme.test")
	acct := e.account("ada@acme.test")
	_, err := e.store.AddMembership(ctx, store.Membership{OrgID: globex.org.ID, UserID: acct.ID, Role: store.RoleMember, Source: store.SourceLocal})
	require.NoError(t, err)
	acmeTeam, err := e.store.CreateTeam(ctx, store.Team{OrgID: e.org.org.ID, Name: "Platform"})
	require.NoError(t, err)
	globexTeam, err := e.store.CreateTeam(ctx, store.Team{OrgID: globex.org.ID, Name: "Platform"})
	require.NoError(t, err)
	require.NoError(t, e.store.AddTeamMember(ctx, acmeTeam.ID, acct.ID))
	require.NoError(t, e.store.AddTeamMember(ctx, globexTeam.ID, acct.ID))
	require.NoError(t, e.store.CreateSession(ctx, store.Session{IDHash: "acme", UserID: acct.ID, OrgID: e.org.org.ID, ExpiresAt: time.Now().Add(time.Hour)}))
	require.NoError(t, e.store.CreateSession(ctx, store.Session{IDHash: "globex", UserID: acct.ID, OrgID: globex.org.ID, ExpiresAt: time.Now().Add(time.Hour)}))

	res := e.do(http.MethodPatch, "/Users/"+id, patchOp(op("replace", "", map[string]any{"active": false})))
	require.Equal(t, http.StatusOK, res.status, res.String())
	still := e.account("ada@acme.test")
	require.Equal(t, acct.ID, still.ID, "the account stays")
	_, ok := e.membership(e.org, acct.ID)
	require.False(t, ok, "detached from Acme")
	_, ok = e.membership(globex, acct.ID)
	require.True(t, ok, "still in Globex")
	teams, err := e.store.ListUserTeams(ctx, globex.org.ID, acct.ID)
	require.NoError(t, err)
	require.Len(t, teams, 1, "Globex's team kept")
	teams, err = e.store.ListUserTeams(ctx, e.org.org.ID, acct.ID)
	require.NoError(t, err)
	require.Empty(t, teams, "Acme's team left")
	_, err = e.store.GetSession(ctx, "acme", time.Now())
	require.ErrorIs(t, err, store.ErrNotFound, "signed out of Acme")
	_, err = e.store.GetSession(ctx, "globex", time.Now())
	require.NoError(t, err, "not of Globex")

	// Reconnecting re-adds the same account.
	res = e.do(http.MethodPatch, "/Users/"+id, patchOp(op("replace", "", map[string]any{"active": true})))
	require.Equal(t, http.StatusOK, res.status, res.String())
	_, ok = e.membership(e.org, acct.ID)
	require.True(t, ok)
}

func TestDeleteUser(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	id := e.mustCreate("ada@acme.test")
	res := e.do(http.MethodDelete, "/Users/"+id, nil)
	require.Equal(t, http.StatusNoContent, res.status, res.String())
	require.Empty(t, res.raw)
	requireSCIMError(t, e.do(http.MethodGet, "/Users/"+id, nil), http.StatusNotFound, "")
	requireSCIMError(t, e.do(http.MethodDelete, "/Users/"+id, nil), http.StatusNotFound, "")
	e.noAccount("ada@acme.test")
	// The userName is free again.
	e.mustCreate("ada@acme.test")

	// A shared account is only detached.
	globex := e.tenant("Globex")
	bobID := e.mustCreate("bob@acme.test")
	bob := e.account("bob@acme.test")
	_, err := e.store.AddMembership(ctx, store.Membership{OrgID: globex.org.ID, UserID: bob.ID, Role: store.RoleMember, Source: store.SourceLocal})
	require.NoError(t, err)
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/Users/"+bobID, nil).status)
	require.Equal(t, bob.ID, e.account("bob@acme.test").ID)
	_, ok := e.membership(e.org, bob.ID)
	require.False(t, ok)
	require.Equal(t, []string{"scim.user.created", "scim.user.deleted", "scim.user.created", "scim.user.created", "scim.user.deleted"}, e.auditActions(e.org))
}

func TestIfMatch(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	deactivate := patchOp(op("replace", "active", false))
	requireSCIMError(t, e.do(http.MethodPatch, "/Users/"+id, deactivate, "If-Match", `W/"9"`), http.StatusPreconditionFailed, "")
	require.Equal(t, true, e.do(http.MethodGet, "/Users/"+id, nil).get("active"), "a failed precondition changes nothing")
	res := e.do(http.MethodPatch, "/Users/"+id, deactivate, "If-Match", `W/"1"`)
	require.Equal(t, http.StatusOK, res.status, res.String())
	requireSCIMError(t, e.do(http.MethodPut, "/Users/"+id, oktaUser("ada@acme.test", "A", "L"), "If-Match", `W/"1"`), http.StatusPreconditionFailed, "")
	requireSCIMError(t, e.do(http.MethodDelete, "/Users/"+id, nil, "If-Match", `W/"1"`), http.StatusPreconditionFailed, "")
	require.Equal(t, http.StatusNoContent, e.do(http.MethodDelete, "/Users/"+id, nil, "If-Match", `*`).status)
}

func queryEscape(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "&", "%26", "+", "%2B", "#", "%23", "[", "%5B", "]", "%5D").Replace(s)
}
