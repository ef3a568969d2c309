package sp_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
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

func TestIdPInitiatedSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	res := f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {f.response(t, "ada@acme.test")}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	assert.Equal(t, "/", res.Header.Get("Location"))
	c := sessionCookie(res)
	require.NotNil(t, c)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure, "https base URL")
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)

	home := f.do(t, http.MethodGet, "/", nil, c)
	assert.Contains(t, body(t, home), "Signed in as <strong>ada@acme.test</strong> — <strong>Acme</strong>")
}

func TestIdPInitiatedSignInNameIDCaseAndEmailAttribute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*saml.Assertion)
	}{
		{"NameID in another case", func(a *saml.Assertion) { a.Subject.NameID.Value = "Ada@ACME.test" }},
		{"NameID not an email, email attribute", func(a *saml.Assertion) {
			a.Subject.NameID = &saml.NameID{Format: string(saml.PersistentNameIDFormat), Value: "00u1234567890abcdef"}
			a.AttributeStatements = []saml.AttributeStatement{{Attributes: []saml.Attribute{{
				Name: "email", NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
				Values: []saml.AttributeValue{{Type: "xs:string", Value: "ada@acme.test"}},
			}}}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			resp := f.idp.Response(t, f.sp(), testidp.Response{Email: "ada@acme.test", Now: t0, Modify: tt.modify})
			res := f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {resp}})
			require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
			require.NotNil(t, sessionCookie(res))
		})
	}
}

func TestIdPInitiatedSignInWithoutConfiguredEntityID(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{noEntity: true})
	res := f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {f.response(t, "grace@acme.test")}})
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	require.NotNil(t, sessionCookie(res))

	// The certificate still decides.
	other := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	resp := f.idp.Response(t, f.sp(), testidp.Response{Email: "grace@acme.test", Now: t0, SignWith: &other})
	f.logs.buf.Reset()
	f.assertRefused(t, f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {resp}}), http.StatusForbidden, ssosaml.ReasonUntrustedCert, f.integ.ID)
}

// SSO-05: until the Connect round trip succeeds, an integration takes no
// ordinary sign-in, IdP- or SP-initiated; disabled ones neither.
func TestPendingOrDisabledIntegrationRefusesSignIn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status store.IntegrationStatus
		reason ssosaml.Reason
	}{
		{"pending", store.StatusPending, ssosaml.ReasonNotConnected},
		{"disabled", store.StatusDisabled, ssosaml.ReasonDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{pending: true})
			_, err := f.srv.SetIntegrationStatus(context.Background(), f.integ.ID, tt.status)
			require.NoError(t, err)

			res := f.postACS(t, f.integ.ID, form(f.response(t, "ada@acme.test")))
			f.assertRefused(t, res, http.StatusForbidden, tt.reason, f.integ.ID)

			f.logs.buf.Reset()
			res = f.do(t, http.MethodGet, "/users/sign-in/sso/okta/"+f.integ.ID, nil)
			f.assertRefused(t, res, http.StatusForbidden, tt.reason, f.integ.ID)

			in, err := f.st.GetIntegration(context.Background(), f.integ.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.status, in.Status, "unchanged")
		})
	}
}

