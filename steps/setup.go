package steps

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/steps/target"
)

// Steps for the SSO setup rules (SSO-01..SSO-04): what the admin sees and types
// in the SP's SSO settings, and what the SP refuses.
func (w *world) registerSetup(sc scenario) {
	sc.Step(`^the SSO settings of "([^"]*)" show an Integration ID that is hard to guess$`, w.integrationIDHardToGuess)
	sc.Step(`^the Okta integration of "([^"]*)" is (pending|connected|disabled)$`, w.integrationStatusIs)
	sc.Step(`^"([^"]*)" and "([^"]*)" have different Integration IDs$`, w.differentIntegrationIDs)
	sc.Step(`^the app in Okta (sends sign-ins to the ACS URL|uses the audience) that the SSO settings of "([^"]*)" show$`, w.appURLMatches)
	sc.Step(`^the admin of "([^"]*)" pastes the app's metadata link$`, w.pastesMetadataLink)
	sc.Step(`^the admin of "([^"]*)" pastes (a link that is not a URL|a link to a host that does not answer|a link to a page that is not SAML metadata|the metadata link of an app whose certificate has expired|a metadata link whose certificate is signed with SHA-1)$`, w.pastesBadLink)
	sc.Step(`^the admin of "([^"]*)" types the app's SSO URL and certificate$`, w.typesSSOURLAndCert)
	sc.Step(`^the admin of "([^"]*)" types (an SSO URL that is not a URL|a certificate that is not PEM|an expired certificate|a certificate signed with SHA-1)$`, w.typesBad)
	sc.Step(`^the service provider refuses it with a message$`, w.refusedWithMessage)
	sc.Step(`^the integration of "([^"]*)" uses the app's SSO URL, issuer and signing certificate$`, w.integrationUsesApp)
	sc.Step(`^the integration of "([^"]*)" is still not configured$`, w.stillNotConfigured)
	sc.Step(`^the Okta integration of "([^"]*)" is marked connected$`, w.markConnected)
}

// integrationOf reads an organization's integration as its settings show it.
func (w *world) integrationOf(ctx context.Context, name string) (*tenant, target.IntegrationState, error) {
	t, err := w.tenant(name)
	if err != nil {
		return nil, target.IntegrationState{}, err
	}
	st, err := w.sp.Integration(ctx, t.org)
	return t, st, err
}

// minIDLength is the shortest Integration ID taken as unguessable: 16
// characters of even a hex alphabet carry 64 bits.
const minIDLength = 16

func (w *world) integrationIDHardToGuess(ctx context.Context, name string) error {
	t, st, err := w.integrationOf(ctx, name)
	if err != nil {
		return err
	}
	if st.ID == "" || st.ID != t.integ.ID {
		return errorf("the settings show Integration ID %q, the Connect step returned %q", st.ID, t.integ.ID)
	}
	distinct := map[rune]bool{}
	for _, r := range st.ID {
		distinct[r] = true
	}
	if len(st.ID) < minIDLength || len(distinct) < 8 {
		return errorf("Integration ID %q is too short or too regular to be unguessable", st.ID)
	}
	if strings.Contains(strings.ToLower(st.ID), strings.ToLower(t.org.Name)) {
		return errorf("Integration ID %q is derived from the organization's name", st.ID)
	}
	return nil
}

func (w *world) integrationStatusIs(ctx context.Context, name, status string) error {
	_, st, err := w.integrationOf(ctx, name)
	if err != nil {
		return err
	}
	if st.Status != status {
		return errorf("the Okta integration of %q is %s, want %s", name, st.Status, status)
	}
	return nil
}

func (w *world) differentIntegrationIDs(ctx context.Context, a, b string) error {
	ta, err := w.tenant(a)
	if err != nil {
		return err
	}
	tb, err := w.tenant(b)
	if err != nil {
		return err
	}
	if ta.integ.ID == "" || ta.integ.ID == tb.integ.ID {
		return errorf("%q and %q share Integration ID %q", a, b, ta.integ.ID)
	}
	return nil
}

// appURLMatches compares what the app in Okta derived with what the SP shows.
func (w *world) appURLMatches(ctx context.Context, which, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	okta, sp := t.app.ACSURL, t.integ.ACSURL
	if which == "uses the audience" {
		okta, sp = t.app.Audience, t.integ.EntityID
	}
	if okta == "" || okta != sp {
		return errorf("the app in Okta has %q, the SSO settings show %q", okta, sp)
	}
	return nil
}

func (w *world) pastesMetadataLink(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	w.lastErr = w.sp.ConfigureFromMetadata(ctx, t.org, t.app.MetadataURL)
	return w.lastErr
}

func (w *world) pastesBadLink(ctx context.Context, name, what string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	var link string
	switch what {
	case "a link that is not a URL":
		link = "okta metadata please"
	case "a link to a host that does not answer":
		link = w.closedURL() + "/app/exk1/sso/saml/metadata"
	case "a link to a page that is not SAML metadata":
		link = w.okta.SignInURL()
	case "the metadata link of an app whose certificate has expired":
		app, err := w.oldApp(ctx, t)
		if err != nil {
			return err
		}
		link = app.MetadataURL
	case "a metadata link whose certificate is signed with SHA-1":
		cert, err := testCert(x509.SHA1WithRSA, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour))
		if err != nil {
			return err
		}
		link = w.serve("/sha1/metadata", "application/xml", metadataDoc(t.app, cert))
	}
	w.lastErr = w.sp.ConfigureFromMetadata(ctx, t.org, link)
	return nil
}

