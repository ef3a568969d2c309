package adminapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

var t0 = time.Date(2031, 3, 14, 9, 26, 53, 0, time.UTC)

const pw = "Admin-pass-1"

// hash is bcrypt'ed once per test binary: it is slow on purpose.
var hash = sync.OnceValue(func() string {
	h, err := password.Hash(pw)
	if err != nil {
		panic(err)
	}
	return h
})

// fixture: organizations Acme and Globex, each with an admin and a member.
type fixture struct {
	srv          *sp.Server
	st           store.Store
	acme, globex store.Organization
	users        map[string]store.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	srv, err := sp.New(sp.Config{BaseURL: "https://sp.example", Store: st, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	f := &fixture{srv: srv, st: st, users: map[string]store.User{}}
	f.acme, err = st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	f.globex, err = st.CreateOrganization(ctx, store.Organization{Name: "Globex"})
	require.NoError(t, err)
	for _, p := range []struct {
		email string
		org   string
		role  store.Role
	}{
		{"admin@acme.test", f.acme.ID, store.RoleAdmin},
		{"ada@acme.test", f.acme.ID, store.RoleMember},
		{"admin@globex.test", f.globex.ID, store.RoleAdmin},
	} {
		u, err := st.CreateUser(ctx, store.User{Email: p.email, GivenName: "G", FamilyName: "F", PasswordHash: hash()})
		require.NoError(t, err)
		_, err = st.AddMembership(ctx, store.Membership{UserID: u.ID, OrgID: p.org, Role: p.role, Source: store.SourceLocal})
		require.NoError(t, err)
		f.users[p.email] = u
	}
	return f
}

// token makes an admin API token of org through the Go API.
func (f *fixture) token(t *testing.T, orgID string) string {
	t.Helper()
	secret, _, err := f.srv.CreateAdminToken(context.Background(), orgID)
	require.NoError(t, err)
	return secret
}

// signIn returns the session cookie of a local sign-in.
func (f *fixture) signIn(t *testing.T, email string) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/users/sign-in", strings.NewReader(url.Values{"email": {email}, "password": {pw}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.CookieName {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// call is one API request: auth is a token secret, a *http.Cookie or nil.
type call struct {
	method, path string
	body         string
	auth         any
	header       map[string]string
}

type reply struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

func (f *fixture) do(t *testing.T, c call) reply {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req := httptest.NewRequest(c.method, "/api/admin/v1"+c.path, body)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch a := c.auth.(type) {
	case string:
		req.Header.Set("Authorization", "Bearer "+a)
	case *http.Cookie:
		req.AddCookie(a)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	r := reply{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if r.raw != "" {
		require.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"), "%s %s: %s", c.method, c.path, r.raw)
		require.NoError(t, json.Unmarshal([]byte(r.raw), &r.json), r.raw)
	}
	return r
}

func (r reply) str(key string) string { s, _ := r.json[key].(string); return s }

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.token(t, f.acme.ID)
	admin := f.signIn(t, "admin@acme.test")
	member := f.signIn(t, "ada@acme.test")

	revokedSecret, revoked, err := f.srv.CreateAdminToken(context.Background(), f.acme.ID)
	require.NoError(t, err)
	require.NoError(t, f.srv.RevokeAdminToken(context.Background(), f.acme.ID, revoked.ID))

	tests := []struct {
		name   string
		auth   any
		header map[string]string
		status int
	}{
		{"admin API token", tok, nil, http.StatusOK},
		{"admin session", admin, nil, http.StatusOK},
		{"nothing", nil, nil, http.StatusUnauthorized},
		{"wrong token", "ssoh_admin_" + strings.Repeat("A", 43), nil, http.StatusUnauthorized},
		{"revoked token", revokedSecret, nil, http.StatusUnauthorized},
		{"token without prefix", strings.TrimPrefix(tok, "ssoh_admin_"), nil, http.StatusUnauthorized},
		{"basic auth", nil, map[string]string{"Authorization": "Basic YWRtaW46cGFzcw=="}, http.StatusUnauthorized},
		{"empty bearer", nil, map[string]string{"Authorization": "Bearer "}, http.StatusUnauthorized},
		{"bad token beats a good cookie", admin, map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"forged cookie", &http.Cookie{Name: session.CookieName, Value: "forged"}, nil, http.StatusUnauthorized},
		{"member session", member, nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, call{method: http.MethodGet, path: "/organization", auth: tt.auth, header: tt.header})
			assert.Equal(t, tt.status, r.status, r.raw)
			if tt.status == http.StatusOK {
				assert.Equal(t, f.acme.ID, r.str("id"))
				assert.Equal(t, "Acme", r.str("name"))
				return
			}
			assert.NotEmpty(t, r.str("error"))
			assert.NotContains(t, r.raw, "Acme")
			if tt.status == http.StatusUnauthorized {
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
}

// The Okta integration, as the SSO settings page does it.
func TestIntegrationRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.token(t, f.acme.ID)
	idp := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://acme.okta.test")

	r := f.do(t, call{method: http.MethodGet, path: "/sso/okta", auth: tok})
	assert.Equal(t, http.StatusNotFound, r.status)

	r = f.do(t, call{method: http.MethodPost, path: "/sso/okta", auth: tok})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	id := r.str("id")
	assert.Len(t, id, 26)
	assert.Equal(t, "pending", r.str("status"))
	assert.Equal(t, false, r.json["configured"])
	sp := r.json["sp"].(map[string]any)
	assert.Equal(t, "https://sp.example/sso/okta/"+id, sp["entityId"])
	assert.Equal(t, "https://sp.example/sso/okta/"+id+"/acs", sp["acsUrl"])
	assert.Equal(t, "https://sp.example/users/sign-in/sso/okta/"+id, sp["signInUrl"])
	assert.Equal(t, http.StatusConflict, f.do(t, call{method: http.MethodPost, path: "/sso/okta", auth: tok}).status)

	for _, tt := range []struct {
		body, field string
	}{
		{`{}`, "metadataUrl"},
		{`{"metadataUrl":"https://x.test/m","ssoUrl":"https://x.test/s"}`, "metadataUrl"},
		{`{"metadataUrl":"not a url"}`, "metadataUrl"},
		{`{"ssoUrl":"ftp://x.test","certificate":"` + jsonEscape(idp.Cert.PEM) + `"}`, "ssoUrl"},
		{`{"ssoUrl":"https://x.test/sso","certificate":"nope"}`, "certificate"},
	} {
		r := f.do(t, call{method: http.MethodPut, path: "/sso/okta/idp", auth: tok, body: tt.body})
		assert.Equal(t, http.StatusUnprocessableEntity, r.status, "%s: %s", tt.body, r.raw)
		assert.Equal(t, tt.field, r.str("field"), tt.body)
		assert.NotEmpty(t, r.str("error"))
	}

	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/idp", auth: tok,
		body: `{"ssoUrl":"` + idp.SSOURL + `","certificate":"` + jsonEscape(idp.Cert.PEM) + `","entityId":"` + idp.EntityID + `"}`})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, true, r.json["configured"])
	assert.Equal(t, idp.SSOURL, r.json["idp"].(map[string]any)["ssoUrl"])

	// From a metadata link.
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(idp.MetadataXML(t)) }))
	t.Cleanup(meta.Close)
	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/idp", auth: tok, body: `{"metadataUrl":"` + meta.URL + `/app/exk1/sso/saml/metadata"}`})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, idp.EntityID, r.json["idp"].(map[string]any)["entityId"])

	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/status", auth: tok, body: `{"status":"connected"}`})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "status", r.str("field"))
	assert.Contains(t, r.str("error"), "Connect round trip")
	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/status", auth: tok, body: `{"status":"bogus"}`})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/status", auth: tok, body: `{"status":"disabled"}`})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	assert.Equal(t, "disabled", r.str("status"))
	r = f.do(t, call{method: http.MethodGet, path: "/sso/okta", auth: tok})
	assert.Equal(t, "disabled", r.str("status"))
	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/status", auth: tok, body: `{"status":"pending"}`})
	assert.Equal(t, "pending", r.str("status"))
}

