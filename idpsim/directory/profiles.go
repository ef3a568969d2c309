package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ProfileAttributes are the string attributes of Okta's base user profile
// that the directory keeps besides login, email, firstName and lastName.
var ProfileAttributes = []string{
	"middleName", "honorificPrefix", "honorificSuffix", "title", "displayName", "nickName",
	"profileUrl", "secondEmail", "mobilePhone", "primaryPhone", "streetAddress", "city", "state",
	"zipCode", "countryCode", "postalAddress", "preferredLanguage", "locale", "timezone", "userType",
	"employeeNumber", "costCenter", "organization", "division", "department", "managerId", "manager",
}

var profileAttributeSet = func() map[string]bool {
	m := map[string]bool{}
	for _, a := range ProfileAttributes {
		m[a] = true
	}
	return m
}()

// IsProfileAttribute reports whether name is one of ProfileAttributes.
func IsProfileAttribute(name string) bool { return profileAttributeSet[name] }

// ProfileExtras returns the user's profile attributes beyond the core four
// (an empty map if there are none).
func (s *Store) ProfileExtras(ctx context.Context, userID string) (map[string]string, error) {
	return profileExtras(ctx, s.db, userID)
}

// ProfileExtras returns the user's profile attributes beyond the core four.
func (tx *Tx) ProfileExtras(ctx context.Context, userID string) (map[string]string, error) {
	return profileExtras(ctx, tx.tx, userID)
}

func profileExtras(ctx context.Context, q queryer, userID string) (map[string]string, error) {
	var raw string
	err := q.QueryRowContext(ctx, `SELECT attributes FROM user_profiles WHERE user_id = ?`, userID).Scan(&raw)
	out := map[string]string{}
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("directory: profile: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, fmt.Errorf("directory: profile of %s: %w", userID, err)
	}
	return out, nil
}

// SetProfileExtras replaces the user's extra profile attributes. Empty
// values are dropped; unknown names are ErrInvalid.
func (tx *Tx) SetProfileExtras(ctx context.Context, userID string, attrs map[string]string) error {
	clean := map[string]string{}
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !profileAttributeSet[k] {
			return fieldErr("profile."+k, "is not a property of the user profile")
		}
		if v := strings.TrimSpace(attrs[k]); v != "" {
			clean[k] = v
		}
	}
	raw, err := json.Marshal(clean)
	if err != nil {
		return err
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO user_profiles (user_id, attributes) VALUES (?, ?)
		ON CONFLICT (user_id) DO UPDATE SET attributes = excluded.attributes`, userID, string(raw))
	if err != nil {
		return fmt.Errorf("directory: set profile: %w", err)
	}
	return nil
}

// setSyncPassword keeps the user's current password for password sync; an
// empty password forgets it.
func (tx *Tx) setSyncPassword(ctx context.Context, userID, password string) error {
	var err error
	if password == "" {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM user_sync_passwords WHERE user_id = ?`, userID)
	} else {
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO user_sync_passwords (user_id, password) VALUES (?, ?)
			ON CONFLICT (user_id) DO UPDATE SET password = excluded.password`, userID, password)
	}
	if err != nil {
		return fmt.Errorf("directory: sync password: %w", err)
	}
	return nil
}

// SyncPassword returns the user's current password, as "Sync Password"
// pushes it; ok is false if the user has none.
func (s *Store) SyncPassword(ctx context.Context, userID string) (password string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT password FROM user_sync_passwords WHERE user_id = ?`, userID).Scan(&password)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("directory: sync password: %w", err)
	}
	return password, true, nil
}

// HasPassword reports whether the user has a password.
func (s *Store) HasPassword(ctx context.Context, userID string) (bool, error) {
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNotFound
	}
	return hash != "", err
}

// UserEvents are the lifecycle timestamps of Okta's user object; nil means
// never.
type UserEvents struct {
	Activated       *time.Time
	StatusChanged   *time.Time
	PasswordChanged *time.Time
	LastLogin       *time.Time
}

