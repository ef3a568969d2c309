package adminapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim/adminapi"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/internal/scimtest"
	"github.com/ssoharness/ssoharness/idpsim/provision"
)

const token = "00test-token-0123456789abcdefghijklmnopqrs"

// apps makes apps without real keys: the directory stores PEM text as is.
type apps struct{ dir *directory.Store }

func (a apps) CreateApp(ctx context.Context, kind directory.AppKind, label string, settings directory.Settings, signOn directory.SignOn) (directory.App, error) {
	var app directory.App
	err := a.dir.Update(ctx, func(tx *directory.Tx) error {
		name := directory.CatalogAppName
		if kind == directory.KindSAML {
			var err error
			if name, err = tx.NextAppName(ctx, "test_app"); err != nil {
				return err
			}
		}
		var err error
		app, err = tx.CreateApp(ctx, directory.NewApp{Kind: kind, Name: name, Label: label, Settings: settings, SignOn: &signOn,
			PrivateKeyPEM: "key", CertificatePEM: "cert"})
		return err
	})
	return app, err
}

type env struct {
	t    *testing.T
	url  string
	dir  *directory.Store
	eng  *provision.Engine
	scim *scimtest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	t.Cleanup(func() { dir.Close() })
	eng, err := provision.New(provision.Config{Directory: dir})
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	h, err := adminapi.New(adminapi.Config{Token: token, Engine: eng, Apps: apps{dir}, BaseURL: base})
	require.NoError(t, err)
	hs.Config.Handler = h
	hs.Start()
	t.Cleanup(hs.Close)
	return &env{t: t, url: base, dir: dir, eng: eng, scim: scimtest.New(t)}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), string(r.body))
	return m
}

func (r resp) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	require.NoError(t, json.Unmarshal(r.body, &l), string(r.body))
	return l
}

func (e *env) call(method, path, body string, auth ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	require.NoError(e.t, err)
	if len(auth) > 0 {
		if auth[0] != "" {
			req.Header.Set("Authorization", auth[0])
		}
	} else {
		req.Header.Set("Authorization", "SSWS "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(e.t, err)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// oktaError checks an Okta error object and returns it.
func oktaError(t *testing.T, r resp, status int, code string) map[string]any {
	t.Helper()
	require.Equal(t, status, r.status, string(r.body))
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	m := r.obj(t)
	assert.Equal(t, code, m["errorCode"])
	assert.Equal(t, code, m["errorLink"])
	assert.Regexp(t, `^oae[A-Za-z0-9_-]{22}$`, m["errorId"])
	assert.NotEmpty(t, m["errorSummary"])
	_, isList := m["errorCauses"].([]any)
	assert.True(t, isList, "errorCauses is always a list")
	return m
}

func causes(m map[string]any) []string {
	var out []string
	for _, c := range m["errorCauses"].([]any) {
		out = append(out, c.(map[string]any)["errorSummary"].(string))
	}
	return out
}

var oktaTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tt := range []struct{ name, auth string }{
		{"missing", ""}, {"wrong", "SSWS nope"}, {"bearer", "Bearer " + token}, {"no scheme", token},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := oktaError(t, e.call(http.MethodGet, "/api/v1/users", "", tt.auth), http.StatusUnauthorized, "E0000011")
			assert.Equal(t, "Invalid token provided", m["errorSummary"])
		})
	}
	assert.Equal(t, http.StatusOK, e.call(http.MethodGet, "/api/v1/users", "", "SSWS "+token).status)
	assert.Equal(t, http.StatusOK, e.call(http.MethodGet, "/api/v1/users", "", "ssws "+token).status)

	oktaError(t, e.call(http.MethodGet, "/api/v1/nothing", ""), http.StatusNotFound, "E0000007")
	oktaError(t, e.call(http.MethodPatch, "/api/v1/users", "{}"), http.StatusMethodNotAllowed, "E0000022")
}

func TestUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	r := e.call(http.MethodPost, "/api/v1/users?activate=true", `{
		"profile": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.test", "login": "ada@acme.test", "locale": "en_GB"},
		"credentials": {"password": {"value": "Ada-pw-123"}}}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	ada := r.obj(t)
	id := ada["id"].(string)
	assert.Regexp(t, `^00u[A-Za-z0-9]{17}$`, id)
	assert.Equal(t, "ACTIVE", ada["status"])
	for _, k := range []string{"created", "activated", "statusChanged", "lastUpdated", "passwordChanged"} {
		assert.Regexp(t, oktaTimeRE, ada[k], k)
	}
	assert.Nil(t, ada["lastLogin"])
	assert.Equal(t, map[string]any{"firstName": "Ada", "lastName": "Lovelace", "email": "ada@acme.test", "login": "ada@acme.test", "locale": "en_GB"}, ada["profile"])
	creds := ada["credentials"].(map[string]any)
	assert.Equal(t, map[string]any{}, creds["password"])
	assert.Equal(t, map[string]any{"type": "OKTA", "name": "OKTA"}, creds["provider"])
	links := ada["_links"].(map[string]any)
	assert.Equal(t, e.url+"/api/v1/users/"+id, links["self"].(map[string]any)["href"])
	assert.Contains(t, links, "suspend")
	assert.NotContains(t, string(r.body), "Ada-pw-123")

	r = e.call(http.MethodPost, "/api/v1/users?activate=false", `{"profile": {"firstName": "Bob", "lastName": "Builder", "email": "bob@acme.test", "login": "bob@acme.test"}}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	bob := r.obj(t)
	bobID := bob["id"].(string)
	assert.Equal(t, "STAGED", bob["status"])
	assert.Nil(t, bob["activated"])
	assert.NotContains(t, bob["credentials"], "password")

	t.Run("validation", func(t *testing.T) {
		m := oktaError(t, e.call(http.MethodPost, "/api/v1/users", `{"profile": {"firstName": "X", "email": "x@acme.test"}}`), 400, "E0000001")
		assert.ElementsMatch(t, []string{"login: The field cannot be left blank", "lastName: The field cannot be left blank"}, causes(m))
		m = oktaError(t, e.call(http.MethodPost, "/api/v1/users", `{"profile": {"firstName": "A", "lastName": "B", "email": "ADA@acme.test", "login": "ADA@acme.test"}}`), 400, "E0000001")
		assert.Equal(t, []string{"login: An object with this field already exists in the current organization"}, causes(m))
		m = oktaError(t, e.call(http.MethodPost, "/api/v1/users", `{"profile": {"firstName": "A", "lastName": "B", "email": "c@acme.test", "login": "c@acme.test", "shoeSize": "9"}}`), 400, "E0000001")
		assert.Equal(t, []string{"shoeSize: Property name 'shoeSize' is not defined in profile"}, causes(m))
		m = oktaError(t, e.call(http.MethodPost, "/api/v1/users", `{"profile": {"firstName": "A", "lastName": "B", "email": "c@acme.test", "login": "not-an-email"}}`), 400, "E0000001")
		assert.Equal(t, []string{"login: Username must be in the form of an email address"}, causes(m))
		oktaError(t, e.call(http.MethodPost, "/api/v1/users", `{"profile": `), 400, "E0000003")
		oktaError(t, e.call(http.MethodPost, "/api/v1/users", ``), 400, "E0000003")
		oktaError(t, e.call(http.MethodPost, "/api/v1/users?activate=maybe", `{}`), 400, "E0000001")
	})

	t.Run("get by id or login", func(t *testing.T) {
		assert.Equal(t, id, e.call(http.MethodGet, "/api/v1/users/"+id, "").obj(t)["id"])
		assert.Equal(t, id, e.call(http.MethodGet, "/api/v1/users/ada@acme.test", "").obj(t)["id"])
		m := oktaError(t, e.call(http.MethodGet, "/api/v1/users/00unope", ""), 404, "E0000007")
		assert.Equal(t, "Not found: Resource not found: 00unope (User)", m["errorSummary"])
	})

	t.Run("list, search and pages", func(t *testing.T) {
		assert.Len(t, e.call(http.MethodGet, "/api/v1/users", "").list(t), 2)
		l := e.call(http.MethodGet, "/api/v1/users?q=bo", "").list(t)
		require.Len(t, l, 1)
		assert.Equal(t, bobID, l[0]["id"])
		l = e.call(http.MethodGet, `/api/v1/users?filter=status+eq+%22STAGED%22`, "").list(t)
		require.Len(t, l, 1)
		assert.Equal(t, bobID, l[0]["id"])
		l = e.call(http.MethodGet, `/api/v1/users?search=profile.locale+eq+%22en_GB%22+or+profile.login+eq+%22bob%40acme.test%22`, "").list(t)
		assert.Len(t, l, 2)
		oktaError(t, e.call(http.MethodGet, `/api/v1/users?filter=status+like+%22x%22`, ""), 400, "E0000031")
		oktaError(t, e.call(http.MethodGet, `/api/v1/users?filter=(status+eq+%22x%22)`, ""), 400, "E0000031")

		r := e.call(http.MethodGet, "/api/v1/users?limit=1", "")
		require.Len(t, r.list(t), 1)
		var next string
		for _, l := range r.header.Values("Link") {
			if strings.HasSuffix(l, `rel="next"`) {
				next = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
			}
		}
		require.NotEmpty(t, next)
		r = e.call(http.MethodGet, strings.TrimPrefix(next, e.url), "")
		l = r.list(t)
		require.Len(t, l, 1)
		assert.Equal(t, bobID, l[0]["id"])
	})

	t.Run("update", func(t *testing.T) {
		r := e.call(http.MethodPost, "/api/v1/users/"+id, `{"profile": {"firstName": "Augusta", "displayName": "Augusta Ada"}}`)
		require.Equal(t, 200, r.status, string(r.body))
		p := r.obj(t)["profile"].(map[string]any)
		assert.Equal(t, "Augusta", p["firstName"])
		assert.Equal(t, "Lovelace", p["lastName"], "a partial update keeps the rest")
		assert.Equal(t, "en_GB", p["locale"])

		r = e.call(http.MethodPut, "/api/v1/users/"+id, `{"profile": {"firstName": "Ada", "lastName": "King", "email": "ada@acme.test", "login": "ada@acme.test"}}`)
		require.Equal(t, 200, r.status, string(r.body))
		p = r.obj(t)["profile"].(map[string]any)
		assert.Equal(t, map[string]any{"firstName": "Ada", "lastName": "King", "email": "ada@acme.test", "login": "ada@acme.test"}, p,
			"PUT replaces the profile")
		m := oktaError(t, e.call(http.MethodPut, "/api/v1/users/"+id, `{"profile": {"firstName": "Ada"}}`), 400, "E0000001")
		assert.Contains(t, causes(m), "login: The field cannot be left blank")

		r = e.call(http.MethodPost, "/api/v1/users/"+id, `{"credentials": {"password": {"value": "New-pw-456"}}}`)
		require.Equal(t, 200, r.status, string(r.body))
		_, err := e.dir.CheckPassword(context.Background(), "ada@acme.test", "New-pw-456")
		assert.NoError(t, err)

		m = oktaError(t, e.call(http.MethodPost, "/api/v1/users/"+id+"/credentials/change_password",
			`{"oldPassword": {"value": "wrong"}, "newPassword": {"value": "Other-pw-1"}}`), 403, "E0000014")
		assert.Equal(t, []string{"oldPassword: The credentials provided were incorrect."}, causes(m))
		r = e.call(http.MethodPost, "/api/v1/users/"+id+"/credentials/change_password",
			`{"oldPassword": {"value": "New-pw-456"}, "newPassword": {"value": "Other-pw-1"}}`)
		assert.Equal(t, 200, r.status, string(r.body))
	})

	t.Run("lifecycle", func(t *testing.T) {
		status := func(uid string) string {
			return e.call(http.MethodGet, "/api/v1/users/"+uid, "").obj(t)["status"].(string)
		}
		lc := func(uid, op string) resp { return e.call(http.MethodPost, "/api/v1/users/"+uid+"/lifecycle/"+op, "") }

		require.Equal(t, 200, lc(bobID, "activate").status)
		assert.Equal(t, "ACTIVE", status(bobID))
		m := oktaError(t, lc(bobID, "activate"), 403, "E0000016")
		assert.Equal(t, "Activation failed because the user is already active", m["errorSummary"])
		require.Equal(t, 200, lc(bobID, "suspend").status)
		assert.Equal(t, "SUSPENDED", status(bobID))
		oktaError(t, lc(bobID, "suspend"), 400, "E0000001")
		oktaError(t, lc(bobID, "reactivate"), 403, "E0000038")
		require.Equal(t, 200, lc(bobID, "unsuspend").status)
		oktaError(t, lc(bobID, "unsuspend"), 400, "E0000001")
		require.Equal(t, 200, lc(bobID, "deactivate").status)
		assert.Equal(t, "DEPROVISIONED", status(bobID))
		require.Equal(t, 200, lc(bobID, "deactivate").status, "deactivating twice is harmless")
		require.Equal(t, 200, lc(bobID, "reactivate").status)
		assert.Equal(t, "ACTIVE", status(bobID))
		oktaError(t, lc(bobID, "explode"), 404, "E0000007")
	})

	t.Run("delete deactivates first", func(t *testing.T) {
		require.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/users/"+bobID, "").status)
		assert.Equal(t, "DEPROVISIONED", e.call(http.MethodGet, "/api/v1/users/"+bobID, "").obj(t)["status"])
		require.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/users/"+bobID, "").status)
		oktaError(t, e.call(http.MethodGet, "/api/v1/users/"+bobID, ""), 404, "E0000007")
	})

	t.Run("roles", func(t *testing.T) {
		r := e.call(http.MethodPost, "/api/v1/users/"+id+"/roles", `{"type": "SUPER_ADMIN"}`)
		require.Equal(t, http.StatusCreated, r.status, string(r.body))
		role := r.obj(t)
		assert.Equal(t, "Super Administrator", role["label"])
		admin, err := e.dir.IsAdmin(context.Background(), id)
		require.NoError(t, err)
		assert.True(t, admin)
		oktaError(t, e.call(http.MethodPost, "/api/v1/users/"+id+"/roles", `{"type": "KING"}`), 400, "E0000001")
		assert.Len(t, e.call(http.MethodGet, "/api/v1/users/"+id+"/roles", "").list(t), 1)
		assert.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/users/"+id+"/roles/"+role["id"].(string), "").status)
		oktaError(t, e.call(http.MethodDelete, "/api/v1/users/"+id+"/roles/"+role["id"].(string), ""), 404, "E0000007")
	})
}