// The attacks of SSO-10: every one is refused with the plain page, a 4xx, no
// session and one log line with the reason.
func TestACSRefusals(t *testing.T) {
	t.Parallel()
	const ada = "ada@acme.test"
	type setup struct {
		f  *fixture
		id string // integration the response is posted to
	}
	tests := []struct {
		name    string
		opts    fixtureOptions
		prepare func(t *testing.T, s *setup) url.Values
		status  int
		reason  ssosaml.Reason
	}{
		{
			name: "unsigned response",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, Unsigned: true}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonSignature,
		},
		{
			name: "signed by another key",
			prepare: func(t *testing.T, s *setup) url.Values {
				other := testidp.NewCert(t, testidp.CertOptions{Now: t0})
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, SignWith: &other}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonUntrustedCert,
		},
		{
			name: "another IdP with its own certificate",
			prepare: func(t *testing.T, s *setup) url.Values {
				evil := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://evil.test")
				return form(evil.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonUntrustedCert,
		},
		{
			name: "tampered NameID after signing",
			prepare: func(t *testing.T, s *setup) url.Values {
				xml := string(s.f.idp.ResponseXML(t, s.f.sp(), testidp.Response{Email: ada, Now: t0}))
				require.Contains(t, xml, ">ada@acme.test<")
				xml = strings.ReplaceAll(xml, ">ada@acme.test<", ">admin@acme.test<")
				return form(base64.StdEncoding.EncodeToString([]byte(xml)))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonSignature,
		},
		{
			name: "wrong audience",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, Modify: func(a *saml.Assertion) {
					a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: "https://other-sp.example/saml"}}}
				}}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonAudience,
		},
		{
			name: "audience of another integration",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, Modify: func(a *saml.Assertion) {
					a.Conditions.AudienceRestrictions = []saml.AudienceRestriction{{Audience: saml.Audience{Value: baseURL + "/sso/okta/someotherintegration"}}}
				}}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonAudience,
		},
		{
			name: "wrong destination",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, Destination: "https://evil.test/acs"}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonDestination,
		},
		{
			name: "wrong recipient",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, Modify: func(a *saml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://evil.test/acs"
				}}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonDestination,
		},
		{
			name: "response for another integration's ACS",
			prepare: func(t *testing.T, s *setup) url.Values {
				other := testidp.SP{EntityID: s.f.urls.EntityID, ACS: baseURL + "/sso/okta/someotherintegration/acs"}
				return form(s.f.idp.Response(t, other, testidp.Response{Email: ada, Now: t0}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonDestination,
		},
		{
			name: "expired (clock advanced)",
			prepare: func(t *testing.T, s *setup) url.Values {
				resp := s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0})
				s.f.clock.Set(t0.Add(10 * time.Minute))
				return form(resp)
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonExpired,
		},
		{
			name: "expired beyond our skew but within crewjam's",
			prepare: func(t *testing.T, s *setup) url.Values {
				issued := t0.Add(-80 * time.Second)
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: issued, Modify: func(a *saml.Assertion) {
					a.Conditions.NotOnOrAfter = t0.Add(-70 * time.Second)
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = t0.Add(-70 * time.Second)
				}}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonExpired,
		},
		{
			name: "not yet valid (IdP clock ahead)",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0.Add(10 * time.Minute)}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNotYetValid,
		},
		{
			name: "not yet valid beyond our skew but within crewjam's",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0.Add(2 * time.Minute)}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNotYetValid,
		},
		{
			name: "NotBefore in the future",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, Modify: func(a *saml.Assertion) {
					a.Conditions.NotBefore = t0.Add(5 * time.Minute)
				}}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNotYetValid,
		},
		{
			name: "IdP certificate expired",
			prepare: func(t *testing.T, s *setup) url.Values {
				later := s.f.idp.Cert.Cert.NotAfter.Add(time.Hour)
				s.f.clock.Set(later)
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: later}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonCertNotValid,
		},
		{
			name: "wrong issuer",
			prepare: func(t *testing.T, s *setup) url.Values {
				impostor := *s.f.idp
				impostor.EntityID = "http://www.okta.com/exkimpostor"
				return form(impostor.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonIssuer,
		},
		{
			name: "answers a request this SP never made",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: ada, Now: t0, InResponseTo: "id-never-sent"}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonRequestID,
		},
		{
			name: "unknown integration",
			prepare: func(t *testing.T, s *setup) url.Values {
				s.id = "doesnotexist0000000000000a"
				return form(s.f.response(t, ada))
			},
			status: http.StatusNotFound, reason: ssosaml.ReasonUnknownIntegration,
		},
		{
			name: "integration not configured",
			opts: fixtureOptions{noConfig: true},
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.response(t, ada))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNotConfigured,
		},
		{
			name: "integration disabled",
			prepare: func(t *testing.T, s *setup) url.Values {
				_, err := s.f.srv.SetIntegrationStatus(context.Background(), s.f.integ.ID, store.StatusDisabled)
				require.NoError(t, err)
				return form(s.f.response(t, ada))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonDisabled,
		},
		{
			name: "user of another organization",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.response(t, "bob@globex.test"))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNotMember,
		},
		{
			name: "unknown user (no JIT yet)",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.response(t, "zed@acme.test"))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNotMember,
		},
		{
			name: "no email in the assertion",
			prepare: func(t *testing.T, s *setup) url.Values {
				return form(s.f.idp.Response(t, s.f.sp(), testidp.Response{Email: "", Now: t0, Modify: func(a *saml.Assertion) {
					a.Subject.NameID = &saml.NameID{Format: string(saml.PersistentNameIDFormat), Value: "00u1234567890abcdef"}
					a.AttributeStatements = nil
				}}))
			},
			status: http.StatusForbidden, reason: ssosaml.ReasonNoEmail,
		},
		{
			name:    "bad base64",
			prepare: func(*testing.T, *setup) url.Values { return form("!!!not base64!!!") },
			status:  http.StatusBadRequest, reason: ssosaml.ReasonMalformed,
		},
		{
			name: "not XML",
			prepare: func(*testing.T, *setup) url.Values {
				return form(base64.StdEncoding.EncodeToString([]byte("hello, world")))
			},
			status: http.StatusBadRequest, reason: ssosaml.ReasonMalformed,
		},
		{
			name: "XML but not SAML",
			prepare: func(*testing.T, *setup) url.Values {
				return form(base64.StdEncoding.EncodeToString([]byte(`<?xml version="1.0"?><html><body>hi</body></html>`)))
			},
			status: http.StatusBadRequest, reason: ssosaml.ReasonMalformed,
		},
		{
			name:    "no SAMLResponse",
			prepare: func(*testing.T, *setup) url.Values { return url.Values{"RelayState": {"/"}} },
			status:  http.StatusBadRequest, reason: ssosaml.ReasonMalformed,
		},
		{
			name: "artifact binding",
			prepare: func(*testing.T, *setup) url.Values {
				return url.Values{"SAMLart": {"AAQAAMFbLinlXaCM+FIxiDwGOLAy2T71gbpO7ZhNzAgEANlB90ECfpNEVLg="}}
			},
			status: http.StatusBadRequest, reason: ssosaml.ReasonMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &setup{f: newFixture(t, tt.opts)}
			s.id = s.f.integ.ID
			values := tt.prepare(t, s)
			res := s.f.postACS(t, s.id, values)
			s.f.assertRefused(t, res, tt.status, tt.reason, s.id)

			_, err := s.f.st.GetUserByEmail(context.Background(), "zed@acme.test")
			assert.ErrorIs(t, err, store.ErrNotFound, "nothing created")
		})
	}
}

