// Package samlidp is the SAML side of the fake Okta: for one app, Okta's
// IdP metadata, the SSO URL (SP-initiated sign-in) and the IdP-initiated
// launch, issuing responses shaped like Okta's.
//
// Each app gets its own crewjam saml.IdentityProvider, built from the app's
// key and certificate, with the clock injected through its Clock field
// (crewjam's package-level clock is never touched, so servers with
// different clocks can run side by side). crewjam parses and validates
// AuthnRequests and drives the flow; the hooks it offers produce what Okta
// would send:
//
//   - the AssertionMaker builds Okta's assertion: NameID and attributes
//     from the app's settings, NotBefore and NotOnOrAfter five minutes
//     either side of IssueInstant, no SessionNotOnOrAfter, no address;
//   - the ResponseWriter renders it with Okta's saml2p:/saml2: prefixes and
//     namespace declarations, signs the Assertion and the Response as the
//     app's toggles say (RSA-SHA256, SHA-256 digest, exclusive C14N with
//     InclusiveNamespaces PrefixList="xs", Signature after Issuer), and
//     posts it with an auto-submitting form;
//   - the metadata is rendered here in Okta's shape, since the entity ID
//     (http://www.okta.com/{exk}) is not the metadata URL, which crewjam's
//     own metadata assumes.
//
// SP-initiated requests are served as Okta serves them: the response goes
// to the app's configured ACS URL only (a request naming another one is
// refused), answers the request (InResponseTo, SessionIndex), and carries
// its RelayState back unchanged. A request whose user must sign in first
// waits in PendingRequests and is resumed by a state token; ForceAuthn
// makes a signed-in user sign in again, IsPassive gets NoPassive instead
// of a sign-in page.
//
// Faults (see Fault) make the responses wrong on purpose, one aspect at a
// time, through the Hooks the server passes in; the same Hooks record each
// response sent.
//
// Who is signed in, and whether they may use the app, is decided by the
// caller's Authenticator.
package samlidp

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// Principal is a signed-in user.
type Principal struct {
	User      directory.User
	SessionID string
	AuthnAt   time.Time // when the user typed their password
}

// Authenticator is the org's side of a sign-in: who is signed in, the
// sign-in page, and who may use which app.
type Authenticator interface {
	// Current returns the browser's signed-in user, whatever their status,
	// if the browser is signed in.
	Current(r *http.Request) (Principal, bool)
	// SignIn answers r by sending the browser to the sign-in page, which
	// comes back to resumeURI, an org-relative URI. With again, the page
	// asks for the password even though the browser is signed in (a
	// ForceAuthn request).
	SignIn(w http.ResponseWriter, r *http.Request, resumeURI string, again bool)
	// Authorize reports whether p may use app. If not, it writes the
	// refusal page (Okta's 403), and the app gets no assertion.
	Authorize(w http.ResponseWriter, r *http.Request, app directory.App, p Principal) bool
}

// Config configures an IdP.
type Config struct {
	BaseURL string        // the org base URL, without a trailing slash
	App     directory.App // the app, with its key and certificate
	Auth    Authenticator
	// Clock is the time source; nil means time.Now.
	Clock  func() time.Time
	Logger *slog.Logger
	// OnError writes the page for a request that cannot be served (a bad
	// AuthnRequest, an internal error). status is the HTTP status; err the
	// reason, which matches crewjam's error values (saml.ErrMalformedMessage,
	// saml.ErrUnknownServiceProvider…) or ErrStateTokenExpired with
	// errors.Is. Nil means a plain text error.
	OnError func(w http.ResponseWriter, r *http.Request, status int, err error)
	// Pending keeps SP-initiated requests while their user signs in. IdPs
	// are built per request, so the server passes the one it keeps; nil
	// means one of this IdP's own.
	Pending *PendingRequests
	// Hooks, if set, fault the responses on purpose and record them.
	Hooks Hooks
}

// ErrStateTokenExpired is the error of a sign-in that comes back with a
// state token that is unknown, expired, already answered or another app's.
var ErrStateTokenExpired = errors.New("samlidp: the sign-in request has expired or was already answered")

// maxRequestBytes bounds an HTTP-POST AuthnRequest form. Requests are a few
// kilobytes; the bound keeps a huge body from being read into memory.
const maxRequestBytes = 256 << 10

// IdP is the SAML identity provider of one app.
type IdP struct {
	cfg     Config
	app     directory.App
	signer  *signer
	idp     *saml.IdentityProvider
	spMeta  *saml.EntityDescriptor
	pending *PendingRequests
	log     *slog.Logger

	key      *rsa.PrivateKey
	cert     *x509.Certificate
	ssoURL   url.URL
	entityID url.URL
}

