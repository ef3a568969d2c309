package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

var t0 = time.Date(2031, 3, 14, 9, 26, 53, 0, time.UTC)

func setup(t *testing.T, secure bool) (*session.Manager, store.Store, store.User, store.Organization, *time.Time) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	org, err := st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	u, err := st.CreateUser(ctx, store.User{Email: "ada@acme.test"})
	require.NoError(t, err)
	_, err = st.AddMembership(ctx, store.Membership{UserID: u.ID, OrgID: org.ID, Role: store.RoleMember, Source: store.SourceLocal})
	require.NoError(t, err)
	now := t0
	return session.NewManager(st, func() time.Time { return now }, time.Hour, secure), st, u, org, &now
}

func start(t *testing.T, m *session.Manager, u store.User, org store.Organization, old ...*http.Cookie) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", nil)
	for _, c := range old {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	require.NoError(t, m.Start(rec, req, u.ID, org.ID))
	cs := rec.Result().Cookies()
	require.Len(t, cs, 1)
	return cs[0]
}

func current(m *session.Manager, c *http.Cookie) (store.Session, error) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if c != nil {
		req.AddCookie(c)
	}
	return m.Current(req.Context(), req)
}

func TestStartCurrentEnd(t *testing.T) {
	t.Parallel()
	m, st, u, org, now := setup(t, true)
	c := start(t, m, u, org)
	assert.Equal(t, session.CookieName, c.Name)
	assert.True(t, c.HttpOnly)
	assert.True(t, c.Secure)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, t0.Add(time.Hour), c.Expires)

	s, err := current(m, c)
	require.NoError(t, err)
	assert.Equal(t, u.ID, s.UserID)
	assert.Equal(t, org.ID, s.OrgID)
	assert.Equal(t, session.Hash(c.Value), s.IDHash)
	assert.NotEqual(t, c.Value, s.IDHash)

	_, err = current(m, nil)
	assert.ErrorIs(t, err, session.ErrNoSession)
	_, err = current(m, &http.Cookie{Name: session.CookieName, Value: "forged"})
	assert.ErrorIs(t, err, session.ErrNoSession)

	*now = t0.Add(time.Hour + time.Second)
	_, err = current(m, c)
	assert.ErrorIs(t, err, session.ErrNoSession, "expired")
	*now = t0

	req := httptest.NewRequest(http.MethodPost, "/", nil)
	req.AddCookie(c)
	rec := httptest.NewRecorder()
	require.NoError(t, m.End(rec, req))
	_, err = st.GetSession(context.Background(), session.Hash(c.Value), t0)
	assert.ErrorIs(t, err, store.ErrNotFound)
	cleared := rec.Result().Cookies()
	require.Len(t, cleared, 1)
	assert.Empty(t, cleared[0].Value)
	assert.Negative(t, cleared[0].MaxAge)
}

// Signing in ends the session the browser brought along (session fixation).
func TestStartReplacesTheOldSession(t *testing.T) {
	t.Parallel()
	m, _, u, org, _ := setup(t, false)
	first := start(t, m, u, org)
	assert.False(t, first.Secure)
	second := start(t, m, u, org, first)
	assert.NotEqual(t, first.Value, second.Value)
	_, err := current(m, first)
	assert.ErrorIs(t, err, session.ErrNoSession)
	_, err = current(m, second)
	assert.NoError(t, err)
}
