package sqlstore

import (
	"context"

	"github.com/ssoharness/ssoharness/sp/store"
)

const adminTokenCols = "id, org_id, hash, created_at"

func scanAdminToken(r rowScanner) (store.AdminToken, error) {
	var t store.AdminToken
	err := scanRow(r, &t.ID, &t.OrgID, &t.Hash, &t.CreatedAt)
	return t, err
}

func (s *Store) CreateAdminToken(ctx context.Context, t store.AdminToken) (store.AdminToken, error) {
	if t.OrgID == "" || t.Hash == "" {
		return store.AdminToken{}, invalid("admin token needs an organization and a hash")
	}
	if t.ID == "" {
		t.ID = store.NewID("adm_")
	}
	t.CreatedAt = stamp(t.CreatedAt)
	_, err := s.exec(ctx, `INSERT INTO admin_tokens (`+adminTokenCols+`) VALUES (?, ?, ?, ?)`,
		t.ID, t.OrgID, t.Hash, t.CreatedAt)
	if err != nil {
		return store.AdminToken{}, err
	}
	return t, nil
}

func (s *Store) GetAdminTokenByHash(ctx context.Context, hash string) (store.AdminToken, error) {
	// Never name the hash in the error: errors end up in logs.
	return one(ctx, s, "admin token", `SELECT `+adminTokenCols+` FROM admin_tokens WHERE hash = ?`,
		[]any{hash}, scanAdminToken)
}

func (s *Store) ListAdminTokens(ctx context.Context, orgID string) ([]store.AdminToken, error) {
	return list(ctx, s, `SELECT `+adminTokenCols+` FROM admin_tokens WHERE org_id = ? ORDER BY seq`,
		[]any{orgID}, scanAdminToken)
}

func (s *Store) DeleteAdminToken(ctx context.Context, orgID, id string) error {
	return s.execOne(ctx, "admin token "+id, `DELETE FROM admin_tokens WHERE id = ? AND org_id = ?`, id, orgID)
}
