package sqlstore

import (
	"context"
	"time"

	"github.com/ssoharness/ssoharness/sp/store"
)

const integrationCols = "id, org_id, status, metadata_url, idp_entity_id, sso_url, cert_pem, provisioning_enabled, scim_token_id, scim_token_hash, created_at, updated_at"

func scanIntegration(r rowScanner) (store.Integration, error) {
	var i store.Integration
	err := scanRow(r, &i.ID, &i.OrgID, &i.Status, &i.MetadataURL, &i.IdPEntityID, &i.SSOURL, &i.CertPEM,
		&i.ProvisioningEnabled, &i.SCIMTokenID, &i.SCIMTokenHash, &i.CreatedAt, &i.UpdatedAt)
	return i, err
}

func validStatus(st store.IntegrationStatus) bool {
	switch st {
	case store.StatusPending, store.StatusConnected, store.StatusDisabled:
		return true
	}
	return false
}

func (s *Store) CreateIntegration(ctx context.Context, i store.Integration) (store.Integration, error) {
	if i.OrgID == "" {
		return store.Integration{}, invalid("integration has no organization")
	}
	if i.Status == "" {
		i.Status = store.StatusPending
	}
	if !validStatus(i.Status) {
		return store.Integration{}, invalid("integration status %q", i.Status)
	}
	if i.ID == "" {
		i.ID = store.NewID("int_")
	}
	i.CreatedAt = stamp(i.CreatedAt)
	if i.UpdatedAt.IsZero() {
		i.UpdatedAt = i.CreatedAt
	}
	i.UpdatedAt = stamp(i.UpdatedAt)
	_, err := s.exec(ctx, `INSERT INTO integrations (`+integrationCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.OrgID, string(i.Status), i.MetadataURL, i.IdPEntityID, i.SSOURL, i.CertPEM,
		i.ProvisioningEnabled, i.SCIMTokenID, i.SCIMTokenHash, i.CreatedAt, i.UpdatedAt)
	if err != nil {
		return store.Integration{}, err
	}
	return i, nil
}

func (s *Store) GetIntegration(ctx context.Context, id string) (store.Integration, error) {
	return one(ctx, s, "integration "+id, `SELECT `+integrationCols+` FROM integrations WHERE id = ?`,
		[]any{id}, scanIntegration)
}

func (s *Store) GetIntegrationByOrg(ctx context.Context, orgID string) (store.Integration, error) {
	return one(ctx, s, "integration of organization "+orgID,
		`SELECT `+integrationCols+` FROM integrations WHERE org_id = ?`, []any{orgID}, scanIntegration)
}

// UpdateIntegration treats a non-empty OrgID as a scope, as UpdateTeam does.
func (s *Store) UpdateIntegration(ctx context.Context, i store.Integration) (store.Integration, error) {
	if !validStatus(i.Status) {
		return store.Integration{}, invalid("integration status %q", i.Status)
	}
	i.UpdatedAt = stamp(i.UpdatedAt)
	return oneWrite(ctx, s, "integration "+i.ID, `UPDATE integrations
		SET status = ?, metadata_url = ?, idp_entity_id = ?, sso_url = ?, cert_pem = ?,
			provisioning_enabled = ?, scim_token_id = ?, scim_token_hash = ?, updated_at = ?
		WHERE id = ? AND org_id = COALESCE(NULLIF(?, ''), org_id)
		RETURNING `+integrationCols,
		[]any{string(i.Status), i.MetadataURL, i.IdPEntityID, i.SSOURL, i.CertPEM,
			i.ProvisioningEnabled, i.SCIMTokenID, i.SCIMTokenHash, i.UpdatedAt, i.ID, i.OrgID},
		scanIntegration)
}

// Sessions outside any organization store a NULL org_id, which leaves them out
// of the foreign key to memberships and so out of RemoveMembership's cascade.

func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	switch {
	case sess.IDHash == "" || sess.UserID == "":
		return invalid("session needs an id hash and a user")
	case sess.ExpiresAt.IsZero():
		return invalid("session has no expiry")
	}
	_, err := s.exec(ctx, `INSERT INTO sessions (id_hash, user_id, org_id, created_at, expires_at)
		VALUES (?, ?, NULLIF(?, ''), ?, ?)`,
		sess.IDHash, sess.UserID, sess.OrgID, stamp(sess.CreatedAt), stamp(sess.ExpiresAt))
	return err
}

