package idpsim

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/internal/pages"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

const (
	loginPath     = "/login/login.htm"
	dashboardPath = "/app/UserHome"
	// sessionCookie is the name of Okta's session cookie.
	sessionCookie = "sid"
	// maxFormBytes bounds the sign-in form; it has three short fields.
	maxFormBytes = 64 << 10
	// promptParam=promptLogin makes the sign-in page ask a signed-in user
	// too.
	promptParam = "prompt"
	promptLogin = "login"
)

// signedIn is the current browser session and its user.
type signedIn struct {
	session directory.Session
	user    directory.User
}

// currentSession returns the live session of the request's cookie, if any.
func (s *Server) currentSession(r *http.Request) (signedIn, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return signedIn{}, false
	}
	sess, err := s.dir.SessionByToken(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, directory.ErrNotFound) {
			s.log.Error("session lookup failed", "err", err)
		}
		return signedIn{}, false
	}
	u, err := s.dir.UserByID(r.Context(), sess.UserID)
	if err != nil {
		return signedIn{}, false
	}
	return signedIn{session: sess, user: u}, true
}

func displayName(u directory.User) string { return u.FirstName + " " + u.LastName }

// safeFromURI returns fromURI if it is an org-relative URI of a page that
// can follow sign-in (an app launch, an SSO URL, the dashboard, the admin
// console), and the
// dashboard otherwise. Anything else, in particular "//host", "https://…",
// "javascript:…" or a backslash trick, would make the sign-in page an open
// redirector.
func (s *Server) safeFromURI(fromURI string) string {
	fromURI = strings.TrimSpace(fromURI)
	// Okta also accepts the org's own absolute URLs; keep their path.
	if strings.HasPrefix(fromURI, s.baseURL+"/") {
		fromURI = strings.TrimPrefix(fromURI, s.baseURL)
	}
	if !strings.HasPrefix(fromURI, "/") || strings.HasPrefix(fromURI, "//") ||
		strings.ContainsAny(fromURI, "\\\r\n\t") {
		return dashboardPath
	}
	u, err := url.Parse(fromURI)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return dashboardPath
	}
	if !strings.HasPrefix(u.Path, "/app/") && !strings.HasPrefix(u.Path, "/home/") && !strings.HasPrefix(u.Path, "/admin/") {
		return dashboardPath
	}
	// Dot segments could climb out of the allowed prefixes.
	if strings.Contains(u.Path, "/../") || strings.Contains(u.Path, "/./") || strings.HasSuffix(u.Path, "/..") {
		return dashboardPath
	}
	return u.RequestURI()
}

