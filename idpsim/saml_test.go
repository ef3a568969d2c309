package idpsim_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
)

const (
	algRSASHA256    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	formatEntity    = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
	formatEmail     = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
)

func TestMetadataAtEveryPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	app := f.app
	base := e.srv.BaseURL()

	block, _ := pem.Decode([]byte(app.CertificatePEM))
	require.NotNil(t, block)

	for _, u := range []string{
		app.MetadataURL,
		base + "/app/" + app.KeyID + "/sso/saml/metadata",
		base + "/app/" + app.Name + "/" + app.KeyID + "/sso/saml/metadata",
		base + "/api/v1/apps/" + app.ID + "/sso/saml/metadata",
	} {
		t.Run(strings.TrimPrefix(u, base), func(t *testing.T) {
			resp, err := http.Get(u)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Contains(t, resp.Header.Get("Content-Type"), "application/xml")
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Contains(t, string(body), `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/`+app.KeyID+`">`)

			var ed saml.EntityDescriptor
			require.NoError(t, xml.Unmarshal(body, &ed))
			assert.Equal(t, "http://www.okta.com/"+app.KeyID, ed.EntityID)
			assert.Equal(t, app.EntityID, ed.EntityID)
			require.Len(t, ed.IDPSSODescriptors, 1)
			idp := ed.IDPSSODescriptors[0]
			require.NotNil(t, idp.WantAuthnRequestsSigned)
			assert.False(t, *idp.WantAuthnRequestsSigned)
			require.Len(t, idp.KeyDescriptors, 1)
			assert.Equal(t, "signing", idp.KeyDescriptors[0].Use)
			certB64 := strings.Join(strings.Fields(idp.KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data), "")
			assert.Equal(t, base64.StdEncoding.EncodeToString(block.Bytes), certB64)
			require.Len(t, idp.SingleSignOnServices, 2)
			assert.Equal(t, saml.HTTPPostBinding, idp.SingleSignOnServices[0].Binding)
			assert.Equal(t, saml.HTTPRedirectBinding, idp.SingleSignOnServices[1].Binding)
			for _, sso := range idp.SingleSignOnServices {
				assert.Equal(t, app.SSOURL, sso.Location)
			}
			assert.Equal(t, base+"/app/refsp/"+app.KeyID+"/sso/saml", app.SSOURL)
			var formats []string
			for _, f := range idp.NameIDFormats {
				formats = append(formats, string(f))
			}
			assert.Equal(t, []string{"urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified", formatEmail}, formats)
		})
	}

	t.Run("unknown or mismatched apps are 404", func(t *testing.T) {
		for _, u := range []string{
			base + "/app/exkNOPE/sso/saml/metadata",
			base + "/app/othername/" + app.KeyID + "/sso/saml/metadata",
			base + "/api/v1/apps/0oaNOPE/sso/saml/metadata",
			base + "/app/othername/" + app.KeyID + "/sso/saml",
			base + "/home/refsp/" + app.ID + "/alnWRONG",
			base + "/home/othername/" + app.ID + "/" + strings.TrimPrefix(app.EmbedLinkURL, base+"/home/refsp/"+app.ID+"/"),
		} {
			resp, err := http.Get(u)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusNotFound, resp.StatusCode, u)
			assert.Contains(t, resp.Header.Get("Content-Type"), "text/html", u)
		}
	})
}

// launch signs ada in and opens the app's embed link.
func launch(t *testing.T, e *env, app idpsim.App, login, password string) page {
	t.Helper()
	b := e.browser()
	p := b.signIn(login, password)
	require.Equal(t, http.StatusOK, p.status)
	return b.get(app.EmbedLinkURL)
}

