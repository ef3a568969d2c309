// Package sp is the reference service provider: a small multi-tenant SaaS that
// implements "Sign in with Okta" the way a public Okta integration guide describes
// it. New returns a Server, which is an http.Handler and also offers the
// configuration steps as Go methods (for the conformance suite and demo seeding).
package sp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/web"
)

// Defaults for Config's zero values.
const (
	DefaultClockSkew  = ssosaml.DefaultClockSkew
	DefaultSessionTTL = 12 * time.Hour
)

// Config configures a Server.
type Config struct {
	// BaseURL is the SP's external URL (scheme, host, port), e.g.
	// "https://sp.example". Every SAML URL is derived from it; https makes the
	// session cookie Secure.
	BaseURL string
	Store   store.Store
	// Clock is the time source for sessions and SAML checks; nil means time.Now.
	Clock func() time.Time
	// Logger receives the SP's structured log; nil discards it.
	Logger *slog.Logger
	// HTTPClient fetches IdP metadata; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// ClockSkew is tolerated on NotBefore/NotOnOrAfter; 0 means 60 s. At most
	// 3 minutes (crewjam's own fixed tolerance).
	ClockSkew time.Duration
	// SessionTTL is how long a sign-in lasts; 0 means 12 h.
	SessionTTL time.Duration
}

// Server is the reference SP.
type Server struct {
	store store.Store
	sso   *ssosaml.Service
	web   *web.Handler
}

// New checks cfg, fills in defaults and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("sp: Config.Store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.SessionTTL < 0 {
		return nil, errors.New("sp: Config.SessionTTL must not be negative")
	}
	sso, err := ssosaml.New(ssosaml.Config{
		BaseURL:    cfg.BaseURL,
		Store:      cfg.Store,
		Clock:      cfg.Clock,
		HTTPClient: cfg.HTTPClient,
		ClockSkew:  cfg.ClockSkew,
	})
	if err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(sso.BaseURL(), "https://")
	h, err := web.New(web.Config{
		Store:    cfg.Store,
		SSO:      sso,
		Sessions: session.NewManager(cfg.Store, cfg.Clock, cfg.SessionTTL, secure),
		Logger:   cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	return &Server{store: cfg.Store, sso: sso, web: h}, nil
}

// ServeHTTP serves the SP's pages and SAML endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.web.ServeHTTP(w, r) }

// Store returns the store the Server uses.
func (s *Server) Store() store.Store { return s.store }

// BaseURL returns the normalized base URL (no trailing slash).
func (s *Server) BaseURL() string { return s.sso.BaseURL() }

// URLs returns the SP-side URLs of integration id (entity ID, ACS, metadata,
// Sign-in URL).
func (s *Server) URLs(integrationID string) ssosaml.URLs { return s.sso.URLs(integrationID) }

// ConnectOkta creates orgID's Okta integration with a fresh Integration ID, status
// pending (SSO-01). store.ErrConflict if the organization already has one.
func (s *Server) ConnectOkta(ctx context.Context, orgID string) (store.Integration, error) {
	return s.sso.ConnectOkta(ctx, orgID)
}

// ConfigureFromMetadataURL fetches IdP metadata and saves the IdP details on the
// integration (SSO-03). A refusal is a *ssosaml.ConfigError and saves nothing.
func (s *Server) ConfigureFromMetadataURL(ctx context.Context, integrationID, metadataURL string) (store.Integration, error) {
	return s.sso.ConfigureFromMetadataURL(ctx, integrationID, metadataURL)
}

// ConfigureManually saves an IdP SSO URL and PEM certificate (entityID optional)
// on the integration (SSO-04). A refusal is a *ssosaml.ConfigError and saves
// nothing.
func (s *Server) ConfigureManually(ctx context.Context, integrationID, ssoURL, certPEM, entityID string) (store.Integration, error) {
	return s.sso.ConfigureManually(ctx, integrationID, ssoURL, certPEM, entityID)
}

// SetIntegrationStatus changes an integration's status; connected requires a
// configured integration.
func (s *Server) SetIntegrationStatus(ctx context.Context, integrationID string, status store.IntegrationStatus) (store.Integration, error) {
	return s.sso.SetStatus(ctx, integrationID, status)
}
