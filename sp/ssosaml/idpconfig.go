package ssosaml

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Form fields a ConfigError can point at.
const (
	FieldMetadataURL = "metadata_url"
	FieldSSOURL      = "sso_url"
	FieldCertificate = "certificate"
	FieldEntityID    = "entity_id"
)

// ConfigError refuses an IdP configuration. Message is written for the admin and is
// safe to show; Err, when set, is the underlying cause, for logs only.
type ConfigError struct {
	Field   string
	Message string
	Err     error
}

func (e *ConfigError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *ConfigError) Unwrap() error { return e.Err }

func refuse(field, msg string, cause error) *ConfigError {
	return &ConfigError{Field: field, Message: msg, Err: cause}
}

// IdP is what the SP needs to know about an identity provider.
type IdP struct {
	EntityID string // may be empty when typed by hand
	SSOURL   string
	CertPEM  string
	Cert     *x509.Certificate
}

// certSource says where a certificate came from, for the wording of refusals.
type certSource int

const (
	fromMetadata certSource = iota
	fromForm
)

// ParseIdPMetadata reads an IdP metadata document (an EntityDescriptor, or an
// EntitiesDescriptor holding one IdP) and takes the IdP entity ID, the SSO URL
// (HTTP-Redirect preferred, else HTTP-POST) and a signing certificate that is valid
// at now and not signed with SHA-1. Refusals are *ConfigError.
func ParseIdPMetadata(data []byte, now time.Time) (IdP, error) {
	notMetadata := "The link does not point to SAML IdP metadata. In Okta, open the app's Sign On tab, open the SHA-2 certificate's menu, choose View IdP Metadata and copy that page's address."
	ed, err := samlsp.ParseMetadata(data)
	if err != nil {
		if isMetadataRoot(data) {
			return IdP{}, refuse(FieldMetadataURL, "The metadata document is not valid SAML metadata (an element or URL in it is malformed).", err)
		}
		return IdP{}, refuse(FieldMetadataURL, notMetadata, err)
	}
	if len(ed.IDPSSODescriptors) == 0 {
		return IdP{}, refuse(FieldMetadataURL, "The metadata describes no identity provider (it has no IDPSSODescriptor). Use the metadata link of the app in Okta, not the SP's own metadata.", nil)
	}
	if strings.TrimSpace(ed.EntityID) == "" {
		return IdP{}, refuse(FieldMetadataURL, "The metadata has no entity ID.", nil)
	}
	idp := IdP{EntityID: strings.TrimSpace(ed.EntityID)}

	var redirect, post string
	var certs []string
	for _, d := range ed.IDPSSODescriptors {
		for _, ep := range d.SingleSignOnServices {
			switch {
			case ep.Binding == saml.HTTPRedirectBinding && redirect == "":
				redirect = ep.Location
			case ep.Binding == saml.HTTPPostBinding && post == "":
				post = ep.Location
			}
		}
		for _, kd := range d.KeyDescriptors {
			// An empty use means the key serves both signing and encryption.
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, c := range kd.KeyInfo.X509Data.X509Certificates {
				certs = append(certs, c.Data)
			}
		}
	}
	sso := redirect
	if sso == "" {
		sso = post
	}
	if sso == "" {
		return IdP{}, refuse(FieldMetadataURL, "The metadata has no single sign-on service with the HTTP-Redirect or HTTP-POST binding.", nil)
	}
	if _, err := checkAbsoluteURL(sso); err != nil {
		return IdP{}, refuse(FieldMetadataURL, "The metadata's single sign-on URL is not an absolute http or https URL.", err)
	}
	idp.SSOURL = sso
	if len(certs) == 0 {
		return IdP{}, refuse(FieldMetadataURL, "The metadata has no signing certificate.", nil)
	}

	// Several signing certificates happen during a key rollover: take the first
	// one that passes, and report the first refusal if none does.
	var firstErr error
	for _, data := range certs {
		der, err := base64.StdEncoding.DecodeString(stripSpace(data))
		if err != nil {
			firstErr = cmpErr(firstErr, refuse(FieldMetadataURL, "The metadata's signing certificate cannot be read.", err))
			continue
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			firstErr = cmpErr(firstErr, refuse(FieldMetadataURL, "The metadata's signing certificate cannot be read.", err))
			continue
		}
		if err := checkCertificate(cert, now, fromMetadata); err != nil {
			firstErr = cmpErr(firstErr, err)
			continue
		}
		idp.Cert = cert
		idp.CertPEM = encodePEM(cert)
		return idp, nil
	}
	return IdP{}, firstErr
}

// isMetadataRoot reports whether data's root element is a SAML metadata
// EntityDescriptor or EntitiesDescriptor, to tell "wrong document" from "broken
// metadata" in refusals.
func isMetadataRoot(data []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Space == "urn:oasis:names:tc:SAML:2.0:metadata" &&
				(se.Name.Local == "EntityDescriptor" || se.Name.Local == "EntitiesDescriptor")
		}
	}
}

