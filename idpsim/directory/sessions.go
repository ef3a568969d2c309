package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a signed-in browser at the fake Okta.
type Session struct {
	ID        string    // Okta-style session id (102…), safe to show and log
	UserID    string    // the signed-in user
	Created   time.Time // when the session started
	AuthnAt   time.Time // when the user last typed their password (AuthnInstant)
	ExpiresAt time.Time
}

// CreateSession starts a session for the user, valid for ttl. It returns
// the cookie value, which is not stored: only its hash is.
func (s *Store) CreateSession(ctx context.Context, userID string, ttl time.Duration) (token string, sess Session, err error) {
	now := s.now().Truncate(time.Millisecond)
	token, hash := newSessionToken()
	sess = Session{ID: NewID(PrefixSession), UserID: userID, Created: now, AuthnAt: now, ExpiresAt: now.Add(ttl)}
	_, err = s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, id, user_id, created, authn_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hash, sess.ID, userID, fmtTime(now), fmtTime(now), fmtTime(sess.ExpiresAt))
	if err != nil {
		return "", Session{}, fmt.Errorf("directory: create session: %w", err)
	}
	return token, sess, nil
}

// SessionByToken returns the live session for a cookie value, or
// ErrNotFound if there is none or it has expired.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNotFound
	}
	var sess Session
	var created, authn, expires string
	err := s.db.QueryRowContext(ctx, `SELECT id, user_id, created, authn_at, expires_at FROM sessions
		WHERE token_hash = ? AND expires_at > ?`, hashToken(token), fmtTime(s.now())).
		Scan(&sess.ID, &sess.UserID, &created, &authn, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("directory: session: %w", err)
	}
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&sess.Created, created}, {&sess.AuthnAt, authn}, {&sess.ExpiresAt, expires}} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return Session{}, err
		}
	}
	return sess, nil
}

// DeleteSession ends the session with the cookie value, if there is one.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
		return fmt.Errorf("directory: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that have expired.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, fmtTime(s.now())); err != nil {
		return fmt.Errorf("directory: delete expired sessions: %w", err)
	}
	return nil
}
