package hooksapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/hooksapi"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
)

// step is one hook call of a walk through the API. {name} in path and body is
// replaced by a value captured before; capture names the string fields of the
// answer to remember.
type step struct {
	name, method, path, body string
	status                   int
	capture                  map[string]string // JSON key → name
	check                    func(t *testing.T, r reply)
}

func walk(t *testing.T, f *fixture, vars map[string]string, steps []step) {
	t.Helper()
	fill := func(s string) string {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for _, s := range steps {
		r := f.do(t, call{method: s.method, path: fill(s.path), body: fill(s.body), auth: bearer})
		require.Equal(t, s.status, r.status, "%s: %s %s: %s", s.name, s.method, fill(s.path), r.raw)
		if r.status >= 400 {
			assert.NotEmpty(t, r.str("error"), "%s: an error says why", s.name)
		}
		for key, name := range s.capture {
			vars[name] = r.str(key)
			require.NotEmpty(t, vars[name], "%s: %s", s.name, key)
		}
		if s.check != nil {
			s.check(t, r)
		}
	}
}

// An organization is set up as its admin would, end to end, and then read back.
func TestSetUpAnOrganization(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	idp := testidp.New(testidp.NewCert(t, testidp.CertOptions{}), "https://acme.okta.test")
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(idp.MetadataXML(t)) }))
	t.Cleanup(meta.Close)
	vars := map[string]string{"meta": meta.URL + "/app/exk1/sso/saml/metadata", "cert": strings.Trim(jsonString(idp.Cert.PEM), `"`), "sso": idp.SSOURL}

	walk(t, f, vars, []step{
		{name: "create org", method: "POST", path: "/orgs", body: `{"name":"Initech"}`, status: 201, capture: map[string]string{"id": "org"},
			check: func(t *testing.T, r reply) { assert.Equal(t, "Initech", r.str("name")) }},
		{name: "add admin", method: "POST", path: "/orgs/{org}/members", body: `{"email":"bill@initech.test","given_name":"Bill","family_name":"Lumbergh","admin":true}`, status: 201},
		{name: "add member", method: "POST", path: "/orgs/{org}/members", body: `{"email":"Peter+x@Initech.test","given_name":"Peter","family_name":"Gibbons"}`, status: 201},
		{name: "members", method: "GET", path: "/orgs/{org}/members", status: 200,
			check: func(t *testing.T, r reply) {
				assert.Equal(t, []string{"bill@initech.test", "Peter+x@Initech.test"}, r.list("emails"))
			}},
		{name: "account, path-escaped, any case", method: "GET", path: "/accounts/" + url.PathEscape("peter+x@initech.test"), status: 200,
			check: func(t *testing.T, r reply) {
				assert.Equal(t, map[string]any{"email": "Peter+x@Initech.test", "given_name": "Peter", "family_name": "Gibbons"}, r.json)
			}},
		{name: "no okta yet", method: "GET", path: "/orgs/{org}/okta", status: 404},
		{name: "connect", method: "POST", path: "/orgs/{org}/okta", status: 201, capture: map[string]string{"id": "integration"},
			check: func(t *testing.T, r reply) {
				id := r.str("id")
				assert.Equal(t, baseURL+"/sso/okta/"+id+"/acs", r.str("acs_url"))
				assert.Equal(t, baseURL+"/sso/okta/"+id, r.str("entity_id"))
				assert.Equal(t, baseURL+"/users/sign-in/sso/okta/"+id, r.str("sign_in_url"))
			}},
		{name: "connect again", method: "POST", path: "/orgs/{org}/okta", status: 422},
		{name: "pending", method: "GET", path: "/orgs/{org}/okta", status: 200,
			check: func(t *testing.T, r reply) {
				assert.Equal(t, map[string]any{"id": vars["integration"], "status": "pending", "idp_entity_id": "", "sso_url": "", "cert_pem": ""}, r.json)
			}},
		{name: "start before configured", method: "POST", path: "/orgs/{org}/okta/start", status: 422},
		{name: "connected before configured", method: "POST", path: "/orgs/{org}/okta/status", body: `{"status":"connected"}`, status: 422},
		{name: "provisioning before connected", method: "POST", path: "/orgs/{org}/provisioning", status: 422,
			check: func(t *testing.T, r reply) { assert.Contains(t, r.str("error"), "connect Okta first") }},
		{name: "metadata link", method: "POST", path: "/orgs/{org}/okta/metadata", body: `{"metadata_url":"{meta}"}`, status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, map[string]any{}, r.json) }},
		{name: "configured from metadata", method: "GET", path: "/orgs/{org}/okta", status: 200,
			check: func(t *testing.T, r reply) {
				assert.Equal(t, idp.EntityID, r.str("idp_entity_id"))
				assert.Equal(t, idp.SSOURL, r.str("sso_url"))
				assert.Equal(t, idp.Cert.PEM, r.str("cert_pem"))
			}},
		{name: "manual", method: "POST", path: "/orgs/{org}/okta/manual", body: `{"sso_url":"{sso}/manual","cert_pem":"{cert}"}`, status: 200},
		{name: "configured by hand", method: "GET", path: "/orgs/{org}/okta", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, idp.SSOURL+"/manual", r.str("sso_url")) }},
		{name: "start", method: "POST", path: "/orgs/{org}/okta/start", body: `{}`, status: 200,
			check: func(t *testing.T, r reply) {
				assert.True(t, strings.HasPrefix(r.str("url"), idp.SSOURL+"/manual?SAMLRequest="), r.str("url"))
			}},
		{name: "mark connected", method: "POST", path: "/orgs/{org}/okta/status", body: `{"status":"connected"}`, status: 200},
		{name: "enable provisioning", method: "POST", path: "/orgs/{org}/provisioning", status: 200, capture: map[string]string{"token": "scim1"},
			check: func(t *testing.T, r reply) { assert.Equal(t, baseURL+"/scim/v2", r.str("scim_url")) }},
		{name: "enable provisioning again", method: "POST", path: "/orgs/{org}/provisioning", status: 422},
		{name: "rotate", method: "POST", path: "/orgs/{org}/provisioning/token", status: 200, capture: map[string]string{"token": "scim2"}},
		{name: "disable provisioning", method: "DELETE", path: "/orgs/{org}/provisioning", status: 204},
		{name: "rotate when off", method: "POST", path: "/orgs/{org}/provisioning/token", status: 422},
		{name: "disable okta", method: "POST", path: "/orgs/{org}/okta/status", body: `{"status":"disabled"}`, status: 200},
		{name: "disabled", method: "GET", path: "/orgs/{org}/okta", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, "disabled", r.str("status")) }},
		{name: "start when disabled", method: "POST", path: "/orgs/{org}/okta/start", status: 422},
		{name: "audit, newest first", method: "GET", path: "/orgs/{org}/audit", status: 200,
			check: func(t *testing.T, r reply) {
				target := " integration " + vars["integration"]
				assert.Equal(t, []string{
					"scim.provisioning.disabled" + target, "scim.token.rotated" + target, "scim.provisioning.enabled" + target,
				}, r.list("actions"))
			}},
	})
	assert.NotEqual(t, vars["scim1"], vars["scim2"])
}

