package samlidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Credential is an app's SAML signing key and self-signed certificate, PEM
// encoded as the directory stores them.
type Credential struct {
	PrivateKeyPEM  string
	CertificatePEM string
}

// Attribute type OIDs of the certificate subject.
var (
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidProvince     = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidLocality     = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit      = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
)

// oktaSubject builds the subject Okta gives every app certificate:
//
//	C=US, ST=California, L=San Francisco, O=Okta, OU=SSOProvider, CN={org}, emailAddress=info@okta.com
//
// It is encoded by hand, as Okta encodes it (UTF8String values and an
// IA5String email address), rather than through pkix.Name, which would pick
// PrintableString and order the RDNs its own way.
func oktaSubject(org string) ([]byte, error) {
	utf8 := func(s string) asn1.RawValue {
		return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagUTF8String, Bytes: []byte(s)}
	}
	rdn := func(oid asn1.ObjectIdentifier, v asn1.RawValue) pkix.RelativeDistinguishedNameSET {
		return pkix.RelativeDistinguishedNameSET{{Type: oid, Value: v}}
	}
	seq := pkix.RDNSequence{
		rdn(oidCountry, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagPrintableString, Bytes: []byte("US")}),
		rdn(oidProvince, utf8("California")),
		rdn(oidLocality, utf8("San Francisco")),
		rdn(oidOrganization, utf8("Okta")),
		rdn(oidOrgUnit, utf8("SSOProvider")),
		rdn(oidCommonName, utf8(org)),
		rdn(oidEmailAddress, asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagIA5String, Bytes: []byte("info@okta.com")}),
	}
	return asn1.Marshal(seq)
}

// NewCredential makes a signing credential the way Okta does for a new app:
// an RSA-2048 key and a self-signed SHA-256 certificate with Okta's subject
// for the org, valid for ten years. As in Okta's certificates, the serial
// number is the creation time in milliseconds and the validity starts a
// minute before creation, which absorbs small clock differences with SPs
// that check the certificate's dates.
func NewCredential(org string, now time.Time) (Credential, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return Credential{}, fmt.Errorf("samlidp: new credential: %w", err)
	}
	return CredentialForKey(org, now, key)
}

// CredentialForKey is NewCredential with a key made elsewhere: generating an
// RSA-2048 key is most of the cost of a new app, and test suites that create
// thousands of apps make their keys once.
func CredentialForKey(org string, now time.Time, key *rsa.PrivateKey) (Credential, error) {
	if org == "" {
		return Credential{}, errors.New("samlidp: new credential: empty org name")
	}
	if key == nil {
		return Credential{}, errors.New("samlidp: new credential: no key")
	}
	subject, err := oktaSubject(org)
	if err != nil {
		return Credential{}, fmt.Errorf("samlidp: new credential: subject: %w", err)
	}
	now = now.UTC().Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:       big.NewInt(now.UnixMilli()),
		RawSubject:         subject,
		NotBefore:          now.Add(-time.Minute),
		NotAfter:           now.AddDate(10, 0, 0),
		SignatureAlgorithm: x509.SHA256WithRSA,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return Credential{}, fmt.Errorf("samlidp: new credential: certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Credential{}, fmt.Errorf("samlidp: new credential: key: %w", err)
	}
	return Credential{
		PrivateKeyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
		CertificatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
	}, nil
}

// ParseCredential decodes a stored credential.
func ParseCredential(keyPEM, certPEM string) (*rsa.PrivateKey, *x509.Certificate, error) {
	kb, _ := pem.Decode([]byte(keyPEM))
	if kb == nil {
		return nil, nil, errors.New("samlidp: private key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("samlidp: private key: %w", err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("samlidp: private key is %T, not RSA", k)
	}
	cb, _ := pem.Decode([]byte(certPEM))
	if cb == nil {
		return nil, nil, errors.New("samlidp: certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("samlidp: certificate: %w", err)
	}
	return key, cert, nil
}
