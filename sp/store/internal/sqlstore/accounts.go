package sqlstore

import (
	"context"
	"slices"
	"strings"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Lists order by seq, the insertion sequence, so that pages are stable and
// equal timestamps cannot reorder rows.

const orgCols = "id, name, created_at"

func scanOrg(r rowScanner) (store.Organization, error) {
	var o store.Organization
	err := scanRow(r, &o.ID, &o.Name, &o.CreatedAt)
	return o, err
}

func (s *Store) CreateOrganization(ctx context.Context, o store.Organization) (store.Organization, error) {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return store.Organization{}, invalid("organization name is empty")
	}
	if o.ID == "" {
		o.ID = store.NewID("org_")
	}
	o.CreatedAt = stamp(o.CreatedAt)
	_, err := s.exec(ctx, `INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)`,
		o.ID, o.Name, o.CreatedAt)
	if err != nil {
		return store.Organization{}, err
	}
	return o, nil
}

func (s *Store) GetOrganization(ctx context.Context, id string) (store.Organization, error) {
	return one(ctx, s, "organization "+id,
		`SELECT `+orgCols+` FROM organizations WHERE id = ?`, []any{id}, scanOrg)
}

func (s *Store) ListOrganizations(ctx context.Context) ([]store.Organization, error) {
	return list(ctx, s, `SELECT `+orgCols+` FROM organizations ORDER BY seq`, nil, scanOrg)
}

func (s *Store) DeleteOrganization(ctx context.Context, id string) error {
	return s.atomically(ctx, func(s *Store) error {
		ms, err := s.ListMemberships(ctx, id)
		if err != nil {
			return err
		}
		if err := s.execOne(ctx, "organization "+id, `DELETE FROM organizations WHERE id = ?`, id); err != nil {
			return err
		}
		// The cascade took the memberships; whoever has none left had an
		// account only for this organization.
		userIDs := make([]string, len(ms))
		for i, m := range ms {
			userIDs[i] = m.UserID
		}
		for chunk := range slices.Chunk(userIDs, inChunk) {
			if _, err := s.exec(ctx, `DELETE FROM users WHERE id IN (`+placeholders(len(chunk))+`)
				AND NOT EXISTS (SELECT 1 FROM memberships WHERE memberships.user_id = users.id)`, anys(chunk)...); err != nil {
				return err
			}
		}
		return nil
	})
}

const userCols = "users.id, users.email, users.given_name, users.family_name, users.display_name, users.locale, users.password_hash, users.created_at, users.updated_at"

func scanUser(r rowScanner) (store.User, error) {
	var u store.User
	err := scanRow(r, &u.ID, &u.Email, &u.GivenName, &u.FamilyName, &u.DisplayName, &u.Locale,
		&u.PasswordHash, &u.CreatedAt, &u.UpdatedAt)
	return u, err
}

// emailKey is the column the unique index is on. It is computed here rather than
// with SQL lower(), which folds only ASCII in SQLite, so that every backend
// compares emails exactly as store.NormalizeEmail does.
func emailKey(u *store.User) (string, error) {
	u.Email = strings.TrimSpace(u.Email)
	if u.Email == "" {
		return "", invalid("user email is empty")
	}
	return store.NormalizeEmail(u.Email), nil
}