// loginRedirect sends the browser to the sign-in page, which will come back
// to resumeURI. With again, the page asks for the password even if the
// browser is signed in (promptLogin).
func loginRedirect(w http.ResponseWriter, r *http.Request, resumeURI string, again bool) {
	q := url.Values{"fromURI": {resumeURI}}
	if again {
		q.Set(promptParam, promptLogin)
	}
	http.Redirect(w, r, loginPath+"?"+q.Encode(), http.StatusFound)
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from := s.safeFromURI(q.Get("fromURI"))
	cur, ok := s.currentSession(r)
	if ok && cur.user.Status == directory.StatusActive {
		if q.Get(promptParam) != promptLogin {
			http.Redirect(w, r, from, http.StatusFound)
			return
		}
		// Asked to sign in again (ForceAuthn): the form, for the same user.
		// Signing in makes a new session, which is what the request waits
		// for.
		s.pages.Render(w, http.StatusOK, displayName(cur.user), pages.Login{FromURI: from, Username: cur.user.Login})
		return
	}
	s.pages.Render(w, http.StatusOK, "", pages.Login{FromURI: from})
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, "400 - Bad request", "The sign-in form could not be read.")
		return
	}
	username := strings.TrimSpace(r.PostForm.Get("username"))
	password := r.PostForm.Get("password")
	from := s.safeFromURI(r.PostForm.Get("fromURI"))

	u, err := s.dir.CheckPassword(r.Context(), username, password)
	if err == nil && u.Status != directory.StatusActive {
		// Okta does not tell a suspended user apart from a wrong password.
		s.log.Info("sign-in refused: user not active", "login", u.Login, "status", u.Status)
		err = directory.ErrBadCredentials
	}
	if err != nil {
		if !errors.Is(err, directory.ErrBadCredentials) {
			s.log.Error("sign-in failed", "err", err)
			s.renderError(w, r, http.StatusInternalServerError, "500 - Internal error", "Something went wrong. Try again.")
			return
		}
		s.log.Info("sign-in refused: bad credentials", "login", username)
		s.pages.Render(w, http.StatusUnauthorized, "", pages.Login{FromURI: from, Username: username, Error: "Unable to sign in"})
		return
	}

	// A fresh session on every sign-in: a cookie planted before sign-in is
	// never promoted (session fixation).
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		_ = s.dir.DeleteSession(r.Context(), c.Value)
	}
	token, sess, err := s.dir.CreateSession(r.Context(), u.ID, s.sessionTTL)
	if err != nil {
		s.log.Error("create session failed", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "500 - Internal error", "Something went wrong. Try again.")
		return
	}
	s.setSessionCookie(w, token)
	s.log.Info("signed in", "login", u.Login, "session", sess.ID)
	// Sign-ins are rare enough to carry the clean-up of expired sessions.
	if err := s.dir.DeleteExpiredSessions(r.Context()); err != nil {
		s.log.Warn("expired session clean-up failed", "err", err)
	}
	http.Redirect(w, r, from, http.StatusFound)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	c := &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure}
	if s.secure {
		// SP-initiated HTTP-POST requests arrive cross-site; over https the
		// cookie can go with them, as Okta's does.
		c.SameSite = http.SameSiteNoneMode
	} else {
		// SameSite=None needs Secure; over http, Lax still covers the
		// top-level redirects of HTTP-Redirect requests and launches.
		c.SameSite = http.SameSiteLaxMode
	}
	if token == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.dir.DeleteSession(r.Context(), c.Value); err != nil {
			s.log.Error("sign-out failed", "err", err)
		}
	}
	s.setSessionCookie(w, "")
	http.Redirect(w, r, loginPath, http.StatusFound)
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	cur, ok := s.currentSession(r)
	if !ok || cur.user.Status != directory.StatusActive {
		loginRedirect(w, r, dashboardPath, false)
		return
	}
	apps, err := s.dir.ListAppsForUser(r.Context(), cur.user.ID)
	if err != nil {
		s.log.Error("list apps failed", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "500 - Internal error", "Something went wrong. Try again.")
		return
	}
	page := pages.Dashboard{UserName: displayName(cur.user)}
	for _, a := range apps {
		page.Apps = append(page.Apps, pages.Tile{ID: a.ID, Label: a.Label, URL: samlidp.EmbedLinkURL(s.baseURL, a.Name, a.ID, a.LinkID)})
	}
	s.pages.Render(w, http.StatusOK, displayName(cur.user), page)
}

// renderError shows a plain error page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	who := ""
	if cur, ok := s.currentSession(r); ok {
		who = displayName(cur.user)
	}
	s.pages.Render(w, status, who, pages.Error{Heading: heading, Message: message})
}

// authenticator lets the SAML side ask who is signed in, send the browser
// to sign in, and check whether a user may use an app.
type authenticator struct{ s *Server }

// Current implements samlidp.Authenticator.
func (a authenticator) Current(r *http.Request) (samlidp.Principal, bool) {
	cur, ok := a.s.currentSession(r)
	if !ok {
		return samlidp.Principal{}, false
	}
	return samlidp.Principal{User: cur.user, SessionID: cur.session.ID, AuthnAt: cur.session.AuthnAt}, true
}

// SignIn implements samlidp.Authenticator: the sign-in page, coming back to
// resumeURI; with again, the page asks even a signed-in user.
func (a authenticator) SignIn(w http.ResponseWriter, r *http.Request, resumeURI string, again bool) {
	loginRedirect(w, r, resumeURI, again)
}

// Authorize implements samlidp.Authenticator: a user who is not ACTIVE, or
// not assigned to the app, gets Okta's refusal page and never an assertion.
func (a authenticator) Authorize(w http.ResponseWriter, r *http.Request, app directory.App, p samlidp.Principal) bool {
	s := a.s
	if p.User.Status != directory.StatusActive {
		s.log.Info("app refused: user not active", "app", app.ID, "login", p.User.Login, "status", p.User.Status)
		s.pages.Render(w, http.StatusForbidden, displayName(p.User), pages.Error{Reason: "inactive", AppLabel: app.Label})
		return false
	}
	assigned, err := s.dir.IsAssigned(r.Context(), app.ID, p.User.ID)
	if err != nil {
		s.log.Error("assignment lookup failed", "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "500 - Internal error", "Something went wrong. Try again.")
		return false
	}
	if !assigned {
		s.log.Info("app refused: user not assigned", "app", app.ID, "login", p.User.Login)
		s.pages.Render(w, http.StatusForbidden, displayName(p.User), pages.Error{Reason: "not-assigned", AppLabel: app.Label})
		return false
	}
	return true
}
