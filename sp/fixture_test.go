package sp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
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
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// t0 is the tests' "now", far from the real clock so that a leak of the real clock
// shows.
var t0 = time.Date(2031, 3, 14, 9, 26, 53, 0, time.UTC)

const (
	baseURL       = "https://sp.example"
	adminPassword = "Admin-pass-1"
	adaPassword   = "Ada-pass-1"
)

// testHashes hashes the fixture's passwords once per test binary: bcrypt is slow on
// purpose, and every test builds a fixture.
var testHashes = sync.OnceValues(func() (string, string) {
	a, err := password.Hash(adminPassword)
	if err != nil {
		panic(err)
	}
	b, err := password.Hash(adaPassword)
	if err != nil {
		panic(err)
	}
	return a, b
})

// logBuffer collects the SP's JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the decoded log lines.
func (b *logBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		out = append(out, m)
	}
	return out
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// fixture is a reference SP with organization Acme (admin, ada and grace), an
// outsider bob in another organization, and an Okta integration configured with
// the test IdP and connected (unless the options say otherwise).
type fixture struct {
	srv   *sp.Server
	st    store.Store
	logs  *logBuffer
	clock *clock
	idp   *testidp.IdP
	org   store.Organization
	integ store.Integration
	urls  ssosaml.URLs
	users map[string]store.User
}

type fixtureOptions struct {
	baseURL   string
	noConnect bool          // no integration at all
	noConfig  bool          // integration created, IdP not configured
	noEntity  bool          // IdP configured by hand without an entity ID
	pending   bool          // configured but not connected (no Connect round trip yet)
	store     store.Store   // nil means a fresh SQLite store
	skew      time.Duration // Config.ClockSkew; 0 means the default
}

func newFixture(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	st := o.store
	if st == nil {
		sq, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sp.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = sq.Close() })
		st = sq
	}
	var err error
	if o.baseURL == "" {
		o.baseURL = baseURL
	}
	f := &fixture{st: st, logs: &logBuffer{}, clock: &clock{now: t0}, users: map[string]store.User{}}
	f.srv, err = sp.New(sp.Config{
		BaseURL:   o.baseURL,
		Store:     st,
		Clock:     f.clock.Now,
		Logger:    slog.New(slog.NewJSONHandler(f.logs, nil)),
		ClockSkew: o.skew,
	})
	require.NoError(t, err)

	f.org, err = st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	other, err := st.CreateOrganization(ctx, store.Organization{Name: "Globex"})
	require.NoError(t, err)
	adminHash, adaHash := testHashes()
	for _, u := range []struct {
		email, given, family, hash string
		org                        string
		role                       store.Role
	}{
		{"admin@acme.test", "Alan", "Admin", adminHash, f.org.ID, store.RoleAdmin},
		{"ada@acme.test", "Ada", "Lovelace", adaHash, f.org.ID, store.RoleMember},
		{"grace@acme.test", "Grace", "Hopper", "", f.org.ID, store.RoleMember},
		{"bob@globex.test", "Bob", "Outsider", "", other.ID, store.RoleMember},
	} {
		user, err := st.CreateUser(ctx, store.User{Email: u.email, GivenName: u.given, FamilyName: u.family, PasswordHash: u.hash})
		require.NoError(t, err)
		_, err = st.AddMembership(ctx, store.Membership{UserID: user.ID, OrgID: u.org, Role: u.role, Source: store.SourceLocal})
		require.NoError(t, err)
		f.users[u.email] = user
	}

	f.idp = testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://acme.okta.test")
	if o.noConnect {
		return f
	}
	f.integ, err = f.srv.ConnectOkta(ctx, f.org.ID)
	require.NoError(t, err)
	f.urls = f.srv.URLs(f.integ.ID)
	if o.noConfig {
		return f
	}
	entity := f.idp.EntityID
	if o.noEntity {
		entity = ""
	}
	f.integ, err = f.srv.ConfigureManually(ctx, f.integ.ID, f.idp.SSOURL, f.idp.Cert.PEM, entity)
	require.NoError(t, err)
	if !o.pending {
		f.integ, err = f.srv.SetIntegrationStatus(ctx, f.integ.ID, store.StatusConnected)
		require.NoError(t, err)
	}
	return f
}

// sp is the SP as the test IdP addresses it.
func (f *fixture) sp() testidp.SP { return testidp.SP{EntityID: f.urls.EntityID, ACS: f.urls.ACS} }

// response is a valid Okta-like response for email, issued at the SP's now.
func (f *fixture) response(t *testing.T, email string) string {
	return f.idp.Response(t, f.sp(), testidp.Response{Email: email, Now: f.clock.Now()})
}

// postACS posts a SAMLResponse the way a browser does from Okta's auto-submitting
// form: cross-site.
func (f *fixture) postACS(t *testing.T, integrationID string, form url.Values) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/sso/okta/"+url.PathEscape(integrationID)+"/acs", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://acme.okta.test")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec.Result()
}

// do sends a same-origin browser request, with cookies.
func (f *fixture) do(t *testing.T, method, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec.Result()
}

// signIn signs in with a local password and returns the session cookie.
func (f *fixture) signIn(t *testing.T, email, pw string) *http.Cookie {
	t.Helper()
	res := f.do(t, http.MethodPost, "/users/sign-in", url.Values{"email": {email}, "password": {pw}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	c := sessionCookie(res)
	require.NotNil(t, c)
	return c
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}

// sessionCookie returns the sp_session cookie the response sets, if any, with a
// value (a clearing cookie does not count).
func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == session.CookieName && c.Value != "" {
			return c
		}
	}
	return nil
}

// assertRefused checks a refused SAML sign-in: status, the plain page, no session,
// and exactly one log line naming the reason and the integration.
func (f *fixture) assertRefused(t *testing.T, res *http.Response, status int, reason ssosaml.Reason, integrationID string) string {
	t.Helper()
	b := body(t, res)
	assert.Equal(t, status, res.StatusCode, b)
	assert.Nil(t, sessionCookie(res), "no session")
	assert.Contains(t, b, "We couldn't sign you in with Okta")
	assert.Contains(t, b, "Ask your administrator")
	assert.Contains(t, b, string(reason))
	for _, leak := range []string{"<saml", "samlp:", "goroutine", "cannot validate", ".go:"} {
		assert.NotContains(t, b, leak, "no internals on the page")
	}
	lines := f.logs.lines(t)
	var refusals []map[string]any
	for _, l := range lines {
		if l["msg"] == "saml sign-in refused" {
			refusals = append(refusals, l)
		}
	}
	require.Len(t, refusals, 1, "exactly one log line: %v", lines)
	assert.Equal(t, string(reason), refusals[0]["reason"])
	assert.Equal(t, integrationID, refusals[0]["integration_id"])
	assert.NotEmpty(t, refusals[0]["cause"])
	return b
}

func newServerOn(st store.Store, c *clock, logs *logBuffer) (*sp.Server, error) {
	return sp.New(sp.Config{BaseURL: baseURL, Store: st, Clock: c.Now, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
}

func httptestRequest(method, path, rawBody string) *http.Request {
	req := httptest.NewRequest(method, path, strings.NewReader(rawBody))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

func serve(f *fixture, req *http.Request) *http.Response {
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec.Result()
}