func (s *Store) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	key, err := emailKey(&u)
	if err != nil {
		return store.User{}, err
	}
	if u.ID == "" {
		u.ID = store.NewID("usr_")
	}
	u.CreatedAt = stamp(u.CreatedAt)
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	u.UpdatedAt = stamp(u.UpdatedAt)
	_, err = s.exec(ctx, `INSERT INTO users (id, email, email_key, given_name, family_name, display_name, locale, password_hash, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, key, u.GivenName, u.FamilyName, u.DisplayName, u.Locale, u.PasswordHash, u.CreatedAt, u.UpdatedAt)
	if err != nil {
		return store.User{}, err
	}
	return u, nil
}

func (s *Store) GetUser(ctx context.Context, id string) (store.User, error) {
	return one(ctx, s, "user "+id, `SELECT `+userCols+` FROM users WHERE id = ?`, []any{id}, scanUser)
}

func (s *Store) GetUserByEmail(ctx context.Context, email string) (store.User, error) {
	return one(ctx, s, "user "+email, `SELECT `+userCols+` FROM users WHERE email_key = ?`,
		[]any{store.NormalizeEmail(email)}, scanUser)
}

func (s *Store) UpdateUser(ctx context.Context, u store.User) (store.User, error) {
	key, err := emailKey(&u)
	if err != nil {
		return store.User{}, err
	}
	u.UpdatedAt = stamp(u.UpdatedAt)
	created, err := oneWrite(ctx, s, "user "+u.ID, `UPDATE users
		SET email = ?, email_key = ?, given_name = ?, family_name = ?, display_name = ?, locale = ?, password_hash = ?, updated_at = ?
		WHERE id = ? RETURNING created_at`,
		[]any{u.Email, key, u.GivenName, u.FamilyName, u.DisplayName, u.Locale, u.PasswordHash, u.UpdatedAt, u.ID}, scanTime)
	if err != nil {
		return store.User{}, err
	}
	u.CreatedAt = created
	return u, nil
}

// DeleteUser relies on the schema's cascades: memberships, and through them team
// memberships and sessions in an organization, and sessions outside any.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	return s.execOne(ctx, "user "+id, `DELETE FROM users WHERE id = ?`, id)
}

const membershipCols = "user_id, org_id, role, source, created_at"

func scanMembership(r rowScanner) (store.Membership, error) {
	var m store.Membership
	err := scanRow(r, &m.UserID, &m.OrgID, &m.Role, &m.Source, &m.CreatedAt)
	return m, err
}

func validRole(r store.Role) bool { return r == store.RoleAdmin || r == store.RoleMember }

func validSource(src store.Source) bool {
	switch src {
	case store.SourceLocal, store.SourceInvite, store.SourceJIT, store.SourceSCIM:
		return true
	}
	return false
}

func (s *Store) AddMembership(ctx context.Context, m store.Membership) (store.Membership, error) {
	switch {
	case m.OrgID == "" || m.UserID == "":
		return store.Membership{}, invalid("membership needs an organization and a user")
	case !validRole(m.Role):
		return store.Membership{}, invalid("role %q", m.Role)
	case !validSource(m.Source):
		return store.Membership{}, invalid("membership source %q", m.Source)
	}
	m.CreatedAt = stamp(m.CreatedAt)
	_, err := s.exec(ctx, `INSERT INTO memberships (org_id, user_id, role, source, created_at) VALUES (?, ?, ?, ?, ?)`,
		m.OrgID, m.UserID, string(m.Role), string(m.Source), m.CreatedAt)
	if err != nil {
		return store.Membership{}, err
	}
	return m, nil
}

func (s *Store) GetMembership(ctx context.Context, orgID, userID string) (store.Membership, error) {
	return one(ctx, s, "membership of "+userID+" in "+orgID,
		`SELECT `+membershipCols+` FROM memberships WHERE org_id = ? AND user_id = ?`,
		[]any{orgID, userID}, scanMembership)
}

func (s *Store) ListMemberships(ctx context.Context, orgID string) ([]store.Membership, error) {
	return list(ctx, s, `SELECT `+membershipCols+` FROM memberships WHERE org_id = ? ORDER BY seq`,
		[]any{orgID}, scanMembership)
}

func (s *Store) ListUserMemberships(ctx context.Context, userID string) ([]store.Membership, error) {
	return list(ctx, s, `SELECT `+membershipCols+` FROM memberships WHERE user_id = ? ORDER BY seq`,
		[]any{userID}, scanMembership)
}

// RemoveMembership relies on the schema: team memberships and sessions refer to
// the (organization, user) membership and cascade with it.
func (s *Store) RemoveMembership(ctx context.Context, orgID, userID string) error {
	return s.execOne(ctx, "membership of "+userID+" in "+orgID,
		`DELETE FROM memberships WHERE org_id = ? AND user_id = ?`, orgID, userID)
}
