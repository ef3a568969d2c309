package sp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/store"
)

var scimTokenOnPage = regexp.MustCompile(`<code id="scim-token">(ssoh_scim_[a-z2-7_]+)</code>`)

// scim sends a SCIM request through the SP's own handler.
func (f *fixture) scim(t *testing.T, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd *strings.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		rd = strings.NewReader(string(raw))
	} else {
		rd = strings.NewReader("")
	}
	req := httptest.NewRequest(method, scimapi.Prefix+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func oktaCreate(email, given, family, pw string) map[string]any {
	u := map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": email,
		"name":   map[string]any{"givenName": given, "familyName": family},
		"emails": []any{map[string]any{"primary": true, "value": email, "type": "work"}},
		"active": true, "locale": "en-US", "groups": []any{},
	}
	if pw != "" {
		u["password"] = pw
	}
	return u
}

func TestProvisioningToggle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	admin := f.signIn(t, "admin@acme.test", adminPassword)

	page := body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin))
	assert.Contains(t, page, `id="provisioning-on"`)
	assert.Contains(t, page, "Provisioning is off.")

	res := f.do(t, http.MethodPost, "/settings/sso/okta/provisioning", url.Values{"provisioning": {"on"}}, admin)
	page = body(t, res)
	require.Equal(t, http.StatusOK, res.StatusCode, page)
	m := scimTokenOnPage.FindStringSubmatch(page)
	require.NotNil(t, m, page)
	token := m[1]
	assert.Contains(t, page, "shown only once")
	assert.Contains(t, page, baseURL+"/scim/v2")
	assert.Equal(t, "no-store", res.Header.Get("Cache-Control"))

	// Shown once: the page never shows it again.
	page = body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin))
	assert.NotContains(t, page, token)
	assert.NotContains(t, page, `id="scim-token"`)
	assert.Contains(t, page, "Provisioning is on.")
	in, err := f.st.GetIntegration(context.Background(), f.integ.ID)
	require.NoError(t, err)
	assert.True(t, in.ProvisioningEnabled)
	assert.NotContains(t, in.SCIMTokenHash, token[len(token)-52:])

	status, _ := f.scim(t, token, http.MethodGet, "/Users?startIndex=1&count=2", nil)
	assert.Equal(t, http.StatusOK, status)

	// A second "on" does not make or show a token.
	page = body(t, f.do(t, http.MethodPost, "/settings/sso/okta/provisioning", url.Values{"provisioning": {"on"}}, admin))
	assert.Nil(t, scimTokenOnPage.FindStringSubmatch(page))
	assert.Contains(t, page, "already on")

	// Rotate: a new token, the old one dead at once.
	page = body(t, f.do(t, http.MethodPost, "/settings/sso/okta/provisioning/rotate", url.Values{}, admin))
	m = scimTokenOnPage.FindStringSubmatch(page)
	require.NotNil(t, m, page)
	rotated := m[1]
	assert.NotEqual(t, token, rotated)
	status, _ = f.scim(t, token, http.MethodGet, "/Users", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = f.scim(t, rotated, http.MethodGet, "/Users", nil)
	assert.Equal(t, http.StatusOK, status)

	// Off: the token is dead at once.
	page = body(t, f.do(t, http.MethodPost, "/settings/sso/okta/provisioning", url.Values{"provisioning": {"off"}}, admin))
	assert.Contains(t, page, "Provisioning is off.")
	status, body401 := f.scim(t, rotated, http.MethodGet, "/Users", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, "401", body401["status"])
	page = body(t, f.do(t, http.MethodPost, "/settings/sso/okta/provisioning/rotate", url.Values{}, admin))
	assert.Contains(t, page, "no token to rotate")

	res = f.do(t, http.MethodPost, "/settings/sso/okta/provisioning", url.Values{"provisioning": {"maybe"}}, admin)
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)

	// The audit log names who did what.
	page = body(t, f.do(t, http.MethodGet, "/settings/audit", nil, admin))
	for _, action := range []string{"scim.provisioning.enabled", "scim.token.rotated", "scim.provisioning.disabled"} {
		assert.Contains(t, page, action)
	}
	assert.Contains(t, page, "user:"+f.users["admin@acme.test"].ID)
	assert.NotContains(t, page, rotated[len(rotated)-52:], "no secret in the audit log")
}

