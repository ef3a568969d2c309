package idpsim_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

var errorMessageRE = regexp.MustCompile(`(?s)<p id="error-message">(.*?)</p>`)

// errorMessage returns the text of an error page's message.
func (p page) errorMessage() string {
	m := errorMessageRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// authnRequest is an AuthnRequest from the app's SP, as crewjam makes it,
// for the test to change before sending.
func (e *env) authnRequest(sp *saml.ServiceProvider, app idpsim.App) *saml.AuthnRequest {
	e.t.Helper()
	req, err := sp.MakeAuthenticationRequest(app.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	require.NoError(e.t, err)
	return req
}

func requestXML(t *testing.T, req *saml.AuthnRequest) []byte {
	t.Helper()
	doc := etree.NewDocument()
	doc.SetRoot(req.Element())
	buf, err := doc.WriteToBytes()
	require.NoError(t, err)
	return buf
}

// deflate64 encodes a message for the HTTP-Redirect binding.
func deflate64(t *testing.T, msg []byte) string {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	require.NoError(t, err)
	_, err = fw.Write(msg)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	return base64.StdEncoding.EncodeToString(buf.Bytes())
}

const (
	redirectBinding = "HTTP-Redirect"
	postBinding     = "HTTP-POST"
)

// send sends an AuthnRequest document to the app's SSO URL with the
// binding, as the SP's page would make the browser do.
func (b *browser) send(app idpsim.App, binding string, doc []byte, relayState string) page {
	b.t.Helper()
	if binding == postBinding {
		form := url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(doc)}}
		if relayState != "" {
			form.Set("RelayState", relayState)
		}
		return b.post(app.SSOURL, form)
	}
	q := url.Values{"SAMLRequest": {deflate64(b.t, doc)}}
	if relayState != "" {
		q.Set("RelayState", relayState)
	}
	return b.get(app.SSOURL + "?" + q.Encode())
}

// assertAnswers checks that the page posts a response to the app's ACS URL
// that answers req, with relayState, and that the SP accepts it.
func assertAnswers(t *testing.T, e *env, sp *saml.ServiceProvider, app idpsim.App, p page, req *saml.AuthnRequest, relayState string) *saml.Assertion {
	t.Helper()
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Equal(t, app.ACSURL, p.formAction())
	got, hasRelay := p.inputs()["RelayState"]
	assert.Equal(t, relayState != "", hasRelay)
	assert.Equal(t, relayState, got, "RelayState comes back unchanged")
	raw := p.samlResponse(t)
	resp := parseXML(t, raw)
	assert.Equal(t, req.ID, resp.SelectAttrValue("InResponseTo", ""))
	assert.Equal(t, app.ACSURL, resp.SelectAttrValue("Destination", ""))
	scd := resp.FindElement("./Assertion/Subject/SubjectConfirmation/SubjectConfirmationData")
	require.NotNil(t, scd)
	assert.Equal(t, req.ID, scd.SelectAttrValue("InResponseTo", ""))
	assert.Equal(t, app.ACSURL, scd.SelectAttrValue("Recipient", ""))
	assert.Equal(t, req.ID, resp.FindElement("./Assertion/AuthnStatement").SelectAttrValue("SessionIndex", ""))
	a, err := sp.ParseXMLResponse(raw, []string{req.ID}, sp.AcsURL)
	require.NoError(t, err, "%+v", err)
	return a
}

func TestSPInitiatedAnswersTheRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)

	// A RelayState with everything a careless encoder could break.
	const relay = "/teams/42?tab=a b&x=%2F&é=✓#frag"
	for _, binding := range []string{redirectBinding, postBinding} {
		for _, signedIn := range []bool{true, false} {
			name := binding + " signed out"
			if signedIn {
				name = binding + " signed in"
			}
			t.Run(name, func(t *testing.T) {
				b := e.browser()
				if signedIn {
					b.signIn("ada@acme.test", adaPW)
				}
				req := e.authnRequest(sp, f.app)
				p := b.send(f.app, binding, requestXML(t, req), relay)
				if !signedIn {
					require.Equal(t, "/login/login.htm", p.url.Path, "sent to sign in")
					from := p.inputs()["fromURI"]
					assert.Contains(t, from, "stateToken=", "the request waits at the fake Okta")
					assert.NotContains(t, from, "SAMLRequest", "and is not carried by the sign-in page")
					p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
				}
				a := assertAnswers(t, e, sp, f.app, p, req, relay)
				assert.Equal(t, "ada@acme.test", a.Subject.NameID.Value)
			})
		}
	}

	t.Run("no RelayState, no RelayState field", func(t *testing.T) {
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		req := e.authnRequest(sp, f.app)
		assertAnswers(t, e, sp, f.app, b.send(f.app, redirectBinding, requestXML(t, req), ""), req, "")
	})

	t.Run("the app's own ACS URL and index 0 are accepted", func(t *testing.T) {
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		req := e.authnRequest(sp, f.app)
		req.AssertionConsumerServiceURL = f.app.ACSURL
		req.AssertionConsumerServiceIndex = "0"
		assertAnswers(t, e, sp, f.app, b.send(f.app, postBinding, requestXML(t, req), "r"), req, "r")

		req = e.authnRequest(sp, f.app)
		req.AssertionConsumerServiceURL = ""
		req.ProtocolBinding = ""
		assertAnswers(t, e, sp, f.app, b.send(f.app, redirectBinding, requestXML(t, req), "r"), req, "r")
	})
}

func TestSPInitiatedRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)

	xmlOf := func(change func(*saml.AuthnRequest)) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			req := e.authnRequest(sp, f.app)
			change(req)
			return requestXML(t, req)
		}
	}
	logoutRequest := func(t *testing.T) []byte {
		req, err := sp.MakeLogoutRequest(f.app.SSOURL, "ada@acme.test")
		require.NoError(t, err)
		doc := etree.NewDocument()
		doc.SetRoot(req.Element())
		buf, err := doc.WriteToBytes()
		require.NoError(t, err)
		return buf
	}

	const (
		acsMsg     = "not the app's configured Single sign-on URL"
		issuerMsg  = "Issuer of the app's sign-in request is not the app's Audience URI"
		unreadable = "could not be read"
		expiredMsg = "has expired"
		destMsg    = "Destination of the app's sign-in request"
		missingMsg = "missing a required part"
		futureMsg  = "dated in the future"
	)
	tests := []struct {
		name     string
		binding  string
		doc      func(t *testing.T) []byte // the AuthnRequest document
		rawQuery string                    // instead of doc, for HTTP-Redirect garbage
		rawForm  url.Values                // instead of doc, for HTTP-POST garbage
		want     string                    // on the page
	}{
		{name: "another ACS URL", doc: xmlOf(func(r *saml.AuthnRequest) { r.AssertionConsumerServiceURL = "https://evil.test/acs" }), want: acsMsg},
		{name: "another ACS index", doc: xmlOf(func(r *saml.AuthnRequest) {
			r.AssertionConsumerServiceURL, r.ProtocolBinding, r.AssertionConsumerServiceIndex = "", "", "1"
		}), want: acsMsg},
		{name: "another ACS index with the right URL", doc: xmlOf(func(r *saml.AuthnRequest) { r.AssertionConsumerServiceIndex = "1" }), want: acsMsg},
		{name: "index 0 with another URL", doc: xmlOf(func(r *saml.AuthnRequest) {
			r.AssertionConsumerServiceIndex, r.AssertionConsumerServiceURL = "0", "https://evil.test/acs"
		}), want: acsMsg},
		{name: "Issuer is not the app's audience", doc: xmlOf(func(r *saml.AuthnRequest) { r.Issuer.Value = "https://other.example" }), want: issuerMsg},
		{name: "no Issuer", doc: xmlOf(func(r *saml.AuthnRequest) { r.Issuer = nil }), want: missingMsg},
		{name: "Destination is another URL", doc: xmlOf(func(r *saml.AuthnRequest) { r.Destination = "https://other.okta.test/sso" }), want: destMsg},
		{name: "issued 10 minutes ago", doc: xmlOf(func(r *saml.AuthnRequest) { r.IssueInstant = t0.Add(-10 * time.Minute) }), want: expiredMsg},
		{name: "issued in an hour", doc: xmlOf(func(r *saml.AuthnRequest) { r.IssueInstant = t0.Add(time.Hour) }), want: futureMsg},
		{name: "not XML", doc: func(*testing.T) []byte { return []byte("not xml at all") }, want: unreadable},
		{name: "not an AuthnRequest", doc: logoutRequest, want: unreadable},
		{name: "empty document", doc: func(*testing.T) []byte { return nil }, want: unreadable},
		{name: "bad base64", binding: redirectBinding, rawQuery: "SAMLRequest=%21%21%21not-base64", want: unreadable},
		{name: "base64 but not deflate", binding: redirectBinding, rawQuery: "SAMLRequest=" + url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("plain text, never deflated"))), want: unreadable},
		{name: "broken query escaping", binding: redirectBinding, rawQuery: "SAMLRequest=%%%", want: unreadable},
		{name: "empty SAMLRequest", binding: redirectBinding, rawQuery: "SAMLRequest=", want: unreadable},
		{name: "POST bad base64", binding: postBinding, rawForm: url.Values{"SAMLRequest": {"!!!"}}, want: unreadable},
		{name: "POST without SAMLRequest", binding: postBinding, rawForm: url.Values{"RelayState": {"x"}}, want: unreadable},
		{name: "POST too large", binding: postBinding, rawForm: url.Values{"SAMLRequest": {strings.Repeat("A", 300<<10)}}, want: unreadable},
	}
	for _, tt := range tests {
		bindings := []string{redirectBinding, postBinding}
		if tt.binding != "" {
			bindings = []string{tt.binding}
		}
		for _, binding := range bindings {
			for _, signedIn := range []bool{true, false} {
				name := tt.name + "/" + binding
				if !signedIn {
					name += "/signed out"
				}
				t.Run(name, func(t *testing.T) {
					b := e.browser()
					if signedIn {
						b.signIn("ada@acme.test", adaPW)
					}
					var p page
					switch {
					case tt.rawQuery != "":
						p = b.get(f.app.SSOURL + "?" + tt.rawQuery)
					case tt.rawForm != nil:
						p = b.post(f.app.SSOURL, tt.rawForm)
					default:
						p = b.send(f.app, binding, tt.doc(t), "relay")
					}
					assert.Equal(t, http.StatusBadRequest, p.status, "a readable 400, never a 500 or a sign-in page")
					assert.Contains(t, p.header.Get("Content-Type"), "text/html")
					assert.NotEqual(t, "/login/login.htm", p.url.Path, "refused before anyone signs in")
					assert.Contains(t, p.body, "400 - Bad request")
					assert.Contains(t, p.errorMessage(), tt.want)
					assert.NotContains(t, p.body, "SAMLResponse")
					assert.NotContains(t, p.body, "evil.test", "the page does not echo the request")
				})
			}
		}
	}
}

func TestSPInitiatedNotAssigned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)
	const refusal = "Sorry, you can't access Reference SP because you are not assigned this app in Okta."

	for _, binding := range []string{redirectBinding, postBinding} {
		t.Run(binding+" signed in", func(t *testing.T) {
			b := e.browser()
			b.signIn("bob@acme.test", bobPW)
			p := b.send(f.app, binding, requestXML(t, e.authnRequest(sp, f.app)), "r")
			assert.Equal(t, http.StatusForbidden, p.status)
			assert.Contains(t, p.body, refusal)
			assert.NotContains(t, p.body, "SAMLResponse")
		})
		t.Run(binding+" signed out", func(t *testing.T) {
			b := e.browser()
			p := b.send(f.app, binding, requestXML(t, e.authnRequest(sp, f.app)), "r")
			require.Equal(t, "/login/login.htm", p.url.Path)
			p = b.submit(p, url.Values{"username": {"bob@acme.test"}, "password": {bobPW}})
			assert.Equal(t, http.StatusForbidden, p.status)
			assert.Contains(t, p.body, refusal)
			assert.NotContains(t, p.body, "SAMLResponse")
		})
	}
}

