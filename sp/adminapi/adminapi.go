// Package adminapi is the reference SP's JSON admin API, under /api/admin/v1: the
// settings pages' operations (the Okta integration, teams and their pre-approved
// domains, members) for programs. It is a thin layer over admin.Service and
// ssosaml.Service; docs/admin-api.md describes the routes.
//
// A caller is an organization admin's browser session (the sp_session cookie) or
// a program with an admin API token (Authorization: Bearer ssoh_admin_…). Either
// way every request acts on that one organization only: the organization is
// never taken from the request, so a token of one organization cannot name
// another's team, user or integration.
//
// Errors are JSON, {"error": "...", "field": "..."}, with a 4xx status for
// anything the caller sent; a 5xx only for a failure on this side, whose detail
// goes to the log, never to the caller.
package adminapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/internal/jsonapi"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

// Prefix is where the API is served.
const Prefix = "/api/admin/v1"

// MaxBodySize bounds a request body; a certificate is the largest thing sent.
const MaxBodySize = 64 << 10

// Config wires the API.
type Config struct {
	Store    store.Store
	Admin    *admin.Service
	SSO      *ssosaml.Service
	Sessions *session.Manager
	Logger   *slog.Logger
}

// API serves the admin API.
type API struct {
	store    store.Store
	orgs     *admin.Service
	sso      *ssosaml.Service
	sessions *session.Manager
	log      *slog.Logger
	root     http.Handler
}

// New returns the API as an http.Handler for the paths under Prefix.
func New(cfg Config) (*API, error) {
	if cfg.Store == nil || cfg.Admin == nil || cfg.SSO == nil || cfg.Sessions == nil {
		return nil, errors.New("adminapi: Store, Admin, SSO and Sessions are required")
	}
	a := &API{store: cfg.Store, orgs: cfg.Admin, sso: cfg.SSO, sessions: cfg.Sessions, log: cfg.Logger}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	a.routes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "There is no such admin API route.", "")
	})
	// A browser session authenticates by cookie, so a cross-site page must not
	// be able to make the browser send changes here. Programs with a token send
	// neither Sec-Fetch-Site nor Origin and pass.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "Cross-origin requests are refused.", "")
	}))
	a.root = jsonapi.Recover(a.log, "admin api panic", jsonapi.Headers(cop.Handler(mux)))
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.root.ServeHTTP(w, r) }

// caller is who is calling: always one organization.
type caller struct {
	OrgID string
	// Actor names the caller in logs: "user:{id}" or "token:{id}".
	Actor string
}

// handler is a route's function, called once the caller is known.
type handler func(w http.ResponseWriter, r *http.Request, c caller)

// route registers path with one handler per method; any other method is a
// JSON 405, so that no error of this API is plain text.
func (a *API) route(mux *http.ServeMux, path string, methods map[string]handler) {
	hs := make(map[string]http.HandlerFunc, len(methods))
	for m, h := range methods {
		hs[m] = func(w http.ResponseWriter, r *http.Request) {
			c, ok := a.authenticate(w, r)
			if !ok {
				return
			}
			h(w, r, c)
		}
	}
	mux.HandleFunc(Prefix+path, jsonapi.Methods(hs))
}

// authenticate finds the caller from the Bearer token, else the session
// cookie, and writes the refusal itself when there is none.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (caller, bool) {
	ctx := r.Context()
	if authz := r.Header.Get("Authorization"); authz != "" {
		scheme, secret, _ := strings.Cut(authz, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			a.unauthorized(w, r, "The Authorization header must be \"Bearer\" followed by an admin API token.")
			return caller{}, false
		}
		tok, err := a.orgs.AuthenticateToken(ctx, strings.TrimSpace(secret))
		switch {
		case errors.Is(err, admin.ErrBadToken):
			a.unauthorized(w, r, "The admin API token is not valid, or has been revoked.")
			return caller{}, false
		case err != nil:
			a.internal(w, r, "authenticate token", err)
			return caller{}, false
		}
		return caller{OrgID: tok.OrgID, Actor: "token:" + tok.ID}, true
	}
	s, err := a.sessions.Current(ctx, r)
	switch {
	case errors.Is(err, session.ErrNoSession):
		a.unauthorized(w, r, "Sign in as an administrator, or send an admin API token as \"Authorization: Bearer …\".")
		return caller{}, false
	case err != nil:
		a.internal(w, r, "load session", err)
		return caller{}, false
	}
	m, err := a.store.GetMembership(ctx, s.OrgID, s.UserID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.unauthorized(w, r, "Your session is no longer valid; sign in again.")
		return caller{}, false
	case err != nil:
		a.internal(w, r, "load membership", err)
		return caller{}, false
	case m.Role != store.RoleAdmin:
		writeError(w, http.StatusForbidden, "Only administrators of the organization can use the admin API.", "")
		return caller{}, false
	}
	return caller{OrgID: s.OrgID, Actor: "user:" + s.UserID}, true
}