func TestProvisioningNeedsConnectedSSO(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{pending: true})
	admin := f.signIn(t, "admin@acme.test", adminPassword)
	page := body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin))
	assert.Contains(t, page, "It needs a working SSO setup")

	res := f.do(t, http.MethodPost, "/settings/sso/okta/provisioning", url.Values{"provisioning": {"on"}}, admin)
	page = body(t, res)
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, page, `id="provisioning-error"`)
	assert.Contains(t, page, "connect Okta first")
	assert.Nil(t, scimTokenOnPage.FindStringSubmatch(page))
	in, err := f.st.GetIntegration(context.Background(), f.integ.ID)
	require.NoError(t, err)
	assert.False(t, in.ProvisioningEnabled)
	assert.Empty(t, in.SCIMTokenHash)

	_, err = f.srv.EnableProvisioning(context.Background(), f.integ.ID)
	assert.ErrorIs(t, err, scimapi.ErrNotConnected)
}

func TestProvisioningIsForAdmins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	ada := f.signIn(t, "ada@acme.test", adaPassword)
	for _, path := range []string{"/settings/sso/okta/provisioning", "/settings/sso/okta/provisioning/rotate"} {
		res := f.do(t, http.MethodPost, path, url.Values{"provisioning": {"on"}}, ada)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, path)
	}
	assert.Equal(t, http.StatusForbidden, f.do(t, http.MethodGet, "/settings/audit", nil, ada).StatusCode)
	in, err := f.st.GetIntegration(context.Background(), f.integ.ID)
	require.NoError(t, err)
	assert.False(t, in.ProvisioningEnabled)
	res := f.do(t, http.MethodGet, "/settings/audit", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode, "signed out: to the sign-in page")
}