func cmpErr(first, next error) error {
	if first != nil {
		return first
	}
	return next
}

// ParseCertificatePEM reads one X.509 certificate as PEM, or as bare base64 DER
// (what some IdP consoles show), and checks it as ParseIdPMetadata does.
func ParseCertificatePEM(text string, now time.Time) (*x509.Certificate, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, refuse(FieldCertificate, "Paste the X.509 certificate (PEM, starting with -----BEGIN CERTIFICATE-----).", nil)
	}
	var der []byte
	if strings.Contains(text, "-----BEGIN") {
		block, rest := pem.Decode([]byte(text))
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, refuse(FieldCertificate, "The certificate is not a PEM \"CERTIFICATE\" block.", nil)
		}
		if strings.TrimSpace(string(rest)) != "" {
			return nil, refuse(FieldCertificate, "Paste exactly one certificate.", nil)
		}
		der = block.Bytes
	} else {
		b, err := base64.StdEncoding.DecodeString(stripSpace(text))
		if err != nil {
			return nil, refuse(FieldCertificate, "The certificate is not PEM (it should start with -----BEGIN CERTIFICATE-----).", err)
		}
		der = b
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, refuse(FieldCertificate, "The certificate cannot be read as X.509.", err)
	}
	if err := checkCertificate(cert, now, fromForm); err != nil {
		return nil, err
	}
	return cert, nil
}

// checkCertificate refuses certificates the SP must not trust for signatures:
// outside their validity period at now, signed with SHA-1 (or weaker), or with a
// key type XML signatures from Okta never use.
func checkCertificate(cert *x509.Certificate, now time.Time, src certSource) error {
	field, sha2Hint := FieldCertificate, "use the SHA-2 certificate"
	if src == fromMetadata {
		field, sha2Hint = FieldMetadataURL, "use the SHA-2 certificate's metadata link"
	}
	switch cert.SignatureAlgorithm {
	case x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		return refuse(field, "SHA-1 certificates are not accepted; "+sha2Hint+".", nil)
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.UnknownSignatureAlgorithm:
		return refuse(field, "The certificate is signed with an algorithm that is not accepted; "+sha2Hint+".", nil)
	}
	switch cert.PublicKey.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey:
	default:
		return refuse(field, "The certificate's key is neither RSA nor ECDSA.", nil)
	}
	if now.After(cert.NotAfter) {
		return refuse(field, fmt.Sprintf("The certificate expired on %s. Use the IdP's current signing certificate.", cert.NotAfter.UTC().Format(time.DateOnly)), nil)
	}
	if now.Before(cert.NotBefore) {
		return refuse(field, fmt.Sprintf("The certificate is not valid before %s. Check the certificate, or the clocks.", cert.NotBefore.UTC().Format(time.RFC3339)), nil)
	}
	return nil
}

func checkAbsoluteURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme %q is not http or https", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("no host")
	}
	return u, nil
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

func encodePEM(cert *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
}