// Teams, pre-approved domains and members, as the Teams pages do it.
func TestTeamAndUserRoutes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.token(t, f.acme.ID)

	r := f.do(t, call{method: http.MethodGet, path: "/teams", auth: tok})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, `{"teams":[]}`+"\n", r.raw, "an empty list is []")

	r = f.do(t, call{method: http.MethodPost, path: "/teams", auth: tok, body: `{"name":"Physics"}`})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	team := r.str("id")
	assert.Equal(t, "Physics", r.str("name"))
	assert.Equal(t, []any{}, r.json["domains"])
	r = f.do(t, call{method: http.MethodPost, path: "/teams", auth: tok, body: `{"name":"physics"}`})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "name", r.str("field"))
	r = f.do(t, call{method: http.MethodPost, path: "/teams", auth: tok, body: `{"name":""}`})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "name", r.str("field"))
	other := f.do(t, call{method: http.MethodPost, path: "/teams", auth: tok, body: `{"name":"Chemistry"}`}).str("id")

	r = f.do(t, call{method: http.MethodPost, path: "/teams/" + team + "/domains", auth: tok, body: `{"domain":"Acme.Test"}`})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	assert.Equal(t, "acme.test", r.str("domain"))
	for body, want := range map[string]int{
		`{"domain":"*.acme.test"}`:   http.StatusUnprocessableEntity,
		`{"domain":"ada@acme.test"}`: http.StatusUnprocessableEntity,
		`{"domain":"acme"}`:          http.StatusUnprocessableEntity,
		`{"domain":".acme.test"}`:    http.StatusUnprocessableEntity,
	} {
		r := f.do(t, call{method: http.MethodPost, path: "/teams/" + team + "/domains", auth: tok, body: body})
		assert.Equal(t, want, r.status, body)
		assert.Equal(t, "domain", r.str("field"), body)
	}
	r = f.do(t, call{method: http.MethodPost, path: "/teams/" + other + "/domains", auth: tok, body: `{"domain":"acme.test"}`})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Contains(t, r.str("error"), `already pre-approved by the team "Physics"`)

	r = f.do(t, call{method: http.MethodGet, path: "/teams/" + team + "/domains", auth: tok})
	assert.Equal(t, `{"domains":[{"domain":"acme.test","teamId":"`+team+`"}]}`+"\n", r.raw)
	r = f.do(t, call{method: http.MethodGet, path: "/teams/" + team, auth: tok})
	assert.Equal(t, []any{"acme.test"}, r.json["domains"])
	r = f.do(t, call{method: http.MethodGet, path: "/teams", auth: tok})
	assert.Len(t, r.json["teams"], 2)

	// Members.
	r = f.do(t, call{method: http.MethodPost, path: "/users", auth: tok, body: `{"email":"grace@acme.test","givenName":"Grace","familyName":"Hopper","role":"member"}`})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	grace := r.str("id")
	assert.Equal(t, "local", r.str("source"))
	r = f.do(t, call{method: http.MethodPost, path: "/users", auth: tok, body: `{"email":"grace@acme.test"}`})
	assert.Equal(t, http.StatusConflict, r.status)
	assert.Equal(t, "email", r.str("field"))
	r = f.do(t, call{method: http.MethodPost, path: "/users", auth: tok, body: `{"email":"x@acme.test","role":"owner"}`})
	assert.Equal(t, http.StatusUnprocessableEntity, r.status)
	assert.Equal(t, "role", r.str("field"))
	// Someone of Globex is attached, not duplicated.
	r = f.do(t, call{method: http.MethodPost, path: "/users", auth: tok, body: `{"email":"ADMIN@globex.test","role":"admin"}`})
	require.Equal(t, http.StatusCreated, r.status, r.raw)
	assert.Equal(t, f.users["admin@globex.test"].ID, r.str("id"))
	assert.Equal(t, "admin", r.str("role"))

	require.NoError(t, f.st.AddTeamMember(context.Background(), team, grace))
	r = f.do(t, call{method: http.MethodGet, path: "/users/" + grace, auth: tok})
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, "Grace Hopper", r.str("displayName"))
	assert.Equal(t, []any{team}, r.json["teamIds"])
	r = f.do(t, call{method: http.MethodGet, path: "/teams/" + team + "/members", auth: tok})
	require.Len(t, r.json["members"], 1)
	assert.Equal(t, "grace@acme.test", r.json["members"].([]any)[0].(map[string]any)["email"])
	r = f.do(t, call{method: http.MethodGet, path: "/users", auth: tok})
	assert.Len(t, r.json["users"], 4)
	r = f.do(t, call{method: http.MethodGet, path: "/memberships", auth: tok})
	assert.Len(t, r.json["memberships"], 4)

	r = f.do(t, call{method: http.MethodDelete, path: "/teams/" + team + "/domains/ACME.test", auth: tok})
	assert.Equal(t, http.StatusNoContent, r.status, r.raw)
	assert.Empty(t, r.raw)
	r = f.do(t, call{method: http.MethodDelete, path: "/teams/" + team + "/domains/acme.test", auth: tok})
	assert.Equal(t, http.StatusNotFound, r.status)
}

