package scimapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"

	"github.com/ssoharness/ssoharness/sp/store"
)

// A SCIM Bearer token is "ssoh_scim_" + id + "_" + secret, where id (26
// characters) is public and names the integration's current token, and secret
// is 256 random bits. Both are lowercase base32, so the token survives copying
// and never needs escaping. The store keeps the id (also the audit actor) and
// the SHA-256 of the whole token; a token is found by its id and then checked
// by comparing hashes in constant time. A fast hash is right here: the secret
// has 256 bits of entropy, so there is nothing to guess.
const (
	TokenPrefix  = "ssoh_scim_"
	tokenIDLen   = 26
	tokenKeyLen  = 52
	tokenLen     = len(TokenPrefix) + tokenIDLen + 1 + tokenKeyLen
	actorPrefix  = "scim-token:"
	tokenSecretB = 32
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newToken returns a fresh token and its public id.
func newToken() (id, token string, err error) {
	var idb [16]byte
	var secret [tokenSecretB]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return "", "", fmt.Errorf("scimapi: random: %w", err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return "", "", fmt.Errorf("scimapi: random: %w", err)
	}
	id = strings.ToLower(b32.EncodeToString(idb[:]))
	return id, TokenPrefix + id + "_" + strings.ToLower(b32.EncodeToString(secret[:])), nil
}

// parseToken returns the public id of a well-formed token.
func parseToken(token string) (string, bool) {
	if len(token) != tokenLen || !strings.HasPrefix(token, TokenPrefix) {
		return "", false
	}
	rest := token[len(TokenPrefix):]
	id, key := rest[:tokenIDLen], rest[tokenIDLen+1:]
	if rest[tokenIDLen] != '_' || !isBase32Lower(id) || !isBase32Lower(key) {
		return "", false
	}
	return id, true
}

func isBase32Lower(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// hashToken is the form in which a token is stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// principal is who a SCIM request acts for: one organization, through the
// token of its integration.
type principal struct {
	orgID         string
	integrationID string
	tokenID       string
}

func (p principal) actor() string { return actorPrefix + p.tokenID }

type principalKey struct{}

// principalOf returns the request's principal. The layer around elimity puts
// it there before any handler runs; its absence is a bug, and failing closed
// (an empty organization matches nothing) is the safe way to meet it.
func principalOf(r *http.Request) principal {
	p, _ := r.Context().Value(principalKey{}).(principal)
	return p
}

// errUnauthorized is why a request was refused, for the log only: the client
// gets one message whatever the reason.
type errUnauthorized struct{ reason string }

func (e errUnauthorized) Error() string { return "scim: unauthorized: " + e.reason }

// authenticate finds the organization of the request's Bearer token.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return principal{}, errUnauthorized{"no Bearer token"}
	}
	token = strings.TrimSpace(token)
	presented := hashToken(token)
	id, ok := parseToken(token)
	if !ok {
		return principal{}, errUnauthorized{"malformed token"}
	}
	in, err := s.store.GetIntegrationBySCIMTokenID(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return principal{}, errUnauthorized{"unknown token id " + id}
	case err != nil:
		return principal{}, err
	}
	// Compare before looking at the switch, so that a token's validity and the
	// integration's state take the same time to learn.
	valid := subtle.ConstantTimeCompare([]byte(presented), []byte(in.SCIMTokenHash)) == 1
	switch {
	case !valid:
		return principal{}, errUnauthorized{"wrong secret for token id " + id}
	case !in.ProvisioningEnabled:
		return principal{}, errUnauthorized{"provisioning is off"}
	case in.Status == store.StatusDisabled:
		return principal{}, errUnauthorized{"the integration is disabled"}
	}
	return principal{orgID: in.OrgID, integrationID: in.ID, tokenID: in.SCIMTokenID}, nil
}