// NotBefore/NotOnOrAfter are enforced with the configured clock skew (SSO-10):
// inside it a response is accepted, past it refused.
func TestACSClockSkewIsConfigurable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		skew   time.Duration
		modify func(*saml.Assertion)
		idpNow time.Time
		reason ssosaml.Reason // "" means accepted
	}{
		{"default skew: expired 30 s ago", 0, expiredAgo(30 * time.Second), t0.Add(-time.Minute), ""},
		{"default skew: expired 90 s ago", 0, expiredAgo(90 * time.Second), t0.Add(-time.Minute), ssosaml.ReasonExpired},
		{"10 s skew: expired 5 s ago", 10 * time.Second, expiredAgo(5 * time.Second), t0.Add(-time.Minute), ""},
		{"10 s skew: expired 30 s ago", 10 * time.Second, expiredAgo(30 * time.Second), t0.Add(-time.Minute), ssosaml.ReasonExpired},
		{"10 s skew: IdP clock 5 s ahead", 10 * time.Second, nil, t0.Add(5 * time.Second), ""},
		{"10 s skew: IdP clock 30 s ahead", 10 * time.Second, nil, t0.Add(30 * time.Second), ssosaml.ReasonNotYetValid},
		{"10 s skew: NotBefore 30 s ahead", 10 * time.Second, func(a *saml.Assertion) { a.Conditions.NotBefore = t0.Add(30 * time.Second) }, t0, ssosaml.ReasonNotYetValid},
		{"3 min skew: IdP clock 2 min ahead", 3 * time.Minute, nil, t0.Add(2 * time.Minute), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{skew: tt.skew})
			res := f.postACS(t, f.integ.ID, form(f.idp.Response(t, f.sp(), testidp.Response{Email: "ada@acme.test", Now: tt.idpNow, Modify: tt.modify})))
			if tt.reason == "" {
				assert.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
				return
			}
			f.assertRefused(t, res, http.StatusForbidden, tt.reason, f.integ.ID)
		})
	}
}

// expiredAgo makes the assertion's NotOnOrAfter (Conditions and bearer
// confirmation) d before the SP's now.
func expiredAgo(d time.Duration) func(*saml.Assertion) {
	return func(a *saml.Assertion) {
		a.Conditions.NotOnOrAfter = t0.Add(-d)
		a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = t0.Add(-d)
	}
}

func TestACSRefusesReplay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	resp := f.response(t, "ada@acme.test")
	first := f.postACS(t, f.integ.ID, form(resp))
	require.Equal(t, http.StatusSeeOther, first.StatusCode, body(t, first))
	require.NotNil(t, sessionCookie(first))

	f.clock.Set(t0.Add(30 * time.Second)) // still within the validity window
	second := f.postACS(t, f.integ.ID, form(resp))
	f.assertRefused(t, second, http.StatusForbidden, ssosaml.ReasonReplay, f.integ.ID)
}

