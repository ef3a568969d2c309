// Package scimapi is the reference SP's SCIM 2.0 server (RFC 7643/7644) as Okta's
// provisioning client uses it: Users (core schema and the enterprise extension)
// and Groups, which become teams. It is built on github.com/elimity-com/scim,
// whose handlers this package implements; a thin layer around elimity's server
// authenticates the Bearer token, bounds request bodies, answers the discovery
// endpoint elimity gets wrong, and guarantees that every answer is SCIM JSON and
// that no internal error text reaches a client.
//
// Decisions a client may notice:
//   - A page holds at most Config.MaxResults resources (DefaultMaxResults);
//     larger counts are capped, and a missing count means the cap.
//   - Lists are in creation order, so pages are stable while users are added.
//   - Filters: "eq" on userName (case-insensitive), externalId, emails.value
//     (also emails[value eq …]) and id for users; on displayName
//     (case-insensitive), externalId and id for groups; combined with "and" and
//     "or". Anything else is 400 invalidFilter, never a silent full list.
//   - Deactivation (active false) detaches the account from the organization
//     and its teams and deletes the account when no other organization holds
//     it; the SCIM user stays, inactive, so that Okta can find and reactivate
//     it. DELETE /Users/{id} does the same and then forgets the SCIM user.
//   - Microsoft Entra's "active":"False" (a string) and capitalised operation
//     names ("Replace") are accepted; see normalizeEntra.
package scimapi

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Prefix is where the SCIM server is mounted on the SP.
const Prefix = "/scim/v2"

// Limits.
const (
	// DefaultMaxResults caps a page when Config.MaxResults is 0. Okta asks for
	// 100 at a time; 200 leaves room for other clients without letting one
	// request render thousands of users.
	DefaultMaxResults = 200
	// MaxBodyBytes bounds a request body (413 above it). A PATCH adding a few
	// thousand group members fits with room to spare.
	MaxBodyBytes = 1 << 20
)

// Config configures a Server.
type Config struct {
	Store store.Store
	// BaseURL is the SP's external base URL; the SCIM base URL is BaseURL+Prefix.
	BaseURL string
	// Clock stamps changes; nil means time.Now.
	Clock func() time.Time
	// Logger receives one line per internal error and per refused token; nil
	// discards them.
	Logger *slog.Logger
	// MaxResults caps a page; 0 means DefaultMaxResults.
	MaxResults int
	// PasswordCost is the bcrypt cost of the passwords Okta sends; 0 means
	// bcrypt's default (10).
	PasswordCost int
}

// Server is the SCIM server, an http.Handler for the paths under Prefix, and the
// Provisioning switch of an integration (EnableProvisioning and friends).
type Server struct {
	store      store.Store
	base       string // SCIM base URL
	now        func() time.Time
	log        *slog.Logger
	maxResults int
	// passwordCost is the bcrypt cost of synced passwords.
	passwordCost int
	scim         scim.Server
	// userDoc is the schema a user PATCH is applied with, built once: elimity
	// checks every attribute name with a regular expression as it builds one.
	userDoc docSchema
}

// New checks cfg and returns a Server.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("scimapi: Store is required")
	}
	base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/")
	if !strings.HasPrefix(base, "http://") && !strings.HasPrefix(base, "https://") {
		return nil, fmt.Errorf("scimapi: BaseURL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	s := &Server{
		store:        cfg.Store,
		base:         base + Prefix,
		now:          cfg.Clock,
		log:          cfg.Logger,
		maxResults:   cfg.MaxResults,
		passwordCost: cfg.PasswordCost,
	}
	switch {
	case s.passwordCost == 0:
		s.passwordCost = bcrypt.DefaultCost
	case s.passwordCost < bcrypt.MinCost || s.passwordCost > bcrypt.MaxCost:
		return nil, fmt.Errorf("scimapi: PasswordCost %d is outside %d..%d", cfg.PasswordCost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case s.maxResults == 0:
		s.maxResults = DefaultMaxResults
	case s.maxResults < 0:
		return nil, errors.New("scimapi: MaxResults must not be negative")
	}
	userCore, enterprise := userSchema(), schema.ExtensionEnterpriseUser()
	s.userDoc = docSchema{core: userCore, exts: []schema.Schema{enterprise}}
	srv, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			MaxResults:       s.maxResults,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: []scim.ResourceType{
			{
				ID:               optional.NewString("User"),
				Name:             "User",
				Description:      optional.NewString("User Account"),
				Endpoint:         "/Users",
				Schema:           userCore,
				SchemaExtensions: []scim.SchemaExtension{{Schema: enterprise}},
				Handler:          users{s},
			},
			{
				ID:          optional.NewString("Group"),
				Name:        "Group",
				Description: optional.NewString("Group, provisioned as a team"),
				Endpoint:    "/Groups",
				Schema:      schema.CoreGroupSchema(),
				Handler:     groups{s},
			},
		},
	}, scim.WithBaseURL(s.base), scim.WithLogger(elimityLogger{s.log}))
	if err != nil {
		return nil, fmt.Errorf("scimapi: %w", err)
	}
	s.scim = srv
	return s, nil
}

// BaseURL is the SCIM base URL to paste into Okta.
func (s *Server) BaseURL() string { return s.base }

// userSchema is the RFC 7643 User schema without "groups": membership is managed
// on the Group side only, and the server does not return it, so /Schemas must
// not claim it. Okta's "groups": [] on create is then ignored, as elimity
// ignores unknown attributes.
func userSchema() schema.Schema {
	s := schema.CoreUserSchema()
	attrs := make([]schema.CoreAttribute, 0, len(s.Attributes))
	for _, a := range s.Attributes {
		if a.Name() != "groups" {
			attrs = append(attrs, a)
		}
	}
	s.Attributes = attrs
	return s
}

// elimityLogger sends elimity's own error lines (marshal and write failures) to
// the SP's log.
type elimityLogger struct{ log *slog.Logger }

func (l elimityLogger) Error(args ...any) {
	l.log.Error("scim library error", "detail", fmt.Sprint(args...))
}