func TestTeamsAndWhatTheyOwn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	other, err := f.srv.CreateTeam(ctx, f.globex.ID, "Globex Ops")
	require.NoError(t, err)
	vars := map[string]string{"org": f.acme.ID, "other": other.ID}

	walk(t, f, vars, []step{
		{name: "no teams", method: "GET", path: "/orgs/{org}/teams", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{}, r.list("teams")) }},
		{name: "create", method: "POST", path: "/orgs/{org}/teams", body: `{"name":"Ops"}`, status: 201, capture: map[string]string{"id": "team"},
			check: func(t *testing.T, r reply) { assert.Equal(t, "Ops", r.str("name")) }},
		{name: "same name", method: "POST", path: "/orgs/{org}/teams", body: `{"name":"ops"}`, status: 422},
		{name: "blank name", method: "POST", path: "/orgs/{org}/teams", body: `{"name":" "}`, status: 422},
		{name: "domain", method: "POST", path: "/orgs/{org}/teams/{team}/domains", body: `{"domain":"Acme.test"}`, status: 201},
		{name: "another team", method: "POST", path: "/orgs/{org}/teams", body: `{"name":"Dev"}`, status: 201, capture: map[string]string{"id": "team2"}},
		{name: "domain taken by another team", method: "POST", path: "/orgs/{org}/teams/{team2}/domains", body: `{"domain":"acme.test"}`, status: 422,
			check: func(t *testing.T, r reply) { assert.Contains(t, r.str("error"), "acme.test") }},
		{name: "list", method: "GET", path: "/orgs/{org}/teams", status: 200,
			check: func(t *testing.T, r reply) {
				assert.Equal(t, []any{map[string]any{"id": vars["team"], "name": "Ops"}, map[string]any{"id": vars["team2"], "name": "Dev"}}, r.json["teams"])
			}},
		{name: "not a domain", method: "POST", path: "/orgs/{org}/teams/{team}/domains", body: `{"domain":"a b"}`, status: 422},
		{name: "domain on another org's team", method: "POST", path: "/orgs/{org}/teams/{other}/domains", body: `{"domain":"x.test"}`, status: 404},
		{name: "resource", method: "POST", path: "/orgs/{org}/teams/{team}/resources", body: `{"name":"uptime"}`, status: 201},
		{name: "resource on another org's team", method: "POST", path: "/orgs/{org}/teams/{other}/resources", body: `{"name":"x"}`, status: 404},
		{name: "resource on no team", method: "POST", path: "/orgs/{org}/teams/nope/resources", body: `{"name":"x"}`, status: 404},
		{name: "resources", method: "GET", path: "/orgs/{org}/teams/{team}/resources", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{"uptime"}, r.list("names")) }},
		{name: "another org's resources", method: "GET", path: "/orgs/{org}/teams/{other}/resources", status: 404},
		{name: "members", method: "GET", path: "/orgs/{org}/teams/{team}/members", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{}, r.list("emails")) }},
		{name: "another org's members", method: "GET", path: "/orgs/{org}/teams/{other}/members", status: 404},
	})

	// A member of the team shows; once the team is deleted, its id still
	// answers, with nothing left.
	m, err := f.srv.AddMember(ctx, f.acme.ID, memberOf("ada@acme.test"))
	require.NoError(t, err)
	require.NoError(t, f.st.AddTeamMember(ctx, vars["team"], m.User.ID))
	walk(t, f, vars, []step{
		{name: "a member", method: "GET", path: "/orgs/{org}/teams/{team}/members", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{"ada@acme.test"}, r.list("emails")) }},
	})
	require.NoError(t, f.st.DeleteTeam(ctx, vars["team"]))
	walk(t, f, vars, []step{
		{name: "resources of a deleted team", method: "GET", path: "/orgs/{org}/teams/{team}/resources", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{}, r.list("names")) }},
		{name: "members of a deleted team", method: "GET", path: "/orgs/{org}/teams/{team}/members", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{}, r.list("emails")) }},
		{name: "gone from the list", method: "GET", path: "/orgs/{org}/teams", status: 200,
			check: func(t *testing.T, r reply) {
				assert.Equal(t, []any{map[string]any{"id": vars["team2"], "name": "Dev"}}, r.json["teams"])
			}},
	})
}