// A replay cache entry survives a second SP on the same store (replicas).
func TestACSRefusesReplayAcrossServersSharingAStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	resp := f.response(t, "ada@acme.test")
	require.Equal(t, http.StatusSeeOther, f.postACS(t, f.integ.ID, form(resp)).StatusCode)

	g := *f
	g.logs = &logBuffer{}
	srv2, err := newServerOn(f.st, f.clock, g.logs)
	require.NoError(t, err)
	g.srv = srv2
	g.assertRefused(t, g.postACS(t, f.integ.ID, form(resp)), http.StatusForbidden, ssosaml.ReasonReplay, f.integ.ID)
}

func TestACSRelayState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		relayState, location string
	}{
		{"", "/"},
		{"/settings/sso", "/settings/sso"},
		{"/teams?tab=members#top", "/teams?tab=members#top"},
		{"//evil.test", "/"},
		{"//evil.test/path", "/"},
		{"https://evil.test", "/"},
		{"http://evil.test/", "/"},
		{`/\evil.test`, "/"},
		{`\\evil.test`, "/"},
		{"javascript:alert(1)", "/"},
		{"evil.test", "/"},
		{"/ok\r\nSet-Cookie: x=y", "/"},
		// Escaped, so it stays a path; http.Redirect cleans the double slash.
		{"/%0d%0aLocation:%20https://evil.test", "/%0d%0aLocation:%20https:/evil.test"},
	}
	for _, tt := range tests {
		t.Run(tt.relayState, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			res := f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {f.response(t, "ada@acme.test")}, "RelayState": {tt.relayState}})
			require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
			assert.Equal(t, tt.location, res.Header.Get("Location"))
			assert.NotNil(t, sessionCookie(res))
		})
	}
}

// Garbage of every shape gets a 4xx, never a 500 or a panic.
func TestACSNeverFailsOnGarbage(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	valid := f.idp.ResponseXML(t, f.sp(), testidp.Response{Email: "ada@acme.test", Now: t0})
	inputs := []string{
		"", " ", "=", "%", "PD94", strings.Repeat("A", 4096),
		base64.StdEncoding.EncodeToString([]byte("<")),
		base64.StdEncoding.EncodeToString([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`)),
		base64.StdEncoding.EncodeToString([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>`)),
		base64.StdEncoding.EncodeToString(valid[:len(valid)/2]),
		base64.StdEncoding.EncodeToString(valid[1:]),
		base64.StdEncoding.EncodeToString(append([]byte("<x>"), valid...)),
	}
	for i, in := range inputs {
		res := f.postACS(t, f.integ.ID, url.Values{"SAMLResponse": {in}})
		assert.GreaterOrEqual(t, res.StatusCode, 400, "input %d", i)
		assert.Less(t, res.StatusCode, 500, "input %d", i)
		assert.Nil(t, sessionCookie(res))
	}
	// An artifact in the query string is not resolved either.
	req := httptestRequest(http.MethodPost, "/sso/okta/"+f.integ.ID+"/acs?SAMLart=AAQAAMFbLinlXaCM", "")
	assert.Equal(t, http.StatusBadRequest, serve(f, req).StatusCode)
	// A body that is not a form at all, and one too large.
	for _, raw := range []string{"%zz", "SAMLResponse=" + strings.Repeat("A", ssosaml.MaxResponseSize+10)} {
		req := httptestRequest(http.MethodPost, "/sso/okta/"+f.integ.ID+"/acs", raw)
		rec := serve(f, req)
		assert.Equal(t, http.StatusBadRequest, rec.StatusCode)
	}
}

func form(samlResponse string) url.Values { return url.Values{"SAMLResponse": {samlResponse}} }

// Two replicas receiving the same response at once: exactly one signs in.
func TestACSConcurrentReplayOneWinner(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	srv2, err := newServerOn(f.st, f.clock, &logBuffer{})
	require.NoError(t, err)
	resp := f.response(t, "ada@acme.test")
	const n = 8
	codes := make(chan int, n)
	for i := range n {
		go func() {
			req := httptestRequest(http.MethodPost, "/sso/okta/"+f.integ.ID+"/acs", form(resp).Encode())
			rec := httptest.NewRecorder()
			if i%2 == 0 {
				f.srv.ServeHTTP(rec, req)
			} else {
				srv2.ServeHTTP(rec, req)
			}
			codes <- rec.Code
		}()
	}
	wins := 0
	for range n {
		switch c := <-codes; c {
		case http.StatusSeeOther:
			wins++
		default:
			assert.Equal(t, http.StatusForbidden, c)
		}
	}
	assert.Equal(t, 1, wins)
}