func (w *world) typesSSOURLAndCert(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	w.lastErr = w.sp.ConfigureManually(ctx, t.org, t.app.SSOURL, t.app.CertificatePEM)
	return w.lastErr
}

func (w *world) typesBad(ctx context.Context, name, what string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	ssoURL, cert := t.app.SSOURL, t.app.CertificatePEM
	switch what {
	case "an SSO URL that is not a URL":
		ssoURL = "app/sso/saml"
	case "a certificate that is not PEM":
		cert = "MIIC this is not a certificate"
	case "an expired certificate":
		if cert, err = testCert(x509.SHA256WithRSA, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour)); err != nil {
			return err
		}
	case "a certificate signed with SHA-1":
		if cert, err = testCert(x509.SHA1WithRSA, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)); err != nil {
			return err
		}
	}
	w.lastErr = w.sp.ConfigureManually(ctx, t.org, ssoURL, cert)
	return nil
}

func (w *world) refusedWithMessage(ctx context.Context) error {
	if w.lastErr == nil {
		return errorf("the service provider accepted it")
	}
	if strings.TrimSpace(w.lastErr.Error()) == "" {
		return errorf("the service provider refused it without a message")
	}
	return nil
}

func (w *world) integrationUsesApp(ctx context.Context, name string) error {
	t, st, err := w.integrationOf(ctx, name)
	if err != nil {
		return err
	}
	switch {
	case st.SSOURL != t.app.SSOURL:
		return errorf("SSO URL %q, want the app's %q", st.SSOURL, t.app.SSOURL)
	case st.IdPEntityID != "" && st.IdPEntityID != t.app.EntityID:
		return errorf("IdP entity ID %q, want the app's %q", st.IdPEntityID, t.app.EntityID)
	case !samePEM(st.CertPEM, t.app.CertificatePEM):
		return errorf("the stored certificate is not the app's signing certificate")
	}
	return nil
}

func (w *world) stillNotConfigured(ctx context.Context, name string) error {
	_, st, err := w.integrationOf(ctx, name)
	if err != nil {
		return err
	}
	if st.SSOURL != "" || st.CertPEM != "" || st.IdPEntityID != "" || st.Status != "pending" {
		return errorf("the integration changed after a refused configuration: %+v", st)
	}
	return nil
}

func (w *world) markConnected(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	return w.sp.MarkConnected(ctx, t.org)
}

// oldApp adds a second catalog app for t as if it had been created eleven years
// ago: Okta's certificates last ten years, so its certificate has expired. A
// fake Okta shared with other scenarios refuses to move its clock; the error
// is returned as it is, so that the scenario is skipped naming why.
func (w *world) oldApp(ctx context.Context, t *tenant) (app idpsim.App, err error) {
	if err := w.okta.SetTime(time.Now().AddDate(-11, 0, 0)); err != nil {
		return idpsim.App{}, err
	}
	defer func() {
		if e := w.okta.UseRealClock(); e != nil && err == nil {
			err = e
		}
	}()
	return w.okta.CreateCatalogApp(ctx, idpsim.CatalogAppInput{
		Label: "Reference SP (old)", SPBaseURL: w.sp.BaseURL(), IntegrationID: t.integ.ID + "-old",
	})
}

// serve publishes a document on the scenario's own web server and returns its URL.
func (w *world) serve(path, contentType, body string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.docs == nil {
		w.docsMux = http.NewServeMux()
		w.docs = httptest.NewServer(w.docsMux)
	}
	w.docsMux.HandleFunc("GET "+path, func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", contentType)
		fmt.Fprint(rw, body)
	})
	return w.docs.URL + path
}

// closedURL is the URL of a port on which nothing listens any more.
func (w *world) closedURL() string {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

// testCert makes a self-signed certificate with the given signature algorithm
// and validity, for the refusals that Okta's own apps never produce.
func testCert(alg x509.SignatureAlgorithm, notBefore, notAfter time.Time) (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	tpl := &x509.Certificate{
		SerialNumber:       big.NewInt(time.Now().UnixNano()),
		Subject:            pkix.Name{Organization: []string{"Okta"}, CommonName: "conformance"},
		NotBefore:          notBefore,
		NotAfter:           notAfter,
		SignatureAlgorithm: alg,
		KeyUsage:           x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

// metadataDoc is IdP metadata for app, but carrying certPEM.
func metadataDoc(app idpsim.App, certPEM string) string {
	block, _ := pem.Decode([]byte(certPEM))
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`, app.EntityID, base64Std(block.Bytes), app.SSOURL, app.SSOURL)
}

func samePEM(a, b string) bool {
	ba, _ := pem.Decode([]byte(a))
	bb, _ := pem.Decode([]byte(b))
	return ba != nil && bb != nil && string(ba.Bytes) == string(bb.Bytes)
}
