package hooksapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// hooksToken is the fixture SP's hooks token.
const hooksToken = "test-hooks-token-0123456789abcdef0123456789"

const baseURL = "https://sp.example"

// fixture is a reference SP with hooks on, on its own SQLite store, with two
// organizations made through the Go API.
type fixture struct {
	srv          *sp.Server
	st           store.Store
	acme, globex store.Organization
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, hooksToken)
}

// newFixtureWith builds the fixture with token as HooksToken ("" is hooks off).
func newFixtureWith(t *testing.T, token string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	srv, err := sp.New(sp.Config{BaseURL: baseURL, Store: st, HooksToken: token, PasswordCost: bcrypt.MinCost})
	require.NoError(t, err)
	f := &fixture{srv: srv, st: st}
	f.acme, err = st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	f.globex, err = st.CreateOrganization(ctx, store.Organization{Name: "Globex"})
	require.NoError(t, err)
	return f
}

// connect gives org a connected Okta integration of a fresh test IdP, through
// the Go API, and returns its id and the IdP.
func (f *fixture) connect(t *testing.T, orgID string) (string, *testidp.IdP) {
	t.Helper()
	ctx := context.Background()
	idp := testidp.New(testidp.NewCert(t, testidp.CertOptions{}), "https://acme.okta.test")
	in, err := f.srv.ConnectOkta(ctx, orgID)
	require.NoError(t, err)
	_, err = f.srv.ConfigureManually(ctx, in.ID, idp.SSOURL, idp.Cert.PEM, idp.EntityID)
	require.NoError(t, err)
	_, err = f.srv.SetIntegrationStatus(ctx, in.ID, store.StatusConnected)
	require.NoError(t, err)
	return in.ID, idp
}

// call is one request to the SP. path is under the hooks prefix unless it
// starts with "!" (then it is the SP path as is). auth is the Authorization
// header; "" sends none.
type call struct {
	method, path, body string
	auth               string
	header             map[string]string
}

type reply struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

// bearer is the Authorization header of the fixture's hooks token.
const bearer = "Bearer " + hooksToken

func (f *fixture) do(t *testing.T, c call) reply {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	path := "/api/hooks/v1" + c.path
	if p, ok := strings.CutPrefix(c.path, "!"); ok {
		path = p
	}
	req := httptest.NewRequest(c.method, path, body)
	if c.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	r := reply{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && r.raw != "" {
		require.NoError(t, json.Unmarshal([]byte(r.raw), &r.json), r.raw)
	}
	return r
}

func (r reply) str(key string) string { s, _ := r.json[key].(string); return s }

// list returns the JSON array at key as strings (nil when absent, so that an
// absent list and null both fail a comparison with an empty one).
func (r reply) list(key string) []string {
	raw, ok := r.json[key].([]any)
	if !ok {
		return nil
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		out[i], _ = v.(string)
	}
	return out
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func memberOf(email string) admin.NewMember { return admin.NewMember{Email: email} }