// New builds the IdP of cfg.App.
func New(cfg Config) (*IdP, error) {
	if cfg.Auth == nil {
		return nil, errors.New("samlidp: Config.Auth is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	app := cfg.App
	key, cert, err := ParseCredential(app.PrivateKeyPEM, app.CertificatePEM)
	if err != nil {
		return nil, fmt.Errorf("samlidp: app %s: %w", app.ID, err)
	}
	sg, err := newSigner(key, cert.Raw, app.SignOn.SignatureAlgorithm)
	if err != nil {
		return nil, err
	}
	ssoURL, err := url.Parse(SSOURL(cfg.BaseURL, app.Name, app.KeyID))
	if err != nil {
		return nil, fmt.Errorf("samlidp: SSO URL: %w", err)
	}
	// crewjam uses MetadataURL as the IdP entity ID (the Issuer of what it
	// sends), so it is set to Okta's entity ID; the real metadata URLs are
	// served by ServeMetadata.
	entityID, err := url.Parse(EntityID(app.KeyID))
	if err != nil {
		return nil, fmt.Errorf("samlidp: entity ID: %w", err)
	}
	p := &IdP{
		cfg: cfg, app: app, signer: sg, pending: cfg.Pending, log: cfg.Logger.With("app", app.ID),
		key: key, cert: cert, ssoURL: *ssoURL, entityID: *entityID,
	}
	if p.pending == nil {
		p.pending = NewPendingRequests(cfg.Clock)
	}
	isDefault := true
	p.spMeta = &saml.EntityDescriptor{
		EntityID: app.Audience(),
		SPSSODescriptors: []saml.SPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: nsProtocol,
			}},
			AssertionConsumerServices: []saml.IndexedEndpoint{{
				Binding: saml.HTTPPostBinding, Location: app.ACSURL(), Index: 0, IsDefault: &isDefault,
			}},
		}},
	}
	p.idp = p.identityProvider(cfg.Clock)
	return p, nil
}

// identityProvider builds the crewjam IdentityProvider of the app, whose
// clock is now: crewjam checks requests by it. Assertions and the
// Responses that carry them are dated by the IdP's own clock instead (see
// assertionMaker), so that a resumed request is checked as of when it
// arrived (see PendingRequests) but answered now.
func (p *IdP) identityProvider(now func() time.Time) *saml.IdentityProvider {
	sigMethod := algRSASHA256
	if p.app.SignOn.SignatureAlgorithm == directory.SignatureRSASHA1 {
		sigMethod = algRSASHA1
	}
	return &saml.IdentityProvider{
		Key:                     p.key,
		Certificate:             p.cert,
		Logger:                  slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
		MetadataURL:             p.entityID,
		SSOURL:                  p.ssoURL,
		ServiceProviderProvider: spProvider{p},
		SessionProvider:         sessionProvider{p},
		AssertionMaker:          assertionMaker{p},
		ResponseWriter:          responseWriter{p},
		ResponseFormTemplate:    postFormTemplate,
		SignatureMethod:         sigMethod,
		NameIDFormats:           nameIDFormats(metadataNameIDFormats(p.app)),
		Clock:                   dsig.NewFakeClock(funcClock{Clock: clockwork.NewRealClock(), now: now}),
		OnError:                 p.onError,
	}
}

// IdentityProvider returns the crewjam IdentityProvider behind the IdP.
func (p *IdP) IdentityProvider() *saml.IdentityProvider { return p.idp }

// Metadata returns the app's IdP metadata document.
func (p *IdP) Metadata() ([]byte, error) {
	return metadataDocument(EntityID(p.app.KeyID), p.idp.SSOURL.String(), p.idp.Certificate.Raw, metadataNameIDFormats(p.app))
}

// ServeMetadata serves the app's IdP metadata.
func (p *IdP) ServeMetadata(w http.ResponseWriter, r *http.Request) {
	buf, err := p.Metadata()
	if err != nil {
		p.onError(w, r, http.StatusInternalServerError, fmt.Errorf("metadata: %w", err))
		return
	}
	// application/xml, as Okta: browsers show the document instead of
	// downloading it, which is what people expect from the metadata link.
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(buf)
}

