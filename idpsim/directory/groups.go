package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Group is an Okta group (type OKTA_GROUP).
type Group struct {
	ID                    string    `json:"id"`
	Name                  string    `json:"name"`
	Description           string    `json:"description"`
	Created               time.Time `json:"created"`
	LastUpdated           time.Time `json:"lastUpdated"`
	LastMembershipUpdated time.Time `json:"lastMembershipUpdated"`
}

// NewGroup is the input of CreateGroup.
type NewGroup struct {
	Name        string // required; unique case-insensitively
	Description string
}

// GroupUpdate changes the fields that are set.
type GroupUpdate struct {
	Name        *string
	Description *string
}

// maxGroupName is the longest group name Okta accepts.
const maxGroupName = 255

// ValidateGroupName checks a group name and returns it trimmed.
func ValidateGroupName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", fieldErr("name", "is required")
	}
	if len(name) > maxGroupName {
		return "", fieldErr("name", "is longer than %d characters", maxGroupName)
	}
	return name, nil
}

func groupKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

const groupColumns = `id, name, description, created, last_updated, last_membership_updated`

func scanGroup(row interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var created, updated, members string
	if err := row.Scan(&g.ID, &g.Name, &g.Description, &created, &updated, &members); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Group{}, ErrNotFound
		}
		return Group{}, err
	}
	var err error
	if g.Created, err = parseTime(created); err != nil {
		return Group{}, err
	}
	if g.LastUpdated, err = parseTime(updated); err != nil {
		return Group{}, err
	}
	if g.LastMembershipUpdated, err = parseTime(members); err != nil {
		return Group{}, err
	}
	return g, nil
}

