// Package testidp is an Okta-shaped SAML identity provider for tests: it makes
// certificates, IdP metadata and signed (or deliberately broken) SAML responses
// with real crypto, on an injected clock.
package testidp

import (
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"math/big"
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
)

// Cert is a key pair with a self-signed certificate, like Okta's per-app SAML key.
type Cert struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
	PEM  string
}

// CertOptions shape a Cert; zero values give a SHA-256 certificate valid from a
// day before now to ten years after.
type CertOptions struct {
	Now       time.Time
	NotBefore time.Time
	NotAfter  time.Time
	// SignatureAlgorithm of the certificate itself, e.g. x509.SHA1WithRSA.
	SignatureAlgorithm x509.SignatureAlgorithm
}

// NewCert makes a Cert. 1024-bit keys keep the tests fast; nothing here depends
// on the key size.
func NewCert(t testing.TB, o CertOptions) Cert {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	if o.NotBefore.IsZero() {
		o.NotBefore = now.Add(-24 * time.Hour)
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = now.Add(10 * 365 * 24 * time.Hour)
	}
	if o.SignatureAlgorithm == x509.UnknownSignatureAlgorithm {
		o.SignatureAlgorithm = x509.SHA256WithRSA
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()),
		Subject: pkix.Name{
			Country: []string{"US"}, Province: []string{"California"}, Locality: []string{"San Francisco"},
			Organization: []string{"Okta"}, OrganizationalUnit: []string{"SSOProvider"}, CommonName: "test-org",
		},
		NotBefore:          o.NotBefore,
		NotAfter:           o.NotAfter,
		SignatureAlgorithm: o.SignatureAlgorithm,
		KeyUsage:           x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return Cert{Key: key, Cert: cert, PEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))}
}

// IdP is a test identity provider.
type IdP struct {
	EntityID string
	SSOURL   string
	Cert     Cert
}

// New returns an IdP with Okta-shaped identifiers under base (any URL).
func New(cert Cert, base string) *IdP {
	return &IdP{
		EntityID: "http://www.okta.com/exktest" + fmt.Sprint(cert.Cert.SerialNumber.Int64()%100000),
		SSOURL:   base + "/app/test_app/exktest/sso/saml",
		Cert:     cert,
	}
}

// Metadata returns the IdP's metadata as crewjam's IdentityProvider builds it.
func (p *IdP) Metadata() *saml.EntityDescriptor {
	meta, _ := url.Parse(p.EntityID)
	sso, _ := url.Parse(p.SSOURL)
	idp := &saml.IdentityProvider{Key: p.Cert.Key, Certificate: p.Cert.Cert, MetadataURL: *meta, SSOURL: *sso}
	return idp.Metadata()
}

// MetadataXML returns the IdP's metadata document.
func (p *IdP) MetadataXML(t testing.TB) []byte {
	t.Helper()
	return MarshalMetadata(t, p.Metadata())
}

// MarshalMetadata writes a metadata document.
func MarshalMetadata(t testing.TB, ed *saml.EntityDescriptor) []byte {
	t.Helper()
	buf, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(xml.Header), buf...)
}

// SP is the service provider a response is for.
type SP struct {
	EntityID string // audience
	ACS      string // Destination and Recipient
}

// Response describes one SAML response; the zero value of each knob is what Okta
// sends (both Response and Assertion signed, email NameID).
type Response struct {
	Email string
	Now   time.Time // the IdP's clock
	// Modify changes the assertion before it is signed.
	Modify func(*saml.Assertion)
	// Destination overrides the Response's Destination (not the Recipient).
	Destination string
	// Unsigned leaves both Response and Assertion unsigned.
	Unsigned bool
	// SignWith signs with another key pair than the IdP's own.
	SignWith *Cert
	// InResponseTo makes it answer an SP-initiated request: it is set on the
	// Response and on the bearer SubjectConfirmationData, as Okta does.
	InResponseTo string
	// Attributes are added as Okta's attribute statements do (basic name
	// format, xs:string values), e.g. firstName and lastName.
	Attributes map[string]string
}

// Response returns the base64 SAMLResponse form value.
func (p *IdP) Response(t testing.TB, sp SP, o Response) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(p.ResponseXML(t, sp, o))
}