// ServeSSO serves the app's SSO URL. A request with a SAMLRequest (query
// string for HTTP-Redirect, form for HTTP-POST) is an SP-initiated sign-in;
// a GET with a state token resumes one after the sign-in page; a GET
// without either launches the app as the embed link does, with the
// RelayState query parameter if given, as Okta does.
func (p *IdP) ServeSSO(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodHead:
		headNotAllowed(w)
		return
	case http.MethodGet:
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			p.onError(w, r, http.StatusBadRequest, fmt.Errorf("%w: malformed query string: %w", saml.ErrMalformedMessage, err))
			return
		}
		if !q.Has("SAMLRequest") {
			if q.Has(StateTokenParam) {
				p.resume(w, r, q.Get(StateTokenParam))
				return
			}
			p.ServeLaunch(w, r, q.Get("RelayState"))
			return
		}
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	}
	p.serveRequest(w, r, p.idp, &flow{})
}

// flow is what GetSession needs to know about an SP-initiated request
// beyond crewjam's view of it. Its presence in the request context marks
// the request as SP-initiated.
type flow struct {
	token   string          // the state token of a resumed request
	pending *pendingRequest // the resumed request; nil when it just arrived
}

type flowKey struct{}

func (p *IdP) serveRequest(w http.ResponseWriter, r *http.Request, idp *saml.IdentityProvider, fl *flow) {
	idp.ServeSSO(w, r.WithContext(context.WithValue(r.Context(), flowKey{}, fl)))
}

// resume serves a request that waited for the user to sign in: the request
// as it arrived, checked as of when it arrived.
func (p *IdP) resume(w http.ResponseWriter, r *http.Request, token string) {
	pr, ok := p.pending.get(token)
	if !ok || pr.appID != p.app.ID {
		p.onError(w, r, http.StatusBadRequest, ErrStateTokenExpired)
		return
	}
	orig := r.Clone(r.Context())
	orig.Method = pr.method
	orig.Form, orig.PostForm = nil, nil
	if pr.method == http.MethodPost {
		body := pr.form.Encode()
		orig.URL.RawQuery = ""
		orig.Body = io.NopCloser(strings.NewReader(body))
		orig.ContentLength = int64(len(body))
		orig.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		orig.URL.RawQuery = pr.query
		orig.Body = http.NoBody
		orig.ContentLength = 0
	}
	received := pr.received
	p.serveRequest(w, orig, p.identityProvider(func() time.Time { return received }), &flow{token: token, pending: &pr})
}

// ServeLaunch starts an IdP-initiated sign-in to the app: an unsolicited
// Response posted to the app's ACS URL, with relayState, or the app's
// default RelayState when relayState is empty.
func (p *IdP) ServeLaunch(w http.ResponseWriter, r *http.Request, relayState string) {
	if r.Method == http.MethodHead {
		headNotAllowed(w)
		return
	}
	if relayState == "" {
		relayState = p.app.SignOn.DefaultRelayState
	}
	p.idp.ServeIDPInitiated(w, r, p.app.Audience(), relayState)
}

// headNotAllowed answers a HEAD request (which Go's router sends to GET
// handlers) without a sign-in: a link checker probing a launch URL must
// not make a response, which would use up a one-shot fault or change the
// response a test replays.
func headNotAllowed(w http.ResponseWriter) {
	w.Header().Set("Allow", "GET, POST")
	w.WriteHeader(http.StatusMethodNotAllowed)
}

func (p *IdP) onError(w http.ResponseWriter, r *http.Request, status int, err error) {
	if p.cfg.OnError != nil {
		p.cfg.OnError(w, r, status, err)
		return
	}
	p.log.Warn("saml request failed", "status", status, "err", err)
	http.Error(w, http.StatusText(status), status)
}

// spProvider knows one SP: the app's, by its audience.
type spProvider struct{ p *IdP }

func (s spProvider) GetServiceProvider(_ *http.Request, id string) (*saml.EntityDescriptor, error) {
	if id != s.p.spMeta.EntityID {
		return nil, os.ErrNotExist
	}
	return s.p.spMeta, nil
}

// checkRequest refuses what crewjam lets through but Okta does not: the
// response always goes to the app's configured ACS URL, so a request that
// names another one, by URL or by index, is refused rather than answered
// somewhere else. (crewjam accepts a request whose index matches even if
// its URL does not, and the reverse.)
func (p *IdP) checkRequest(req *saml.IdpAuthnRequest) error {
	acs := p.app.ACSURL()
	if u := req.Request.AssertionConsumerServiceURL; u != "" && u != acs {
		return fmt.Errorf("%w: the request asks for the response at %q, but the app's ACS URL is %q",
			saml.ErrUnknownAssertionConsumerService, u, acs)
	}
	if i := req.Request.AssertionConsumerServiceIndex; i != "" && i != "0" {
		return fmt.Errorf("%w: the request names AssertionConsumerServiceIndex %q, but the app has only its ACS URL (index 0)",
			saml.ErrUnknownAssertionConsumerService, i)
	}
	return nil
}