func getGroup(ctx context.Context, q queryer, where string, args ...any) (Group, error) {
	return scanGroup(q.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups `+where, args...))
}

func listGroups(ctx context.Context, q queryer, query string, args ...any) ([]Group, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: list groups: %w", err)
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func listUsers(ctx context.Context, q queryer, query string, args ...any) ([]User, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: list users: %w", err)
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateGroup adds a group with a fresh 00g… id.
func (tx *Tx) CreateGroup(ctx context.Context, in NewGroup) (Group, error) {
	name, err := ValidateGroupName(in.Name)
	if err != nil {
		return Group{}, err
	}
	now := tx.s.now()
	g := Group{ID: NewID(PrefixGroup), Name: name, Description: strings.TrimSpace(in.Description),
		Created: now.Truncate(time.Millisecond), LastUpdated: now.Truncate(time.Millisecond),
		LastMembershipUpdated: now.Truncate(time.Millisecond)}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO groups (id, name, name_key, description, created, last_updated, last_membership_updated)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, g.ID, g.Name, groupKey(g.Name), g.Description, fmtTime(now), fmtTime(now), fmtTime(now))
	if isUniqueViolation(err) {
		return Group{}, fmt.Errorf("%w: a group named %q already exists", ErrConflict, name)
	}
	if err != nil {
		return Group{}, fmt.Errorf("directory: create group: %w", err)
	}
	return g, nil
}

// UpdateGroup renames a group or changes its description.
func (tx *Tx) UpdateGroup(ctx context.Context, id string, upd GroupUpdate) (Group, error) {
	g, err := getGroup(ctx, tx.tx, `WHERE id = ?`, id)
	if err != nil {
		return Group{}, err
	}
	if upd.Name != nil {
		if g.Name, err = ValidateGroupName(*upd.Name); err != nil {
			return Group{}, err
		}
	}
	if upd.Description != nil {
		g.Description = strings.TrimSpace(*upd.Description)
	}
	_, err = tx.tx.ExecContext(ctx, `UPDATE groups SET name = ?, name_key = ?, description = ?, last_updated = ? WHERE id = ?`,
		g.Name, groupKey(g.Name), g.Description, fmtTime(tx.s.now()), id)
	if isUniqueViolation(err) {
		return Group{}, fmt.Errorf("%w: a group named %q already exists", ErrConflict, g.Name)
	}
	if err != nil {
		return Group{}, fmt.Errorf("directory: update group: %w", err)
	}
	return getGroup(ctx, tx.tx, `WHERE id = ?`, id)
}

// DeleteGroup deletes a group, its memberships and its app assignments. A
// group used by a group push mapping cannot be deleted (ErrConflict), as in
// Okta: unlink the pushed group first. Callers refresh the app users of the
// group's members (see RefreshAppUser) after deleting.
func (tx *Tx) DeleteGroup(ctx context.Context, id string) error {
	if _, err := getGroup(ctx, tx.tx, `WHERE id = ?`, id); err != nil {
		return err
	}
	var n int
	if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM group_push_mappings WHERE group_id = ?`, id).Scan(&n); err != nil {
		return fmt.Errorf("directory: delete group: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("%w: the group is pushed to %d app(s); unlink the pushed group first", ErrConflict, n)
	}
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM groups WHERE id = ?`, id); err != nil {
		return fmt.Errorf("directory: delete group: %w", err)
	}
	return nil
}

// GroupByID returns the group with the 00g… id, or ErrNotFound.
func (tx *Tx) GroupByID(ctx context.Context, id string) (Group, error) {
	return getGroup(ctx, tx.tx, `WHERE id = ?`, id)
}

// GroupByID returns the group with the 00g… id, or ErrNotFound.
func (s *Store) GroupByID(ctx context.Context, id string) (Group, error) {
	return getGroup(ctx, s.db, `WHERE id = ?`, id)
}

// GroupByName returns the group with the name (case-insensitively), or
// ErrNotFound.
func (tx *Tx) GroupByName(ctx context.Context, name string) (Group, error) {
	return getGroup(ctx, tx.tx, `WHERE name_key = ?`, groupKey(name))
}

// GroupByName returns the group with the name (case-insensitively), or
// ErrNotFound.
func (s *Store) GroupByName(ctx context.Context, name string) (Group, error) {
	return getGroup(ctx, s.db, `WHERE name_key = ?`, groupKey(name))
}

// ListGroups returns the groups whose name starts with prefix
// (case-insensitively; "" for all), by name.
func (s *Store) ListGroups(ctx context.Context, prefix string) ([]Group, error) {
	return listGroups(ctx, s.db, `SELECT `+groupColumns+` FROM groups WHERE substr(name_key, 1, length(?)) = ?
		ORDER BY name_key, id`, groupKey(prefix), groupKey(prefix))
}

// AddGroupMember adds the user to the group; added is false if the user was
// already a member.
func (tx *Tx) AddGroupMember(ctx context.Context, groupID, userID string) (added bool, err error) {
	if _, err := getGroup(ctx, tx.tx, `WHERE id = ?`, groupID); err != nil {
		return false, notFound(err, "group", groupID)
	}
	if _, err := getUser(ctx, tx.tx, `WHERE id = ?`, userID); err != nil {
		return false, notFound(err, "user", userID)
	}
	now := fmtTime(tx.s.now())
	res, err := tx.tx.ExecContext(ctx, `INSERT INTO group_members (group_id, user_id, created) VALUES (?, ?, ?)
		ON CONFLICT (group_id, user_id) DO NOTHING`, groupID, userID, now)
	if err != nil {
		return false, fmt.Errorf("directory: add group member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.tx.ExecContext(ctx, `UPDATE groups SET last_membership_updated = ? WHERE id = ?`, now, groupID)
	return true, err
}

// RemoveGroupMember removes the user from the group; removed is false if the
// user was not a member.
func (tx *Tx) RemoveGroupMember(ctx context.Context, groupID, userID string) (removed bool, err error) {
	if _, err := getGroup(ctx, tx.tx, `WHERE id = ?`, groupID); err != nil {
		return false, notFound(err, "group", groupID)
	}
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, userID)
	if err != nil {
		return false, fmt.Errorf("directory: remove group member: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	_, err = tx.tx.ExecContext(ctx, `UPDATE groups SET last_membership_updated = ? WHERE id = ?`, fmtTime(tx.s.now()), groupID)
	return true, err
}

// IsGroupMember reports whether the user is a member of the group.
func (tx *Tx) IsGroupMember(ctx context.Context, groupID, userID string) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM group_members WHERE group_id = ? AND user_id = ?`, groupID, userID).Scan(&n)
	return n > 0, err
}

const groupMembersQuery = `SELECT ` + "u.id, u.login, u.email, u.first_name, u.last_name, u.status, u.created, u.last_updated" + ` FROM users u
	JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.login_key`

// ListGroupMembers returns the group's members, by login.
func (tx *Tx) ListGroupMembers(ctx context.Context, groupID string) ([]User, error) {
	return listUsers(ctx, tx.tx, groupMembersQuery, groupID)
}

// ListGroupMembers returns the group's members, by login.
func (s *Store) ListGroupMembers(ctx context.Context, groupID string) ([]User, error) {
	return listUsers(ctx, s.db, groupMembersQuery, groupID)
}

const userGroupsQuery = `SELECT g.id, g.name, g.description, g.created, g.last_updated, g.last_membership_updated FROM groups g
	JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_key, g.id`

// ListUserGroups returns the groups the user is a member of, by name.
func (tx *Tx) ListUserGroups(ctx context.Context, userID string) ([]Group, error) {
	return listGroups(ctx, tx.tx, userGroupsQuery, userID)
}

// ListUserGroups returns the groups the user is a member of, by name.
func (s *Store) ListUserGroups(ctx context.Context, userID string) ([]Group, error) {
	return listGroups(ctx, s.db, userGroupsQuery, userID)
}

// notFound names the missing object in an ErrNotFound.
func notFound(err error, kind, id string) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: no %s %q", ErrNotFound, kind, id)
	}
	return err
}
