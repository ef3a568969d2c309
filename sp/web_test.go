package sp_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/store"
)

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})
	for name, cfg := range map[string]sp.Config{
		"no store":         {BaseURL: baseURL},
		"no base URL":      {Store: f.st},
		"relative base":    {BaseURL: "sp.example", Store: f.st},
		"negative TTL":     {BaseURL: baseURL, Store: f.st, SessionTTL: -1},
		"skew over 3 min":  {BaseURL: baseURL, Store: f.st, ClockSkew: 5 * 60e9},
		"base URL + query": {BaseURL: baseURL + "?x=1", Store: f.st},
	} {
		_, err := sp.New(cfg)
		assert.Error(t, err, name)
	}
}

func TestLocalSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})

	res := f.do(t, http.MethodGet, "/users/sign-in", nil)
	b := body(t, res)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, b, `<label for="email">Email</label>`)
	assert.Contains(t, b, `<label for="password">Password</label>`)

	c := f.signIn(t, "Admin@Acme.test ", adminPassword)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.Len(t, c.Value, 43, "256 bits, base64url")

	// Only the hash is stored.
	ctx := context.Background()
	s, err := f.st.GetSession(ctx, session.Hash(c.Value), t0)
	require.NoError(t, err)
	assert.Equal(t, f.users["admin@acme.test"].ID, s.UserID)
	assert.Equal(t, f.org.ID, s.OrgID)
	assert.Equal(t, t0.Add(sp.DefaultSessionTTL), s.ExpiresAt)
	_, err = f.st.GetSession(ctx, c.Value, t0)
	assert.ErrorIs(t, err, store.ErrNotFound)

	home := body(t, f.do(t, http.MethodGet, "/", nil, c))
	assert.Contains(t, home, "Signed in as <strong>admin@acme.test</strong> — <strong>Acme</strong>")
	assert.Contains(t, home, "Welcome, Alan Admin")
	assert.Contains(t, home, `href="/settings/sso"`)

	// The session ends with its TTL.
	f.clock.Set(t0.Add(sp.DefaultSessionTTL + 1))
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/", nil, c)), "Signed in as")
}

func TestLocalSignInRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})
	tests := []struct{ name, email, password string }{
		{"wrong password", "admin@acme.test", "wrong"},
		{"unknown email", "nobody@acme.test", adminPassword},
		{"empty password", "admin@acme.test", ""},
		{"empty form", "", ""},
		{"user without local password", "grace@acme.test", ""},
		{"password of another user", "ada@acme.test", adminPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := f.do(t, http.MethodPost, "/users/sign-in", url.Values{"email": {tt.email}, "password": {tt.password}})
			b := body(t, res)
			assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
			assert.Nil(t, sessionCookie(res))
			// One message for every case: the form does not tell who has an account.
			assert.Contains(t, b, "The email or password is incorrect.")
			assert.Contains(t, b, `role="alert"`)
			if tt.email != "" {
				assert.Contains(t, b, `value="`+tt.email+`"`, "email kept")
			}
		})
	}
}

func TestSignInRedirectsToNextOnlyOnThisSite(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})
	for next, want := range map[string]string{
		"/settings/sso":     "/settings/sso",
		"//evil.test":       "/",
		"https://evil.test": "/",
		`/\evil.test`:       "/",
	} {
		res := f.do(t, http.MethodPost, "/users/sign-in", url.Values{"email": {"admin@acme.test"}, "password": {adminPassword}, "next": {next}})
		assert.Equal(t, http.StatusSeeOther, res.StatusCode)
		assert.Equal(t, want, res.Header.Get("Location"), next)
	}
}

func TestSignOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})
	c := f.signIn(t, "ada@acme.test", adaPassword)
	res := f.do(t, http.MethodPost, "/users/sign-out", url.Values{}, c)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	var cleared bool
	for _, rc := range res.Cookies() {
		if rc.Name == session.CookieName && rc.Value == "" && rc.MaxAge < 0 {
			cleared = true
		}
	}
	assert.True(t, cleared, "cookie cleared")
	_, err := f.st.GetSession(context.Background(), session.Hash(c.Value), t0)
	assert.ErrorIs(t, err, store.ErrNotFound, "session deleted")
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/", nil, c)), "Signed in as")
}