func TestSignedOutRequestWaitsForSignIn(t *testing.T) {
	t.Parallel()

	t.Run("a slow sign-in is answered, dated when answered", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, t0)
		f := e.fixture()
		sp := e.newSP(f.app)
		b := e.browser()
		req := e.authnRequest(sp, f.app)
		p := b.send(f.app, postBinding, requestXML(t, req), "slow")
		require.Equal(t, "/login/login.htm", p.url.Path)

		// Five minutes typing the password: far longer than the minute and
		// a half crewjam (like most IdPs) accepts a request for.
		later := t0.Add(5 * time.Minute)
		e.srv.SetTime(later)
		p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
		sp.Clock = dsig.NewFakeClockAt(later)
		assertAnswers(t, e, sp, f.app, p, req, "slow")
		assert.Equal(t, samlTime(later), parseXML(t, p.samlResponse(t)).SelectAttrValue("IssueInstant", ""))
	})

	t.Run("the state token is used once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, t0)
		f := e.fixture()
		sp := e.newSP(f.app)
		b := e.browser()
		p := b.send(f.app, redirectBinding, requestXML(t, e.authnRequest(sp, f.app)), "")
		resume := p.inputs()["fromURI"]
		p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
		require.Equal(t, http.StatusOK, p.status)
		p.samlResponse(t)

		p = b.get(resume)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.errorMessage(), "expired or was already used")
		assert.NotContains(t, p.body, "SAMLResponse")
	})

	t.Run("a request left waiting expires", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, t0)
		f := e.fixture()
		sp := e.newSP(f.app)
		b := e.browser()
		p := b.send(f.app, redirectBinding, requestXML(t, e.authnRequest(sp, f.app)), "")
		e.srv.SetTime(t0.Add(samlidp.PendingLifetime + time.Second))
		p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.errorMessage(), "expired or was already used")
	})

	t.Run("a state token is for its own app", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, t0)
		f := e.fixture()
		other, err := e.srv.CreateCatalogApp(context.Background(), idpsim.CatalogAppInput{SPBaseURL: "http://sp2.test", IntegrationID: "two"})
		require.NoError(t, err)
		require.NoError(t, e.srv.Assign(context.Background(), other.ID, f.ada.ID))
		sp := e.newSP(f.app)
		b := e.browser()
		p := b.send(f.app, redirectBinding, requestXML(t, e.authnRequest(sp, f.app)), "")
		resume, err := url.Parse(p.inputs()["fromURI"])
		require.NoError(t, err)
		b.signIn("ada@acme.test", adaPW)
		p = b.get(other.SSOURL + "?" + resume.RawQuery)
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.NotContains(t, p.body, "SAMLResponse")
	})

	t.Run("an unknown state token", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, t0)
		f := e.fixture()
		p := e.browser().get(f.app.SSOURL + "?stateToken=nope")
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.errorMessage(), "expired or was already used")
	})
}

func TestSessionAtFakeOkta(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)

	b := e.browser()
	b.signIn("ada@acme.test", adaPW)
	for i := range 2 {
		req := e.authnRequest(sp, f.app)
		p := b.send(f.app, redirectBinding, requestXML(t, req), "")
		assert.NotEqual(t, "/login/login.htm", p.url.Path, "sign-in %d: not asked again", i+1)
		assertAnswers(t, e, sp, f.app, p, req, "")
	}

	p := b.get("/login/signout")
	require.Equal(t, "/login/login.htm", p.url.Path)
	req := e.authnRequest(sp, f.app)
	p = b.send(f.app, redirectBinding, requestXML(t, req), "")
	require.Equal(t, "/login/login.htm", p.url.Path, "signed out: asked again")
	assert.NotContains(t, p.body, "SAMLResponse")
	p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
	assertAnswers(t, e, sp, f.app, p, req, "")
}

