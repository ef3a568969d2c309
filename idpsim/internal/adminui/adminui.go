// Package adminui is the fake Okta's Admin Console: plain server-rendered
// pages under /admin/ for users, groups, apps (General, Sign On,
// Provisioning, Assignments and Push Groups tabs, as the integration guide
// walks through them), provisioning tasks (with Retry) and the SCIM request
// log.
//
// Only a signed-in user (the org's normal sign-in page and session) with an
// admin role may use it; the seed's admin user has SUPER_ADMIN. Every form
// posts a CSRF token bound to the session.
package adminui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/idpsim/adminapi"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/provision"
)

//go:embed templates/*.html
var files embed.FS

// Config configures the admin UI.
type Config struct {
	Org     string
	BaseURL string
	Engine  *provision.Engine
	Apps    adminapi.AppFactory
	Logger  *slog.Logger
	// CurrentAdmin returns the signed-in user, a CSRF token bound to their
	// session, and whether they may use the admin UI. A signed-out request
	// returns a zero user.
	CurrentAdmin func(r *http.Request) (user directory.User, csrf string, ok bool)
	// SignInURL is the org's sign-in page path.
	SignInURL string
}

// CSRFToken is the CSRF token of a session: a hash of the (secret) session
// cookie, so it needs no storage and dies with the session.
func CSRFToken(sessionCookie string) string {
	sum := sha256.Sum256([]byte("idpsim admin csrf\x00" + sessionCookie))
	return hex.EncodeToString(sum[:16])
}

type ui struct {
	cfg   Config
	eng   *provision.Engine
	dir   *directory.Store
	log   *slog.Logger
	pages map[string]*template.Template
	mux   *http.ServeMux
}

var pageNames = []string{"home", "users", "user", "groups", "group", "apps", "app", "tasks", "requests", "request", "error"}

// New returns the admin UI handler. Mount it at /admin/.
func New(cfg Config) (http.Handler, error) {
	if cfg.Engine == nil || cfg.Apps == nil || cfg.CurrentAdmin == nil {
		return nil, errors.New("adminui: Engine, Apps and CurrentAdmin are required")
	}
	u := &ui{cfg: cfg, eng: cfg.Engine, dir: cfg.Engine.Directory(), log: cfg.Logger, pages: map[string]*template.Template{}}
	if u.log == nil {
		u.log = slog.New(slog.DiscardHandler)
	}
	funcs := template.FuncMap{
		"when": func(t time.Time) string {
			if t.IsZero() {
				return "never"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"whenp": func(t *time.Time) string {
			if t == nil {
				return "never"
			}
			return t.UTC().Format("2006-01-02 15:04:05 UTC")
		},
		"lower": strings.ToLower,
	}
	for _, name := range pageNames {
		t, err := template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("adminui: %s: %w", name, err)
		}
		u.pages[name] = t
	}
	u.routes()
	return u, nil
}

func (u *ui) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /admin/{$}", u.home)
	m.HandleFunc("GET /admin/users", u.users)
	m.HandleFunc("POST /admin/users", u.createUser)
	m.HandleFunc("GET /admin/users/{id}", u.user)
	m.HandleFunc("POST /admin/users/{id}", u.updateUser)
	m.HandleFunc("POST /admin/users/{id}/password", u.setPassword)
	m.HandleFunc("POST /admin/users/{id}/lifecycle/{op}", u.lifecycle)
	m.HandleFunc("POST /admin/users/{id}/delete", u.deleteUser)
	m.HandleFunc("POST /admin/users/{id}/admin", u.setAdmin)
	m.HandleFunc("GET /admin/groups", u.groups)
	m.HandleFunc("POST /admin/groups", u.createGroup)
	m.HandleFunc("GET /admin/groups/{id}", u.group)
	m.HandleFunc("POST /admin/groups/{id}", u.updateGroup)
	m.HandleFunc("POST /admin/groups/{id}/members", u.addMember)
	m.HandleFunc("POST /admin/groups/{id}/members/{uid}/remove", u.removeMember)
	m.HandleFunc("POST /admin/groups/{id}/delete", u.deleteGroup)
	m.HandleFunc("GET /admin/apps", u.apps)
	m.HandleFunc("POST /admin/apps", u.createApp)
	m.HandleFunc("GET /admin/apps/{id}", u.app)
	m.HandleFunc("GET /admin/apps/{id}/{tab}", u.app)
	m.HandleFunc("POST /admin/apps/{id}/provisioning/integration", u.saveIntegration)
	m.HandleFunc("POST /admin/apps/{id}/provisioning/test", u.testConnector)
	m.HandleFunc("POST /admin/apps/{id}/provisioning/to-app", u.saveToApp)
	m.HandleFunc("POST /admin/apps/{id}/assignments/users", u.assignUser)
	m.HandleFunc("POST /admin/apps/{id}/assignments/users/{uid}/remove", u.unassignUser)
	m.HandleFunc("POST /admin/apps/{id}/assignments/groups", u.assignGroup)
	m.HandleFunc("POST /admin/apps/{id}/assignments/groups/{gid}/remove", u.unassignGroup)
	m.HandleFunc("POST /admin/apps/{id}/push-groups", u.pushGroup)
	m.HandleFunc("POST /admin/apps/{id}/push-groups/{mid}/push-now", u.pushNow)
	m.HandleFunc("POST /admin/apps/{id}/push-groups/{mid}/status", u.pushStatus)
	m.HandleFunc("POST /admin/apps/{id}/push-groups/{mid}/unlink", u.unlink)
	m.HandleFunc("GET /admin/tasks", u.tasks)
	m.HandleFunc("POST /admin/tasks/{id}/retry", u.retry)
	m.HandleFunc("GET /admin/requests", u.requests)
	m.HandleFunc("GET /admin/requests/{id}", u.request)
	m.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		u.errorPage(w, r, http.StatusNotFound, "Page not found", "This Admin Console page does not exist.")
	})
	u.mux = m
}