func TestHomeSignedOut(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})
	res := f.do(t, http.MethodGet, "/", nil)
	b := body(t, res)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, b, `href="/users/sign-in"`)
	assert.NotContains(t, b, "Signed in as")
	assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"))
	assert.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")

	// A bogus cookie is just "signed out".
	res = f.do(t, http.MethodGet, "/", nil, &http.Cookie{Name: session.CookieName, Value: "forged"})
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotContains(t, body(t, res), "Signed in as")

	res = f.do(t, http.MethodGet, "/no/such/page", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	res = f.do(t, http.MethodGet, "/static/style.css", nil)
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

// Cross-site form posts are refused, except at the ACS.
func TestCrossSiteFormsAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	c := f.signIn(t, "admin@acme.test", adminPassword)
	for _, path := range []string{"/users/sign-in", "/users/sign-out", "/settings/sso/okta", "/settings/sso/okta/metadata", "/settings/sso/okta/manual",
		"/settings/sso/okta/connect", "/settings/sso/okta/status", "/settings/teams", "/settings/api-tokens"} {
		req := httptestRequest(http.MethodPost, path, "email=admin%40acme.test&password="+adminPassword+"&metadata_url=x")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.test")
		req.AddCookie(c)
		res := serve(f, req)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, path)
		assert.Nil(t, sessionCookie(res), path)
	}
	// The ACS accepts the IdP's cross-site post.
	res := f.postACS(t, f.integ.ID, form(f.response(t, "ada@acme.test")))
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
}

func TestSSOSettingsAccess(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConnect: true})

	res := f.do(t, http.MethodGet, "/settings/sso", nil)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/users/sign-in?next=%2Fsettings%2Fsso", res.Header.Get("Location"))
	res = f.do(t, http.MethodPost, "/settings/sso/okta", url.Values{})
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)

	ada := f.signIn(t, "ada@acme.test", adaPassword)
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, "/settings/sso"},
		{http.MethodPost, "/settings/sso/okta"},
		{http.MethodPost, "/settings/sso/okta/metadata"},
		{http.MethodPost, "/settings/sso/okta/manual"},
		{http.MethodPost, "/settings/sso/okta/connect"},
		{http.MethodPost, "/settings/sso/okta/status"},
		{http.MethodGet, "/settings/teams"},
		{http.MethodPost, "/settings/teams"},
		{http.MethodGet, "/settings/api-tokens"},
		{http.MethodPost, "/settings/api-tokens"},
	} {
		var form url.Values
		if r.method == http.MethodPost {
			form = url.Values{}
		}
		res := f.do(t, r.method, r.path, form, ada)
		assert.Equal(t, http.StatusForbidden, res.StatusCode, r.path)
		assert.Contains(t, body(t, res), "Only administrators of Acme")
	}
	_, err := f.st.GetIntegrationByOrg(context.Background(), f.org.ID)
	assert.ErrorIs(t, err, store.ErrNotFound, "a member cannot connect Okta")
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/", nil, ada)), `href="/settings/sso"`)
}