// A token (or admin session) of one organization never reads or changes
// another's data: everything of Globex is "not found" to Acme.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	theirTeam, err := f.srv.CreateTeam(ctx, f.globex.ID, "Secret")
	require.NoError(t, err)
	_, err = f.srv.AddTeamDomain(ctx, f.globex.ID, theirTeam.ID, "globex.test")
	require.NoError(t, err)
	theirIntegration, err := f.srv.ConnectOkta(ctx, f.globex.ID)
	require.NoError(t, err)
	theirUser := f.users["admin@globex.test"]

	for name, auth := range map[string]any{"token": f.token(t, f.acme.ID), "session": f.signIn(t, "admin@acme.test")} {
		t.Run(name, func(t *testing.T) {
			for _, c := range []call{
				{method: http.MethodGet, path: "/teams/" + theirTeam.ID},
				{method: http.MethodGet, path: "/teams/" + theirTeam.ID + "/domains"},
				{method: http.MethodGet, path: "/teams/" + theirTeam.ID + "/members"},
				{method: http.MethodPost, path: "/teams/" + theirTeam.ID + "/domains", body: `{"domain":"evil.test"}`},
				{method: http.MethodDelete, path: "/teams/" + theirTeam.ID + "/domains/globex.test"},
				{method: http.MethodGet, path: "/users/" + theirUser.ID},
			} {
				c.auth = auth
				r := f.do(t, c)
				assert.Equal(t, http.StatusNotFound, r.status, "%s %s: %s", c.method, c.path, r.raw)
				assert.NotContains(t, r.raw, "Secret")
				assert.NotContains(t, r.raw, theirUser.Email)
			}
			for _, path := range []string{"/teams", "/users", "/memberships", "/sso/okta", "/organization"} {
				r := f.do(t, call{method: http.MethodGet, path: path, auth: auth})
				assert.NotContains(t, r.raw, theirTeam.ID, path)
				assert.NotContains(t, r.raw, theirUser.ID, path)
				assert.NotContains(t, r.raw, theirIntegration.ID, path)
				assert.NotContains(t, r.raw, f.globex.ID, path)
			}
		})
	}
	ds, err := f.st.ListTeamDomains(ctx, f.globex.ID)
	require.NoError(t, err)
	require.Len(t, ds, 1, "Globex's domains untouched")
	assert.Equal(t, "globex.test", ds[0].Domain)
	// And Acme's integration is its own.
	tok := f.token(t, f.acme.ID)
	r := f.do(t, call{method: http.MethodPost, path: "/sso/okta", auth: tok})
	require.Equal(t, http.StatusCreated, r.status)
	assert.NotEqual(t, theirIntegration.ID, r.str("id"))
	r = f.do(t, call{method: http.MethodPut, path: "/sso/okta/status", auth: tok, body: `{"status":"disabled"}`})
	require.Equal(t, http.StatusOK, r.status)
	theirs, err := f.st.GetIntegration(ctx, theirIntegration.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusPending, theirs.Status)
}