func TestForceAuthn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)
	forced := func() *saml.AuthnRequest {
		req := e.authnRequest(sp, f.app)
		yes := true
		req.ForceAuthn = &yes
		return req
	}

	for _, binding := range []string{redirectBinding, postBinding} {
		t.Run(binding, func(t *testing.T) {
			b := e.browser()
			b.signIn("ada@acme.test", adaPW)

			req := forced()
			p := b.send(f.app, binding, requestXML(t, req), "force")
			require.Equal(t, http.StatusOK, p.status)
			require.Equal(t, "/login/login.htm", p.url.Path, "signed in, but asked to sign in again")
			assert.Equal(t, "ada@acme.test", p.inputs()["username"], "for the same user")
			assert.NotContains(t, p.body, "SAMLResponse")

			// Coming back without signing in does not count.
			resume := p.inputs()["fromURI"]
			p = b.get(resume)
			require.Equal(t, "/login/login.htm", p.url.Path)
			assert.NotContains(t, p.body, "SAMLResponse")

			// Signing in again does.
			p = b.submit(p, url.Values{"password": {adaPW}})
			assertAnswers(t, e, sp, f.app, p, req, "force")

			// Without ForceAuthn the session is enough again.
			req = e.authnRequest(sp, f.app)
			p = b.send(f.app, binding, requestXML(t, req), "")
			assertAnswers(t, e, sp, f.app, p, req, "")
		})
	}

	t.Run("AuthnInstant is the new sign-in", func(t *testing.T) {
		e := newEnv(t, t0)
		f := e.fixture()
		sp := e.newSP(f.app)
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		later := t0.Add(time.Minute)
		e.srv.SetTime(later)
		req := e.authnRequest(sp, f.app)
		yes := true
		req.ForceAuthn = &yes
		p := b.send(f.app, redirectBinding, requestXML(t, req), "")
		p = b.submit(p, url.Values{"password": {adaPW}})
		require.Equal(t, http.StatusOK, p.status, p.body)
		authn := parseXML(t, p.samlResponse(t)).FindElement("./Assertion/AuthnStatement")
		assert.Equal(t, samlTime(later), authn.SelectAttrValue("AuthnInstant", ""))
	})

	t.Run("signed out, one sign-in is enough", func(t *testing.T) {
		b := e.browser()
		req := forced()
		p := b.send(f.app, redirectBinding, requestXML(t, req), "")
		require.Equal(t, "/login/login.htm", p.url.Path)
		p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
		assertAnswers(t, e, sp, f.app, p, req, "")
	})
}

func TestIsPassive(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)
	passive := func() *saml.AuthnRequest {
		req := e.authnRequest(sp, f.app)
		yes := true
		req.IsPassive = &yes
		return req
	}

	t.Run("signed out: NoPassive, no sign-in page", func(t *testing.T) {
		req := passive()
		p := e.browser().send(f.app, redirectBinding, requestXML(t, req), "p")
		require.Equal(t, http.StatusOK, p.status)
		assert.NotEqual(t, "/login/login.htm", p.url.Path)
		assert.Equal(t, f.app.ACSURL, p.formAction())
		assert.Equal(t, "p", p.inputs()["RelayState"])
		resp := parseXML(t, p.samlResponse(t))
		assert.Equal(t, req.ID, resp.SelectAttrValue("InResponseTo", ""))
		assert.Nil(t, resp.SelectElement("Assertion"))
		code := resp.FindElement("./Status/StatusCode")
		require.NotNil(t, code)
		assert.Equal(t, saml.StatusResponder, code.SelectAttrValue("Value", ""))
		assert.Equal(t, saml.StatusNoPassive, code.FindElement("./StatusCode").SelectAttrValue("Value", ""))
	})

	t.Run("signed in: answered", func(t *testing.T) {
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		req := passive()
		assertAnswers(t, e, sp, f.app, b.send(f.app, redirectBinding, requestXML(t, req), ""), req, "")
	})
}