func (s *Store) GetSession(ctx context.Context, idHash string, now time.Time) (store.Session, error) {
	return one(ctx, s, "session", `SELECT id_hash, user_id, COALESCE(org_id, ''), created_at, expires_at
		FROM sessions WHERE id_hash = ? AND expires_at > ?`, []any{idHash, now},
		func(r rowScanner) (store.Session, error) {
			var sess store.Session
			err := scanRow(r, &sess.IDHash, &sess.UserID, &sess.OrgID, &sess.CreatedAt, &sess.ExpiresAt)
			return sess, err
		})
}

func (s *Store) DeleteSession(ctx context.Context, idHash string) error {
	return s.execOne(ctx, "session", `DELETE FROM sessions WHERE id_hash = ?`, idHash)
}

func (s *Store) CreatePendingRequest(ctx context.Context, p store.PendingRequest) error {
	switch {
	case p.ID == "" || p.IntegrationID == "":
		return invalid("pending request needs an id and an integration")
	case p.ExpiresAt.IsZero():
		return invalid("pending request has no expiry")
	}
	p.CreatedAt = stamp(p.CreatedAt)
	// Requests whose browser never came back are purged here, so that anyone
	// opening the sign-in URL over and over fills the table for minutes, not for
	// good.
	if _, err := s.exec(ctx, `DELETE FROM pending_requests WHERE expires_at <= ?`, p.CreatedAt); err != nil {
		return err
	}
	_, err := s.exec(ctx, `INSERT INTO pending_requests (id, integration_id, relay_state, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.IntegrationID, p.RelayState, p.CreatedAt, stamp(p.ExpiresAt))
	return err
}

// TakePendingRequest deletes and reads in one statement, so two replicas racing
// for the same request cannot both get it. An expired request is deleted too:
// it can never be used again.
func (s *Store) TakePendingRequest(ctx context.Context, integrationID, id string, now time.Time) (store.PendingRequest, error) {
	p, err := oneWrite(ctx, s, "pending request "+id, `DELETE FROM pending_requests
		WHERE id = ? AND integration_id = ?
		RETURNING id, integration_id, relay_state, created_at, expires_at`,
		[]any{id, integrationID}, func(r rowScanner) (store.PendingRequest, error) {
			var p store.PendingRequest
			err := scanRow(r, &p.ID, &p.IntegrationID, &p.RelayState, &p.CreatedAt, &p.ExpiresAt)
			return p, err
		})
	if err != nil {
		return store.PendingRequest{}, err
	}
	if !now.Before(p.ExpiresAt) {
		return store.PendingRequest{}, notFound("pending request " + id + " (expired)")
	}
	return p, nil
}

// RecordAssertion decides in one statement: a new ID is inserted, an expired one
// is renewed, a live one is left alone and touches no row, which is the replay.
// The statement is atomic under concurrent callers in every backend, so replay
// detection holds across replicas without a transaction.
func (s *Store) RecordAssertion(ctx context.Context, integrationID, assertionID string, expiresAt, now time.Time) error {
	switch {
	case integrationID == "" || assertionID == "":
		return invalid("assertion needs an integration and an id")
	case expiresAt.IsZero():
		return invalid("assertion has no expiry")
	}
	// The purge goes first and on its own: if it fails nothing is recorded, and
	// outside a transaction it releases its locks before the decision is taken.
	if _, err := s.exec(ctx, `DELETE FROM assertions WHERE expires_at <= ?`, stamp(now)); err != nil {
		return err
	}
	n, err := s.exec(ctx, `INSERT INTO assertions (integration_id, assertion_id, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (integration_id, assertion_id) DO UPDATE SET expires_at = excluded.expires_at
		WHERE assertions.expires_at <= ?`,
		integrationID, assertionID, stamp(expiresAt), stamp(now))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmtConflict("assertion %s of integration %s was already used", assertionID, integrationID)
	}
	return nil
}