// Bad input gets a JSON 4xx, never a 500 or plain text.
func TestBadInputIsNever500(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tok := f.token(t, f.acme.ID)
	team, err := f.srv.CreateTeam(context.Background(), f.acme.ID, "Physics")
	require.NoError(t, err)
	tests := []struct {
		name   string
		c      call
		status int
	}{
		{"not JSON", call{method: http.MethodPost, path: "/teams", body: `name=x`}, http.StatusBadRequest},
		{"an array", call{method: http.MethodPost, path: "/teams", body: `[{"name":"x"}]`}, http.StatusBadRequest},
		{"unknown field", call{method: http.MethodPost, path: "/teams", body: `{"name":"x","admin":true}`}, http.StatusBadRequest},
		{"wrong type", call{method: http.MethodPost, path: "/teams", body: `{"name":42}`}, http.StatusBadRequest},
		{"two objects", call{method: http.MethodPost, path: "/teams", body: `{"name":"x"}{"name":"y"}`}, http.StatusBadRequest},
		{"cut off", call{method: http.MethodPost, path: "/teams", body: `{"name":"x`}, http.StatusBadRequest},
		{"null", call{method: http.MethodPost, path: "/teams", body: `null`}, http.StatusUnprocessableEntity},
		{"too large", call{method: http.MethodPost, path: "/teams", body: `{"name":"` + strings.Repeat("x", 70<<10) + `"}`}, http.StatusRequestEntityTooLarge},
		{"no body", call{method: http.MethodPost, path: "/teams"}, http.StatusUnsupportedMediaType},
		{"form content type", call{method: http.MethodPost, path: "/teams", body: `{"name":"x"}`, header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}, http.StatusUnsupportedMediaType},
		{"wrong method", call{method: http.MethodPatch, path: "/teams"}, http.StatusMethodNotAllowed},
		{"unknown route", call{method: http.MethodGet, path: "/nope"}, http.StatusNotFound},
		{"unknown team", call{method: http.MethodGet, path: "/teams/team_missing"}, http.StatusNotFound},
		{"odd team id", call{method: http.MethodGet, path: "/teams/%00%ff"}, http.StatusNotFound},
		{"domain of odd bytes", call{method: http.MethodPost, path: "/teams/" + team.ID + "/domains", body: `{"domain":"\u0000\ud800.test"}`}, http.StatusUnprocessableEntity},
		{"huge domain", call{method: http.MethodPost, path: "/teams/" + team.ID + "/domains", body: `{"domain":"` + strings.Repeat("a.", 20000) + `test"}`}, http.StatusUnprocessableEntity},
		{"remove a domain never added", call{method: http.MethodDelete, path: "/teams/" + team.ID + "/domains/%2e%2e"}, http.StatusNotFound},
		{"status of no integration", call{method: http.MethodPut, path: "/sso/okta/status", body: `{"status":"disabled"}`}, http.StatusNotFound},
		{"configure no integration", call{method: http.MethodPut, path: "/sso/okta/idp", body: `{"metadataUrl":"https://x.test"}`}, http.StatusNotFound},
		{"user with control characters", call{method: http.MethodPost, path: "/users", body: `{"email":"a\u0000@b.test"}`}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.c.auth = tok
			r := f.do(t, tt.c)
			assert.Equal(t, tt.status, r.status, r.raw)
			assert.NotEmpty(t, r.str("error"), r.raw)
			assert.NotRegexp(t, regexp.MustCompile(`store:|sqlite|\.go:|goroutine`), r.raw, "no internals")
		})
	}
	r := f.do(t, call{method: http.MethodDelete, path: "/teams", auth: tok})
	assert.Equal(t, "GET, POST", r.header.Get("Allow"))
}

