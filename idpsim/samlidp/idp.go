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
// Who is signed in, and whether they may use the app, is decided by the
// caller's Authenticator.
package samlidp

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// Principal is a signed-in user who may use the app.
type Principal struct {
	User      directory.User
	SessionID string
	AuthnAt   time.Time // when the user typed their password
}

// Authenticator decides who is signed in and whether they may use the app.
type Authenticator interface {
	// Principal returns the signed-in user, if they may use app. Otherwise
	// it writes the whole response itself (typically a redirect to the
	// sign-in page that comes back to resumeURI, or a refusal page) and
	// returns nil. resumeURI is an org-relative URI that repeats the
	// request.
	Principal(w http.ResponseWriter, r *http.Request, app directory.App, resumeURI string) *Principal
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
	// AuthnRequest, an internal error). status is the HTTP status crewjam
	// chose; err the reason, for logs. Nil means a plain text error.
	OnError func(w http.ResponseWriter, r *http.Request, status int, err error)
}

// IdP is the SAML identity provider of one app.
type IdP struct {
	cfg    Config
	app    directory.App
	signer *signer
	idp    *saml.IdentityProvider
	spMeta *saml.EntityDescriptor
	log    *slog.Logger
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
	p := &IdP{cfg: cfg, app: app, signer: sg, log: cfg.Logger.With("app", app.ID)}
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
	sigMethod := algRSASHA256
	if app.SignOn.SignatureAlgorithm == directory.SignatureRSASHA1 {
		sigMethod = algRSASHA1
	}
	p.idp = &saml.IdentityProvider{
		Key:                     key,
		Certificate:             cert,
		Logger:                  slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
		MetadataURL:             *entityID,
		SSOURL:                  *ssoURL,
		ServiceProviderProvider: spProvider{p},
		SessionProvider:         sessionProvider{p},
		AssertionMaker:          assertionMaker{p},
		ResponseWriter:          responseWriter{p},
		ResponseFormTemplate:    postFormTemplate,
		SignatureMethod:         sigMethod,
		NameIDFormats:           nameIDFormats(metadataNameIDFormats(app)),
		Clock:                   dsig.NewFakeClock(funcClock{Clock: clockwork.NewRealClock(), now: cfg.Clock}),
		OnError:                 p.onError,
	}
	return p, nil
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
// a GET without one launches the app as the embed link does, with the
// RelayState query parameter if given, as Okta does.
func (p *IdP) ServeSSO(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			p.onError(w, r, http.StatusBadRequest, fmt.Errorf("malformed query string: %w", err))
			return
		}
		if !q.Has("SAMLRequest") {
			p.ServeLaunch(w, r, q.Get("RelayState"))
			return
		}
	}
	p.idp.ServeSSO(w, r)
}

// ServeLaunch starts an IdP-initiated sign-in to the app: an unsolicited
// Response posted to the app's ACS URL, with relayState, or the app's
// default RelayState when relayState is empty.
func (p *IdP) ServeLaunch(w http.ResponseWriter, r *http.Request, relayState string) {
	if relayState == "" {
		relayState = p.app.SignOn.DefaultRelayState
	}
	p.idp.ServeIDPInitiated(w, r, p.app.Audience(), relayState)
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

// sessionProvider asks the Authenticator for the user and turns them into
// the crewjam Session the assertion is made from.
type sessionProvider struct{ p *IdP }

func (s sessionProvider) GetSession(w http.ResponseWriter, r *http.Request, req *saml.IdpAuthnRequest) *saml.Session {
	resume, err := resumeURI(r, req)
	if err != nil {
		s.p.onError(w, r, http.StatusBadRequest, err)
		return nil
	}
	pr := s.p.cfg.Auth.Principal(w, r, s.p.app, resume)
	if pr == nil {
		return nil
	}
	u := pr.User
	return &saml.Session{
		ID:             pr.SessionID,
		CreateTime:     pr.AuthnAt,
		NameID:         u.Email,
		NameIDFormat:   s.p.app.NameIDFormat().URI(),
		UserName:       u.Login,
		UserEmail:      u.Email,
		UserGivenName:  u.FirstName,
		UserSurname:    u.LastName,
		UserCommonName: u.FirstName + " " + u.LastName,
	}
}

// resumeURI is the org-relative URI that repeats req after the user signs
// in. A GET (embed link, SSO URL with an HTTP-Redirect request) is its own
// URI. An HTTP-POST request cannot ride on a redirect, so it is re-encoded
// with the HTTP-Redirect binding (DEFLATE, base64, query string); an
// enveloped XML signature survives that, since crewjam accepts one with
// either binding. (An HTTP-POST-SimpleSign signature covers the form
// fields and does not survive; such a request comes back unsigned.)
func resumeURI(r *http.Request, req *saml.IdpAuthnRequest) (string, error) {
	if r.Method != http.MethodPost {
		return r.URL.RequestURI(), nil
	}
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		return "", err
	}
	if _, err := fw.Write(req.RequestBuffer); err != nil {
		return "", err
	}
	if err := fw.Close(); err != nil {
		return "", err
	}
	q := url.Values{}
	q.Set("SAMLRequest", base64.StdEncoding.EncodeToString(buf.Bytes()))
	if req.RelayState != "" {
		q.Set("RelayState", req.RelayState)
	}
	return r.URL.Path + "?" + q.Encode(), nil
}

// assertionMaker makes Okta's assertion for the app.
type assertionMaker struct{ p *IdP }

func (m assertionMaker) MakeAssertion(req *saml.IdpAuthnRequest, session *saml.Session) error {
	if req.ACSEndpoint == nil || req.ServiceProviderMetadata == nil {
		return errors.New("samlidp: request has no service provider")
	}
	req.Assertion = makeAssertion(m.p.app, req, session)
	return nil
}

// responseWriter renders and signs Okta's Response and posts it.
type responseWriter struct{ p *IdP }

func (rw responseWriter) WriteResponse(w http.ResponseWriter, req *saml.IdpAuthnRequest) error {
	if req.ACSEndpoint == nil || req.ACSEndpoint.Binding != saml.HTTPPostBinding {
		return errors.New("samlidp: the app's ACS URL must use HTTP-POST")
	}
	// A crewjam error Response (no assertion) is already built; send it as is.
	if req.ResponseEl == nil && req.Assertion != nil {
		el, err := responseElement(req.Assertion, req.ACSEndpoint.Location, req.Request.ID, req.Now, rw.p.app.SignOn, rw.p.signer)
		if err != nil {
			return err
		}
		req.ResponseEl = el
		rw.p.log.Info("saml response issued",
			"acs", req.ACSEndpoint.Location, "nameID", req.Assertion.Subject.NameID.Value,
			"inResponseTo", req.Request.ID, "relayState", req.RelayState)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return req.WriteResponse(w)
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
