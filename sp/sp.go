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

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/adminapi"
	"github.com/ssoharness/ssoharness/sp/hooksapi"
	"github.com/ssoharness/ssoharness/sp/scimapi"
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
	// RequestTTL is how long an SP-initiated sign-in waits for the IdP's
	// answer; 0 means 10 minutes.
	RequestTTL time.Duration
	// PasswordCost is the bcrypt cost of passwords that Okta syncs over SCIM;
	// 0 means bcrypt's default (10). Test deployments lower it to 4.
	PasswordCost int
	// HooksToken, when not empty, serves the conformance hooks API
	// (docs/hooks-api.md) under /api/hooks/v1 to callers that present it as a
	// Bearer token, and makes the Server remember its recent refused SAML
	// sign-ins for it. Test deployments only: the hooks create organizations
	// and read every account. Empty means the routes do not exist. Only a
	// SHA-256 of it is kept; refsp requires at least 32 characters.
	HooksToken string
}

// Server is the reference SP.
type Server struct {
	store store.Store
	sso   *ssosaml.Service
	orgs  *admin.Service
	scim  *scimapi.Server
	web   *web.Handler
	root  http.Handler
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
		RequestTTL: cfg.RequestTTL,
	})
	if err != nil {
		return nil, err
	}
	secure := strings.HasPrefix(sso.BaseURL(), "https://")
	sessions := session.NewManager(cfg.Store, cfg.Clock, cfg.SessionTTL, secure)
	orgs := admin.New(cfg.Store, cfg.Clock)
	scim, err := scimapi.New(scimapi.Config{Store: cfg.Store, BaseURL: sso.BaseURL(), Clock: cfg.Clock, Logger: cfg.Logger, PasswordCost: cfg.PasswordCost})
	if err != nil {
		return nil, err
	}
	// Refused sign-ins are remembered only for the hooks, which alone read
	// them: without hooks, the log line is their whole record.
	var refusals *hooksapi.Refusals
	var recorder web.RefusalRecorder // stays a nil interface without hooks
	if cfg.HooksToken != "" {
		refusals = hooksapi.NewRefusals(hooksapi.DefaultRefusalCapacity)
		recorder = refusals
	}
	h, err := web.New(web.Config{
		Store:    cfg.Store,
		SSO:      sso,
		Sessions: sessions,
		Logger:   cfg.Logger,
		Admin:    orgs,
		SCIM:     scim,
		Refusals: recorder,
	})
	if err != nil {
		return nil, err
	}
	api, err := adminapi.New(adminapi.Config{Store: cfg.Store, Admin: orgs, SSO: sso, Sessions: sessions, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	s := &Server{store: cfg.Store, sso: sso, orgs: orgs, scim: scim, web: h}
	mux := http.NewServeMux()
	mux.Handle(adminapi.Prefix+"/", api)
	mux.Handle(scimapi.Prefix+"/", scim)
	if cfg.HooksToken != "" {
		// The hooks act through the Server's own methods, as the in-process
		// conformance target does.
		hooks, err := hooksapi.New(hooksapi.Config{SP: s, Token: cfg.HooksToken, Refusals: refusals, Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		mux.Handle(hooksapi.Prefix+"/", hooks)
	}
	mux.Handle("/", h)
	s.root = mux
	return s, nil
}

// ServeHTTP serves the SP's pages and SAML endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.root.ServeHTTP(w, r) }

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

// StartSignIn begins an SP-initiated sign-in (SSO-08) and returns the IdP URL to
// send the browser to; returnTo is the page to land on afterwards (a path on
// this site, else "/"). GET /users/sign-in/sso/okta/{integrationId} does the
// same. A refusal is a *ssosaml.Refusal.
func (s *Server) StartSignIn(ctx context.Context, integrationID, returnTo string) (string, error) {
	return s.sso.StartSignIn(ctx, integrationID, returnTo)
}

// StartConnect begins the Connect round trip of a configured integration
// (SSO-05) and returns the IdP URL to send the admin's browser to. A refusal is
// a *ssosaml.Refusal.
func (s *Server) StartConnect(ctx context.Context, integrationID string) (string, error) {
	return s.sso.StartConnect(ctx, integrationID)
}

// Admin returns the organization administration service behind the Teams
// pages and the admin API.
func (s *Server) Admin() *admin.Service { return s.orgs }

// CreateTeam creates a team in orgID. A refused name is an *admin.InputError.
func (s *Server) CreateTeam(ctx context.Context, orgID, name string) (store.Team, error) {
	return s.orgs.CreateTeam(ctx, orgID, name)
}

// AddTeamDomain pre-approves an email domain for JIT into a team of orgID
// (JIT-01) and returns it as stored (lowercase). A refused domain, or one that
// another team of orgID already pre-approves, is an *admin.InputError.
func (s *Server) AddTeamDomain(ctx context.Context, orgID, teamID, domain string) (string, error) {
	return s.orgs.AddTeamDomain(ctx, orgID, teamID, domain)
}

// RemoveTeamDomain stops pre-approving domain for a team of orgID.
func (s *Server) RemoveTeamDomain(ctx context.Context, orgID, teamID, domain string) error {
	return s.orgs.RemoveTeamDomain(ctx, orgID, teamID, domain)
}

// AddMember adds a local member to orgID, attaching an existing account
// rather than duplicating it.
func (s *Server) AddMember(ctx context.Context, orgID string, m admin.NewMember) (admin.Member, error) {
	return s.orgs.AddMember(ctx, orgID, m)
}

// CreateAdminToken makes an admin API token for orgID and returns its secret
// (shown once; only its hash is stored) and its record.
func (s *Server) CreateAdminToken(ctx context.Context, orgID string) (string, store.AdminToken, error) {
	return s.orgs.CreateAdminToken(ctx, orgID)
}

// RevokeAdminToken deletes an admin API token of orgID.
func (s *Server) RevokeAdminToken(ctx context.Context, orgID, tokenID string) error {
	return s.orgs.RevokeAdminToken(ctx, orgID, tokenID)
}

// SCIMBaseURL is the SCIM 2.0 base URL to enter in Okta's Provisioning tab.
func (s *Server) SCIMBaseURL() string { return s.scim.BaseURL() }

// EnableProvisioning turns SCIM provisioning on for a connected integration
// (SCIM-01) and returns the Bearer token, which is never shown again: only its
// hash is stored (SCIM-02). scimapi.ErrNotConnected while SSO is not working,
// scimapi.ErrProvisioningOn when it is already on.
func (s *Server) EnableProvisioning(ctx context.Context, integrationID string) (string, error) {
	return s.scim.EnableProvisioning(ctx, integrationID, "api")
}

// RotateSCIMToken replaces the Bearer token; the old one fails at once.
// scimapi.ErrProvisioningOff when provisioning is off.
func (s *Server) RotateSCIMToken(ctx context.Context, integrationID string) (string, error) {
	return s.scim.RotateToken(ctx, integrationID, "api")
}

// DisableProvisioning turns provisioning off; the token fails at once.
func (s *Server) DisableProvisioning(ctx context.Context, integrationID string) error {
	return s.scim.DisableProvisioning(ctx, integrationID, "api")
}