func TestIdPInitiatedResponseLooksLikeOkta(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	app := f.app

	p := launch(t, e, app, "ada@acme.test", adaPW)
	require.Equal(t, http.StatusOK, p.status, p.body)
	assert.Equal(t, app.ACSURL, p.formAction())
	assert.Contains(t, p.body, `<form id="appForm" method="post" action="`+app.ACSURL+`">`)
	assert.Contains(t, p.body, `<input type="submit"`, "a button for browsers without JavaScript")
	_, hasRelay := p.inputs()["RelayState"]
	assert.False(t, hasRelay, "no RelayState input when the app has no default")
	raw := p.samlResponse(t)

	// A crewjam SP configured from the published metadata accepts it.
	sp := e.newSP(app)
	assertion, err := sp.ParseXMLResponse(raw, nil, sp.AcsURL)
	require.NoError(t, err, "%+v", err)
	assert.Equal(t, "ada@acme.test", assertion.Subject.NameID.Value)

	resp := parseXML(t, raw)
	assert.Equal(t, "saml2p", resp.Space)
	assert.Equal(t, "Response", resp.Tag)
	assert.Regexp(t, `^id[0-9]{26}$`, resp.SelectAttrValue("ID", ""))
	assert.Equal(t, app.ACSURL, resp.SelectAttrValue("Destination", ""))
	assert.Nil(t, resp.SelectAttr("InResponseTo"), "IdP-initiated: no InResponseTo")
	assert.Equal(t, samlTime(t0), resp.SelectAttrValue("IssueInstant", ""))

	issuer := resp.SelectElement("Issuer")
	require.NotNil(t, issuer)
	assert.Equal(t, "saml2", issuer.Space)
	assert.Equal(t, "http://www.okta.com/"+app.KeyID, issuer.Text())
	assert.Equal(t, formatEntity, issuer.SelectAttrValue("Format", ""))

	sigs := resp.FindElements("//Signature")
	assert.Len(t, sigs, 2, "Response and Assertion both signed by default")
	require.Len(t, resp.FindElements("//SignatureMethod"), 2)
	for _, m := range resp.FindElements("//SignatureMethod") {
		assert.Equal(t, algRSASHA256, m.SelectAttrValue("Algorithm", ""))
	}
	require.Len(t, resp.FindElements("//DigestMethod"), 2)
	for _, m := range resp.FindElements("//DigestMethod") {
		assert.Equal(t, algDigestSHA256, m.SelectAttrValue("Algorithm", ""))
	}
	for _, m := range resp.FindElements("//InclusiveNamespaces") {
		assert.Equal(t, "xs", m.SelectAttrValue("PrefixList", ""))
	}
	assert.Len(t, resp.FindElements("//InclusiveNamespaces"), 2)
	// Each Signature right after its Issuer.
	assert.Equal(t, "Signature", resp.ChildElements()[1].Tag)

	a := resp.SelectElement("Assertion")
	require.NotNil(t, a)
	assert.Equal(t, "saml2", a.Space)
	assert.Regexp(t, `^id[0-9]{26}$`, a.SelectAttrValue("ID", ""))
	assert.Equal(t, samlTime(t0), a.SelectAttrValue("IssueInstant", ""))
	assert.Equal(t, "Signature", a.ChildElements()[1].Tag)
	aIssuer := a.SelectElement("Issuer")
	assert.Equal(t, "http://www.okta.com/"+app.KeyID, aIssuer.Text())
	assert.Equal(t, formatEntity, aIssuer.SelectAttrValue("Format", ""))

	nameID := a.FindElement("./Subject/NameID")
	require.NotNil(t, nameID)
	assert.Equal(t, "ada@acme.test", nameID.Text())
	assert.Equal(t, formatEmail, nameID.SelectAttrValue("Format", ""))

	scd := a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData")
	require.NotNil(t, scd)
	assert.Equal(t, app.ACSURL, scd.SelectAttrValue("Recipient", ""))
	assert.Equal(t, samlTime(t0.Add(5*time.Minute)), scd.SelectAttrValue("NotOnOrAfter", ""))
	assert.Nil(t, scd.SelectAttr("InResponseTo"))
	assert.Nil(t, scd.SelectAttr("Address"))

	cond := a.SelectElement("Conditions")
	require.NotNil(t, cond)
	assert.Equal(t, samlTime(t0.Add(-5*time.Minute)), cond.SelectAttrValue("NotBefore", ""))
	assert.Equal(t, samlTime(t0.Add(5*time.Minute)), cond.SelectAttrValue("NotOnOrAfter", ""))
	assert.Equal(t, app.Audience, cond.FindElement("./AudienceRestriction/Audience").Text())
	assert.Equal(t, "http://sp.test:8080/sso/okta/abc123", app.Audience)
	assert.Equal(t, "http://sp.test:8080/sso/okta/abc123/acs", app.ACSURL)

	authn := a.SelectElement("AuthnStatement")
	require.NotNil(t, authn)
	assert.Nil(t, authn.SelectAttr("SessionNotOnOrAfter"))
	assert.Equal(t, samlTime(t0), authn.SelectAttrValue("AuthnInstant", ""))
	assert.Regexp(t, `^id[0-9]+\.[0-9]{10}$`, authn.SelectAttrValue("SessionIndex", ""))
	assert.Equal(t, "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
		authn.FindElement("./AuthnContext/AuthnContextClassRef").Text())

	attrs := map[string]string{}
	for _, at := range a.FindElements("./AttributeStatement/Attribute") {
		v := at.SelectElement("AttributeValue")
		require.NotNil(t, v)
		assert.Equal(t, "xs:string", v.SelectAttrValue("xsi:type", v.SelectAttrValue("type", "")))
		assert.Equal(t, "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified", at.SelectAttrValue("NameFormat", ""))
		attrs[at.SelectAttrValue("Name", "")] = v.Text()
	}
	assert.Equal(t, map[string]string{"email": "ada@acme.test", "firstName": "Ada", "lastName": "Lovelace"}, attrs)

	// Okta's serialization: saml2p/saml2 prefixes, xs declared for the
	// inclusive prefix list.
	s := string(raw)
	assert.True(t, strings.HasPrefix(s, `<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol" Destination=`), s[:120])
	assert.Contains(t, s, `<ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="xs"/>`)
	assert.Contains(t, s, `xsi:type="xs:string"`)
}

