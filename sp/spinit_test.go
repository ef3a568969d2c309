package sp_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

// startSignIn opens the SP-initiated Sign-in URL and returns the AuthnRequest
// the SP sent the browser to the IdP with.
func (f *fixture) startSignIn(t *testing.T, integrationID, returnTo string) testidp.AuthnRequest {
	t.Helper()
	path := "/users/sign-in/sso/okta/" + url.PathEscape(integrationID)
	if returnTo != "" {
		path += "?return_to=" + url.QueryEscape(returnTo)
	}
	res := f.do(t, http.MethodGet, path, nil)
	require.Equal(t, http.StatusFound, res.StatusCode, body(t, res))
	return testidp.ParseRedirect(t, res.Header.Get("Location"))
}

// answer is the IdP's signed answer to req for email, issued at the SP's now,
// as the browser posts it (RelayState echoed).
func (f *fixture) answer(t *testing.T, req testidp.AuthnRequest, email string) url.Values {
	t.Helper()
	v := form(f.idp.Answer(t, req, testidp.Response{Email: email, Now: f.clock.Now()}))
	if req.RelayState != "" {
		v.Set("RelayState", req.RelayState)
	}
	return v
}

// connect runs the Connect round trip as the signed-in admin and returns the
// session the round trip signed in.
func (f *fixture) connect(t *testing.T, admin *http.Cookie) *http.Cookie {
	t.Helper()
	res := f.do(t, http.MethodPost, "/settings/sso/okta/connect", url.Values{}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	req := testidp.ParseRedirect(t, res.Header.Get("Location"))
	res = f.postACS(t, f.integ.ID, f.answer(t, req, "admin@acme.test"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	require.Equal(t, ssosaml.ConnectReturnPath, res.Header.Get("Location"))
	c := sessionCookie(res)
	require.NotNil(t, c)
	return c
}

// SSO-08: the Sign-in URL sends the browser to the IdP with an AuthnRequest;
// the answer signs the person in and lands them on the page they asked for.
func TestSPInitiatedSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	res := f.do(t, http.MethodGet, "/users/sign-in/sso/okta/"+f.integ.ID+"?return_to="+url.QueryEscape("/settings/sso?tab=okta#top"), nil)
	require.Equal(t, http.StatusFound, res.StatusCode, body(t, res))
	loc := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, f.idp.SSOURL+"?SAMLRequest="), "HTTP-Redirect binding to the stored SSO URL: %s", loc)
	req := testidp.ParseRedirect(t, loc)
	assert.Equal(t, f.urls.ACS, req.ACS)
	assert.Equal(t, f.urls.EntityID, req.Issuer)
	assert.Equal(t, f.idp.SSOURL, req.Destination)
	assert.NotEmpty(t, req.ID)
	assert.NotContains(t, req.RelayState, "settings", "the return path stays on the SP")
	assert.LessOrEqual(t, len(req.RelayState), 80, "RelayState within the bindings' limit")

	res = f.postACS(t, f.integ.ID, f.answer(t, req, "ada@acme.test"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	assert.Equal(t, "/settings/sso?tab=okta#top", res.Header.Get("Location"))
	c := sessionCookie(res)
	require.NotNil(t, c)
	assert.Contains(t, body(t, f.do(t, http.MethodGet, "/", nil, c)), "Signed in as <strong>ada@acme.test</strong>")
	for _, l := range f.logs.lines(t) {
		if l["msg"] == "saml sign-in" {
			assert.Equal(t, true, l["sp_initiated"])
		}
	}
}

// The page the user asked for travels only as a path on this site: whatever
// return_to or a tampered RelayState say, the browser stays here.
func TestSPInitiatedReturnToStaysOnSite(t *testing.T) {
	t.Parallel()
	tests := []struct{ returnTo, location string }{
		{"", "/"},
		{"/", "/"},
		{"/teams/42?tab=members", "/teams/42?tab=members"},
		{"//evil.test", "/"},
		{"//evil.test/path", "/"},
		{`/\evil.test`, "/"},
		{`\\evil.test`, "/"},
		{"https://evil.test/", "/"},
		{"http:evil.test", "/"},
		{"javascript:alert(1)", "/"},
		{"JaVaScRiPt:alert(1)", "/"},
		{"evil.test", "/"},
		{"/ok\r\nSet-Cookie: x=y", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	}
	for _, tt := range tests {
		t.Run(tt.returnTo, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			req := f.startSignIn(t, f.integ.ID, tt.returnTo)
			v := f.answer(t, req, "ada@acme.test")
			// An attacker who controls the browser's POST rewrites RelayState: the
			// SP never reads it for an SP-initiated sign-in.
			v.Set("RelayState", "https://evil.test/phish")
			res := f.postACS(t, f.integ.ID, v)
			require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
			assert.Equal(t, tt.location, res.Header.Get("Location"))
			assert.NotNil(t, sessionCookie(res))
		})
	}
}

// SSO-09 and SSO-10: a response that names a request must answer a pending
// request of this integration, once, before it expires.
func TestSPInitiatedRefusals(t *testing.T) {
	t.Parallel()
	const ada = "ada@acme.test"
	tests := []struct {
		name    string
		opts    fixtureOptions
		prepare func(t *testing.T, f *fixture) url.Values
		reason  ssosaml.Reason
	}{
		{
			name: "request never made",
			prepare: func(t *testing.T, f *fixture) url.Values {
				return form(f.idp.Answer(t, testidp.AuthnRequest{ID: "id-never-sent", ACS: f.urls.ACS, Issuer: f.urls.EntityID}, testidp.Response{Email: ada, Now: t0}))
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "another integration's request",
			prepare: func(t *testing.T, f *fixture) url.Values {
				other := f.otherIntegration(t)
				req := f.startSignIn(t, other.ID, "/")
				// Okta would answer to the other ACS; the attacker re-targets the
				// answer at this integration, signed by this integration's IdP.
				req.ACS, req.Issuer = f.urls.ACS, f.urls.EntityID
				return f.answer(t, req, ada)
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "request already answered",
			prepare: func(t *testing.T, f *fixture) url.Values {
				req := f.startSignIn(t, f.integ.ID, "/")
				res := f.postACS(t, f.integ.ID, f.answer(t, req, ada))
				require.Equal(t, http.StatusSeeOther, res.StatusCode)
				f.logs.buf.Reset()
				f.clock.Set(t0.Add(time.Second))
				return f.answer(t, req, ada) // a second, fresh assertion for the same request
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "request expired",
			prepare: func(t *testing.T, f *fixture) url.Values {
				req := f.startSignIn(t, f.integ.ID, "/")
				f.clock.Set(t0.Add(ssosaml.DefaultRequestTTL + time.Second))
				return f.answer(t, req, ada)
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "the Response names a request, its signed assertion does not",
			prepare: func(t *testing.T, f *fixture) url.Values {
				req := f.startSignIn(t, f.integ.ID, "/")
				return form(f.idp.Answer(t, req, testidp.Response{Email: ada, Now: t0, Modify: func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = ""
				}}))
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "Response and assertion name different requests",
			prepare: func(t *testing.T, f *fixture) url.Values {
				mine := f.startSignIn(t, f.integ.ID, "/")
				other := f.startSignIn(t, f.integ.ID, "/")
				return form(f.idp.Answer(t, mine, testidp.Response{Email: ada, Now: t0, Modify: func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = other.ID
				}}))
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "IdP-initiated on a pending integration",
			opts: fixtureOptions{pending: true},
			prepare: func(t *testing.T, f *fixture) url.Values {
				return form(f.response(t, "admin@acme.test"))
			},
			reason: ssosaml.ReasonNotConnected,
		},
		{
			name: "answer to a forged request ID on a pending integration",
			opts: fixtureOptions{pending: true},
			prepare: func(t *testing.T, f *fixture) url.Values {
				return form(f.idp.Answer(t, testidp.AuthnRequest{ID: "id-forged", ACS: f.urls.ACS, Issuer: f.urls.EntityID}, testidp.Response{Email: "admin@acme.test", Now: t0}))
			},
			reason: ssosaml.ReasonRequestID,
		},
		{
			name: "signed answer replayed",
			prepare: func(t *testing.T, f *fixture) url.Values {
				v := f.answer(t, f.startSignIn(t, f.integ.ID, "/"), ada)
				res := f.postACS(t, f.integ.ID, v)
				require.Equal(t, http.StatusSeeOther, res.StatusCode)
				f.logs.buf.Reset()
				return v
			},
			reason: ssosaml.ReasonReplay,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts)
			v := tt.prepare(t, f)
			f.assertRefused(t, f.postACS(t, f.integ.ID, v), http.StatusForbidden, tt.reason, f.integ.ID)
			in, err := f.st.GetIntegration(context.Background(), f.integ.ID)
			require.NoError(t, err)
			assert.Equal(t, f.integ.Status, in.Status, "status unchanged")
		})
	}
}

// An IdP-initiated response (no InResponseTo) is fine on a connected
// integration even while SP-initiated requests are pending.
func TestIdPInitiatedAlongsidePendingRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.startSignIn(t, f.integ.ID, "/teams")
	res := f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {f.response(t, "ada@acme.test")}, "RelayState": {"/settings/sso"}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	assert.Equal(t, "/settings/sso", res.Header.Get("Location"), "IdP-initiated: the posted RelayState, checked")
}

// otherIntegration gives Globex its own connected integration, with the same
// IdP (one Okta org may serve two SP tenants).
func (f *fixture) otherIntegration(t *testing.T) store.Integration {
	t.Helper()
	ctx := context.Background()
	orgs, err := f.st.ListOrganizations(ctx)
	require.NoError(t, err)
	var globex store.Organization
	for _, o := range orgs {
		if o.Name == "Globex" {
			globex = o
		}
	}
	in, err := f.srv.ConnectOkta(ctx, globex.ID)
	require.NoError(t, err)
	_, err = f.srv.ConfigureManually(ctx, in.ID, f.idp.SSOURL, f.idp.Cert.PEM, f.idp.EntityID)
	require.NoError(t, err)
	in, err = f.srv.SetIntegrationStatus(ctx, in.ID, store.StatusConnected)
	require.NoError(t, err)
	return in
}

// SSO-05: Connect sends the admin to Okta; their answer connects the
// integration and signs them in.
func TestConnectRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{pending: true})
	admin := f.signIn(t, "admin@acme.test", adminPassword)

	page := body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin))
	assert.Contains(t, page, `<dd id="integration-status">pending</dd>`)
	assert.Contains(t, page, `action="/settings/sso/okta/connect"`)
	assert.Contains(t, page, "Okta sign-in stays off until you connect")

	res := f.do(t, http.MethodPost, "/settings/sso/okta/connect", url.Values{}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	require.True(t, strings.HasPrefix(res.Header.Get("Location"), f.idp.SSOURL+"?"), "to Okta by HTTP-Redirect")
	req := testidp.ParseRedirect(t, res.Header.Get("Location"))

	res = f.postACS(t, f.integ.ID, f.answer(t, req, "admin@acme.test"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	assert.Equal(t, ssosaml.ConnectReturnPath, res.Header.Get("Location"))
	c := sessionCookie(res)
	require.NotNil(t, c, "the admin is signed in by the round trip")

	in, err := f.st.GetIntegration(ctx, f.integ.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusConnected, in.Status)
	page = body(t, f.do(t, http.MethodGet, ssosaml.ConnectReturnPath, nil, c))
	assert.Contains(t, page, `<dd id="integration-status">connected</dd>`)
	assert.Contains(t, page, "Okta is connected")
	events, err := f.st.ListAudit(ctx, f.org.ID, 10)
	require.NoError(t, err)
	require.NotEmpty(t, events)
	assert.Equal(t, "sso.connected", events[0].Action)

	// Now ordinary sign-in works, both ways.
	res = f.postACS(t, f.integ.ID, form(f.response(t, "ada@acme.test")))
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	res = f.postACS(t, f.integ.ID, f.answer(t, f.startSignIn(t, f.integ.ID, "/"), "grace@acme.test"))
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
}

// SSO-05/06: the Connect round trip finishes only with an admin of this
// organization; anyone else is refused and the integration stays pending.
func TestConnectRoundTripRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, email string
	}{
		{"a member who is not an admin", "ada@acme.test"},
		{"someone of another organization", "bob@globex.test"},
		{"someone without an account", "zed@acme.test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{pending: true})
			admin := f.signIn(t, "admin@acme.test", adminPassword)
			res := f.do(t, http.MethodPost, "/settings/sso/okta/connect", url.Values{}, admin)
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			req := testidp.ParseRedirect(t, res.Header.Get("Location"))
			// At Okta, the browser signs in as someone else.
			f.assertRefused(t, f.postACS(t, f.integ.ID, f.answer(t, req, tt.email)), http.StatusForbidden, ssosaml.ReasonNotAdmin, f.integ.ID)

			in, err := f.st.GetIntegration(context.Background(), f.integ.ID)
			require.NoError(t, err)
			assert.Equal(t, store.StatusPending, in.Status)
			_, err = f.st.GetUserByEmail(context.Background(), "zed@acme.test")
			assert.ErrorIs(t, err, store.ErrNotFound, "no JIT during Connect")
		})
	}
}

