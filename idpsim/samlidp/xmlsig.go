package samlidp

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1" // registers SHA-1 for apps that select RSA_SHA1
	_ "crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// XML namespaces and algorithm identifiers of the signatures Okta makes.
const (
	nsDS            = "http://www.w3.org/2000/09/xmldsig#"
	algExcC14N      = "http://www.w3.org/2001/10/xml-exc-c14n#"
	algEnveloped    = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
	algRSASHA256    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	algRSASHA1      = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
	algDigestSHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
	algDigestSHA1   = "http://www.w3.org/2000/09/xmldsig#sha1"

	// inclusivePrefixes is the InclusiveNamespaces PrefixList of Okta's
	// signatures: the xs prefix is used inside attribute values
	// (xsi:type="xs:string"), where exclusive C14N cannot see it.
	inclusivePrefixes = "xs"
)

// signer makes enveloped XML signatures shaped like Okta's.
//
// goxmldsig's SigningContext cannot do this: it never writes the
// InclusiveNamespaces element into the exclusive C14N transform and always
// appends the Signature as the last child. So the signature is assembled
// here, with goxmldsig only doing the canonicalization, the part that is
// easy to get subtly wrong.
type signer struct {
	key       *rsa.PrivateKey
	certDER   []byte
	hash      crypto.Hash
	sigAlg    string
	digestAlg string
}

func newSigner(key *rsa.PrivateKey, certDER []byte, algorithm string) (*signer, error) {
	s := &signer{key: key, certDER: certDER}
	switch algorithm {
	case "", directory.SignatureRSASHA256:
		s.hash, s.sigAlg, s.digestAlg = crypto.SHA256, algRSASHA256, algDigestSHA256
	case directory.SignatureRSASHA1:
		s.hash, s.sigAlg, s.digestAlg = crypto.SHA1, algRSASHA1, algDigestSHA1
	default:
		return nil, fmt.Errorf("samlidp: unknown signature algorithm %q", algorithm)
	}
	return s, nil
}

// signEnveloped signs el (which must have an ID attribute and declare every
// namespace prefix it uses, as Okta's Response and Assertion do) and inserts
// the ds:Signature right after its Issuer child, where SAML requires it.
func (s *signer) signEnveloped(el *etree.Element) error {
	id := el.SelectAttrValue("ID", "")
	if id == "" {
		return errors.New("samlidp: sign: element has no ID")
	}
	// Canonicalize a copy: goxmldsig's canonicalizer rewrites the element
	// it is given (drops namespace declarations, sorts attributes), and the
	// document should keep Okta's serialized shape. The enveloped-signature
	// transform needs nothing here, since el has no Signature yet.
	canon, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(inclusivePrefixes).Canonicalize(el.Copy())
	if err != nil {
		return fmt.Errorf("samlidp: sign: canonicalize: %w", err)
	}
	h := s.hash.New()
	h.Write(canon)
	digest := h.Sum(nil)

	sig := etree.NewElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	signedInfo := sig.CreateElement("ds:SignedInfo")
	signedInfo.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	signedInfo.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", s.sigAlg)
	ref := signedInfo.CreateElement("ds:Reference")
	ref.CreateAttr("URI", "#"+id)
	transforms := ref.CreateElement("ds:Transforms")
	transforms.CreateElement("ds:Transform").CreateAttr("Algorithm", algEnveloped)
	c14n := transforms.CreateElement("ds:Transform")
	c14n.CreateAttr("Algorithm", algExcC14N)
	inclusive := c14n.CreateElement("ec:InclusiveNamespaces")
	inclusive.CreateAttr("xmlns:ec", algExcC14N)
	inclusive.CreateAttr("PrefixList", inclusivePrefixes)
	ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", s.digestAlg)
	ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(digest))

	// In the document, SignedInfo inherits ds from the Signature element;
	// exclusive C14N renders that declaration on SignedInfo, so a detached
	// copy that declares it canonicalizes the same.
	detached := signedInfo.Copy()
	detached.CreateAttr("xmlns:ds", nsDS)
	canonSI, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(detached)
	if err != nil {
		return fmt.Errorf("samlidp: sign: canonicalize SignedInfo: %w", err)
	}
	h = s.hash.New()
	h.Write(canonSI)
	value, err := rsa.SignPKCS1v15(rand.Reader, s.key, s.hash, h.Sum(nil))
	if err != nil {
		return fmt.Errorf("samlidp: sign: %w", err)
	}
	sig.CreateElement("ds:SignatureValue").SetText(base64.StdEncoding.EncodeToString(value))
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(s.certDER))

	el.InsertChildAt(issuerIndex(el)+1, sig)
	return nil
}

// issuerIndex returns the token index of el's Issuer child, or -1.
func issuerIndex(el *etree.Element) int {
	for i, t := range el.Child {
		if c, ok := t.(*etree.Element); ok && c.Tag == "Issuer" {
			return i
		}
	}
	return -1
}