// sessionProvider decides, with the Authenticator, whether the request can
// be answered now, and turns the user into the crewjam Session the
// assertion is made from.
type sessionProvider struct{ p *IdP }

func (s sessionProvider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	p := s.p
	fl, spInitiated := r.Context().Value(flowKey{}).(*flow)
	if spInitiated {
		if err := p.checkRequest(req); err != nil {
			p.onError(w, r, http.StatusBadRequest, err)
			return nil
		}
	}
	cur, signedIn := p.cfg.Auth.Current(r)
	force := spInitiated && isTrue(req.Request.ForceAuthn)
	ready := signedIn
	if force && signedIn {
		// ForceAuthn: only a sign-in made after the request arrived
		// counts, that is a session other than the one it found. A request
		// that just arrived has not seen one yet.
		ready = fl.pending != nil && cur.SessionID != fl.pending.staleSession
	}
	if !ready {
		if spInitiated && isTrue(req.Request.IsPassive) {
			// IsPassive: the user may not be shown the sign-in page, so the
			// SP is told NoPassive (saml-core §3.4.1).
			if err := req.IDP.SendErrorResponse(w, req, &saml.StatusError{TopLevel: saml.StatusResponder, SecondLevel: saml.StatusNoPassive}); err != nil {
				p.onError(w, r, http.StatusInternalServerError, err)
			}
			return nil
		}
		resume := r.URL.RequestURI() // a launch repeats itself
		if spInitiated {
			stale := ""
			if force && signedIn {
				stale = cur.SessionID
			}
			resume = p.waitForSignIn(r, req, fl, stale)
		}
		p.cfg.Auth.SignIn(w, r, resume, signedIn)
		return nil
	}
	if !p.cfg.Auth.Authorize(w, r, p.app, cur) {
		return nil
	}
	if fl != nil && fl.token != "" {
		p.pending.delete(fl.token) // answered: the token cannot be used again
	}
	u := cur.User
	return &saml.Session{
		ID:             cur.SessionID,
		CreateTime:     cur.AuthnAt,
		NameID:         u.Email,
		NameIDFormat:   p.app.NameIDFormat().URI(),
		UserName:       u.Login,
		UserEmail:      u.Email,
		UserGivenName:  u.FirstName,
		UserSurname:    u.LastName,
		UserCommonName: u.FirstName + " " + u.LastName,
	}
}

// waitForSignIn keeps an SP-initiated request while its user signs in and
// returns the org-relative URI that resumes it. A resumed request that is
// still waiting keeps its token.
func (p *IdP) waitForSignIn(r *http.Request, req *saml.IdpAuthnRequest, fl *flow, staleSession string) string {
	token := fl.token
	if fl.pending == nil {
		pr := pendingRequest{
			appID: p.app.ID, method: r.Method, received: req.Now, staleSession: staleSession,
		}
		if r.Method == http.MethodPost {
			// Only the fields of the SAML bindings: the rest of the form is
			// not the SP's message.
			pr.form = url.Values{}
			for _, k := range []string{"SAMLRequest", "RelayState", "SigAlg", "Signature"} {
				if v, ok := r.PostForm[k]; ok {
					pr.form[k] = v
				}
			}
		} else {
			pr.query = r.URL.RawQuery
		}
		token = p.pending.save(pr)
	}
	return r.URL.Path + "?" + url.Values{StateTokenParam: {token}}.Encode()
}

func isTrue(b *bool) bool { return b != nil && *b }

// assertionMaker makes Okta's assertion for the app.
type assertionMaker struct{ p *IdP }

func (m assertionMaker) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if req.ACSEndpoint == nil || req.ServiceProviderMetadata == nil {
		return errors.New("samlidp: request has no service provider")
	}
	// A resumed request was checked as of when it arrived; the response is
	// issued now.
	req.Now = m.p.cfg.Clock()
	req.Assertion = makeAssertion(m.p.app, req, session)
	return nil
}

// responseWriter renders and signs Okta's Response, with the faults set
// for the app, and posts it.
type responseWriter struct{ p *IdP }

func (rw responseWriter) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	if req.ACSEndpoint == nil || req.ACSEndpoint.Binding != saml.HTTPPostBinding {
		return errors.New("samlidp: the app's ACS URL must use HTTP-POST")
	}
	var form saml.IdpAuthnRequestForm
	var err error
	if req.Assertion == nil {
		// A crewjam error Response (no assertion) is already built and
		// signed; it is sent as is, without faults.
		form, err = req.PostBinding()
	} else {
		form, err = rw.p.assertionResponse(req)
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := postFormTemplate.Execute(&buf, form); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The page carries a bearer credential: no cache may keep it.
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("Pragma", "no-cache")
	_, err = w.Write(buf.Bytes())
	return err
}

