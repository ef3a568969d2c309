package samlidp

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// rawATV keeps an attribute value's ASN.1 tag, which pkix.Name forgets.
type rawATV struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rawRDNSET is a SET OF rawATV (encoding/asn1 treats a type whose name ends
// in SET as a SET).
type rawRDNSET []rawATV

func TestCredentialLikeOkta(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 4, 5, 6, 7, 800_000_000, time.UTC)
	cred, err := NewCredential("acme-dev", now)
	require.NoError(t, err)
	key, cert, err := ParseCredential(cred.PrivateKeyPEM, cred.CertificatePEM)
	require.NoError(t, err)

	assert.Equal(t, 2048, key.N.BitLen())
	assert.True(t, key.PublicKey.Equal(cert.PublicKey.(*rsa.PublicKey)))
	assert.Equal(t, x509.SHA256WithRSA, cert.SignatureAlgorithm)
	assert.NoError(t, cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature), "self-signed")
	assert.Equal(t, cert.RawSubject, cert.RawIssuer)
	assert.Equal(t, now.Truncate(time.Second).Add(-time.Minute), cert.NotBefore)
	assert.Equal(t, now.Truncate(time.Second).AddDate(10, 0, 0), cert.NotAfter)
	assert.Equal(t, now.Truncate(time.Second).UnixMilli(), cert.SerialNumber.Int64())

	// The subject, RDN by RDN, with the string types Okta's certificates use.
	var rdns []rawRDNSET
	_, err = asn1.Unmarshal(cert.RawSubject, &rdns)
	require.NoError(t, err)
	var raw []rawATV
	for _, rdn := range rdns {
		require.Len(t, rdn, 1)
		raw = append(raw, rdn[0])
	}
	want := []struct {
		oid   string
		value string
		tag   int
	}{
		{"2.5.4.6", "US", asn1.TagPrintableString},
		{"2.5.4.8", "California", asn1.TagUTF8String},
		{"2.5.4.7", "San Francisco", asn1.TagUTF8String},
		{"2.5.4.10", "Okta", asn1.TagUTF8String},
		{"2.5.4.11", "SSOProvider", asn1.TagUTF8String},
		{"2.5.4.3", "acme-dev", asn1.TagUTF8String},
		{"1.2.840.113549.1.9.1", "info@okta.com", asn1.TagIA5String},
	}
	require.Len(t, raw, len(want))
	for i, w := range want {
		assert.Equal(t, w.oid, raw[i].Type.String())
		assert.Equal(t, w.value, string(raw[i].Value.Bytes))
		assert.Equal(t, w.tag, raw[i].Value.Tag, "tag of %s", w.oid)
	}
	assert.Equal(t, "acme-dev", cert.Subject.CommonName)
	assert.Equal(t, []string{"SSOProvider"}, cert.Subject.OrganizationalUnit)
	assert.Equal(t, []string{"Okta"}, cert.Subject.Organization)
}

func TestSignatureValidatesAndLooksLikeOkta(t *testing.T) {
	t.Parallel()
	cred, err := NewCredential("acme-dev", time.Now())
	require.NoError(t, err)
	key, cert, err := ParseCredential(cred.PrivateKeyPEM, cred.CertificatePEM)
	require.NoError(t, err)

	for _, alg := range []string{directory.SignatureRSASHA256, directory.SignatureRSASHA1} {
		t.Run(alg, func(t *testing.T) {
			s, err := newSigner(key, cert.Raw, alg)
			require.NoError(t, err)
			el := etree.NewElement("saml2:Assertion")
			el.CreateAttr("xmlns:saml2", nsAssertion)
			el.CreateAttr("ID", "id123")
			el.CreateAttr("xmlns:xs", nsXS)
			el.CreateElement("saml2:Issuer").SetText("http://www.okta.com/exk1")
			v := el.CreateElement("saml2:AttributeValue")
			v.CreateAttr("xmlns:xsi", nsXSI)
			v.CreateAttr("xsi:type", "xs:string")
			v.SetText("a & b < c")
			require.NoError(t, s.signEnveloped(el))

			// The Signature is the second child, right after Issuer.
			children := el.ChildElements()
			require.Len(t, children, 3)
			assert.Equal(t, "Signature", children[1].Tag)
			ns := children[1].FindElement(".//InclusiveNamespaces")
			require.NotNil(t, ns)
			assert.Equal(t, "xs", ns.SelectAttrValue("PrefixList", ""))

			// Serialize and parse again, as an SP does, then validate.
			doc := etree.NewDocument()
			doc.SetRoot(el)
			buf, err := doc.WriteToBytes()
			require.NoError(t, err)
			parsed := etree.NewDocument()
			require.NoError(t, parsed.ReadFromBytes(buf))
			vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
			_, err = vctx.Validate(parsed.Root())
			assert.NoError(t, err)

			// Tampering breaks it.
			parsed.Root().FindElement("./AttributeValue").SetText("tampered")
			_, err = vctx.Validate(parsed.Root())
			assert.Error(t, err)
		})
	}
}

func TestURLs(t *testing.T) {
	t.Parallel()
	b := "http://127.0.0.1:8081/"
	assert.Equal(t, "http://www.okta.com/exk1", EntityID("exk1"))
	assert.Equal(t, "http://127.0.0.1:8081/app/refsp/exk1/sso/saml", SSOURL(b, "refsp", "exk1"))
	assert.Equal(t, "http://127.0.0.1:8081/app/exk1/sso/saml/metadata", MetadataURL(b, "exk1"))
	assert.Equal(t, "http://127.0.0.1:8081/app/refsp/exk1/sso/saml/metadata", NamedMetadataURL(b, "refsp", "exk1"))
	assert.Equal(t, "http://127.0.0.1:8081/api/v1/apps/0oa1/sso/saml/metadata", APIMetadataURL(b, "0oa1"))
	assert.Equal(t, "http://127.0.0.1:8081/home/refsp/0oa1/aln1", EmbedLinkURL(b, "refsp", "0oa1", "aln1"))
}

func TestSAMLIDsAndTimes(t *testing.T) {
	t.Parallel()
	for range 50 {
		assert.Regexp(t, `^id[1-9][0-9]{25}$`, newSAMLID())
	}
	now := time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.FixedZone("X", 3600))
	assert.Equal(t, "2024-01-02T02:04:05.006Z", samlTime(now))
	assert.Regexp(t, `^id1704161045006\.[0-9]{10}$`, newSessionIndex(now))
	assert.Equal(t, "ab\tc\nd", sanitizeText("a\x00b\tc\nd\r"))
}
