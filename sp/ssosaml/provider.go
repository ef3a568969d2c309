package ssosaml

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/ssoharness/ssoharness/sp/store"
)

// serviceProvider builds the crewjam ServiceProvider of one integration, with its
// clock frozen at now. It is built per request from the stored integration, so a
// configuration change takes effect at once on every replica.
func (s *Service) serviceProvider(in store.Integration, now time.Time) (*saml.ServiceProvider, error) {
	u := s.URLs(in.ID)
	acs, err := url.Parse(u.ACS)
	if err != nil {
		return nil, err
	}
	md, err := url.Parse(u.Metadata)
	if err != nil {
		return nil, err
	}
	sp := &saml.ServiceProvider{
		EntityID:    u.EntityID,
		AcsURL:      *acs,
		MetadataURL: *md,
		// Okta posts responses; the SP never resolves artifacts.
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		AuthnNameIDFormat:                saml.EmailAddressNameIDFormat,
		AllowIDPInitiated:                true,
		ValidateAudienceRestriction:      audienceCheck(),
		// The injected clock, never crewjam's package-level one: servers with
		// different clocks run side by side in tests.
		Clock: dsig.NewFakeClockAt(now),
	}
	if in.Configured() {
		block, _ := pem.Decode([]byte(in.CertPEM))
		if block == nil {
			return nil, errors.New("stored IdP certificate is not PEM")
		}
		sp.IDPMetadata = &saml.EntityDescriptor{
			EntityID: in.IdPEntityID,
			IDPSSODescriptors: []saml.IDPSSODescriptor{{
				SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
					ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
					KeyDescriptors: []saml.KeyDescriptor{{
						Use: "signing",
						KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{
							{Data: base64.StdEncoding.EncodeToString(block.Bytes)},
						}}},
					}},
				}},
				SingleSignOnServices: []saml.Endpoint{
					{Binding: saml.HTTPRedirectBinding, Location: in.SSOURL},
					{Binding: saml.HTTPPostBinding, Location: in.SSOURL},
				},
			}},
		}
	}
	return sp, nil
}

// MetadataXML returns the SP metadata of integration id. It is served whatever
// the integration's status: it holds nothing secret and Okta may fetch it any time.
func (s *Service) MetadataXML(ctx context.Context, id string) ([]byte, error) {
	in, err := s.store.GetIntegration(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("metadata of integration %q: %w", id, err)
	}
	sp, err := s.serviceProvider(in, s.now())
	if err != nil {
		return nil, err
	}
	buf, err := xml.MarshalIndent(sp.Metadata(), "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), buf...), nil
}
