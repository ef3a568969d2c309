// Package ssosaml is the reference SP's SAML side of "Sign in with Okta": one
// crewjam ServiceProvider per Okta integration, the IdP configuration of an
// integration (from a metadata link or typed by hand), the SP metadata, the
// SP-initiated start (sign-in and the Connect round trip), the Assertion
// Consumer Service and just-in-time provisioning.
//
// It speaks to the store and returns plain values and errors; the web package turns
// them into pages, so everything here is also usable without HTTP (by the
// conformance suite and the demo seeding).
package ssosaml

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Defaults for Config's zero values.
const (
	DefaultClockSkew    = 60 * time.Second
	DefaultFetchTimeout = 10 * time.Second
	// DefaultRequestTTL is how long an SP-initiated AuthnRequest waits for its
	// response: long enough to type a password and answer an MFA prompt at Okta.
	DefaultRequestTTL = 10 * time.Minute
	// MaxMetadataSize bounds an IdP metadata document. Okta's is a few kilobytes;
	// the bound keeps a wrong link from filling memory.
	MaxMetadataSize = 1 << 20
)

// Config configures a Service.
type Config struct {
	// BaseURL is the SP's external base URL, e.g. "https://sp.example"; every SAML
	// URL of an integration is derived from it (see URLs).
	BaseURL string
	Store   store.Store
	// Clock is the time source for every time check; nil means time.Now.
	Clock func() time.Time
	// HTTPClient fetches IdP metadata; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// ClockSkew is tolerated on NotBefore/NotOnOrAfter; 0 means DefaultClockSkew.
	// crewjam applies its own fixed tolerance (saml.MaxClockSkew) first, so
	// ClockSkew can only narrow it.
	ClockSkew time.Duration
	// RequestTTL is how long an SP-initiated request stays answerable; 0 means
	// DefaultRequestTTL.
	RequestTTL time.Duration
}

// Service holds what the SAML side of the SP needs. It has no mutable state of its
// own: everything that changes lives in the store.
type Service struct {
	base   string // BaseURL without trailing slash
	store  store.Store
	now    func() time.Time
	client *http.Client
	skew   time.Duration
	ttl    time.Duration
}

// New validates cfg and returns a Service.
func New(cfg Config) (*Service, error) {
	base, err := NormalizeBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		return nil, errors.New("ssosaml: Store is required")
	}
	s := &Service{base: base, store: cfg.Store, now: cfg.Clock, client: cfg.HTTPClient, skew: cfg.ClockSkew, ttl: cfg.RequestTTL}
	if s.now == nil {
		s.now = time.Now
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: DefaultFetchTimeout}
	}
	if s.skew == 0 {
		s.skew = DefaultClockSkew
	}
	if s.ttl == 0 {
		s.ttl = DefaultRequestTTL
	}
	if s.ttl < 0 {
		return nil, errors.New("ssosaml: RequestTTL must not be negative")
	}
	if s.skew < 0 || s.skew > saml.MaxClockSkew {
		return nil, fmt.Errorf("ssosaml: ClockSkew must be between 0 and %s", saml.MaxClockSkew)
	}
	return s, nil
}

// NormalizeBaseURL checks that raw is an absolute http(s) URL without query or
// fragment and returns it without a trailing slash.
func NormalizeBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q must be an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("base URL %q must not carry user info, a query or a fragment", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// URLs are the SP-side addresses of one integration. The fake Okta derives the same
// ones from the SP base URL and the Integration ID, so the shapes are fixed.
type URLs struct {
	EntityID    string // also the audience
	ACS         string // HTTP-POST
	Metadata    string
	SignIn      string // SP-initiated sign-in
	SettingsSSO string
}

// URLs returns the addresses of integration id.
func (s *Service) URLs(id string) URLs {
	entity := s.base + "/sso/okta/" + url.PathEscape(id)
	return URLs{
		EntityID:    entity,
		ACS:         entity + "/acs",
		Metadata:    entity + "/metadata",
		SignIn:      s.base + "/users/sign-in/sso/okta/" + url.PathEscape(id),
		SettingsSSO: s.base + "/settings/sso",
	}
}

// BaseURL returns the normalized base URL.
func (s *Service) BaseURL() string { return s.base }