// SSO-06: an admin Okta will not sign in (not assigned to the app) never comes
// back; the integration stays pending, and the settings page says so.
func TestConnectWithoutAnswerStaysPending(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{pending: true})
	admin := f.signIn(t, "admin@acme.test", adminPassword)
	res := f.do(t, http.MethodPost, "/settings/sso/okta/connect", url.Values{}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	f.clock.Set(t0.Add(time.Hour))
	assert.Contains(t, body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin)), `<dd id="integration-status">pending</dd>`)
	f.logs.buf.Reset()
	f.assertRefused(t, f.do(t, http.MethodGet, "/users/sign-in/sso/okta/"+f.integ.ID, nil), http.StatusForbidden, ssosaml.ReasonNotConnected, f.integ.ID)
}

func TestConnectNeedsAUsableIntegration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  fixtureOptions
		setup func(t *testing.T, f *fixture)
		want  string
	}{
		{"not configured", fixtureOptions{noConfig: true}, func(*testing.T, *fixture) {}, "Enter the Identity Provider details"},
		{"disabled", fixtureOptions{}, func(t *testing.T, f *fixture) {
			_, err := f.srv.SetIntegrationStatus(context.Background(), f.integ.ID, store.StatusDisabled)
			require.NoError(t, err)
		}, "turned off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts)
			tt.setup(t, f)
			admin := f.signIn(t, "admin@acme.test", adminPassword)
			res := f.do(t, http.MethodPost, "/settings/sso/okta/connect", url.Values{}, admin)
			assert.Equal(t, http.StatusConflict, res.StatusCode)
			assert.Contains(t, body(t, res), tt.want)
		})
	}
	// A member cannot start it.
	f := newFixture(t, fixtureOptions{pending: true})
	ada := f.signIn(t, "ada@acme.test", adaPassword)
	assert.Equal(t, http.StatusForbidden, f.do(t, http.MethodPost, "/settings/sso/okta/connect", url.Values{}, ada).StatusCode)
}

