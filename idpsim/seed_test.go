package idpsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/seed"
)

const exampleSeed = `
users:
  - login: ada@acme.test
    firstName: Ada
    lastName: Lovelace
    password: "Okta-demo-1"
apps:
  - kind: catalog          # or: saml
    label: Reference SP
    spBaseURL: http://127.0.0.1:8080
    integrationId: abc123
    assign: [ada@acme.test]
  - kind: saml
    label: My SP
    acsURL: https://sp.example/acs
    audience: https://sp.example
    nameIDFormat: emailAddress
    attributes: [{name: email, value: user.email}]
    assign: [ada@acme.test]
`

func TestSeedIsAnIdempotentUpsert(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	ctx := context.Background()

	first, err := e.srv.SeedYAML(ctx, []byte(exampleSeed))
	require.NoError(t, err)
	require.Len(t, first.Users, 1)
	require.Len(t, first.Apps, 2)
	cat, gen := first.Apps[0], first.Apps[1]
	assert.Equal(t, "refsp", cat.Name)
	assert.Equal(t, "catalog", cat.Kind)
	assert.Equal(t, "abc123", cat.IntegrationID)
	assert.Equal(t, "http://127.0.0.1:8080/sso/okta/abc123/acs", cat.ACSURL)
	assert.Equal(t, "acmedev_mysp_1", gen.Name)
	assert.Equal(t, "emailAddress", gen.NameIDFormat)

	// Later, on a server restarted on the same database: nothing changes,
	// above all not the keys an SP was configured with.
	e.srv.SetTime(t0.Add(time.Hour))
	second, err := e.srv.SeedYAML(ctx, []byte(exampleSeed))
	require.NoError(t, err)
	assert.Equal(t, first, second)
	u, err := e.srv.FindUserByLogin(ctx, "ada@acme.test")
	require.NoError(t, err)
	assert.Equal(t, t0, u.LastUpdated, "an unchanged user is not touched")
	apps, err := e.srv.ListApps(ctx)
	require.NoError(t, err)
	assert.Len(t, apps, 2)
	assigned, err := e.srv.Directory().ListAssignedUsers(ctx, cat.ID)
	require.NoError(t, err)
	assert.Len(t, assigned, 1)

	// Changes are applied in place.
	changed := strings.Replace(exampleSeed, "label: Reference SP", "label: Renamed SP", 1)
	changed = strings.Replace(changed, `password: "Okta-demo-1"`, `password: "Okta-demo-2"`, 1)
	third, err := e.srv.SeedYAML(ctx, []byte(changed))
	require.NoError(t, err)
	assert.Equal(t, cat.ID, third.Apps[0].ID)
	assert.Equal(t, cat.KeyID, third.Apps[0].KeyID)
	assert.Equal(t, cat.CertificatePEM, third.Apps[0].CertificatePEM)
	assert.Equal(t, "Renamed SP", third.Apps[0].Label)
	b := e.browser()
	assert.Equal(t, http.StatusUnauthorized, b.signIn("ada@acme.test", "Okta-demo-1").status)
	assert.Equal(t, http.StatusOK, b.signIn("ada@acme.test", "Okta-demo-2").status)

	// A catalog app of another SP base URL is another app.
	other := strings.Replace(exampleSeed, "http://127.0.0.1:8080", "http://127.0.0.1:9090", 1)
	fourth, err := e.srv.SeedYAML(ctx, []byte(other))
	require.NoError(t, err)
	assert.NotEqual(t, cat.ID, fourth.Apps[0].ID)
	assert.Equal(t, gen.ID, fourth.Apps[1].ID)
}

func TestSeedKeepsAppsAcrossRestarts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "idpsim.db")
	run := func() idpsim.SeedResult {
		dir, err := directory.Open(ctx, path)
		require.NoError(t, err)
		defer dir.Close()
		srv, err := idpsim.New(idpsim.Config{BaseURL: "http://127.0.0.1:8081", Directory: dir})
		require.NoError(t, err)
		res, err := srv.SeedYAML(ctx, []byte(exampleSeed))
		require.NoError(t, err)
		return res
	}
	assert.Equal(t, run(), run())
}

func TestSeedValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, field, contains string
	}{
		{"empty", "", "", "empty document"},
		{"syntax", "users: [", "", ""},
		{"unknown field", "users:\n  - {login: a@b.test, firstName: A, lastName: B, pasword: x}", "", "pasword"},
		{"two documents", "users: []\n---\napps: []\n", "", "more than one"},
		{"bad login", "users:\n  - {login: nope, firstName: A, lastName: B}", "users[0].login", "not an email"},
		{"duplicate login", "users:\n  - {login: a@b.test, firstName: A, lastName: B}\n  - {login: A@B.test, firstName: A, lastName: B}", "users[1].login", "twice"},
		{"missing first name", "users:\n  - {login: a@b.test, lastName: B}", "users[0].firstName", "required"},
		{"bad status", "users:\n  - {login: a@b.test, firstName: A, lastName: B, status: ASLEEP}", "users[0].status", "ASLEEP"},
		{"missing kind", "apps:\n  - {label: X}", "apps[0].kind", "required"},
		{"bad kind", "apps:\n  - {kind: oidc, label: X}", "apps[0].kind", "oidc"},
		{"missing label", "apps:\n  - {kind: catalog, spBaseURL: 'http://sp', integrationId: a}", "apps[0].label", "required"},
		{"catalog without integration id", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://sp'}", "apps[0].integrationId", "required"},
		{"catalog bad base URL", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'sp.example', integrationId: a}", "apps[0].spBaseURL", "absolute"},
		{"catalog with saml fields", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://sp', integrationId: a, acsURL: 'http://sp/acs'}", "apps[0].acsURL", "not a setting of catalog"},
		{"saml with catalog fields", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs', audience: x, integrationId: a}", "apps[0].integrationId", "not a setting of saml"},
		{"saml without audience", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs'}", "apps[0].audience", "required"},
		{"saml bad NameID format", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs', audience: x, nameIDFormat: kerberos}", "apps[0].nameIDFormat", "kerberos"},
		{"saml bad attribute", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs', audience: x, attributes: [{name: a, value: user.ssn}]}", "apps[0].attributes[0].value", "user.ssn"},
		{"saml duplicate label", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs', audience: x}\n  - {kind: saml, label: X, acsURL: 'http://sp/acs', audience: y}", "apps[1].label", "twice"},
		{"bad signature algorithm", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs', audience: x, signatureAlgorithm: RSA_MD5}", "apps[0].signatureAlgorithm", "RSA_MD5"},
		{"bad assign login", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://sp', integrationId: a, assign: [nope]}", "apps[0].assign[0]", "not an email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idpsim.ParseSeed([]byte(tt.doc))
			require.Error(t, err)
			var se *seed.Error
			require.True(t, errors.As(err, &se), "%T %v", err, err)
			assert.Equal(t, tt.field, se.Field, err.Error())
			assert.Contains(t, err.Error(), tt.contains)
		})
	}
}

func TestSeedIsAllOrNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	ctx := context.Background()
	_, err := e.srv.SeedYAML(ctx, []byte(`
users:
  - {login: ada@acme.test, firstName: Ada, lastName: Lovelace}
apps:
  - {kind: catalog, label: X, spBaseURL: 'http://sp', integrationId: a, assign: [ada@acme.test, ghost@acme.test]}
`))
	var se *seed.Error
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, "apps[0].assign[1]", se.Field)
	assert.Contains(t, se.Message, "ghost@acme.test")

	_, err = e.srv.FindUserByLogin(ctx, "ada@acme.test")
	assert.ErrorIs(t, err, idpsim.ErrNotFound, "nothing applied")
	apps, err := e.srv.ListApps(ctx)
	require.NoError(t, err)
	assert.Empty(t, apps)
}

func TestDefaultSeed(t *testing.T) {
	t.Parallel()
	doc, err := idpsim.DefaultSeed()
	require.NoError(t, err)
	assert.Empty(t, doc.Apps)
	var logins []string
	for _, u := range doc.Users {
		logins = append(logins, u.Login+" "+u.FirstName+" "+u.LastName)
		assert.NotEmpty(t, u.Password)
	}
	assert.Equal(t, []string{"ada@acme.test Ada Lovelace", "grace@acme.test Grace Hopper", "admin@acme.test Alex Admin"}, logins)

	e := newEnv(t, t0)
	_, err = e.srv.Seed(context.Background(), doc)
	require.NoError(t, err)
	for _, u := range doc.Users {
		assert.Equal(t, http.StatusOK, e.browser().signIn(u.Login, u.Password).status, u.Login)
	}
}

func TestAdminSeedAndReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	base := e.srv.BaseURL()

	post := func(path, contentType, body string) (int, []byte) {
		resp, err := http.Post(base+path, contentType, strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		buf, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, buf
	}

	status, body := post("/_admin/seed", "application/yaml", exampleSeed)
	require.Equal(t, http.StatusOK, status, string(body))
	var raw struct {
		Users []map[string]any `json:"users"`
		Apps  []map[string]any `json:"apps"`
	}
	require.NoError(t, json.Unmarshal(body, &raw))
	require.Len(t, raw.Users, 1)
	assert.Regexp(t, `^00u`, raw.Users[0]["id"])
	assert.Equal(t, "ada@acme.test", raw.Users[0]["login"])
	require.Len(t, raw.Apps, 2)
	for _, key := range []string{"id", "name", "label", "keyId", "entityId", "ssoUrl", "metadataUrl", "embedLinkUrl", "acsUrl", "audience", "certificatePem"} {
		assert.NotEmpty(t, raw.Apps[0][key], key)
	}
	assert.Equal(t, "abc123", raw.Apps[0]["integrationId"])

	// JSON is YAML: the same route takes it.
	status, body = post("/_admin/seed", "application/json",
		`{"users":[{"login":"grace@acme.test","firstName":"Grace","lastName":"Hopper","password":"pw"}]}`)
	require.Equal(t, http.StatusOK, status, string(body))

	status, body = post("/_admin/seed", "application/yaml", "apps:\n  - {kind: saml, label: X, acsURL: 'http://sp/acs'}")
	assert.Equal(t, http.StatusBadRequest, status)
	var errBody map[string]string
	require.NoError(t, json.Unmarshal(body, &errBody))
	assert.Contains(t, errBody["error"], "apps[0].audience")

	status, _ = post("/_admin/seed", "application/yaml", strings.Repeat("#", 2<<20))
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)

	status, _ = post("/_admin/reset", "", "")
	assert.Equal(t, http.StatusNoContent, status)
	apps, err := e.srv.ListApps(context.Background())
	require.NoError(t, err)
	assert.Empty(t, apps)
	_, err = e.srv.FindUserByLogin(context.Background(), "grace@acme.test")
	assert.ErrorIs(t, err, idpsim.ErrNotFound)
}

func TestAdminClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	base := e.srv.BaseURL()
	do := func(method, body string) (int, map[string]any) {
		req, err := http.NewRequest(method, base+"/_admin/clock", strings.NewReader(body))
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}

	status, st := do(http.MethodGet, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "real", st["mode"])
	assert.Equal(t, t0.Format(time.RFC3339), st["now"])

	status, st = do(http.MethodPost, `{"now": "2031-02-03T04:05:06Z"}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "fixed", st["mode"])
	assert.Equal(t, "2031-02-03T04:05:06Z", st["now"])
	assert.Equal(t, time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC), e.srv.Now())

	status, st = do(http.MethodPost, `{"offsetSeconds": -60}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "offset", st["mode"])
	assert.Equal(t, float64(-60), st["offsetSeconds"])
	assert.Equal(t, t0.Add(-time.Minute), e.srv.Now())

	status, st = do(http.MethodPost, `{"real": true}`)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "real", st["mode"])
	assert.Equal(t, t0, e.srv.Now())

	for _, bad := range []string{``, `{}`, `not json`, `{"now": "yesterday"}`, `{"now": "2031-02-03T04:05:06Z", "offsetSeconds": 1}`, `{"real": false}`} {
		status, st = do(http.MethodPost, bad)
		assert.Equal(t, http.StatusBadRequest, status, bad)
		assert.NotEmpty(t, st["error"], bad)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"))
	require.NoError(t, err)
	defer dir.Close()

	for _, tt := range []struct {
		name string
		cfg  idpsim.Config
	}{
		{"no base URL", idpsim.Config{Directory: dir}},
		{"relative base URL", idpsim.Config{BaseURL: "localhost:8081", Directory: dir}},
		{"base URL with a path", idpsim.Config{BaseURL: "http://localhost:8081/okta", Directory: dir}},
		{"no directory", idpsim.Config{BaseURL: "http://localhost:8081"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := idpsim.New(tt.cfg)
			assert.Error(t, err)
		})
	}

	srv, err := idpsim.New(idpsim.Config{BaseURL: "http://localhost:8081/", Directory: dir})
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:8081", srv.BaseURL())
	assert.Equal(t, idpsim.DefaultOrgName, srv.OrgName())
	assert.Equal(t, "http://localhost:8081/app/UserHome", srv.DashboardURL())

	_, err = srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{SPBaseURL: "nope", IntegrationID: "a"})
	assert.ErrorIs(t, err, directory.ErrInvalid)
	_, err = srv.CreateSAMLApp(ctx, idpsim.SAMLAppInput{Label: "X", ACSURL: "https://sp/acs", Audience: "x", SignatureAlgorithm: "RSA_MD5"})
	assert.ErrorIs(t, err, directory.ErrInvalid)
	_, err = srv.CreateSAMLApp(ctx, idpsim.SAMLAppInput{ACSURL: "https://sp/acs", Audience: "x"})
	assert.ErrorIs(t, err, directory.ErrInvalid, "label required")
	_, err = srv.GetApp(ctx, "0oaNOPE")
	assert.ErrorIs(t, err, idpsim.ErrNotFound)
}