func TestSSOSettingsFlow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{noConnect: true})
	admin := f.signIn(t, "admin@acme.test", adminPassword)

	page := body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin))
	assert.Contains(t, page, `<form method="post" action="/settings/sso/okta">`)
	assert.Contains(t, page, "Connect Okta")

	// Forms before Connect Okta have nothing to act on.
	res := f.do(t, http.MethodPost, "/settings/sso/okta/manual", url.Values{"sso_url": {"https://x.test"}}, admin)
	assert.Equal(t, http.StatusConflict, res.StatusCode)

	res = f.do(t, http.MethodPost, "/settings/sso/okta", url.Values{}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "/settings/sso?saved=connected", res.Header.Get("Location"))
	in, err := f.st.GetIntegrationByOrg(ctx, f.org.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusPending, in.Status)

	// A second click changes nothing.
	res = f.do(t, http.MethodPost, "/settings/sso/okta", url.Values{}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	again, err := f.st.GetIntegrationByOrg(ctx, f.org.ID)
	require.NoError(t, err)
	assert.Equal(t, in.ID, again.ID)

	page = body(t, f.do(t, http.MethodGet, "/settings/sso?saved=connected", nil, admin))
	for _, want := range []string{
		`<code id="integration-id">` + in.ID + `</code>`,
		`<dd id="integration-status">pending</dd>`,
		`<code id="acs-url">https://sp.example/sso/okta/` + in.ID + `/acs</code>`,
		`<code id="entity-id">https://sp.example/sso/okta/` + in.ID + `</code>`,
		`href="https://sp.example/sso/okta/` + in.ID + `/metadata"`,
		`<code id="sign-in-url">https://sp.example/users/sign-in/sso/okta/` + in.ID + `</code>`,
		`action="/settings/sso/okta/metadata"`,
		`action="/settings/sso/okta/manual"`,
		"Okta integration created",
		"Not configured yet",
	} {
		assert.Contains(t, page, want)
	}

	// A refused metadata link: 422, the message, the value kept, nothing saved.
	sha1 := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0, SignatureAlgorithm: x509.SHA1WithRSA}), "https://acme.okta.test")
	sha1Link := serveMetadata(t, sha1.MetadataXML(t))
	res = f.do(t, http.MethodPost, "/settings/sso/okta/metadata", url.Values{"metadata_url": {sha1Link}}, admin)
	page = body(t, res)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "SHA-1 certificates are not accepted; use the SHA-2 certificate&#39;s metadata link")
	assert.Contains(t, page, `value="`+sha1Link+`"`)
	assert.Contains(t, page, `aria-invalid="true"`)
	unchanged, err := f.st.GetIntegration(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, in, unchanged)

	// A good one.
	link := serveMetadata(t, f.idp.MetadataXML(t))
	res = f.do(t, http.MethodPost, "/settings/sso/okta/metadata", url.Values{"metadata_url": {link}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	assert.Equal(t, "/settings/sso?saved=metadata", res.Header.Get("Location"))
	page = body(t, f.do(t, http.MethodGet, "/settings/sso?saved=metadata", nil, admin))
	assert.Contains(t, page, `<code id="idp-entity-id">`+f.idp.EntityID+`</code>`)
	assert.Contains(t, page, `<code id="idp-sso-url">`+f.idp.SSOURL+`</code>`)
	configured, err := f.st.GetIntegration(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, f.idp.Cert.PEM, configured.CertPEM)

	// A refused manual form keeps what was typed.
	res = f.do(t, http.MethodPost, "/settings/sso/okta/manual", url.Values{
		"sso_url": {"https://acme.okta.test/sso"}, "certificate": {"not a certificate"}, "entity_id": {"urn:x"},
	}, admin)
	page = body(t, res)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "The certificate is not PEM")
	assert.Contains(t, page, `value="https://acme.okta.test/sso"`)
	assert.Contains(t, page, ">not a certificate</textarea>")
	assert.Contains(t, page, `value="urn:x"`)
	unchanged, err = f.st.GetIntegration(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, configured, unchanged)

	// And a good manual form.
	cert := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	res = f.do(t, http.MethodPost, "/settings/sso/okta/manual", url.Values{
		"sso_url": {"https://acme.okta.test/app/x/exk2/sso/saml"}, "certificate": {cert.PEM},
	}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	manual, err := f.st.GetIntegration(ctx, in.ID)
	require.NoError(t, err)
	assert.Equal(t, "https://acme.okta.test/app/x/exk2/sso/saml", manual.SSOURL)
	assert.Equal(t, cert.PEM, manual.CertPEM)
	assert.Empty(t, manual.IdPEntityID)
	assert.Empty(t, manual.MetadataURL)
}

// The whole path an admin takes: metadata link through the page, then a user signs
// in from Okta.
func TestConfigureThenSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConfig: true})
	admin := f.signIn(t, "admin@acme.test", adminPassword)
	res := f.do(t, http.MethodPost, "/settings/sso/okta/metadata", url.Values{"metadata_url": {serveMetadata(t, f.idp.MetadataXML(t))}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))

	// Pending: nobody signs in with Okta until the admin connects.
	res = f.postACS(t, f.integ.ID, form(f.response(t, "grace@acme.test")))
	require.Equal(t, http.StatusForbidden, res.StatusCode)
	f.connect(t, admin)

	res = f.postACS(t, f.integ.ID, form(f.response(t, "grace@acme.test")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	grace := sessionCookie(res)
	require.NotNil(t, grace)
	assert.Contains(t, body(t, f.do(t, http.MethodGet, "/", nil, grace)), "Signed in as <strong>grace@acme.test</strong> — <strong>Acme</strong>")
	assert.Equal(t, http.StatusForbidden, f.do(t, http.MethodGet, "/settings/sso", nil, grace).StatusCode)
}

func TestSPMetadataEndpoint(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noConfig: true})
	res := f.do(t, http.MethodGet, "/sso/okta/"+f.integ.ID+"/metadata", nil)
	b := body(t, res)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/samlmetadata+xml", res.Header.Get("Content-Type"))
	assert.Contains(t, b, `entityID="`+f.urls.EntityID+`"`)
	assert.Contains(t, b, `Location="`+f.urls.ACS+`"`)

	res = f.do(t, http.MethodGet, "/sso/okta/nope/metadata", nil)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
}

func TestHTTPBaseURLMakesNonSecureCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{baseURL: "http://127.0.0.1:8080", noConnect: true})
	c := f.signIn(t, "admin@acme.test", adminPassword)
	assert.False(t, c.Secure)
}

func serveMetadata(t *testing.T, doc []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		_, _ = w.Write(doc)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/app/exk1/sso/saml/metadata"
}
