package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/store"
)

// viewer is the signed-in person as the pages see them.
type viewer struct {
	Session store.Session
	UserID  string
	Email   string
	Name    string
	OrgID   string
	OrgName string
	IsAdmin bool
}

// viewer returns the signed-in person, or nil when signed out. A session whose user,
// organization or membership has gone counts as signed out.
func (h *Handler) viewer(r *http.Request) (*viewer, error) {
	ctx := r.Context()
	s, err := h.sessions.Current(ctx, r)
	if errors.Is(err, session.ErrNoSession) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u, err := h.store.GetUser(ctx, s.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m, err := h.store.GetMembership(ctx, s.OrgID, s.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o, err := h.store.GetOrganization(ctx, s.OrgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &viewer{
		Session: s,
		UserID:  u.ID,
		Email:   u.Email,
		Name:    displayName(u),
		OrgID:   o.ID,
		OrgName: o.Name,
		IsAdmin: m.Role == store.RoleAdmin,
	}, nil
}

func displayName(u store.User) string {
	if n := strings.TrimSpace(u.DisplayName); n != "" {
		return n
	}
	return strings.TrimSpace(u.GivenName + " " + u.FamilyName)
}

// admin lets only organization admins through: signed out → the sign-in page (and
// back here afterwards), signed in without the role → 403.
func (h *Handler) admin(next func(http.ResponseWriter, *http.Request, *viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		vw, err := h.viewer(r)
		if err != nil {
			h.internalError(w, r, "load viewer", err)
			return
		}
		if vw == nil {
			next := "/settings/sso"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/users/sign-in?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		if !vw.IsAdmin {
			h.errorPage(w, r, http.StatusForbidden, "Admins only", "Only administrators of "+vw.OrgName+" can change these settings.")
			return
		}
		next(w, r, vw)
	}
}

type signInData struct {
	Email string
	Next  string
	Error string
	// OktaURL is the SP-initiated sign-in of the organization this browser last
	// signed in to with Okta, when known.
	OktaURL string
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) {
	vw, err := h.viewer(r)
	if err != nil {
		h.internalError(w, r, "load viewer", err)
		return
	}
	next := SafeRedirectPath(r.URL.Query().Get("next"))
	if vw != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, pageSignIn, view{Title: "Sign in", Data: signInData{Next: next, OktaURL: h.oktaSignInURL(r, next)}})
}

// maxFormSize bounds the body of the SP's own forms; a certificate is the largest
// thing they carry.
const maxFormSize = 64 << 10

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read.")
		return
	}
	email := store.NormalizeEmail(r.PostForm.Get("email"))
	pw := r.PostForm.Get("password")
	next := SafeRedirectPath(r.PostForm.Get("next"))
	again := func() {
		// One message whatever was wrong, so the form does not tell who has an account.
		h.render(w, r, http.StatusUnauthorized, pageSignIn, view{Title: "Sign in", Data: signInData{
			Email: email, Next: next, Error: "The email or password is incorrect.", OktaURL: h.oktaSignInURL(r, next),
		}})
	}
	if email == "" || pw == "" {
		again()
		return
	}
	ctx := r.Context()
	u, err := h.store.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		password.VerifyNobody(pw) // same time as a wrong password
		again()
		return
	case err != nil:
		h.internalError(w, r, "sign-in: get user", err)
		return
	}
	if !password.Verify(u.PasswordHash, pw) {
		again()
		return
	}
	ms, err := h.store.ListUserMemberships(ctx, u.ID)
	if err != nil {
		h.internalError(w, r, "sign-in: list memberships", err)
		return
	}
	if len(ms) == 0 {
		h.errorPage(w, r, http.StatusForbidden, "No organization", "Your account does not belong to any organization. Ask your administrator to invite you.")
		return
	}
	// A person in several organizations signs in to the one where they administer,
	// else the first.
	m := ms[0]
	for _, cand := range ms {
		if cand.Role == store.RoleAdmin {
			m = cand
			break
		}
	}
	if err := h.sessions.Start(w, r, u.ID, m.OrgID); err != nil {
		h.internalError(w, r, "sign-in: start session", err)
		return
	}
	h.log.InfoContext(ctx, "local sign-in", "user_id", u.ID, "org_id", m.OrgID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) {
	if err := h.sessions.End(w, r); err != nil {
		h.internalError(w, r, "sign-out", err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