// TestProvisioningEndToEnd drives the SP's Go API and its /scim/v2 endpoint as
// Okta would: create with a password the user then signs in with (SCIM-07),
// group push, deactivation.
func TestProvisioningEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	assert.Equal(t, baseURL+"/scim/v2", f.srv.SCIMBaseURL())
	token, err := f.srv.EnableProvisioning(ctx, f.integ.ID)
	require.NoError(t, err)

	status, user := f.scim(t, token, http.MethodPost, "/Users", oktaCreate("linus@acme.test", "Linus", "T", "Okta-Synced-9"))
	require.Equal(t, http.StatusCreated, status, user)
	userID := user["id"].(string)
	cookie := f.signIn(t, "linus@acme.test", "Okta-Synced-9")
	assert.Contains(t, body(t, f.do(t, http.MethodGet, "/", nil, cookie)), "Acme")

	status, grp := f.scim(t, token, http.MethodPost, "/Groups", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Kernel",
		"members": []any{map[string]any{"value": userID}},
	})
	require.Equal(t, http.StatusCreated, status, grp)
	team, err := f.st.GetTeamBySCIMGroupID(ctx, f.org.ID, grp["id"].(string))
	require.NoError(t, err)
	_, err = f.st.CreateResource(ctx, store.Resource{TeamID: team.ID, Kind: "monitor", Name: "git.kernel"})
	require.NoError(t, err)

	// Members see the team and what it owns, and the warning.
	page := body(t, f.do(t, http.MethodGet, "/teams", nil, cookie))
	assert.Contains(t, page, "Kernel")
	assert.Contains(t, page, "Okta group")
	page = body(t, f.do(t, http.MethodGet, "/teams/"+team.ID, nil, cookie))
	assert.Contains(t, page, "git.kernel")
	assert.Contains(t, page, `id="pushed-warning"`)
	assert.Contains(t, page, "linus@acme.test")

	// Deleting the group deletes the team and its resource.
	status, _ = f.scim(t, token, http.MethodDelete, "/Groups/"+grp["id"].(string), nil)
	require.Equal(t, http.StatusNoContent, status)
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/teams", nil, cookie)), "Kernel")
	assert.Equal(t, http.StatusNotFound, f.do(t, http.MethodGet, "/teams/"+team.ID, nil, cookie).StatusCode)

	// Deactivation signs the user out of the organization and removes the account.
	status, _ = f.scim(t, token, http.MethodPatch, "/Users/"+userID, map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}},
	})
	require.Equal(t, http.StatusOK, status)
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/", nil, cookie)), "linus@acme.test")
	_, err = f.st.GetUserByEmail(ctx, "linus@acme.test")
	assert.ErrorIs(t, err, store.ErrNotFound)

	admin := f.signIn(t, "admin@acme.test", adminPassword)
	page = body(t, f.do(t, http.MethodGet, "/settings/audit", nil, admin))
	for _, action := range []string{"scim.user.created", "scim.group.created", "scim.group.deleted", "scim.user.deactivated"} {
		assert.Contains(t, page, action)
	}
	assert.Contains(t, page, "scim-token:")
	assert.Contains(t, page, "1 resources")

	rotated, err := f.srv.RotateSCIMToken(ctx, f.integ.ID)
	require.NoError(t, err)
	status, _ = f.scim(t, token, http.MethodGet, "/Users", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
	require.NoError(t, f.srv.DisableProvisioning(ctx, f.integ.ID))
	status, _ = f.scim(t, rotated, http.MethodGet, "/Users", nil)
	assert.Equal(t, http.StatusUnauthorized, status)
}

func TestTeamPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{noConnect: true})
	team, err := f.st.CreateTeam(ctx, store.Team{OrgID: f.org.ID, Name: "Platform"})
	require.NoError(t, err)
	require.NoError(t, f.st.AddTeamMember(ctx, team.ID, f.users["ada@acme.test"].ID))
	globex, err := f.st.ListOrganizations(ctx)
	require.NoError(t, err)
	foreign, err := f.st.CreateTeam(ctx, store.Team{OrgID: globex[1].ID, Name: "Secret"})
	require.NoError(t, err)

	res := f.do(t, http.MethodGet, "/teams", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/users/sign-in?next=%2Fteams", res.Header.Get("Location"))

	ada := f.signIn(t, "ada@acme.test", adaPassword)
	page := body(t, f.do(t, http.MethodGet, "/teams", nil, ada))
	assert.Contains(t, page, "Platform")
	assert.Contains(t, page, "created here")
	assert.NotContains(t, page, "Secret")
	assert.Equal(t, http.StatusNotFound, f.do(t, http.MethodGet, "/teams/"+foreign.ID, nil, ada).StatusCode)
	assert.Equal(t, http.StatusNotFound, f.do(t, http.MethodPost, "/teams/"+foreign.ID+"/resources", url.Values{"name": {"x"}}, ada).StatusCode)

	res = f.do(t, http.MethodPost, "/teams/"+team.ID+"/resources", url.Values{"name": {"  api  "}}, ada)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	page = body(t, f.do(t, http.MethodGet, res.Header.Get("Location"), nil, ada))
	assert.Contains(t, page, "monitor: api")
	assert.Contains(t, page, "Monitor added.")
	assert.NotContains(t, page, `id="pushed-warning"`)

	res = f.do(t, http.MethodPost, "/teams/"+team.ID+"/resources", url.Values{"name": {" "}}, ada)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, body(t, res), `id="resource-error"`)
	list, err := f.st.ListResources(ctx, team.ID)
	require.NoError(t, err)
	assert.Len(t, list, 1)
}