func TestGroupsAppsAndProvisioning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mkUser := func(login, first string) string {
		r := e.call(http.MethodPost, "/api/v1/users", `{"profile": {"firstName": "`+first+`", "lastName": "Test", "email": "`+login+`", "login": "`+login+`"}}`)
		require.Equal(t, 200, r.status, string(r.body))
		return r.obj(t)["id"].(string)
	}
	ada, bob := mkUser("ada@acme.test", "Ada"), mkUser("bob@acme.test", "Bob")

	// Groups.
	r := e.call(http.MethodPost, "/api/v1/groups", `{"profile": {"name": "Engineering", "description": "Builds"}}`)
	require.Equal(t, 200, r.status, string(r.body))
	g := r.obj(t)
	gid := g["id"].(string)
	assert.Regexp(t, `^00g[A-Za-z0-9]{17}$`, gid)
	assert.Equal(t, "OKTA_GROUP", g["type"])
	assert.Equal(t, []any{"okta:user_group"}, g["objectClass"])
	assert.Equal(t, map[string]any{"name": "Engineering", "description": "Builds"}, g["profile"])
	m := oktaError(t, e.call(http.MethodPost, "/api/v1/groups", `{"profile": {"name": "engineering"}}`), 400, "E0000001")
	assert.Equal(t, []string{"name: An object with this field already exists in the current organization"}, causes(m))
	oktaError(t, e.call(http.MethodPost, "/api/v1/groups", `{"profile": {}}`), 400, "E0000001")
	oktaError(t, e.call(http.MethodGet, "/api/v1/groups/00gnope", ""), 404, "E0000007")
	assert.Len(t, e.call(http.MethodGet, "/api/v1/groups?q=eng", "").list(t), 1)
	assert.Empty(t, e.call(http.MethodGet, "/api/v1/groups?q=ops", "").list(t))

	assert.Equal(t, http.StatusNoContent, e.call(http.MethodPut, "/api/v1/groups/"+gid+"/users/"+ada, "").status)
	assert.Equal(t, http.StatusNoContent, e.call(http.MethodPut, "/api/v1/groups/"+gid+"/users/"+bob, "").status)
	assert.Len(t, e.call(http.MethodGet, "/api/v1/groups/"+gid+"/users", "").list(t), 2)
	assert.Len(t, e.call(http.MethodGet, "/api/v1/users/"+ada+"/groups", "").list(t), 1)
	oktaError(t, e.call(http.MethodPut, "/api/v1/groups/"+gid+"/users/00unope", ""), 404, "E0000007")

	// Apps.
	r = e.call(http.MethodPost, "/api/v1/apps", `{"name": "refsp", "label": "Reference SP", "signOnMode": "SAML_2_0",
		"settings": {"app": {"spBaseUrl": "http://sp.test", "integrationId": "abc123"}}}`)
	require.Equal(t, 200, r.status, string(r.body))
	app := r.obj(t)
	appID := app["id"].(string)
	assert.Regexp(t, `^0oa[A-Za-z0-9]{17}$`, appID)
	assert.Equal(t, "SAML_2_0", app["signOnMode"])
	assert.Equal(t, map[string]any{"spBaseUrl": "http://sp.test", "integrationId": "abc123"}, app["settings"].(map[string]any)["app"])
	signOn := app["settings"].(map[string]any)["signOn"].(map[string]any)
	assert.Equal(t, "http://sp.test/sso/okta/abc123/acs", signOn["ssoAcsUrl"])
	assert.Equal(t, e.url+"/api/v1/apps/"+appID+"/sso/saml/metadata", app["_links"].(map[string]any)["metadata"].(map[string]any)["href"])
	assert.Equal(t, []any{}, app["features"])

	r = e.call(http.MethodPost, "/api/v1/apps", `{"label": "My SP", "signOnMode": "SAML_2_0", "settings": {"signOn": {
		"ssoAcsUrl": "https://my.sp/acs", "audience": "https://my.sp", "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		"attributeStatements": [{"type": "EXPRESSION", "name": "email", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", "values": ["user.email"]}]}}}`)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "https://my.sp/acs", r.obj(t)["settings"].(map[string]any)["signOn"].(map[string]any)["ssoAcsUrl"])
	oktaError(t, e.call(http.MethodPost, "/api/v1/apps", `{"label": "X", "settings": {}}`), 400, "E0000001")
	oktaError(t, e.call(http.MethodPost, "/api/v1/apps", `{"name": "salesforce", "label": "X", "signOnMode": "SAML_2_0"}`), 400, "E0000001")
	m = oktaError(t, e.call(http.MethodPost, "/api/v1/apps", `{"label": "Y", "signOnMode": "SAML_2_0", "settings": {"signOn": {"ssoAcsUrl": "nope", "audience": "a"}}}`), 400, "E0000001")
	assert.Contains(t, causes(m)[0], "acsURL")
	l := e.call(http.MethodGet, `/api/v1/apps?filter=name+eq+%22refsp%22`, "").list(t)
	require.Len(t, l, 1)
	assert.Equal(t, appID, l[0]["id"])
	oktaError(t, e.call(http.MethodGet, "/api/v1/apps/0oanope", ""), 404, "E0000007")

	// Provisioning settings (fake-only path).
	m = oktaError(t, e.call(http.MethodPut, "/api/v1/apps/"+appID+"/_provisioning", `{"enabled": true, "baseUrl": "`+e.scim.URL()+`", "token": "wrong"}`), 400, "E0000001")
	assert.Contains(t, causes(m)[0], "Error authenticating: Unauthorized")
	r = e.call(http.MethodPut, "/api/v1/apps/"+appID+"/_provisioning", `{"enabled": true, "baseUrl": "`+e.scim.URL()+`", "token": "`+e.scim.Token+`",
		"usernameFormat": "EMAIL", "createUsers": true, "updateUsers": true, "deactivateUsers": true}`)
	require.Equal(t, 200, r.status, string(r.body))
	assert.NotContains(t, string(r.body), e.scim.Token, "the token is never shown back")
	p := r.obj(t)
	assert.Equal(t, map[string]any{"configured": true, "hint": "••••1234"}, p["token"])
	assert.Equal(t, true, p["pushGroups"])
	assert.Equal(t, "template", p["mode"])
	assert.Equal(t, "${source.email}", p["userNameTemplate"])
	lines := func() []string {
		var out []string
		for _, x := range e.scim.Take() {
			out = append(out, x.Line())
		}
		return out
	}
	assert.Equal(t, []string{"GET /Users?startIndex=1&count=2", "GET /Users?startIndex=1&count=2", "GET /Groups?startIndex=1&count=100"}, lines(),
		"the failed test, then the passing one")
	assert.Equal(t, 200, e.call(http.MethodPost, "/api/v1/apps/"+appID+"/_provisioning/test", "").status)
	assert.Len(t, lines(), 2)
	oktaError(t, e.call(http.MethodPut, "/api/v1/apps/"+appID+"/_provisioning", `{"mode": "wizard"}`), 400, "E0000001")
	assert.ElementsMatch(t, []any{"GROUP_PUSH", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS"},
		e.call(http.MethodGet, "/api/v1/apps/"+appID, "").obj(t)["features"])

	// App users.
	r = e.call(http.MethodPost, "/api/v1/apps/"+appID+"/users", `{"id": "`+ada+`"}`)
	require.Equal(t, 200, r.status, string(r.body))
	au := r.obj(t)
	assert.Equal(t, "USER", au["scope"])
	assert.Equal(t, "PROVISIONED", au["status"])
	assert.Equal(t, "SYNCHRONIZED", au["syncState"])
	assert.Equal(t, "u-1", au["externalId"], "the SCIM id")
	assert.Equal(t, map[string]any{"userName": "ada@acme.test"}, au["credentials"])
	assert.Equal(t, []string{"GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100", "POST /Users"}, lines())
	oktaError(t, e.call(http.MethodPost, "/api/v1/apps/"+appID+"/users", `{}`), 400, "E0000001")
	oktaError(t, e.call(http.MethodPost, "/api/v1/apps/"+appID+"/users", `{"id": "00unope"}`), 404, "E0000007")

	// Group assignment assigns its members (bob, scope GROUP).
	r = e.call(http.MethodPut, "/api/v1/apps/"+appID+"/groups/"+gid, `{"priority": 1}`)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, gid, r.obj(t)["id"])
	assert.Len(t, e.call(http.MethodGet, "/api/v1/apps/"+appID+"/groups", "").list(t), 1)
	users := e.call(http.MethodGet, "/api/v1/apps/"+appID+"/users", "").list(t)
	require.Len(t, users, 2)
	scopes := map[string]any{}
	for _, u := range users {
		scopes[u["id"].(string)] = u["scope"]
	}
	assert.Equal(t, map[string]any{ada: "USER", bob: "GROUP"}, scopes)
	assert.Equal(t, []string{"GET /Users?filter=userName%20eq%20%22bob%40acme.test%22&startIndex=1&count=100", "POST /Users"}, lines())
	oktaError(t, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/users/"+bob, ""), 400, "E0000001")

	// Group push (Okta's path).
	r = e.call(http.MethodPost, "/api/v1/apps/"+appID+"/group-push/mappings", `{"sourceGroupId": "`+gid+`"}`)
	require.Equal(t, http.StatusCreated, r.status, string(r.body))
	mp := r.obj(t)
	mid := mp["id"].(string)
	assert.Regexp(t, `^gPm[A-Za-z0-9]{17}$`, mid)
	assert.Equal(t, "ACTIVE", mp["status"])
	assert.Equal(t, gid, mp["sourceGroupId"])
	assert.Equal(t, "g-3", mp["targetGroupId"])
	assert.Regexp(t, oktaTimeRE, mp["lastPush"])
	assert.Len(t, lines(), 4, "find, create, rename, add")
	oktaError(t, e.call(http.MethodPost, "/api/v1/apps/"+appID+"/group-push/mappings", `{"sourceGroupId": "`+gid+`"}`), 400, "E0000001")
	oktaError(t, e.call(http.MethodPost, "/api/v1/apps/"+appID+"/group-push/mappings", `{}`), 400, "E0000001")
	assert.Len(t, e.call(http.MethodGet, "/api/v1/apps/"+appID+"/group-push/mappings", "").list(t), 1)
	m = oktaError(t, e.call(http.MethodDelete, "/api/v1/groups/"+gid, ""), 403, "E0000006")
	assert.Contains(t, causes(m)[0], "unlink the pushed group")

	r = e.call(http.MethodPut, "/api/v1/groups/"+gid, `{"profile": {"name": "Platform"}}`)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, []string{"PATCH /Groups/g-3"}, lines(), "the rename reaches the app")
	assert.Equal(t, 200, e.call(http.MethodPost, "/api/v1/apps/"+appID+"/group-push/mappings/"+mid+"/_push", "").status)
	assert.Equal(t, []string{"PATCH /Groups/g-3", "PATCH /Groups/g-3"}, lines())

	oktaError(t, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/group-push/mappings/"+mid+"?deleteTargetGroup=true", ""), 400, "E0000001")
	r = e.call(http.MethodPatch, "/api/v1/apps/"+appID+"/group-push/mappings/"+mid, `{"status": "INACTIVE"}`)
	require.Equal(t, 200, r.status, string(r.body))
	assert.Equal(t, "INACTIVE", r.obj(t)["status"])
	assert.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/group-push/mappings/"+mid+"?deleteTargetGroup=true", "").status)
	assert.Equal(t, []string{"DELETE /Groups/g-3"}, lines())
	oktaError(t, e.call(http.MethodGet, "/api/v1/apps/"+appID+"/group-push/mappings/"+mid, ""), 404, "E0000007")

	// Ada stays in the app through the group; removing the group
	// deactivates both.
	assert.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/users/"+ada, "").status)
	assert.Empty(t, lines())
	assert.Equal(t, "GROUP", e.call(http.MethodGet, "/api/v1/apps/"+appID+"/users/"+ada, "").obj(t)["scope"])
	assert.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/groups/"+gid, "").status)
	assert.Equal(t, []string{"PATCH /Users/u-1", "PATCH /Users/u-2"}, lines())
	oktaError(t, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/users/"+ada, ""), 404, "E0000007")
	oktaError(t, e.call(http.MethodDelete, "/api/v1/apps/"+appID+"/groups/"+gid, ""), 404, "E0000007")
	assert.Equal(t, http.StatusNoContent, e.call(http.MethodDelete, "/api/v1/groups/"+gid, "").status)
}