func (a *API) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	a.log.InfoContext(r.Context(), "admin api refused", "reason", "unauthenticated", "method", r.Method, "path", r.URL.Path, "remote_addr", r.RemoteAddr)
	w.Header().Set("WWW-Authenticate", `Bearer realm="admin api"`)
	writeError(w, http.StatusUnauthorized, msg, "")
}

// errorBody is every error this API returns.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg, field string) {
	writeJSON(w, status, errorBody{Error: msg, Field: field})
}

func writeJSON(w http.ResponseWriter, status int, v any) { jsonapi.WriteJSON(w, status, v) }

func (a *API) internal(w http.ResponseWriter, r *http.Request, what string, err error) {
	a.log.ErrorContext(r.Context(), "admin api: "+what, "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "Something went wrong on our side.", "")
}

// fail is the one place a service error becomes a response. notFound is the
// message for store.ErrNotFound, which names what the route was looking for.
func (a *API) fail(w http.ResponseWriter, r *http.Request, c caller, err error, notFound string) {
	var ce *ssosaml.ConfigError
	switch ie := admin.AsInputError(err); {
	case ie != nil && errors.Is(ie, store.ErrConflict):
		writeError(w, http.StatusConflict, ie.Message, ie.Field)
	case ie != nil:
		writeError(w, http.StatusUnprocessableEntity, ie.Message, ie.Field)
	case errors.As(err, &ce):
		writeError(w, http.StatusUnprocessableEntity, ce.Message, configField(ce.Field))
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, notFound, "")
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "That conflicts with what exists.", "")
	default:
		a.log.ErrorContext(r.Context(), "admin api failed", "method", r.Method, "path", r.URL.Path, "org_id", c.OrgID, "actor", c.Actor, "err", err)
		writeError(w, http.StatusInternalServerError, "Something went wrong on our side.", "")
	}
}

// changed logs a change made through the API: who, in which organization, what.
func (a *API) changed(r *http.Request, c caller, what string, attrs ...any) {
	a.log.InfoContext(r.Context(), "admin api: "+what, append([]any{"org_id", c.OrgID, "actor", c.Actor}, attrs...)...)
}

// configField maps the form field names of ssosaml to this API's JSON names.
func configField(f string) string {
	switch f {
	case ssosaml.FieldMetadataURL:
		return "metadataUrl"
	case ssosaml.FieldSSOURL:
		return "ssoUrl"
	case ssosaml.FieldCertificate:
		return "certificate"
	case ssosaml.FieldEntityID:
		return "entityId"
	}
	return f
}

// decode reads a JSON object body into v, strictly: the right content type, one
// object, no unknown fields, within MaxBodySize. It writes the refusal itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		if !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
			writeError(w, http.StatusUnsupportedMediaType, "Send the body as application/json.", "")
			return false
		}
	} else {
		writeError(w, http.StatusUnsupportedMediaType, "Send the body as application/json.", "")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodySize)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("The body is larger than %d bytes.", MaxBodySize), "")
	case errors.As(err, &typ):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s must be a %s.", orDefault(typ.Field, "The body"), typ.Type.Kind()), typ.Field)
	case errors.As(err, &syntax), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		writeError(w, http.StatusBadRequest, "The body is not a valid JSON object.", "")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Unknown field %q.", field), field)
	default:
		writeError(w, http.StatusBadRequest, "The body is not a valid JSON object.", "")
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