// Turning Okta sign-in off and back on from the settings page; back on means
// pending until the next Connect.
func TestIntegrationStatusFromSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	admin := f.signIn(t, "admin@acme.test", adminPassword)
	page := body(t, f.do(t, http.MethodGet, "/settings/sso", nil, admin))
	assert.Contains(t, page, `id="disable-button"`)

	res := f.do(t, http.MethodPost, "/settings/sso/okta/status", url.Values{"status": {"disabled"}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	in, err := f.st.GetIntegration(ctx, f.integ.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusDisabled, in.Status)
	page = body(t, f.do(t, http.MethodGet, res.Header.Get("Location"), nil, admin))
	assert.Contains(t, page, "Okta sign-in is turned off.")
	assert.Contains(t, page, `id="enable-button"`)
	assert.NotContains(t, page, `action="/settings/sso/okta/connect"`)

	res = f.do(t, http.MethodPost, "/settings/sso/okta/status", url.Values{"status": {"pending"}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	in, err = f.st.GetIntegration(ctx, f.integ.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusPending, in.Status)

	for _, bad := range []string{"connected", "", "bogus"} {
		res = f.do(t, http.MethodPost, "/settings/sso/okta/status", url.Values{"status": {bad}}, admin)
		assert.Equal(t, http.StatusBadRequest, res.StatusCode, bad)
	}
	in, err = f.st.GetIntegration(ctx, f.integ.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StatusPending, in.Status, "an admin cannot claim connected")
}

// A signed-out person on a page that needs sign-in is offered "Sign in with
// Okta" for the organization their browser last signed in to with Okta.
func TestSignInPageOffersOkta(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	page := body(t, f.do(t, http.MethodGet, "/users/sign-in", nil))
	assert.NotContains(t, page, "Sign in with Okta", "unknown organization")

	res := f.postACS(t, f.integ.ID, form(f.response(t, "admin@acme.test")))
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	var remembered *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "sp_okta" {
			remembered = c
		}
	}
	require.NotNil(t, remembered)
	assert.True(t, remembered.HttpOnly)

	// Signed out again, the admin opens a settings page.
	res = f.do(t, http.MethodGet, "/settings/teams", nil)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	page = body(t, f.do(t, http.MethodGet, res.Header.Get("Location"), nil, remembered))
	want := `href="/users/sign-in/sso/okta/` + f.integ.ID + `?return_to=%2Fsettings%2Fteams"`
	assert.Contains(t, page, want)
	assert.Contains(t, page, "Sign in with Okta")

	// The offered link goes through the SP-initiated flow back to that page.
	req := f.startSignIn(t, f.integ.ID, "/settings/teams")
	res = f.postACS(t, f.integ.ID, f.answer(t, req, "admin@acme.test"))
	assert.Equal(t, "/settings/teams", res.Header.Get("Location"))

	// Not offered once the integration is off, nor for a forged cookie.
	_, err := f.srv.SetIntegrationStatus(context.Background(), f.integ.ID, store.StatusDisabled)
	require.NoError(t, err)
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/users/sign-in", nil, remembered)), "Sign in with Okta")
	assert.NotContains(t, body(t, f.do(t, http.MethodGet, "/users/sign-in", nil, &http.Cookie{Name: "sp_okta", Value: "nope"})), "Sign in with Okta")
}

// The Sign-in URL of an integration that cannot take sign-ins is refused with
// the plain page and one log line, and sends nobody to the IdP.
func TestSPInitiatedStartRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   fixtureOptions
		id     func(f *fixture) string
		status int
		reason ssosaml.Reason
	}{
		{"unknown integration", fixtureOptions{}, func(*fixture) string { return "doesnotexist0000000000000a" }, http.StatusNotFound, ssosaml.ReasonUnknownIntegration},
		{"not configured", fixtureOptions{noConfig: true}, func(f *fixture) string { return f.integ.ID }, http.StatusForbidden, ssosaml.ReasonNotConfigured},
		{"pending", fixtureOptions{pending: true}, func(f *fixture) string { return f.integ.ID }, http.StatusForbidden, ssosaml.ReasonNotConnected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.opts)
			id := tt.id(f)
			res := f.do(t, http.MethodGet, "/users/sign-in/sso/okta/"+id+"?return_to=/x", nil)
			assert.Empty(t, res.Header.Get("Location"))
			f.assertRefused(t, res, tt.status, tt.reason, id)
		})
	}
}