// FetchIdPMetadata fetches and parses the metadata at rawURL. Refusals are
// *ConfigError.
func (s *Service) FetchIdPMetadata(ctx context.Context, rawURL string) (IdP, error) {
	rawURL = strings.TrimSpace(rawURL)
	if rawURL == "" {
		return IdP{}, refuse(FieldMetadataURL, "Paste the metadata link from Okta.", nil)
	}
	u, err := checkAbsoluteURL(rawURL)
	if err != nil {
		return IdP{}, refuse(FieldMetadataURL, "The metadata link must be an absolute http or https URL.", err)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultFetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return IdP{}, refuse(FieldMetadataURL, "The metadata link must be an absolute http or https URL.", err)
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := s.client.Do(req)
	if err != nil {
		return IdP{}, refuse(FieldMetadataURL, fmt.Sprintf("Could not reach %s. Check the link, and that the host is reachable from this service.", u.Host), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return IdP{}, refuse(FieldMetadataURL, fmt.Sprintf("The metadata link answered HTTP %d, not the metadata. Check that you copied the whole link.", resp.StatusCode), nil)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetadataSize+1))
	if err != nil {
		return IdP{}, refuse(FieldMetadataURL, fmt.Sprintf("Reading the metadata from %s failed.", u.Host), err)
	}
	if len(data) > MaxMetadataSize {
		return IdP{}, refuse(FieldMetadataURL, "The document at the link is too large to be an IdP's metadata.", nil)
	}
	return ParseIdPMetadata(data, s.now())
}

// ConnectOkta starts "Connect Okta" for orgID: it creates the organization's
// integration with a fresh, unguessable Integration ID, pending (SSO-01). An
// organization has at most one: a second call returns store.ErrConflict.
func (s *Service) ConnectOkta(ctx context.Context, orgID string) (store.Integration, error) {
	if _, err := s.store.GetOrganization(ctx, orgID); err != nil {
		return store.Integration{}, fmt.Errorf("connect okta: organization %q: %w", orgID, err)
	}
	now := s.now()
	in, err := s.store.CreateIntegration(ctx, store.Integration{
		// 128 random bits: the ID is the only thing standing between a stranger
		// and this organization's ACS and metadata URLs.
		ID:        store.NewID(""),
		OrgID:     orgID,
		Status:    store.StatusPending,
		CreatedAt: now,
		UpdatedAt: now,
	})
	if err != nil {
		return store.Integration{}, fmt.Errorf("connect okta: %w", err)
	}
	return in, nil
}

// ConfigureFromMetadataURL fetches the IdP metadata at metadataURL and, if it
// passes every check, saves the IdP entity ID, SSO URL and certificate on the
// integration (SSO-03). On refusal (a *ConfigError) nothing is saved.
func (s *Service) ConfigureFromMetadataURL(ctx context.Context, integrationID, metadataURL string) (store.Integration, error) {
	// Fail early on an unknown integration, before fetching anything.
	if _, err := s.store.GetIntegration(ctx, integrationID); err != nil {
		return store.Integration{}, fmt.Errorf("configure integration %q: %w", integrationID, err)
	}
	idp, err := s.FetchIdPMetadata(ctx, metadataURL)
	if err != nil {
		return store.Integration{}, err
	}
	return s.saveIdP(ctx, integrationID, strings.TrimSpace(metadataURL), idp)
}

// ConfigureManually saves an IdP SSO URL and X.509 certificate typed by hand
// (SSO-04). entityID is optional; without it the Issuer of incoming responses is
// not pinned and the certificate alone identifies the IdP. On refusal (a
// *ConfigError) nothing is saved.
func (s *Service) ConfigureManually(ctx context.Context, integrationID, ssoURL, certPEM, entityID string) (store.Integration, error) {
	if _, err := s.store.GetIntegration(ctx, integrationID); err != nil {
		return store.Integration{}, fmt.Errorf("configure integration %q: %w", integrationID, err)
	}
	ssoURL = strings.TrimSpace(ssoURL)
	if ssoURL == "" {
		return store.Integration{}, refuse(FieldSSOURL, "Enter the Identity Provider Single Sign-On URL.", nil)
	}
	if _, err := checkAbsoluteURL(ssoURL); err != nil {
		return store.Integration{}, refuse(FieldSSOURL, "The Single Sign-On URL must be an absolute http or https URL.", err)
	}
	entityID = strings.TrimSpace(entityID)
	if len(entityID) > 1024 {
		return store.Integration{}, refuse(FieldEntityID, "The entity ID is too long.", nil)
	}
	cert, err := ParseCertificatePEM(certPEM, s.now())
	if err != nil {
		return store.Integration{}, err
	}
	return s.saveIdP(ctx, integrationID, "", IdP{EntityID: entityID, SSOURL: ssoURL, CertPEM: encodePEM(cert), Cert: cert})
}

func (s *Service) saveIdP(ctx context.Context, integrationID, metadataURL string, idp IdP) (store.Integration, error) {
	var out store.Integration
	err := s.store.InTx(ctx, func(tx store.Store) error {
		in, err := tx.GetIntegration(ctx, integrationID)
		if err != nil {
			return err
		}
		changed := in.IdPEntityID != idp.EntityID || in.SSOURL != idp.SSOURL || in.CertPEM != idp.CertPEM
		in.MetadataURL = metadataURL
		in.IdPEntityID = idp.EntityID
		in.SSOURL = idp.SSOURL
		in.CertPEM = idp.CertPEM
		// A connected integration pointed at another IdP has not proven the new one
		// yet, so it goes back to pending until the next Connect round trip.
		if changed && in.Status == store.StatusConnected {
			in.Status = store.StatusPending
		}
		in.UpdatedAt = s.now()
		out, err = tx.UpdateIntegration(ctx, in)
		return err
	})
	if err != nil {
		return store.Integration{}, fmt.Errorf("configure integration %q: %w", integrationID, err)
	}
	return out, nil
}

// SetStatus changes an integration's status. Only a configured integration can be
// connected.
func (s *Service) SetStatus(ctx context.Context, integrationID string, status store.IntegrationStatus) (store.Integration, error) {
	switch status {
	case store.StatusPending, store.StatusConnected, store.StatusDisabled:
	default:
		return store.Integration{}, fmt.Errorf("set status %q: %w", status, store.ErrInvalid)
	}
	var out store.Integration
	err := s.store.InTx(ctx, func(tx store.Store) error {
		in, err := tx.GetIntegration(ctx, integrationID)
		if err != nil {
			return err
		}
		if status == store.StatusConnected && !in.Configured() {
			return fmt.Errorf("integration is not configured: %w", store.ErrInvalid)
		}
		in.Status = status
		in.UpdatedAt = s.now()
		out, err = tx.UpdateIntegration(ctx, in)
		return err
	})
	if err != nil {
		return store.Integration{}, fmt.Errorf("set status of integration %q: %w", integrationID, err)
	}
	return out, nil
}
