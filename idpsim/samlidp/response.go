package samlidp

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// Namespaces of Okta's SAML documents, and the prefixes Okta (OpenSAML)
// binds them to.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"  // saml2p:
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion" // saml2:
	nsXS        = "http://www.w3.org/2001/XMLSchema"
	nsXSI       = "http://www.w3.org/2001/XMLSchema-instance"

	formatEntity       = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
	statusSuccess      = "urn:oasis:names:tc:SAML:2.0:status:Success"
	methodBearer       = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	passwordProtection = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
)

// validity is how long either side of IssueInstant Okta's assertions are
// valid: NotBefore is five minutes before, NotOnOrAfter five minutes after.
const validity = 5 * time.Minute

// samlTime formats a SAML timestamp as Okta does: UTC, always three
// fractional digits, "Z".
func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// newSAMLID returns an id like Okta's: "id" followed by 26 digits, the
// first not zero. The leading "id" keeps it a valid xs:ID (which may not
// start with a digit).
func newSAMLID() string {
	low := new(big.Int).Exp(big.NewInt(10), big.NewInt(25), nil) // 10^25, the smallest 26-digit number
	n, _ := rand.Int(rand.Reader, new(big.Int).Mul(low, big.NewInt(9)))
	return "id" + n.Add(n, low).String()
}

// newSessionIndex returns a SessionIndex like Okta's for an IdP-initiated
// sign-in: "id", the time in milliseconds, a dot and ten digits.
func newSessionIndex(now time.Time) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e10))
	return "id" + strconv.FormatInt(now.UnixMilli(), 10) + "." + fmt.Sprintf("%010d", n)
}

// makeAssertion builds the assertion Okta would issue to app for the user
// in session, answering req. It is what the IdentityProvider's
// AssertionMaker does; the result is a crewjam Assertion so that crewjam's
// bookkeeping (session participants, error responses) keeps working, and
// it is rendered in Okta's XML shape by assertionElement.
func makeAssertion(app directory.App, req *saml.IdpAuthnRequest, session *saml.Session) *saml.Assertion {
	now := req.Now
	// An SP-initiated request has an ID, which Okta echoes in InResponseTo
	// and uses as the SessionIndex; an IdP-initiated one has none.
	inResponseTo := req.Request.ID
	sessionIndex := inResponseTo
	if sessionIndex == "" {
		sessionIndex = newSessionIndex(now)
	}
	authnInstant := session.CreateTime
	if authnInstant.IsZero() {
		authnInstant = now
	}

	var attrs []saml.Attribute
	for _, st := range app.AttributeStatements() {
		attrs = append(attrs, saml.Attribute{
			Name:       st.Name,
			NameFormat: directory.AttrNameFormatURIOf(st.NameFormat),
			Values:     []saml.AttributeValue{{Type: "xs:string", Value: expressionValue(st.Value, session)}},
		})
	}
	a := &saml.Assertion{
		ID:           newSAMLID(),
		IssueInstant: now,
		Version:      "2.0",
		Issuer:       saml.Issuer{Format: formatEntity, Value: EntityID(app.KeyID)},
		Subject: &saml.Subject{
			NameID: &saml.NameID{Format: session.NameIDFormat, Value: sanitizeText(session.NameID)},
			SubjectConfirmations: []saml.SubjectConfirmation{{
				Method: methodBearer,
				SubjectConfirmationData: &saml.SubjectConfirmationData{
					InResponseTo: inResponseTo,
					NotOnOrAfter: now.Add(validity),
					Recipient:    req.ACSEndpoint.Location,
				},
			}},
		},
		Conditions: &saml.Conditions{
			NotBefore:    now.Add(-validity),
			NotOnOrAfter: now.Add(validity),
			AudienceRestrictions: []saml.AudienceRestriction{{
				Audience: saml.Audience{Value: req.ServiceProviderMetadata.EntityID},
			}},
		},
		AuthnStatements: []saml.AuthnStatement{{
			AuthnInstant: authnInstant,
			SessionIndex: sessionIndex,
			AuthnContext: saml.AuthnContext{AuthnContextClassRef: &saml.AuthnContextClassRef{Value: passwordProtection}},
		}},
	}
	if len(attrs) > 0 {
		a.AttributeStatements = []saml.AttributeStatement{{Attributes: attrs}}
	}
	return a
}

// expressionValue evaluates one of the supported Okta expressions against
// the user in the session.
func expressionValue(expr string, s *saml.Session) string {
	var v string
	switch expr {
	case "user.email":
		v = s.UserEmail
	case "user.firstName":
		v = s.UserGivenName
	case "user.lastName":
		v = s.UserSurname
	case "user.login":
		v = s.UserName
	}
	return sanitizeText(v)
}

// el2 creates a saml2: child that redeclares the saml2 namespace, as
// OpenSAML does on each top-level child of Okta's assertions. The
// redundant declarations are kept because SPs see them from real Okta.
func el2(parent *etree.Element, tag string) *etree.Element {
	c := parent.CreateElement("saml2:" + tag)
	c.CreateAttr("xmlns:saml2", nsAssertion)
	return c
}