// ResponseXML returns the SAML response document.
func (p *IdP) ResponseXML(t testing.TB, sp SP, o Response) []byte {
	t.Helper()
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	meta, _ := url.Parse(p.EntityID)
	sso, _ := url.Parse(p.SSOURL)
	idp := &saml.IdentityProvider{
		Key: p.Cert.Key, Certificate: p.Cert.Cert, MetadataURL: *meta, SSOURL: *sso,
		Clock: dsig.NewFakeClockAt(now),
	}
	req := &saml.IdpAuthnRequest{
		IDP:         idp,
		HTTPRequest: httptest.NewRequest("GET", p.SSOURL, nil),
		Now:         now,
		ServiceProviderMetadata: &saml.EntityDescriptor{
			EntityID: sp.EntityID,
		},
		ACSEndpoint:     &saml.IndexedEndpoint{Binding: saml.HTTPPostBinding, Location: sp.ACS},
		SPSSODescriptor: &saml.SPSSODescriptor{},
	}
	req.Request.ID = o.InResponseTo
	req.Request.IssueInstant = now
	session := &saml.Session{
		ID: "session-1", CreateTime: now, ExpireTime: now.Add(time.Hour), Index: "1",
		NameID: o.Email, NameIDFormat: string(saml.EmailAddressNameIDFormat), UserEmail: o.Email,
	}
	if err := (saml.DefaultAssertionMaker{}).MakeAssertion(req, session); err != nil {
		t.Fatal(err)
	}
	a := req.Assertion
	// Okta's timing: NotBefore = IssueInstant − 5 min; NotOnOrAfter = IssueInstant + 5 min.
	a.Conditions.NotBefore = now.Add(-5 * time.Minute)
	a.Conditions.NotOnOrAfter = now.Add(5 * time.Minute)
	a.Subject.SubjectConfirmations[0].SubjectConfirmationData.NotOnOrAfter = now.Add(5 * time.Minute)
	if len(o.Attributes) > 0 {
		names := make([]string, 0, len(o.Attributes))
		for n := range o.Attributes {
			names = append(names, n)
		}
		sort.Strings(names)
		var attrs []saml.Attribute
		for _, n := range names {
			attrs = append(attrs, saml.Attribute{
				Name: n, NameFormat: "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
				Values: []saml.AttributeValue{{Type: "xs:string", Value: o.Attributes[n]}},
			})
		}
		a.AttributeStatements = append(a.AttributeStatements, saml.AttributeStatement{Attributes: attrs})
	}
	if o.Modify != nil {
		o.Modify(a)
	}

	signer := p.Cert
	if o.SignWith != nil {
		signer = *o.SignWith
	}
	var assertionEl *etree.Element
	if o.Unsigned {
		assertionEl = a.Element()
	} else {
		a.Signature = sign(t, signer, a.Element())
		assertionEl = a.Element()
	}

	dest := sp.ACS
	if o.Destination != "" {
		dest = o.Destination
	}
	resp := &saml.Response{
		Destination:  dest,
		ID:           fmt.Sprintf("id%d", now.UnixNano()),
		InResponseTo: o.InResponseTo,
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       &saml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: p.EntityID},
		Status:       saml.Status{StatusCode: saml.StatusCode{Value: saml.StatusSuccess}},
	}
	withAssertion := func() *etree.Element {
		el := resp.Element()
		el.AddChild(assertionEl.Copy())
		return el
	}
	if !o.Unsigned {
		resp.Signature = sign(t, signer, withAssertion())
	}
	doc := etree.NewDocument()
	doc.SetRoot(withAssertion())
	buf, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return buf
}

// sign signs el (enveloped, RSA-SHA256, exclusive C14N, as Okta does) and returns
// the Signature element, for the caller to place where the schema wants it.
func sign(t testing.TB, c Cert, el *etree.Element) *etree.Element {
	t.Helper()
	ks := dsig.TLSCertKeyStore(tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key, Leaf: c.Cert})
	ctx := dsig.NewDefaultSigningContext(ks)
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	if err := ctx.SetSignatureMethod(dsig.RSASHA256SignatureMethod); err != nil {
		t.Fatal(err)
	}
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		t.Fatal(err)
	}
	return signed.ChildElements()[len(signed.ChildElements())-1]
}

// AuthnRequest is an SP-initiated request as the IdP receives it over the
// HTTP-Redirect binding.
type AuthnRequest struct {
	ID          string
	ACS         string // AssertionConsumerServiceURL
	Issuer      string // the SP entity ID
	Destination string
	RelayState  string
	// URL is the address the SP redirected to, without the query.
	URL string
}

// ParseRedirect reads the AuthnRequest that an SP's redirect (its Location)
// carries: the SAMLRequest query parameter, deflated and base64-encoded.
func ParseRedirect(t testing.TB, location string) AuthnRequest {
	t.Helper()
	u, err := url.Parse(location)
	if err != nil {
		t.Fatalf("redirect %q: %v", location, err)
	}
	q := u.Query()
	raw, err := base64.StdEncoding.DecodeString(q.Get("SAMLRequest"))
	if err != nil {
		t.Fatalf("SAMLRequest is not base64: %v", err)
	}
	inflated, err := io.ReadAll(io.LimitReader(flate.NewReader(bytes.NewReader(raw)), 1<<20))
	if err != nil {
		t.Fatalf("SAMLRequest is not deflated: %v", err)
	}
	var req saml.AuthnRequest
	if err := xml.Unmarshal(inflated, &req); err != nil {
		t.Fatalf("SAMLRequest is not an AuthnRequest: %v\n%s", err, inflated)
	}
	out := AuthnRequest{ID: req.ID, ACS: req.AssertionConsumerServiceURL, Destination: req.Destination, RelayState: q.Get("RelayState")}
	if req.Issuer != nil {
		out.Issuer = req.Issuer.Value
	}
	u.RawQuery = ""
	out.URL = u.String()
	return out
}

// Answer returns Okta's answer to req for email: a signed response, issued at
// now, to the request's ACS and audience (its issuer), naming the request.
func (p *IdP) Answer(t testing.TB, req AuthnRequest, o Response) string {
	t.Helper()
	o.InResponseTo = req.ID
	return p.Response(t, SP{EntityID: req.Issuer, ACS: req.ACS}, o)
}
