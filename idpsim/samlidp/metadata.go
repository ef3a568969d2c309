package samlidp

import (
	"encoding/base64"
	"strings"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

const nsMetadata = "urn:oasis:names:tc:SAML:2.0:metadata"

// metadataDocument renders the IdP metadata of an app in the shape Okta
// serves: md: prefix, WantAuthnRequestsSigned="false", one signing
// KeyDescriptor (no encryption key), the NameID formats, and the SSO URL for
// HTTP-POST then HTTP-Redirect. Like Okta's, it has no validUntil or
// cacheDuration, so SPs may keep it as long as they like.
func metadataDocument(entityID, ssoURL string, certDER []byte, formats []directory.NameIDFormat) ([]byte, error) {
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	ed := doc.CreateElement("md:EntityDescriptor")
	ed.CreateAttr("xmlns:md", nsMetadata)
	ed.CreateAttr("entityID", entityID)
	idp := ed.CreateElement("md:IDPSSODescriptor")
	idp.CreateAttr("WantAuthnRequestsSigned", "false")
	idp.CreateAttr("protocolSupportEnumeration", nsProtocol)
	kd := idp.CreateElement("md:KeyDescriptor")
	kd.CreateAttr("use", "signing")
	ki := kd.CreateElement("ds:KeyInfo")
	ki.CreateAttr("xmlns:ds", nsDS)
	ki.CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").SetText(wrap76(base64.StdEncoding.EncodeToString(certDER)))
	for _, f := range formats {
		idp.CreateElement("md:NameIDFormat").SetText(f.URI())
	}
	for _, binding := range []string{saml.HTTPPostBinding, saml.HTTPRedirectBinding} {
		sso := idp.CreateElement("md:SingleSignOnService")
		sso.CreateAttr("Binding", binding)
		sso.CreateAttr("Location", ssoURL)
	}
	return doc.WriteToBytes()
}

// metadataNameIDFormats are the formats the metadata lists: Okta lists
// unspecified and emailAddress, and an app that sends another format
// lists that too.
func metadataNameIDFormats(app directory.App) []directory.NameIDFormat {
	out := []directory.NameIDFormat{directory.NameIDUnspecified, directory.NameIDEmail}
	if f := app.NameIDFormat(); f != directory.NameIDUnspecified && f != directory.NameIDEmail {
		out = append(out, f)
	}
	return out
}

// wrap76 breaks base64 text into 76-character lines, as Okta's metadata
// does, so SPs that cannot handle line breaks in certificates fail here too.
func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteByte('\n')
		s = s[76:]
	}
	b.WriteString(s)
	return b.String()
}