// An existing account is added to another organization, not duplicated.
func TestAnAccountJoinsASecondOrganization(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vars := map[string]string{"acme": f.acme.ID, "globex": f.globex.ID}
	walk(t, f, vars, []step{
		{name: "in acme", method: "POST", path: "/orgs/{acme}/members", body: `{"email":"ada@acme.test","given_name":"Ada","family_name":"Lovelace"}`, status: 201},
		{name: "in globex", method: "POST", path: "/orgs/{globex}/members", body: `{"email":"ADA@acme.test","admin":true}`, status: 201},
		{name: "globex members", method: "GET", path: "/orgs/{globex}/members", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{"ada@acme.test"}, r.list("emails")) }},
		{name: "one account", method: "GET", path: "/accounts/ada@acme.test", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, "Ada", r.str("given_name")) }},
	})
}

// Deleting an organization takes its members' accounts unless another
// organization holds them too.
func TestDeleteAnOrganization(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	vars := map[string]string{"acme": f.acme.ID, "globex": f.globex.ID}
	walk(t, f, vars, []step{
		{name: "ada in acme", method: "POST", path: "/orgs/{acme}/members", body: `{"email":"ada@acme.test"}`, status: 201},
		{name: "ada in globex", method: "POST", path: "/orgs/{globex}/members", body: `{"email":"ada@acme.test"}`, status: 201},
		{name: "bob in acme", method: "POST", path: "/orgs/{acme}/members", body: `{"email":"bob@acme.test"}`, status: 201},
		{name: "a team", method: "POST", path: "/orgs/{acme}/teams", body: `{"name":"Platform"}`, status: 201, capture: map[string]string{"id": "team"}},
		{name: "delete", method: "DELETE", path: "/orgs/{acme}", status: 204},
		{name: "gone", method: "GET", path: "/orgs/{acme}/members", status: 404},
		{name: "again", method: "DELETE", path: "/orgs/{acme}", status: 404},
		{name: "bob had acme alone", method: "GET", path: "/accounts/bob@acme.test", status: 404},
		{name: "ada stays", method: "GET", path: "/accounts/ada@acme.test", status: 200},
		{name: "globex stays", method: "GET", path: "/orgs/{globex}/members", status: 200,
			check: func(t *testing.T, r reply) { assert.Equal(t, []string{"ada@acme.test"}, r.list("emails")) }},
	})
	r := f.do(t, call{method: "DELETE", path: "/orgs/" + f.globex.ID})
	assert.Equal(t, http.StatusUnauthorized, r.status, "no token, no deletion")
}