// A cross-site page cannot use an admin's browser session to change anything.
func TestCrossSiteRequestsAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.signIn(t, "admin@acme.test")
	r := f.do(t, call{method: http.MethodPost, path: "/teams", auth: admin, body: `{"name":"X"}`,
		header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.test"}})
	assert.Equal(t, http.StatusForbidden, r.status)
	assert.NotEmpty(t, r.str("error"))
	teams, err := f.st.ListTeams(context.Background(), f.acme.ID)
	require.NoError(t, err)
	assert.Empty(t, teams)
	// Same-site is fine.
	r = f.do(t, call{method: http.MethodPost, path: "/teams", auth: admin, body: `{"name":"X"}`, header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	assert.Equal(t, http.StatusCreated, r.status, r.raw)
}

// The settings page creates a token, shows it once, lists it and revokes it.
func TestTokensSettingsPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.signIn(t, "admin@acme.test")
	page := func(method, path string) (int, string) {
		req := httptest.NewRequest(method, path, nil)
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		req.AddCookie(admin)
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, b := page(http.MethodGet, "/settings/api-tokens")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, b, "There are no tokens.")

	code, b = page(http.MethodPost, "/settings/api-tokens")
	require.Equal(t, http.StatusCreated, code, b)
	m := regexp.MustCompile(`<code id="new-token">(ssoh_admin_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(b)
	require.Len(t, m, 2, b)
	secret := m[1]
	toks, err := f.st.ListAdminTokens(context.Background(), f.acme.ID)
	require.NoError(t, err)
	require.Len(t, toks, 1)
	assert.NotEqual(t, secret, toks[0].Hash)

	code, b = page(http.MethodGet, "/settings/api-tokens")
	require.Equal(t, http.StatusOK, code)
	assert.NotContains(t, b, secret, "shown once")
	assert.Contains(t, b, toks[0].ID)

	assert.Equal(t, http.StatusOK, f.do(t, call{method: http.MethodGet, path: "/teams", auth: secret}).status)
	code, _ = page(http.MethodPost, "/settings/api-tokens/"+toks[0].ID+"/revoke")
	assert.Equal(t, http.StatusSeeOther, code)
	assert.Equal(t, http.StatusUnauthorized, f.do(t, call{method: http.MethodGet, path: "/teams", auth: secret}).status)
	code, _ = page(http.MethodPost, "/settings/api-tokens/"+toks[0].ID+"/revoke")
	assert.Equal(t, http.StatusNotFound, code)
}

func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