// assertionResponse renders the Response carrying req.Assertion, with the
// app's faults, records it, and returns the form that posts it.
func (p *IdP) assertionResponse(req *saml.IdpAuthnRequest) (saml.IdpAuthnRequestForm, error) {
	var faults []Fault
	var previous *SentResponse
	if p.cfg.Hooks != nil {
		faults, previous = p.cfg.Hooks.TakeFaults(p.app.ID)
	}
	var form saml.IdpAuthnRequestForm
	if hasFault(faults, FaultReplay) && previous != nil {
		// The previous response, byte for byte; the RelayState is this
		// sign-in's, so that the SP gets as far as the response.
		faults = []Fault{FaultReplay}
		form = saml.IdpAuthnRequestForm{URL: req.ACSEndpoint.Location, SAMLResponse: previous.SAMLResponse, RelayState: req.RelayState}
	} else {
		faults = slices.DeleteFunc(faults, func(f Fault) bool { return f == FaultReplay })
		spec := responseSpec{
			destination:   req.ACSEndpoint.Location,
			inResponseTo:  req.Request.ID,
			issueInstant:  req.Now,
			signResponse:  p.app.SignOn.ResponseSigned,
			signAssertion: p.app.SignOn.AssertionSigned,
			signer:        p.signer,
		}
		var other *signer
		if hasFault(faults, FaultSignedByOtherKey) {
			var err error
			if other, err = p.otherSigner(); err != nil {
				return form, err
			}
		}
		applyFaults(req.Assertion, &spec, faults, other, req.Now)
		el, err := responseElement(req.Assertion, spec)
		if err != nil {
			return form, err
		}
		req.ResponseEl = el
		if form, err = req.PostBinding(); err != nil {
			return form, err
		}
	}
	if p.cfg.Hooks != nil {
		p.cfg.Hooks.Sent(p.app.ID, SentResponse{
			SAMLResponse: form.SAMLResponse, RelayState: form.RelayState, ACSURL: form.URL,
			InResponseTo: req.Request.ID, SentAt: req.Now, Faults: faults,
		})
	}
	attrs := []any{"acs", form.URL, "nameID", req.Assertion.Subject.NameID.Value,
		"inResponseTo", req.Request.ID, "relayState", req.RelayState}
	if len(faults) > 0 {
		attrs = append(attrs, "faults", faults)
	}
	p.log.Info("saml response issued", attrs...)
	return form, nil
}

// otherSigner signs with the Hooks' other credential, with the app's
// signature algorithm, so that only the key differs.
func (p *IdP) otherSigner() (*signer, error) {
	cred, err := p.cfg.Hooks.OtherCredential()
	if err != nil {
		return nil, fmt.Errorf("samlidp: other credential: %w", err)
	}
	key, cert, err := ParseCredential(cred.PrivateKeyPEM, cred.CertificatePEM)
	if err != nil {
		return nil, fmt.Errorf("samlidp: other credential: %w", err)
	}
	return newSigner(key, cert.Raw, p.app.SignOn.SignatureAlgorithm)
}

// postFormTemplate is the auto-posting form of the HTTP-POST binding: a
// plain form with the hidden SAMLResponse (and RelayState, only when there
// is one) and a button for browsers without JavaScript.
var postFormTemplate = template.Must(template.New("saml-post").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Signing in</title></head>
<body>
<form id="appForm" method="post" action="{{.URL}}">
<input type="hidden" name="SAMLResponse" value="{{.SAMLResponse}}">
{{- if .RelayState}}
<input type="hidden" name="RelayState" value="{{.RelayState}}">
{{- end}}
<noscript><p>JavaScript is turned off. Press Continue to finish signing in.</p></noscript>
<input type="submit" value="Continue">
</form>
<script>document.getElementById("appForm").submit();</script>
</body>
</html>
`))

func nameIDFormats(fs []directory.NameIDFormat) []saml.NameIDFormat {
	out := make([]saml.NameIDFormat, len(fs))
	for i, f := range fs {
		out[i] = saml.NameIDFormat(f.URI())
	}
	return out
}

// funcClock is a clockwork.Clock whose time is a function: the server's
// clock, which tests and the admin API can fix or shift. Timers and sleeps
// use the real clock; crewjam only reads the time.
type funcClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c funcClock) Now() time.Time                  { return c.now() }
func (c funcClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c funcClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }
