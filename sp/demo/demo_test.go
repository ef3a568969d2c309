package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/demo"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

var t0 = time.Date(2031, 3, 14, 9, 26, 53, 0, time.UTC)

// fakeOkta imitates the fake Okta's /_admin/seed contract and serves a real
// metadata document for the app it creates. The first `unavailable` calls answer
// 503, as while it starts.
type fakeOkta struct {
	t           *testing.T
	srv         *httptest.Server
	idp         *testidp.IdP
	mu          sync.Mutex
	unavailable int
	seeds       []map[string]any
}

func newFakeOkta(t *testing.T, unavailable int) *fakeOkta {
	o := &fakeOkta{t: t, unavailable: unavailable}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_admin/seed", o.seed)
	mux.HandleFunc("GET /app/exk1demo/sso/saml/metadata", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		_, _ = w.Write(o.idp.MetadataXML(t))
	})
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	o.idp = testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), o.srv.URL)
	return o
}

func (o *fakeOkta) seed(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.unavailable > 0 {
		o.unavailable--
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	o.seeds = append(o.seeds, req)
	app := req["apps"].([]any)[0].(map[string]any)
	base, id := app["spBaseURL"].(string), app["integrationId"].(string)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"users": []any{},
		"apps": []any{map[string]any{
			"id": "0oa1demo", "name": "reference_sp", "label": app["label"], "keyId": "exk1demo",
			"entityId": o.idp.EntityID, "ssoUrl": o.idp.SSOURL,
			"metadataUrl":  o.srv.URL + "/app/exk1demo/sso/saml/metadata",
			"embedLinkUrl": o.srv.URL + "/home/reference_sp/0oa1demo/aln1",
			"acsUrl":       base + "/sso/okta/" + id + "/acs", "audience": base + "/sso/okta/" + id,
			"integrationId": id,
		}},
	})
}

func newServer(t *testing.T) *sp.Server {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	srv, err := sp.New(sp.Config{BaseURL: "http://127.0.0.1:8080", Store: st, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	return srv
}

func TestSeed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	okta := newFakeOkta(t, 2)
	srv := newServer(t)
	st := srv.Store()

	res, err := demo.Seed(ctx, srv, demo.Options{OktaURL: okta.srv.URL + "/", RetryEvery: time.Millisecond})
	require.NoError(t, err)

	// What the fake Okta was asked for.
	require.Len(t, okta.seeds, 1)
	assert.Equal(t, map[string]any{"apps": []any{map[string]any{
		"kind": "catalog", "label": "Reference SP", "spBaseURL": "http://127.0.0.1:8080",
		"integrationId": res.IntegrationID,
		"assign":        []any{"ada@acme.test", "grace@acme.test", "admin@acme.test"},
	}}}, okta.seeds[0])

	// The organization and its people.
	org, err := st.GetOrganization(ctx, res.OrgID)
	require.NoError(t, err)
	assert.Equal(t, "Acme", org.Name)
	admin, err := st.GetUserByEmail(ctx, "admin@acme.test")
	require.NoError(t, err)
	assert.True(t, password.Verify(admin.PasswordHash, "Demo-admin-1"))
	m, err := st.GetMembership(ctx, org.ID, admin.ID)
	require.NoError(t, err)
	assert.Equal(t, store.RoleAdmin, m.Role)
	for email, name := range map[string]string{"ada@acme.test": "Ada Lovelace", "grace@acme.test": "Grace Hopper"} {
		u, err := st.GetUserByEmail(ctx, email)
		require.NoError(t, err)
		assert.Equal(t, name, u.GivenName+" "+u.FamilyName)
		m, err := st.GetMembership(ctx, org.ID, u.ID)
		require.NoError(t, err)
		assert.Equal(t, store.RoleMember, m.Role)
		assert.Equal(t, store.SourceLocal, m.Source)
	}
	teams, err := st.ListTeams(ctx, org.ID)
	require.NoError(t, err)
	require.Len(t, teams, 1)
	assert.Equal(t, "Engineering", teams[0].Name)
	rs, err := st.ListResources(ctx, teams[0].ID)
	require.NoError(t, err)
	require.Len(t, rs, 1)
	assert.Equal(t, "API uptime", rs[0].Name)
	assert.Equal(t, "monitor", rs[0].Kind)

	// The integration, configured from the metadata link and connected.
	in, err := st.GetIntegration(ctx, res.IntegrationID)
	require.NoError(t, err)
	assert.Equal(t, org.ID, in.OrgID)
	assert.Equal(t, store.StatusConnected, in.Status)
	assert.Equal(t, okta.idp.EntityID, in.IdPEntityID)
	assert.Equal(t, okta.idp.SSOURL, in.SSOURL)
	assert.Equal(t, okta.idp.Cert.PEM, in.CertPEM)
	assert.Equal(t, okta.srv.URL+"/app/exk1demo/sso/saml/metadata", in.MetadataURL)

	assert.Equal(t, okta.srv.URL+"/app/UserHome", res.OktaDashboardURL)
	var out bytes.Buffer
	res.WriteSummary(&out)
	for _, want := range []string{"http://127.0.0.1:8080/", "admin@acme.test / Demo-admin-1", res.IntegrationID, "http://127.0.0.1:8080/users/sign-in/sso/okta/" + res.IntegrationID, okta.srv.URL + "/app/UserHome", "ada@acme.test / Okta-demo-1", "ada@acme.test, grace@acme.test, admin@acme.test"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	okta := newFakeOkta(t, 0)
	srv := newServer(t)
	first, err := demo.Seed(ctx, srv, demo.Options{OktaURL: okta.srv.URL})
	require.NoError(t, err)
	second, err := demo.Seed(ctx, srv, demo.Options{OktaURL: okta.srv.URL})
	require.NoError(t, err)
	assert.Equal(t, first.OrgID, second.OrgID)
	assert.Equal(t, first.IntegrationID, second.IntegrationID)

	st := srv.Store()
	orgs, err := st.ListOrganizations(ctx)
	require.NoError(t, err)
	assert.Len(t, orgs, 1)
	ms, err := st.ListMemberships(ctx, first.OrgID)
	require.NoError(t, err)
	assert.Len(t, ms, 3)
	teams, err := st.ListTeams(ctx, first.OrgID)
	require.NoError(t, err)
	require.Len(t, teams, 1)
	rs, err := st.ListResources(ctx, teams[0].ID)
	require.NoError(t, err)
	assert.Len(t, rs, 1)
	in, err := st.GetIntegrationByOrg(ctx, first.OrgID)
	require.NoError(t, err)
	assert.Equal(t, first.IntegrationID, in.ID)
	assert.Equal(t, store.StatusConnected, in.Status)
}

func TestSeedFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("fake Okta never answers", func(t *testing.T) {
		t.Parallel()
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		_, err := demo.Seed(ctx, newServer(t), demo.Options{OktaURL: closed.URL, Wait: 50 * time.Millisecond, RetryEvery: 10 * time.Millisecond})
		assert.ErrorContains(t, err, "did not answer")
	})
	t.Run("fake Okta refuses the seed", func(t *testing.T) {
		t.Parallel()
		bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "bad seed", http.StatusBadRequest)
		}))
		t.Cleanup(bad.Close)
		_, err := demo.Seed(ctx, newServer(t), demo.Options{OktaURL: bad.URL})
		assert.ErrorContains(t, err, "HTTP 400")
	})
	t.Run("no Okta URL", func(t *testing.T) {
		t.Parallel()
		_, err := demo.Seed(ctx, newServer(t), demo.Options{})
		assert.Error(t, err)
	})
}
