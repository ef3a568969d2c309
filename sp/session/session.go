// Package session keeps signed-in browsers in the store.
//
// The cookie carries a random 256-bit value; the store keeps only its SHA-256, so a
// copy of the database does not hand out live sessions. Keeping sessions in the
// store (not in memory) lets several SP replicas share them.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ssoharness/ssoharness/sp/store"
)

// CookieName is the name of the session cookie.
const CookieName = "sp_session"

// ErrNoSession is returned by Current when the request carries no live session.
var ErrNoSession = errors.New("session: not signed in")

// Manager starts, finds and ends sessions.
type Manager struct {
	store  store.Store
	now    func() time.Time
	ttl    time.Duration
	secure bool
}

// NewManager returns a Manager. secure sets the cookie's Secure flag; it must be
// true when the SP is served over https.
func NewManager(st store.Store, now func() time.Time, ttl time.Duration, secure bool) *Manager {
	return &Manager{store: st, now: now, ttl: ttl, secure: secure}
}

// Start signs the browser in as userID within orgID. Any session the request
// already carries is ended first, so a session value planted before sign-in
// (session fixation) never becomes a signed-in one.
func (m *Manager) Start(w http.ResponseWriter, r *http.Request, userID, orgID string) error {
	ctx := r.Context()
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		if err := m.store.DeleteSession(ctx, Hash(c.Value)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("end previous session: %w", err)
		}
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	now := m.now()
	s := store.Session{
		IDHash:    Hash(token),
		UserID:    userID,
		OrgID:     orgID,
		CreatedAt: now,
		ExpiresAt: now.Add(m.ttl),
	}
	if err := m.store.CreateSession(ctx, s); err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, m.cookie(token, s.ExpiresAt))
	return nil
}

// Current returns the live session of the request, or ErrNoSession.
func (m *Manager) Current(ctx context.Context, r *http.Request) (store.Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return store.Session{}, ErrNoSession
	}
	s, err := m.store.GetSession(ctx, Hash(c.Value), m.now())
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, ErrNoSession
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("get session: %w", err)
	}
	return s, nil
}

// End deletes the request's session, if any, and clears the cookie.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) error {
	var err error
	if c, cerr := r.Cookie(CookieName); cerr == nil && c.Value != "" {
		err = m.store.DeleteSession(r.Context(), Hash(c.Value))
		if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	}
	clear := m.cookie("", time.Unix(0, 0))
	clear.MaxAge = -1
	http.SetCookie(w, clear)
	return err
}

func (m *Manager) cookie(value string, expires time.Time) *http.Cookie {
	return &http.Cookie{
		Name:     CookieName,
		Value:    value,
		Path:     "/",
		Expires:  expires,
		HttpOnly: true,
		Secure:   m.secure,
		// Lax, not Strict: the browser must send the cookie on the top-level GET
		// that follows the IdP's cross-site POST to the ACS.
		SameSite: http.SameSiteLaxMode,
	}
}

// Hash is the form in which a session value is stored.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("session: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