// assertionElement renders a in the XML shape of Okta's assertions
// (saml2: prefix, attribute order, namespace declarations).
func assertionElement(a *saml.Assertion) *etree.Element {
	el := etree.NewElement("saml2:Assertion")
	el.CreateAttr("xmlns:saml2", nsAssertion)
	el.CreateAttr("ID", a.ID)
	el.CreateAttr("IssueInstant", samlTime(a.IssueInstant))
	el.CreateAttr("Version", "2.0")
	el.CreateAttr("xmlns:xs", nsXS)

	issuer := el.CreateElement("saml2:Issuer")
	issuer.CreateAttr("Format", a.Issuer.Format)
	issuer.CreateAttr("xmlns:saml2", nsAssertion)
	issuer.SetText(a.Issuer.Value)

	if s := a.Subject; s != nil {
		subject := el2(el, "Subject")
		if s.NameID != nil {
			nameID := subject.CreateElement("saml2:NameID")
			if s.NameID.Format != "" {
				nameID.CreateAttr("Format", s.NameID.Format)
			}
			nameID.SetText(s.NameID.Value)
		}
		for _, sc := range s.SubjectConfirmations {
			conf := subject.CreateElement("saml2:SubjectConfirmation")
			conf.CreateAttr("Method", sc.Method)
			if d := sc.SubjectConfirmationData; d != nil {
				data := conf.CreateElement("saml2:SubjectConfirmationData")
				if d.InResponseTo != "" {
					data.CreateAttr("InResponseTo", d.InResponseTo)
				}
				data.CreateAttr("NotOnOrAfter", samlTime(d.NotOnOrAfter))
				data.CreateAttr("Recipient", d.Recipient)
			}
		}
	}
	if c := a.Conditions; c != nil {
		cond := el.CreateElement("saml2:Conditions")
		cond.CreateAttr("NotBefore", samlTime(c.NotBefore))
		cond.CreateAttr("NotOnOrAfter", samlTime(c.NotOnOrAfter))
		cond.CreateAttr("xmlns:saml2", nsAssertion)
		for _, ar := range c.AudienceRestrictions {
			r := cond.CreateElement("saml2:AudienceRestriction")
			for _, aud := range ar.AllAudiences() {
				r.CreateElement("saml2:Audience").SetText(aud.Value)
			}
		}
	}
	for _, st := range a.AuthnStatements {
		as := el.CreateElement("saml2:AuthnStatement")
		as.CreateAttr("AuthnInstant", samlTime(st.AuthnInstant))
		if st.SessionIndex != "" {
			as.CreateAttr("SessionIndex", st.SessionIndex)
		}
		as.CreateAttr("xmlns:saml2", nsAssertion)
		ctx := as.CreateElement("saml2:AuthnContext")
		if st.AuthnContext.AuthnContextClassRef != nil {
			ctx.CreateElement("saml2:AuthnContextClassRef").SetText(st.AuthnContext.AuthnContextClassRef.Value)
		}
	}
	for _, st := range a.AttributeStatements {
		stmt := el2(el, "AttributeStatement")
		for _, attr := range st.Attributes {
			ae := stmt.CreateElement("saml2:Attribute")
			ae.CreateAttr("Name", attr.Name)
			if attr.NameFormat != "" {
				ae.CreateAttr("NameFormat", attr.NameFormat)
			}
			for _, v := range attr.Values {
				ve := ae.CreateElement("saml2:AttributeValue")
				ve.CreateAttr("xmlns:xs", nsXS)
				ve.CreateAttr("xmlns:xsi", nsXSI)
				typ := v.Type
				if typ == "" {
					typ = "xs:string"
				}
				ve.CreateAttr("xsi:type", typ)
				ve.SetText(v.Value)
			}
		}
	}
	return el
}

// responseElement builds the Response carrying a as spec says, signed as
// Okta signs: the Assertion first (if spec says so), then the whole
// Response (if spec says so), each signature right after its Issuer. The
// Response's Issuer is the assertion's.
func responseElement(a *saml.Assertion, spec responseSpec) (*etree.Element, error) {
	assertion := assertionElement(a)
	if spec.signAssertion {
		if err := spec.signer.signEnveloped(assertion); err != nil {
			return nil, err
		}
	}

	resp := etree.NewElement("saml2p:Response")
	resp.CreateAttr("xmlns:saml2p", nsProtocol)
	resp.CreateAttr("Destination", spec.destination)
	resp.CreateAttr("ID", newSAMLID())
	if spec.inResponseTo != "" {
		resp.CreateAttr("InResponseTo", spec.inResponseTo)
	}
	resp.CreateAttr("IssueInstant", samlTime(spec.issueInstant))
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("xmlns:xs", nsXS)

	issuer := resp.CreateElement("saml2:Issuer")
	issuer.CreateAttr("xmlns:saml2", nsAssertion)
	issuer.CreateAttr("Format", a.Issuer.Format)
	issuer.SetText(a.Issuer.Value)

	status := resp.CreateElement("saml2p:Status")
	status.CreateAttr("xmlns:saml2p", nsProtocol)
	status.CreateElement("saml2p:StatusCode").CreateAttr("Value", statusSuccess)

	resp.AddChild(assertion)
	if spec.signResponse {
		if err := spec.signer.signEnveloped(resp); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// sanitizeText drops characters that XML 1.0 cannot carry (control
// characters other than tab and newline, and carriage return, which a
// parser would turn into a newline and so break the signature).
func sanitizeText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || (r >= 0x20 && r != 0xFFFE && r != 0xFFFF) {
			return r
		}
		return -1
	}, s)
}