type ctxKey struct{}

type session struct {
	user directory.User
	csrf string
}

// ServeHTTP lets only signed-in admins in, and checks the CSRF token of
// every POST.
func (u *ui) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	user, csrf, ok := u.cfg.CurrentAdmin(r)
	if user.ID == "" {
		http.Redirect(w, r, u.cfg.SignInURL+"?fromURI="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
		return
	}
	if !ok {
		u.render(w, http.StatusForbidden, "error", session{user: user}, r, "Access denied",
			errorData{Heading: "403 - Access denied", Message: "You don't have permission to access the Admin Console. Ask an administrator for an admin role."})
		return
	}
	s := session{user: user, csrf: csrf}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			u.errorPage(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)), http.StatusBadRequest, "Bad request", "The form could not be read.")
			return
		}
		if subtle.ConstantTimeCompare([]byte(r.PostForm.Get("csrf")), []byte(csrf)) != 1 {
			u.errorPage(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)), http.StatusForbidden, "Access denied",
				"The form has expired or did not come from this Admin Console. Reload the page and try again.")
			return
		}
	}
	u.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
}

func current(r *http.Request) session {
	s, _ := r.Context().Value(ctxKey{}).(session)
	return s
}

// frame is what every page's layout gets.
type frame struct {
	Title  string
	Org    string
	Admin  string
	CSRF   string
	Nav    string
	Notice string
	Error  string
	Data   any
}

func (u *ui) render(w http.ResponseWriter, status int, name string, s session, r *http.Request, title string, data any) {
	f := frame{Title: title, Org: u.cfg.Org, Admin: s.user.FirstName + " " + s.user.LastName, CSRF: s.csrf, Nav: name, Data: data}
	if r != nil {
		f.Notice, f.Error = r.URL.Query().Get("notice"), r.URL.Query().Get("error")
	}
	var buf bytes.Buffer
	if err := u.pages[name].ExecuteTemplate(&buf, "layout", f); err != nil {
		u.log.Error("admin ui: render failed", "page", name, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

type errorData struct{ Heading, Message string }

func (u *ui) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	u.render(w, status, "error", current(r), r, heading, errorData{Heading: fmt.Sprintf("%d - %s", status, heading), Message: message})
}

// fail shows an error from the directory or the engine: a missing object
// is a 404 page; anything else goes back to the page with the message.
func (u *ui) fail(w http.ResponseWriter, r *http.Request, back string, err error) {
	switch {
	case errors.Is(err, directory.ErrNotFound):
		u.errorPage(w, r, http.StatusNotFound, "Not found", "This object does not exist in the org (any more).")
	case errors.Is(err, directory.ErrInvalid), errors.Is(err, directory.ErrConflict), errors.Is(err, provision.ErrConnector),
		errors.Is(err, provision.ErrDisabled), errors.Is(err, provision.ErrLifecycle), errors.Is(err, provision.ErrAlreadyActive):
		redirect(w, r, back, "error", message(err))
	default:
		u.log.Error("admin ui failed", "path", r.URL.Path, "err", err)
		u.errorPage(w, r, http.StatusInternalServerError, "Internal error", "Something went wrong. Try again.")
	}
}

func message(err error) string {
	msg := err.Error()
	for _, p := range []error{directory.ErrInvalid, directory.ErrConflict, directory.ErrNotFound, provision.ErrConnector,
		provision.ErrDisabled, provision.ErrLifecycle, provision.ErrAlreadyActive} {
		msg = strings.ReplaceAll(msg, p.Error()+": ", "")
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// redirect goes back to a page (Post/Redirect/Get) with a notice or error.
func redirect(w http.ResponseWriter, r *http.Request, to, kind, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + kind + "=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func done(w http.ResponseWriter, r *http.Request, to, msg string) { redirect(w, r, to, "notice", msg) }

// taskSummary words the outcome of the tasks a change ran.
func taskSummary(what string, tasks []provision.Task) string {
	if len(tasks) == 0 {
		return what + "."
	}
	failed := 0
	for _, t := range tasks {
		if t.Status == directory.TaskFailed {
			failed++
		}
	}
	if failed > 0 {
		return fmt.Sprintf("%s. %d of %d provisioning task(s) failed: see Tasks.", what, failed, len(tasks))
	}
	return fmt.Sprintf("%s. %d provisioning task(s) completed.", what, len(tasks))
}