// UserEvents returns the user's lifecycle timestamps.
func (s *Store) UserEvents(ctx context.Context, userID string) (UserEvents, error) {
	var a, sc, pc, ll sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT activated, status_changed, password_changed, last_login
		FROM user_events WHERE user_id = ?`, userID).Scan(&a, &sc, &pc, &ll)
	if errors.Is(err, sql.ErrNoRows) {
		return UserEvents{}, nil
	}
	if err != nil {
		return UserEvents{}, fmt.Errorf("directory: user events: %w", err)
	}
	var ev UserEvents
	for _, f := range []struct {
		dst **time.Time
		src sql.NullString
	}{{&ev.Activated, a}, {&ev.StatusChanged, sc}, {&ev.PasswordChanged, pc}, {&ev.LastLogin, ll}} {
		if !f.src.Valid || f.src.String == "" {
			continue
		}
		t, err := parseTime(f.src.String)
		if err != nil {
			return UserEvents{}, err
		}
		*f.dst = &t
	}
	return ev, nil
}

// DeleteUser deletes a user and everything that hangs off it.
func (tx *Tx) DeleteUser(ctx context.Context, userID string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID)
	if err != nil {
		return fmt.Errorf("directory: delete user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Admin role types (Okta's standard roles). Any of them opens the admin UI.
var AdminRoleTypes = []string{"SUPER_ADMIN", "ORG_ADMIN", "APP_ADMIN", "USER_ADMIN", "GROUP_MEMBERSHIP_ADMIN", "READ_ONLY_ADMIN"}

// AdminRole is a role assigned to a user.
type AdminRole struct {
	ID          string    `json:"id"`
	UserID      string    `json:"userId"`
	Type        string    `json:"type"`
	Created     time.Time `json:"created"`
	LastUpdated time.Time `json:"lastUpdated"`
}

// PrefixRole starts the ids of role assignments.
const PrefixRole = "ra1"

// AssignRole gives the user an admin role; assigning a role the user has is
// ErrConflict.
func (tx *Tx) AssignRole(ctx context.Context, userID, roleType string) (AdminRole, error) {
	known := false
	for _, t := range AdminRoleTypes {
		known = known || t == roleType
	}
	if !known {
		return AdminRole{}, fieldErr("type", "unknown role type %q (want one of %s)", roleType, strings.Join(AdminRoleTypes, ", "))
	}
	if _, err := getUser(ctx, tx.tx, `WHERE id = ?`, userID); err != nil {
		return AdminRole{}, notFound(err, "user", userID)
	}
	now := tx.s.now().Truncate(time.Millisecond)
	r := AdminRole{ID: NewID(PrefixRole), UserID: userID, Type: roleType, Created: now, LastUpdated: now}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO admin_roles (id, user_id, type, created, last_updated) VALUES (?, ?, ?, ?, ?)`,
		r.ID, userID, roleType, fmtTime(now), fmtTime(now))
	if isUniqueViolation(err) {
		return AdminRole{}, fmt.Errorf("%w: the user already has the role %s", ErrConflict, roleType)
	}
	if err != nil {
		return AdminRole{}, fmt.Errorf("directory: assign role: %w", err)
	}
	return r, nil
}

// UnassignRole removes a role assignment of the user, or ErrNotFound.
func (tx *Tx) UnassignRole(ctx context.Context, userID, roleID string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM admin_roles WHERE user_id = ? AND id = ?`, userID, roleID)
	if err != nil {
		return fmt.Errorf("directory: unassign role: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ListRoles returns the user's admin roles.
func (s *Store) ListRoles(ctx context.Context, userID string) ([]AdminRole, error) {
	return listRoles(ctx, s.db, userID)
}

// ListRoles returns the user's admin roles.
func (tx *Tx) ListRoles(ctx context.Context, userID string) ([]AdminRole, error) {
	return listRoles(ctx, tx.tx, userID)
}

func listRoles(ctx context.Context, q queryer, userID string) ([]AdminRole, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, user_id, type, created, last_updated FROM admin_roles WHERE user_id = ? ORDER BY created, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("directory: list roles: %w", err)
	}
	defer rows.Close()
	out := []AdminRole{}
	for rows.Next() {
		var r AdminRole
		var c, u string
		if err := rows.Scan(&r.ID, &r.UserID, &r.Type, &c, &u); err != nil {
			return nil, err
		}
		if r.Created, err = parseTime(c); err != nil {
			return nil, err
		}
		if r.LastUpdated, err = parseTime(u); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// IsAdmin reports whether the user has any admin role.
func (s *Store) IsAdmin(ctx context.Context, userID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM admin_roles WHERE user_id = ?`, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("directory: is admin: %w", err)
	}
	return n > 0, nil
}
