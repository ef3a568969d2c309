// Package web is the reference SP's browser side: pages (html/template, embedded),
// local sign-in, sessions in cookies, CSRF protection, the SSO settings pages and
// the HTTP ends of the SAML endpoints.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

//go:embed templates
var templateFS embed.FS

// Config wires a Handler.
type Config struct {
	Store    store.Store
	SSO      *ssosaml.Service
	Sessions *session.Manager
	Logger   *slog.Logger
	// Admin runs the organization administration behind the Teams and admin API
	// token pages; nil means one on Store.
	Admin *admin.Service
	// SCIM is the provisioning switch behind the SSO settings' Provisioning
	// section; required.
	SCIM *scimapi.Server
	// Refusals is told of every refused SAML sign-in, besides the log line, so
	// that the conformance hooks can list them; nil means nobody is told.
	Refusals RefusalRecorder
}

// RefusalRecorder remembers refused SAML sign-ins. RecordRefusal is called on
// the request's goroutine, so it must be quick and safe for concurrent use.
type RefusalRecorder interface {
	RecordRefusal(integrationID string, reason ssosaml.Reason)
}

// Handler serves the SP's pages and endpoints.
type Handler struct {
	store    store.Store
	sso      *ssosaml.Service
	sessions *session.Manager
	orgs     *admin.Service
	scim     *scimapi.Server
	refusals RefusalRecorder
	log      *slog.Logger
	pages    map[string]*template.Template
	css      []byte
	root     http.Handler
}

// Page names, one template file each.
const (
	pageHome       = "home.html"
	pageSignIn     = "signin.html"
	pageSettings   = "settings_sso.html"
	pageError      = "error.html"
	pageSSORefused = "sso_refused.html"
	pageTeams      = "settings_teams.html"
	pageTeam       = "settings_team.html"
	pageTokens     = "settings_tokens.html"
)

// New parses the templates once and returns the Handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.SSO == nil || cfg.Sessions == nil || cfg.SCIM == nil {
		return nil, errors.New("web: Store, SSO, Sessions and SCIM are required")
	}
	h := &Handler{
		store:    cfg.Store,
		sso:      cfg.SSO,
		sessions: cfg.Sessions,
		orgs:     cfg.Admin,
		scim:     cfg.SCIM,
		refusals: cfg.Refusals,
		log:      cfg.Logger,
		pages:    map[string]*template.Template{},
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.orgs == nil {
		h.orgs = admin.New(cfg.Store, nil)
	}
	layout, err := template.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	for _, name := range append([]string{pageHome, pageSignIn, pageSettings, pageError, pageSSORefused, pageTeams, pageTeam, pageTokens}, scimPages...) {
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		h.pages[name] = t
	}
	if h.css, err = templateFS.ReadFile("templates/style.css"); err != nil {
		return nil, fmt.Errorf("web: read style.css: %w", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.home)
	mux.HandleFunc("GET /static/style.css", h.style)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /users/sign-in", h.signInForm)
	mux.HandleFunc("POST /users/sign-in", h.signIn)
	mux.HandleFunc("POST /users/sign-out", h.signOut)
	mux.HandleFunc("GET /settings/sso", h.admin(h.settings))
	mux.HandleFunc("POST /settings/sso/okta", h.admin(h.connectOkta))
	mux.HandleFunc("POST /settings/sso/okta/metadata", h.admin(h.configureMetadata))
	mux.HandleFunc("POST /settings/sso/okta/manual", h.admin(h.configureManual))
	mux.HandleFunc("POST /settings/sso/okta/connect", h.admin(h.connectRoundTrip))
	mux.HandleFunc("POST /settings/sso/okta/status", h.admin(h.setStatus))
	mux.HandleFunc("GET /settings/teams", h.admin(h.teams))
	mux.HandleFunc("POST /settings/teams", h.admin(h.createTeam))
	mux.HandleFunc("GET /settings/teams/{teamId}", h.admin(h.team))
	mux.HandleFunc("POST /settings/teams/{teamId}/domains", h.admin(h.saveTeamDomains))
	mux.HandleFunc("GET /settings/api-tokens", h.admin(h.tokens))
	mux.HandleFunc("POST /settings/api-tokens", h.admin(h.createToken))
	mux.HandleFunc("POST /settings/api-tokens/{tokenId}/revoke", h.admin(h.revokeToken))
	mux.HandleFunc("GET /users/sign-in/sso/okta/{integrationId}", h.ssoSignIn)
	mux.HandleFunc("GET /sso/okta/{integrationId}/metadata", h.spMetadata)
	mux.HandleFunc(acsPattern, h.acs)
	h.scimRoutes(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusNotFound, "Page not found", "There is nothing at this address.")
	})

	// Go's cross-origin protection (Sec-Fetch-Site / Origin) guards every form
	// POST. The ACS is exempt: the IdP's form posts to it from another site by
	// design, and the SAML signature is what protects it.
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern(acsPattern)
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, http.StatusForbidden, "Request refused", "This form was sent from another site. Go back, reload the page and try again.")
	}))
	h.root = h.recoverer(securityHeaders(cop.Handler(mux)))
	return h, nil
}

const acsPattern = "POST /sso/okta/{integrationId}/acs"

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.root.ServeHTTP(w, r) }

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// recoverer turns a panic into a plain 500 page and one log line, so no stack trace
// or partial page reaches the browser.
func (h *Handler) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. Try again later.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// view is what every page gets: the layout's chrome plus the page's own Data.
type view struct {
	Title  string
	Viewer *viewer
	Data   any
}

// render writes page with status. Rendering into a buffer first means a template
// error becomes a clean 500, not half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "Something went wrong on our side.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct{ Heading, Message string }

func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, msg string) {
	v := view{Title: heading, Data: errorData{Heading: heading, Message: msg}}
	// The chrome is a nicety; a store failure here must not hide the error.
	if vw, err := h.viewer(r); err == nil {
		v.Viewer = vw
	}
	h.render(w, r, status, pageError, v)
}

func (h *Handler) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.ErrorContext(r.Context(), what, "method", r.Method, "path", r.URL.Path, "err", err)
	h.errorPage(w, r, http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. Try again later.")
}

func (h *Handler) style(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(h.css)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	vw, err := h.viewer(r)
	if err != nil {
		h.internalError(w, r, "load viewer", err)
		return
	}
	h.render(w, r, http.StatusOK, pageHome, view{Title: "Home", Viewer: vw})
}