// authError is the answer to a refused request: 401 with one message for every
// reason, or a 500 when the store could not be asked.
func (s *Server) authError(r *http.Request, err error) scimerrors.ScimError {
	var u errUnauthorized
	if errors.As(err, &u) {
		s.log.InfoContext(r.Context(), "scim request refused", "reason", u.reason, "remote_addr", r.RemoteAddr)
		return scimErr(http.StatusUnauthorized, "", "The Bearer token is missing, malformed or no longer valid.")
	}
	s.log.ErrorContext(r.Context(), "scim authentication failed", "err", err)
	return scimErr(http.StatusInternalServerError, "", internalDetail)
}

// EnableProvisioning turns provisioning on for a connected integration
// (SCIM-01) and returns its Bearer token, which is shown this once: only its
// hash is kept (SCIM-02). ErrNotConnected if SSO is not working yet,
// ErrProvisioningOn if it is already on (RotateToken gives a new token).
// actor names who did it, for the audit log.
func (s *Server) EnableProvisioning(ctx context.Context, integrationID, actor string) (string, error) {
	return s.setToken(ctx, integrationID, actor, "scim.provisioning.enabled", func(in store.Integration) error {
		switch {
		case in.Status != store.StatusConnected:
			return ErrNotConnected
		case in.ProvisioningEnabled:
			return ErrProvisioningOn
		}
		return nil
	})
}

// RotateToken replaces the token of an integration whose provisioning is on;
// the old token fails from the moment this returns.
func (s *Server) RotateToken(ctx context.Context, integrationID, actor string) (string, error) {
	return s.setToken(ctx, integrationID, actor, "scim.token.rotated", func(in store.Integration) error {
		if !in.ProvisioningEnabled {
			return ErrProvisioningOff
		}
		return nil
	})
}

func (s *Server) setToken(ctx context.Context, integrationID, actor, action string, check func(store.Integration) error) (string, error) {
	id, token, err := newToken()
	if err != nil {
		return "", err
	}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		in, err := tx.GetIntegration(ctx, integrationID)
		if err != nil {
			return err
		}
		if err := check(in); err != nil {
			return err
		}
		old := in.SCIMTokenID
		in.ProvisioningEnabled, in.SCIMTokenID, in.SCIMTokenHash = true, id, hashToken(token)
		in.UpdatedAt = s.now()
		if _, err := tx.UpdateIntegration(ctx, in); err != nil {
			return err
		}
		detail := "new token " + id
		if old != "" {
			detail += ", replacing " + old
		}
		return s.audit(ctx, tx, in.OrgID, actor, action, "integration "+in.ID, detail)
	})
	if err != nil {
		return "", fmt.Errorf("scimapi: %s: %w", action, err)
	}
	return token, nil
}

// DisableProvisioning turns provisioning off; the token fails at once. Turning
// off what is off is not an error.
func (s *Server) DisableProvisioning(ctx context.Context, integrationID, actor string) error {
	err := s.store.InTx(ctx, func(tx store.Store) error {
		in, err := tx.GetIntegration(ctx, integrationID)
		if err != nil || !in.ProvisioningEnabled {
			return err
		}
		old := in.SCIMTokenID
		in.ProvisioningEnabled, in.SCIMTokenID, in.SCIMTokenHash = false, "", ""
		in.UpdatedAt = s.now()
		if _, err := tx.UpdateIntegration(ctx, in); err != nil {
			return err
		}
		return s.audit(ctx, tx, in.OrgID, actor, "scim.provisioning.disabled", "integration "+in.ID, "token "+old+" invalidated")
	})
	if err != nil {
		return fmt.Errorf("scimapi: disable provisioning: %w", err)
	}
	return nil
}

// audit records one change in the organization's audit log, inside the
// transaction that made it.
func (s *Server) audit(ctx context.Context, tx store.Store, orgID, actor, action, target, detail string) error {
	_, err := tx.AppendAudit(ctx, store.AuditEvent{OrgID: orgID, Actor: actor, Action: action, Target: target, Detail: detail, At: s.now()})
	return err
}