func TestSignatureToggles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	ctx := context.Background()
	_, err := e.srv.CreateUser(ctx, idpsim.UserInput{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace", Password: adaPW})
	require.NoError(t, err)
	ada, err := e.srv.FindUserByLogin(ctx, "ADA@acme.test")
	require.NoError(t, err)

	tests := []struct {
		name                string
		response, assertion bool
		signatures          int
	}{
		{"both", true, true, 2},
		{"response only", true, false, 1},
		{"assertion only", false, true, 1},
		{"neither", false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, err := e.srv.CreateSAMLApp(ctx, idpsim.SAMLAppInput{
				Label:  "Toggles " + tt.name,
				ACSURL: "https://sp.example/" + strings.ReplaceAll(tt.name, " ", "-") + "/acs", Audience: "https://sp.example/" + tt.name,
				NameIDFormat:    "persistent",
				Attributes:      []idpsim.AttributeStatement{{Name: "mail", Value: "user.email"}, {Name: "uid", NameFormat: "uri", Value: "user.login"}},
				ResponseSigned:  &tt.response,
				AssertionSigned: &tt.assertion,
			})
			require.NoError(t, err)
			assert.Regexp(t, `^acmedev_toggles[a-z]+_1$`, app.Name)
			require.NoError(t, e.srv.Assign(ctx, app.ID, ada.ID))

			p := launch(t, e, app, "ada@acme.test", adaPW)
			raw := p.samlResponse(t)
			resp := parseXML(t, raw)
			assert.Len(t, resp.FindElements("//Signature"), tt.signatures)
			if tt.response {
				assert.Equal(t, "Signature", resp.ChildElements()[1].Tag)
			}
			if tt.assertion {
				assert.Equal(t, "Signature", resp.SelectElement("Assertion").ChildElements()[1].Tag)
			}
			nameID := resp.FindElement("./Assertion/Subject/NameID")
			assert.Equal(t, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent", nameID.SelectAttrValue("Format", ""))
			var names []string
			for _, at := range resp.FindElements("./Assertion/AttributeStatement/Attribute") {
				names = append(names, at.SelectAttrValue("Name", "")+"="+at.SelectElement("AttributeValue").Text()+" "+at.SelectAttrValue("NameFormat", ""))
			}
			assert.Equal(t, []string{
				"mail=ada@acme.test urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
				"uid=ada@acme.test urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
			}, names)

			sp := e.newSP(app)
			_, err = sp.ParseXMLResponse(raw, nil, sp.AcsURL)
			if tt.signatures == 0 {
				assert.Error(t, err, "an SP must refuse an unsigned response")
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestUnassignedOrInactiveUsersGetNoAssertion(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()

	t.Run("not assigned", func(t *testing.T) {
		p := launch(t, e, f.app, "bob@acme.test", bobPW)
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Contains(t, p.body, "Sorry, you can't access Reference SP because you are not assigned this app in Okta. If you're wondering why this is happening, please contact your administrator.")
		assert.NotContains(t, p.body, "SAMLResponse")
		assert.NotContains(t, p.body, f.app.ACSURL)

		// The SSO URL without a request launches the app too, and refuses too.
		b := e.browser()
		b.signIn("bob@acme.test", bobPW)
		p = b.get(f.app.SSOURL)
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.NotContains(t, p.body, "SAMLResponse")
	})

	t.Run("unassigned after sign-in", func(t *testing.T) {
		ctx := context.Background()
		app, err := e.srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{Label: "Second", SPBaseURL: "http://sp2.test", IntegrationID: "x2"})
		require.NoError(t, err)
		require.NoError(t, e.srv.Assign(ctx, app.ID, f.ada.ID))
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		require.Equal(t, http.StatusOK, b.get(app.EmbedLinkURL).status)
		require.NoError(t, e.srv.Unassign(ctx, app.ID, f.ada.ID))
		p := b.get(app.EmbedLinkURL)
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.NotContains(t, p.body, "SAMLResponse")
	})

	t.Run("suspended while signed in", func(t *testing.T) {
		ctx := context.Background()
		u, err := e.srv.CreateUser(ctx, idpsim.UserInput{Login: "carl@acme.test", FirstName: "Carl", LastName: "Gauss", Password: "Carl-pw-1"})
		require.NoError(t, err)
		require.NoError(t, e.srv.Assign(ctx, f.app.ID, u.ID))
		b := e.browser()
		b.signIn("carl@acme.test", "Carl-pw-1")
		_, err = e.srv.SetUserStatus(ctx, u.ID, directory.StatusSuspended)
		require.NoError(t, err)
		p := b.get(f.app.EmbedLinkURL)
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.Contains(t, p.body, "not active")
		assert.NotContains(t, p.body, "SAMLResponse")
	})
}

func TestSignedOutLaunchComesBackAfterSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	b := e.browser()

	p := b.get(f.app.EmbedLinkURL)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "/login/login.htm", p.url.Path)
	embedPath := strings.TrimPrefix(f.app.EmbedLinkURL, e.srv.BaseURL())
	assert.Equal(t, embedPath, p.url.Query().Get("fromURI"))
	assert.Equal(t, embedPath, p.inputs()["fromURI"])

	p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, embedPath, p.url.Path)
	sp := e.newSP(f.app)
	_, err := sp.ParseXMLResponse(p.samlResponse(t), nil, sp.AcsURL)
	assert.NoError(t, err)
}

func TestRelayState(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	ctx := context.Background()
	f := e.fixture()
	app, err := e.srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{
		SPBaseURL: "http://sp.test:8080", IntegrationID: "withrelay", DefaultRelayState: "/teams?x=1&y=2",
	})
	require.NoError(t, err)
	assert.Equal(t, "Reference SP", app.Label)
	require.NoError(t, e.srv.Assign(ctx, app.ID, f.ada.ID))

	b := e.browser()
	b.signIn("ada@acme.test", adaPW)
	p := b.get(app.EmbedLinkURL)
	assert.Equal(t, "/teams?x=1&y=2", p.inputs()["RelayState"], "the default RelayState")
	p = b.get(app.EmbedLinkURL + "?RelayState=%2Fdeep")
	assert.Equal(t, "/deep", p.inputs()["RelayState"], "a deep link's RelayState")
	p = b.get(app.SSOURL + "?RelayState=%2Fsso-deep")
	assert.Equal(t, "/sso-deep", p.inputs()["RelayState"])
}

func TestSPInitiated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	sp := e.newSP(f.app)

	t.Run("HTTP-Redirect, signed in", func(t *testing.T) {
		req, err := sp.MakeAuthenticationRequest(f.app.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
		require.NoError(t, err)
		u, err := req.Redirect("state-1", sp)
		require.NoError(t, err)
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		p := b.get(u.String())
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Equal(t, "state-1", p.inputs()["RelayState"])
		raw := p.samlResponse(t)
		_, err = sp.ParseXMLResponse(raw, []string{req.ID}, sp.AcsURL)
		require.NoError(t, err)
		resp := parseXML(t, raw)
		assert.Equal(t, req.ID, resp.SelectAttrValue("InResponseTo", ""))
		assert.Equal(t, req.ID, resp.FindElement("./Assertion/Subject/SubjectConfirmation/SubjectConfirmationData").SelectAttrValue("InResponseTo", ""))
		assert.Equal(t, req.ID, resp.FindElement("./Assertion/AuthnStatement").SelectAttrValue("SessionIndex", ""))
	})

	t.Run("HTTP-POST, signed out", func(t *testing.T) {
		req, err := sp.MakeAuthenticationRequest(f.app.SSOURL, saml.HTTPPostBinding, saml.HTTPPostBinding)
		require.NoError(t, err)
		doc, err := xml.Marshal(req)
		require.NoError(t, err)
		b := e.browser()
		p := b.post(f.app.SSOURL, url.Values{"SAMLRequest": {base64.StdEncoding.EncodeToString(doc)}, "RelayState": {"state-2"}})
		require.Equal(t, "/login/login.htm", p.url.Path, "sent to sign in")
		p = b.submit(p, url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
		require.Equal(t, http.StatusOK, p.status, p.body)
		assert.Equal(t, "state-2", p.inputs()["RelayState"])
		_, err = sp.ParseXMLResponse(p.samlResponse(t), []string{req.ID}, sp.AcsURL)
		require.NoError(t, err)
	})

	t.Run("a request from an unknown SP is refused", func(t *testing.T) {
		other := *sp
		other.EntityID = "https://other.example"
		req, err := other.MakeAuthenticationRequest(f.app.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
		require.NoError(t, err)
		u, err := req.Redirect("", &other)
		require.NoError(t, err)
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		p := b.get(u.String())
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.NotContains(t, p.body, "SAMLResponse")
	})

	t.Run("garbage is a 400 page", func(t *testing.T) {
		p := e.browser().get(f.app.SSOURL + "?SAMLRequest=%%%")
		assert.Equal(t, http.StatusBadRequest, p.status)
		p = e.browser().post(f.app.SSOURL, url.Values{"SAMLRequest": {"bm90IHhtbA=="}})
		assert.Equal(t, http.StatusBadRequest, p.status)
		assert.Contains(t, p.header.Get("Content-Type"), "text/html")
	})
}

func TestParallelServersKeepTheirOwnClocks(t *testing.T) {
	t.Parallel()
	for _, now := range []time.Time{
		time.Date(2031, 6, 7, 8, 9, 10, 0, time.UTC),
		time.Date(2035, 12, 31, 23, 0, 0, 0, time.UTC),
	} {
		t.Run(now.Format("2006"), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, now)
			f := e.fixture()
			for range 3 {
				raw := launch(t, e, f.app, "ada@acme.test", adaPW).samlResponse(t)
				resp := parseXML(t, raw)
				assert.Equal(t, samlTime(now), resp.SelectAttrValue("IssueInstant", ""))
				assert.Equal(t, samlTime(now.Add(-5*time.Minute)), resp.FindElement("./Assertion/Conditions").SelectAttrValue("NotBefore", ""))
				sp := e.newSP(f.app)
				_, err := sp.ParseXMLResponse(raw, nil, sp.AcsURL)
				assert.NoError(t, err)
			}
			block, _ := pem.Decode([]byte(f.app.CertificatePEM))
			cert, err := x509.ParseCertificate(block.Bytes)
			require.NoError(t, err)
			assert.Equal(t, now.Add(-time.Minute), cert.NotBefore, "the certificate is dated by the server's clock")
		})
	}
}

func TestAdminClockShiftsResponses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	b := e.browser()
	b.signIn("ada@acme.test", adaPW)

	e.srv.SetClockOffset(90 * time.Second)
	raw := b.get(f.app.EmbedLinkURL).samlResponse(t)
	assert.Equal(t, samlTime(t0.Add(90*time.Second)), parseXML(t, raw).SelectAttrValue("IssueInstant", ""))

	fixed := time.Date(2030, 1, 2, 4, 0, 0, 0, time.UTC)
	e.srv.SetTime(fixed)
	raw = b.get(f.app.EmbedLinkURL).samlResponse(t)
	assert.Equal(t, samlTime(fixed), parseXML(t, raw).SelectAttrValue("IssueInstant", ""))

	// Past the two-hour session, the browser must sign in again.
	e.srv.SetTime(t0.Add(3 * time.Hour))
	p := b.get(f.app.EmbedLinkURL)
	assert.Equal(t, "/login/login.htm", p.url.Path)
	assert.False(t, bytes.Contains([]byte(p.body), []byte("SAMLResponse")))
}
