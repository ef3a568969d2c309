// Package hooksapi is the conformance hooks API of the reference SP, under
// /api/hooks/v1: the test-only routes through which the conformance suite sets
// an organization up the way its admin would and reads state that no public
// endpoint shows. docs/hooks-api.md is the contract.
//
// Every hook does what the suite's in-process target (steps/target) does with
// the same *sp.Server methods and store calls, so that the suite judges the
// reference SP the same way over HTTP as in process.
//
// The API is served only when the SP is given a hooks token, and only to callers
// that present it: it can create organizations and read every account, so it
// must never be enabled on a production deployment.
package hooksapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/internal/jsonapi"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

// Prefix is where the API is served.
const Prefix = "/api/hooks/v1"

// MaxBodySize bounds a request body (the contract's 64 KiB); a certificate is
// the largest thing sent.
const MaxBodySize = 64 << 10

// SP is what the hooks act through: *sp.Server's configuration methods, the
// same ones the in-process target calls. It is an interface because package sp
// mounts this one, and so cannot be imported by it.
type SP interface {
	Store() store.Store
	URLs(integrationID string) ssosaml.URLs
	ConnectOkta(ctx context.Context, orgID string) (store.Integration, error)
	ConfigureFromMetadataURL(ctx context.Context, integrationID, metadataURL string) (store.Integration, error)
	ConfigureManually(ctx context.Context, integrationID, ssoURL, certPEM, entityID string) (store.Integration, error)
	SetIntegrationStatus(ctx context.Context, integrationID string, status store.IntegrationStatus) (store.Integration, error)
	StartConnect(ctx context.Context, integrationID string) (string, error)
	CreateTeam(ctx context.Context, orgID, name string) (store.Team, error)
	AddTeamDomain(ctx context.Context, orgID, teamID, domain string) (string, error)
	AddMember(ctx context.Context, orgID string, m admin.NewMember) (admin.Member, error)
	SCIMBaseURL() string
	EnableProvisioning(ctx context.Context, integrationID string) (string, error)
	RotateSCIMToken(ctx context.Context, integrationID string) (string, error)
	DisableProvisioning(ctx context.Context, integrationID string) error
}

// Config wires the API.
type Config struct {
	SP SP
	// Token is the Bearer token callers must present; required. Only its
	// SHA-256 is kept.
	Token string
	// Refusals is the SP's record of refused SAML sign-ins, which
	// GET /refusals lists; required.
	Refusals *Refusals
	// Logger receives one line per call and every failure; nil discards.
	Logger *slog.Logger
}

// API serves the hooks.
type API struct {
	sp       SP
	store    store.Store
	refusals *Refusals
	// tokenHash is the SHA-256 of the token: comparing hashes takes the same
	// time whatever the presented token's length, and the token itself is not
	// kept in memory for longer than New.
	tokenHash [sha256.Size]byte
	log       *slog.Logger
	root      http.Handler
}

// New returns the API as an http.Handler for the paths under Prefix.
func New(cfg Config) (*API, error) {
	if cfg.SP == nil || cfg.Refusals == nil {
		return nil, errors.New("hooksapi: SP and Refusals are required")
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("hooksapi: Token is required")
	}
	a := &API{sp: cfg.SP, store: cfg.SP.Store(), refusals: cfg.Refusals, tokenHash: sha256.Sum256([]byte(cfg.Token)), log: cfg.Logger}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	a.routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "There is no such hook.")
	})
	// The token is checked before routing, so that without it nothing, not
	// even which routes exist, can be learnt.
	a.root = jsonapi.Recover(a.log, "hooks api panic", jsonapi.Headers(a.authenticate(mux)))
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.root.ServeHTTP(w, r) }

// authenticate lets through only requests with "Authorization: Bearer {token}".
// Any other credential (a SCIM token, an admin API token, a session cookie) is
// as good as none.
func (a *API) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], a.tokenHash[:]) != 1 {
			a.log.InfoContext(r.Context(), "hooks api refused", "reason", "unauthenticated", "method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="conformance hooks"`)
			writeError(w, http.StatusUnauthorized, "Send the conformance hooks token as \"Authorization: Bearer …\".")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// route registers path with one handler per method; any other method is a
// JSON 405, so that no error of this API is plain text.
func (a *API) route(mux *http.ServeMux, path string, methods map[string]http.HandlerFunc) {
	hs := make(map[string]http.HandlerFunc, len(methods))
	for m, h := range methods {
		hs[m] = func(w http.ResponseWriter, r *http.Request) {
			// The route, not the path: paths carry emails.
			a.log.InfoContext(r.Context(), "hooks api call", "method", r.Method, "route", path)
			h(w, r)
		}
	}
	mux.HandleFunc(Prefix+path, jsonapi.Methods(hs))
}
