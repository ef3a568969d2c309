package ssosaml

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/assert"
)

func TestClassifyResponseError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want Reason
	}{
		{fmt.Errorf("x: %w", saml.ErrUntrustedCertificate), ReasonUntrustedCert},
		{errors.Join(saml.ErrInvalidSignature, saml.ErrUntrustedCertificate), ReasonUntrustedCert},
		{errors.Join(saml.ErrInvalidSignature, saml.ErrCertificateNotValidNow), ReasonCertNotValid},
		{saml.ErrInvalidSignature, ReasonSignature},
		{errors.New("signature element not present"), ReasonSignature},
		{saml.ErrMalformedMessage, ReasonMalformed},
		{saml.ErrExpired, ReasonExpired},
		{saml.ErrNotYetValid, ReasonNotYetValid},
		{saml.ErrAudienceMismatch, ReasonAudience},
		{saml.ErrDestinationMismatch, ReasonDestination},
		{saml.ErrIssuerMismatch, ReasonIssuer},
		{saml.ErrRequestIDMismatch, ReasonRequestID},
		{saml.ErrBadStatus{Status: "urn:oasis:names:tc:SAML:2.0:status:Requester"}, ReasonIdPStatus},
		{saml.ErrMissingElement, ReasonInvalid},
		{errors.New("something else"), ReasonInvalid},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, classifyResponseError(tt.err), "%v", tt.err)
	}
}

func TestReasonStatusAndText(t *testing.T) {
	t.Parallel()
	all := []Reason{
		ReasonUnknownIntegration, ReasonNotConfigured, ReasonDisabled, ReasonMalformed, ReasonSignature,
		ReasonUntrustedCert, ReasonCertNotValid, ReasonExpired, ReasonNotYetValid, ReasonAudience,
		ReasonDestination, ReasonIssuer, ReasonRequestID, ReasonReplay, ReasonIdPStatus, ReasonNoEmail,
		ReasonNotMember, ReasonInvalid, ReasonNotConnected, ReasonNotAdmin, ReasonDeprovisioned,
	}
	for _, r := range all {
		assert.GreaterOrEqual(t, r.Status(), 400, r)
		assert.Less(t, r.Status(), 500, "bad input is never a 500: %s", r)
		assert.NotEmpty(t, r.Text(), r)
	}
	assert.Equal(t, http.StatusNotFound, ReasonUnknownIntegration.Status())
	assert.Equal(t, http.StatusInternalServerError, ReasonInternal.Status())
	assert.Equal(t, ReasonInvalid.Text(), Reason("bogus").Text())
}

func TestAsRefusal(t *testing.T) {
	t.Parallel()
	r := &Refusal{Reason: ReasonReplay, IntegrationID: "x", Cause: errors.New("again")}
	assert.Same(t, r, AsRefusal(fmt.Errorf("wrapped: %w", r)))
	assert.Equal(t, ReasonInternal, AsRefusal(errors.New("db down")).Reason)
}

func TestAssertionEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a    saml.Assertion
		want string
	}{
		{"NameID email", saml.Assertion{Subject: &saml.Subject{NameID: &saml.NameID{Value: " ada@acme.test "}}}, "ada@acme.test"},
		{"NameID not an email, email attribute", saml.Assertion{
			Subject:             &saml.Subject{NameID: &saml.NameID{Value: "00u123"}},
			AttributeStatements: []saml.AttributeStatement{attr("Email", "", "ada@acme.test")},
		}, "ada@acme.test"},
		{"mail OID attribute", saml.Assertion{
			AttributeStatements: []saml.AttributeStatement{attr("urn:oid:0.9.2342.19200300.100.1.3", "mail", "grace@acme.test")},
		}, "grace@acme.test"},
		{"friendly name", saml.Assertion{
			AttributeStatements: []saml.AttributeStatement{attr("urn:x", "email", "grace@acme.test")},
		}, "grace@acme.test"},
		{"other attributes only", saml.Assertion{
			AttributeStatements: []saml.AttributeStatement{attr("firstName", "", "Ada")},
		}, ""},
		{"email attribute not an email", saml.Assertion{
			AttributeStatements: []saml.AttributeStatement{attr("email", "", "nope")},
		}, ""},
		{"nothing", saml.Assertion{}, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, assertionEmail(&tt.a), tt.name)
	}
}

func TestPeekResponse(t *testing.T) {
	t.Parallel()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	const ns = `xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"`
	tests := []struct {
		name, in string
		want     claims
	}{
		{"not base64", "%%%", claims{}},
		{"not XML", b64("hello"), claims{}},
		{"IdP-initiated", b64(`<samlp:Response ` + ns + `><saml:Issuer>r</saml:Issuer><saml:Assertion><saml:Issuer> a </saml:Issuer></saml:Assertion></samlp:Response>`),
			claims{Issuer: "a"}},
		{"Response names the request", b64(`<samlp:Response ` + ns + ` InResponseTo="id-1"><saml:Issuer>r</saml:Issuer></samlp:Response>`),
			claims{Issuer: "r", InResponseTo: "id-1"}},
		{"only the assertion names it", b64(`<samlp:Response ` + ns + `><saml:Assertion><saml:Subject>
			<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="id-2"/></saml:SubjectConfirmation>
			</saml:Subject></saml:Assertion></samlp:Response>`),
			claims{InResponseTo: "id-2"}},
		{"the Response wins", b64(`<samlp:Response ` + ns + ` InResponseTo="id-1"><saml:Assertion><saml:Subject>
			<saml:SubjectConfirmation><saml:SubjectConfirmationData InResponseTo="id-2"/></saml:SubjectConfirmation>
			</saml:Subject></saml:Assertion></samlp:Response>`),
			claims{InResponseTo: "id-1"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, peekResponse(tt.in), tt.name)
	}
}

func TestAssertionNames(t *testing.T) {
	t.Parallel()
	a := &saml.Assertion{AttributeStatements: []saml.AttributeStatement{
		attr("email", "", "ada@acme.test"),
		attr("firstName", "", " Ada "),
		attr("lastName", "", "Lovelace"),
		attr("sn", "", "Ignored, lastName came first"),
	}}
	given, family := assertionNames(a)
	assert.Equal(t, "Ada", given)
	assert.Equal(t, "Lovelace", family)

	given, family = assertionNames(&saml.Assertion{AttributeStatements: []saml.AttributeStatement{
		attr("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "", strings.Repeat("é", 300)),
	}})
	assert.LessOrEqual(t, len(given), 200)
	assert.True(t, utf8.ValidString(given), "cut on a rune boundary")
	assert.Empty(t, family)
}

func TestEmailDomain(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "acme.test", emailDomain("Ada@ACME.test"))
	assert.Equal(t, "b.test", emailDomain(`"a@b"@b.test`))
}

func attr(name, friendly, value string) saml.AttributeStatement {
	return saml.AttributeStatement{Attributes: []saml.Attribute{{Name: name, FriendlyName: friendly, Values: []saml.AttributeValue{{Value: value}}}}}
}
