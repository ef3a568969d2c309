package admin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ssoharness/ssoharness/sp/store"
)

// TokenPrefix starts every admin API token, so that a leaked one is easy to
// recognize (and for secret scanners to find).
const TokenPrefix = "ssoh_admin_"

// ErrBadToken is returned by AuthenticateToken for a token that is malformed,
// unknown or revoked; the three are deliberately not told apart.
var ErrBadToken = errors.New("admin: invalid admin API token")

// HashToken is the form in which a token is stored. A token carries 256 random
// bits, so a fast hash is enough: there is nothing to guess.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// CreateAdminToken makes an admin API token for orgID and returns its secret,
// which is shown once and never stored, with the stored record.
func (s *Service) CreateAdminToken(ctx context.Context, orgID string) (string, store.AdminToken, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", store.AdminToken{}, fmt.Errorf("admin token: random: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	tok, err := s.store.CreateAdminToken(ctx, store.AdminToken{OrgID: orgID, Hash: HashToken(secret), CreatedAt: s.now()})
	if err != nil {
		return "", store.AdminToken{}, fmt.Errorf("admin token of organization %q: %w", orgID, err)
	}
	return secret, tok, nil
}

// ListAdminTokens returns orgID's tokens (never their secrets).
func (s *Service) ListAdminTokens(ctx context.Context, orgID string) ([]store.AdminToken, error) {
	return s.store.ListAdminTokens(ctx, orgID)
}

// RevokeAdminToken deletes a token of orgID; it fails at once everywhere.
func (s *Service) RevokeAdminToken(ctx context.Context, orgID, tokenID string) error {
	if err := s.store.DeleteAdminToken(ctx, orgID, tokenID); err != nil {
		return fmt.Errorf("revoke admin token %q: %w", tokenID, err)
	}
	return nil
}

// AuthenticateToken returns the token whose secret was presented, or
// ErrBadToken.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (store.AdminToken, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 256 {
		return store.AdminToken{}, ErrBadToken
	}
	tok, err := s.store.GetAdminTokenByHash(ctx, HashToken(secret))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.AdminToken{}, ErrBadToken
	case err != nil:
		return store.AdminToken{}, fmt.Errorf("authenticate admin token: %w", err)
	}
	return tok, nil
}
