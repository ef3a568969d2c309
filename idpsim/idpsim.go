// Package idpsim is a fake Okta org for testing "Sign in with Okta" without
// a real Okta org: an Okta-faithful SAML IdP with users, apps, assignments,
// a sign-in page and an end-user dashboard, stored in SQLite.
//
// A Server is an http.Handler serving the org at Config.BaseURL, with Okta's
// URL shapes (see package samlidp), and a Go API for tests (CreateUser,
// CreateCatalogApp, Assign, Seed…). It works under httptest:
//
//	srv := httptest.NewUnstartedServer(nil)
//	dir, _ := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"))
//	okta, _ := idpsim.New(idpsim.Config{BaseURL: "http://" + srv.Listener.Addr().String(), Directory: dir})
//	srv.Config.Handler = okta
//	srv.Start()
//
// Routes, with B the base URL:
//
//	B/login/login.htm                       sign-in page (GET, POST: username, password, fromURI)
//	B/login/signout                         sign out
//	B/app/UserHome                          dashboard: a tile per assigned app
//	B/app/{appName}/{exk}/sso/saml          SSO URL (HTTP-Redirect GET, HTTP-POST; GET without SAMLRequest launches the app;
//	                                        GET ?stateToken= resumes a request after the sign-in page)
//	B/app/{exk}/sso/saml/metadata           IdP metadata (also B/app/{appName}/{exk}/sso/saml/metadata
//	B/api/v1/apps/{0oa}/sso/saml/metadata   and this one)
//	B/home/{appName}/{0oa}/{linkId}         embed link: IdP-initiated sign-in (?RelayState= overrides the default)
//	B/_admin/seed, /_admin/reset, /_admin/clock
//	B/_admin/faults                         GET lists faults; POST {"appId", "fault", "once"} sets one;
//	                                        DELETE ?appId=&fault= clears (all when no appId)
//	B/_admin/last-response?appId=           the last SAMLResponse posted to the app, to post again
//	B/_admin/requests, /_admin/tasks        the SCIM request log and provisioning tasks (JSON);
//	B/_admin/tasks/{id}/retry               POST runs a failed task again
//	B/api/v1/…                              Okta-shaped management API (SSWS token; docs/okta-admin-api.md)
//	B/admin/…                               admin UI, for signed-in users with an admin role
//
// The /_admin routes take and return JSON and have no authentication: they
// are for local test use only, like the rest of the fake.
//
// Faults (SetFault, /_admin/faults) make the responses to one app wrong on
// purpose, one aspect each (unsigned, expired, wrong audience…; see
// AllFaults), so that an SP's refusals can be tested end to end.
//
// All state is in the directory or on the Server; there is no package-level
// mutable state, so any number of Servers can run in one process.
package idpsim

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/internal/pages"
	"github.com/ssoharness/ssoharness/idpsim/provision"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

// DefaultOrgName is the org name when Config.OrgName is empty.
const DefaultOrgName = "ssoharness-dev"

// DefaultSessionLifetime is how long a sign-in lasts: Okta's default
// maximum session lifetime is two hours.
const DefaultSessionLifetime = 2 * time.Hour

// Config configures a Server.
type Config struct {
	// BaseURL is the org base URL (Okta's https://{org}.okta.com), such as
	// "http://127.0.0.1:8081". It has no path: Okta orgs live at the root.
	BaseURL string
	// OrgName names the org: the CN of app certificates and page titles.
	// Defaults to DefaultOrgName.
	OrgName string
	// Directory stores the org. Required; open it with directory.Open. The
	// caller closes it.
	Directory *directory.Store
	// Clock is the time source; nil means time.Now. The /_admin/clock route
	// and SetTime/SetClockOffset adjust the Server's clock on top of it.
	Clock func() time.Time
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// NewKey returns the RSA key of each new app's signing certificate (and of
	// the "signed-by-other-key" fault's stranger); nil generates a fresh
	// 2048-bit key each time, as Okta does. Test suites that create many apps
	// hand out keys made ahead of time.
	NewKey func() (*rsa.PrivateKey, error)
	// SessionLifetime is how long a sign-in lasts; zero means
	// DefaultSessionLifetime.
	SessionLifetime time.Duration
	// APIToken is the token of the management API (/api/v1), sent as
	// "Authorization: SSWS {token}". Empty means a fresh random token, which
	// Server.APIToken returns.
	APIToken string
	// ProvisioningTimeout is the SCIM client's socket timeout; zero means
	// 60 s, as Okta.
	ProvisioningTimeout time.Duration
	// AsyncProvisioning runs provisioning tasks in the background; by
	// default a change returns after its tasks have run.
	AsyncProvisioning bool
	// ProvisioningTransport sends SCIM requests; nil means a clone of
	// http.DefaultTransport.
	ProvisioningTransport http.RoundTripper
}

// Server is a fake Okta org. Create it with New.
type Server struct {
	baseURL    string // without a trailing slash
	org        string
	dir        *directory.Store
	log        *slog.Logger
	pages      *pages.Renderer
	clock      *clock
	sessionTTL time.Duration
	newKey     func() (*rsa.PrivateKey, error) // nil: a fresh key per credential
	secure     bool                            // https base URL: cookies are Secure and SameSite=None
	mux        *http.ServeMux
	pending    *samlidp.PendingRequests // SP-initiated requests waiting for sign-in
	faults     *faultBook               // faults set on apps, last responses sent
	prov       *provision.Engine        // provisioning: the SCIM client and its tasks
	apiToken   string                   // the SSWS token of /api/v1
	api        http.Handler             // /api/v1
	adminUI    http.Handler             // /admin/
}

// newCredential makes a signing key and certificate with Okta's subject for
// a new app.
func (s *Server) newCredential() (samlidp.Credential, error) {
	if s.newKey == nil {
		return samlidp.NewCredential(s.org, s.Now())
	}
	key, err := s.newKey()
	if err != nil {
		return samlidp.Credential{}, fmt.Errorf("new app key: %w", err)
	}
	return samlidp.CredentialForKey(s.org, s.Now(), key)
}

// ErrNotFound is returned by the Go API for unknown users and apps.
var ErrNotFound = directory.ErrNotFound

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Directory == nil {
		return nil, errors.New("idpsim: Config.Directory is required (open one with directory.Open)")
	}
	org := strings.TrimSpace(cfg.OrgName)
	if org == "" {
		org = DefaultOrgName
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ttl := cfg.SessionLifetime
	if ttl <= 0 {
		ttl = DefaultSessionLifetime
	}
	rdr, err := pages.New(org)
	if err != nil {
		return nil, fmt.Errorf("idpsim: pages: %w", err)
	}
	s := &Server{
		baseURL:    base.String(),
		org:        org,
		log:        logger,
		pages:      rdr,
		clock:      newClock(cfg.Clock),
		sessionTTL: ttl,
		secure:     base.Scheme == "https",
		newKey:     cfg.NewKey,
	}
	// The directory stamps times and expires sessions with the Server's
	// clock, so a fixed or shifted clock applies everywhere at once.
	s.dir = cfg.Directory.WithClock(s.Now)
	s.pending = samlidp.NewPendingRequests(s.Now)
	s.faults = newFaultBook(s.newCredential)
	if err := s.initProvisioning(cfg); err != nil {
		return nil, fmt.Errorf("idpsim: provisioning: %w", err)
	}
	s.routes()
	return s, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("idpsim: Config.BaseURL is required")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("idpsim: BaseURL %q is not an absolute http(s) URL", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("idpsim: BaseURL %q must have no path, query or fragment: Okta orgs live at the root of their host", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// BaseURL returns the org base URL, without a trailing slash.
func (s *Server) BaseURL() string { return s.baseURL }

// OrgName returns the org name.
func (s *Server) OrgName() string { return s.org }

// DashboardURL returns the end-user dashboard URL.
func (s *Server) DashboardURL() string { return s.baseURL + dashboardPath }

// SignInURL returns the sign-in page URL.
func (s *Server) SignInURL() string { return s.baseURL + loginPath }

// Directory returns the Server's directory, with the Server's clock.
func (s *Server) Directory() *directory.Store { return s.dir }

// ServeHTTP serves the org.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	s.mux.ServeHTTP(rec, r)
	s.log.Debug("http request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, dashboardPath, http.StatusFound)
	})
	m.HandleFunc("GET "+loginPath, s.handleLoginPage)
	m.HandleFunc("POST "+loginPath, s.handleLogin)
	m.HandleFunc("GET /login/signout", s.handleSignOut)
	m.HandleFunc("POST /login/signout", s.handleSignOut)
	m.HandleFunc("GET "+dashboardPath, s.handleDashboard)

	m.HandleFunc("GET /app/{appName}/{keyID}/sso/saml", s.handleSSO)
	m.HandleFunc("POST /app/{appName}/{keyID}/sso/saml", s.handleSSO)
	m.HandleFunc("GET /app/{keyID}/sso/saml/metadata", s.handleMetadata)
	m.HandleFunc("GET /app/{appName}/{keyID}/sso/saml/metadata", s.handleMetadata)
	m.HandleFunc("GET /api/v1/apps/{appID}/sso/saml/metadata", s.handleAPIMetadata)
	m.HandleFunc("GET /home/{appName}/{appID}/{linkID}", s.handleEmbedLink)

	m.HandleFunc("POST /_admin/seed", s.handleAdminSeed)
	m.HandleFunc("POST /_admin/reset", s.handleAdminReset)
	m.HandleFunc("GET /_admin/clock", s.handleAdminClock)
	m.HandleFunc("POST /_admin/clock", s.handleAdminClock)
	s.faultRoutes(m)
	s.provisioningRoutes(m)

	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, http.StatusNotFound, "404 - Page not found", "The page you requested does not exist in this org.")
	})
	s.mux = m
}

// statusRecorder remembers the status code for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