// What the caller sent is refused with a 4xx and a sentence, never a 500.
func TestRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.srv.ConnectOkta(ctx, f.acme.ID)
	require.NoError(t, err)
	acme, globex := "/orgs/"+f.acme.ID, "/orgs/"+f.globex.ID
	big := `{"name":"` + strings.Repeat("a", 64<<10) + `"}`

	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		says                     string
	}{
		{"bad JSON", "POST", "/orgs", `{"name":`, nil, 400, "not a valid JSON object"},
		{"not an object", "POST", "/orgs", `["Acme"]`, nil, 400, "not a valid JSON object"},
		{"two objects", "POST", "/orgs", `{"name":"a"}{"name":"b"}`, nil, 400, "not a valid JSON object"},
		{"unknown field", "POST", "/orgs", `{"name":"a","owner":"x"}`, nil, 400, `Unknown field "owner"`},
		{"wrong type", "POST", "/orgs", `{"name":7}`, nil, 400, `"name" must be a string`},
		{"missing field", "POST", "/orgs", `{}`, nil, 400, `needs "name"`},
		{"no body", "POST", "/orgs", ``, nil, 400, "not a valid JSON object"},
		{"blank org name", "POST", "/orgs", `{"name":"  "}`, nil, 400, "needs a name"},
		{"oversized body", "POST", "/orgs", big, nil, 400, "larger than 65536 bytes"},
		{"oversized after the object", "POST", "/orgs", `{"name":"a"}` + strings.Repeat(" ", 64<<10), nil, 400, "larger than 65536 bytes"},
		{"form body", "POST", "/orgs", `name=a`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 400, "application/json"},
		{"unknown field on a bodiless hook", "POST", acme + "/okta/start", `{"force":true}`, nil, 400, `Unknown field "force"`},
		{"member without email", "POST", acme + "/members", `{"given_name":"Ada"}`, nil, 400, `needs "email"`},
		{"member with a bad email", "POST", acme + "/members", `{"email":"ada"}`, nil, 422, "valid email"},
		{"manual without certificate", "POST", acme + "/okta/manual", `{"sso_url":"https://x.test"}`, nil, 400, `needs "cert_pem"`},
		{"manual with a certificate that is not one", "POST", acme + "/okta/manual", `{"sso_url":"https://x.test/sso","cert_pem":"nope"}`, nil, 422, "certificate"},
		{"manual with a bad SSO URL", "POST", acme + "/okta/manual", `{"sso_url":"ftp://x.test","cert_pem":"nope"}`, nil, 422, "Single Sign-On URL"},
		{"metadata link that is not one", "POST", acme + "/okta/metadata", `{"metadata_url":"not a url"}`, nil, 422, "absolute http or https URL"},
		{"metadata link that is not reachable", "POST", acme + "/okta/metadata", `{"metadata_url":"http://127.0.0.1:1/metadata"}`, nil, 422, "Could not reach"},
		{"empty metadata link", "POST", acme + "/okta/metadata", `{"metadata_url":""}`, nil, 422, "Paste the metadata link"},
		{"unknown status", "POST", acme + "/okta/status", `{"status":"pending"}`, nil, 400, `"connected" or "disabled"`},
		{"no integration", "POST", globex + "/okta/metadata", `{"metadata_url":"https://x.test"}`, nil, 404, "no Okta integration"},
		{"no integration to start", "POST", globex + "/okta/start", ``, nil, 404, "no Okta integration"},
		{"no integration to provision", "DELETE", globex + "/provisioning", ``, nil, 404, "no Okta integration"},
		{"unknown org", "GET", "/orgs/nope/members", ``, nil, 404, "no such organization"},
		{"unknown org, a write", "POST", "/orgs/nope/teams", `{"name":"x"}`, nil, 404, "no such organization"},
		{"unknown org's audit", "GET", "/orgs/nope/audit", ``, nil, 404, "no such organization"},
		{"unknown account", "GET", "/accounts/nobody@acme.test", ``, nil, 404, "no account"},
		{"refusals of no integration", "GET", "/refusals", ``, nil, 400, "Integration ID"},
		{"wrong method", "DELETE", "/orgs", ``, nil, 405, "use POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, call{method: tt.method, path: tt.path, body: tt.body, auth: bearer, header: tt.header})
			assert.Equal(t, tt.status, r.status, r.raw)
			assert.Contains(t, r.str("error"), tt.says)
		})
	}
	orgs, err := f.st.ListOrganizations(ctx)
	require.NoError(t, err)
	assert.Len(t, orgs, 2, "no refused request made an organization")
}

// A failure on the SP's side is a 500 that tells the caller nothing more.
func TestAFailureOnThisSideSaysNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	require.NoError(t, f.st.Close())
	r := f.do(t, call{method: http.MethodGet, path: "/orgs/" + f.acme.ID + "/members", auth: bearer})
	assert.Equal(t, http.StatusInternalServerError, r.status)
	assert.Equal(t, map[string]any{"error": "Something went wrong on our side."}, r.json)
}

func TestNewNeedsATokenAndAnSP(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, cfg := range []hooksapi.Config{
		{SP: f.srv, Refusals: hooksapi.NewRefusals(0)},
		{SP: f.srv, Token: " \t", Refusals: hooksapi.NewRefusals(0)},
		{SP: f.srv, Token: hooksToken},
		{Token: hooksToken, Refusals: hooksapi.NewRefusals(0)},
	} {
		_, err := hooksapi.New(cfg)
		assert.Error(t, err)
	}
}
