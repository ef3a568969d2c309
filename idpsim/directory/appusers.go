package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Assignment scopes, as Okta's app user object names them.
const (
	ScopeUser  = "USER"  // assigned individually (perhaps also through a group)
	ScopeGroup = "GROUP" // assigned only through one or more groups
)

// AppUser is a user's assignment to an app (Okta's "app user").
type AppUser struct {
	AppID   string    `json:"appId"`
	User    User      `json:"user"`
	Scope   string    `json:"scope"`
	Created time.Time `json:"created"`
}

// AppGroup is a group's assignment to an app.
type AppGroup struct {
	AppID       string    `json:"appId"`
	Group       Group     `json:"group"`
	Priority    int       `json:"priority"`
	Created     time.Time `json:"created"`
	LastUpdated time.Time `json:"lastUpdated"`
}

// AssignGroup assigns the group to the app, making its members app users.
// Assigning again updates the priority.
func (tx *Tx) AssignGroup(ctx context.Context, appID, groupID string, priority int) error {
	if _, err := getApp(ctx, tx.tx, `WHERE id = ?`, appID); err != nil {
		return notFound(err, "app", appID)
	}
	if _, err := getGroup(ctx, tx.tx, `WHERE id = ?`, groupID); err != nil {
		return notFound(err, "group", groupID)
	}
	now := fmtTime(tx.s.now())
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO app_group_assignments (app_id, group_id, priority, created, last_updated)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (app_id, group_id) DO UPDATE SET priority = excluded.priority, last_updated = excluded.last_updated`,
		appID, groupID, priority, now, now)
	if err != nil {
		return fmt.Errorf("directory: assign group: %w", err)
	}
	return tx.refreshGroupMembers(ctx, appID, groupID)
}

// UnassignGroup removes the group's assignment to the app; members who are
// in the app by no other way stop being app users.
func (tx *Tx) UnassignGroup(ctx context.Context, appID, groupID string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM app_group_assignments WHERE app_id = ? AND group_id = ?`, appID, groupID); err != nil {
		return fmt.Errorf("directory: unassign group: %w", err)
	}
	return tx.refreshGroupMembers(ctx, appID, groupID)
}

// refreshGroupMembers refreshes the app user row of every member of the group.
func (tx *Tx) refreshGroupMembers(ctx context.Context, appID, groupID string) error {
	members, err := tx.ListGroupMembers(ctx, groupID)
	if err != nil {
		return err
	}
	for _, u := range members {
		if err := tx.RefreshAppUser(ctx, appID, u.ID); err != nil {
			return err
		}
	}
	return nil
}

// RefreshAppUser makes the user's app user row agree with their direct
// assignment and their groups: a user in an assigned group is an app user
// (scope GROUP unless also assigned directly); a user with neither is not.
func (tx *Tx) RefreshAppUser(ctx context.Context, appID, userID string) error {
	var viaGroup int
	err := tx.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM app_group_assignments a
		JOIN group_members m ON m.group_id = a.group_id WHERE a.app_id = ? AND m.user_id = ?)`, appID, userID).Scan(&viaGroup)
	if err != nil {
		return fmt.Errorf("directory: app user: %w", err)
	}
	if viaGroup == 1 {
		_, err = tx.tx.ExecContext(ctx, `INSERT INTO app_assignments (app_id, user_id, created, direct) VALUES (?, ?, ?, 0)
			ON CONFLICT (app_id, user_id) DO NOTHING`, appID, userID, fmtTime(tx.s.now()))
	} else {
		_, err = tx.tx.ExecContext(ctx, `DELETE FROM app_assignments WHERE app_id = ? AND user_id = ? AND direct = 0`, appID, userID)
	}
	if err != nil {
		return fmt.Errorf("directory: app user: %w", err)
	}
	return nil
}

// AppsForGroup returns the ids of the apps the group is assigned to.
func (tx *Tx) AppsForGroup(ctx context.Context, groupID string) ([]string, error) {
	return queryStrings(ctx, tx.tx, `SELECT app_id FROM app_group_assignments WHERE group_id = ? ORDER BY app_id`, groupID)
}

// AppsForUser returns the ids of the apps the user is assigned to, directly
// or through groups.
func (tx *Tx) AppsForUser(ctx context.Context, userID string) ([]string, error) {
	return queryStrings(ctx, tx.tx, `SELECT app_id FROM app_assignments WHERE user_id = ? ORDER BY app_id`, userID)
}

// IsAssigned reports whether the user is an app user of the app.
func (tx *Tx) IsAssigned(ctx context.Context, appID, userID string) (bool, error) {
	var n int
	err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM app_assignments WHERE app_id = ? AND user_id = ?`, appID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("directory: is assigned: %w", err)
	}
	return n > 0, nil
}

func queryStrings(ctx context.Context, q queryer, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: query: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const appUserColumns = `u.id, u.login, u.email, u.first_name, u.last_name, u.status, u.created, u.last_updated, x.direct, x.created`

func scanAppUser(appID string, row interface{ Scan(...any) error }) (AppUser, error) {
	var au AppUser
	var created, updated, assigned string
	var direct bool
	u := &au.User
	err := row.Scan(&u.ID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Status, &created, &updated, &direct, &assigned)
	if errors.Is(err, sql.ErrNoRows) {
		return AppUser{}, ErrNotFound
	}
	if err != nil {
		return AppUser{}, err
	}
	if u.Created, err = parseTime(created); err != nil {
		return AppUser{}, err
	}
	if u.LastUpdated, err = parseTime(updated); err != nil {
		return AppUser{}, err
	}
	if au.Created, err = parseTime(assigned); err != nil {
		return AppUser{}, err
	}
	au.AppID = appID
	au.Scope = ScopeGroup
	if direct {
		au.Scope = ScopeUser
	}
	return au, nil
}

// AppUser returns the user's assignment to the app, or ErrNotFound.
func (s *Store) AppUser(ctx context.Context, appID, userID string) (AppUser, error) {
	return scanAppUser(appID, s.db.QueryRowContext(ctx, `SELECT `+appUserColumns+` FROM app_assignments x
		JOIN users u ON u.id = x.user_id WHERE x.app_id = ? AND x.user_id = ?`, appID, userID))
}

// ListAppUsers returns the app's users, by login.
func (s *Store) ListAppUsers(ctx context.Context, appID string) ([]AppUser, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+appUserColumns+` FROM app_assignments x
		JOIN users u ON u.id = x.user_id WHERE x.app_id = ? ORDER BY u.login_key`, appID)
	if err != nil {
		return nil, fmt.Errorf("directory: list app users: %w", err)
	}
	defer rows.Close()
	out := []AppUser{}
	for rows.Next() {
		au, err := scanAppUser(appID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, au)
	}
	return out, rows.Err()
}

const appGroupQuery = `SELECT g.id, g.name, g.description, g.created, g.last_updated, g.last_membership_updated,
	a.priority, a.created, a.last_updated FROM app_group_assignments a JOIN groups g ON g.id = a.group_id`

func scanAppGroup(appID string, row interface{ Scan(...any) error }) (AppGroup, error) {
	var ag AppGroup
	var gc, gu, gm, created, updated string
	g := &ag.Group
	err := row.Scan(&g.ID, &g.Name, &g.Description, &gc, &gu, &gm, &ag.Priority, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return AppGroup{}, ErrNotFound
	}
	if err != nil {
		return AppGroup{}, err
	}
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&g.Created, gc}, {&g.LastUpdated, gu}, {&g.LastMembershipUpdated, gm}, {&ag.Created, created}, {&ag.LastUpdated, updated}} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return AppGroup{}, err
		}
	}
	ag.AppID = appID
	return ag, nil
}

// AppGroup returns the group's assignment to the app, or ErrNotFound.
func (s *Store) AppGroup(ctx context.Context, appID, groupID string) (AppGroup, error) {
	return scanAppGroup(appID, s.db.QueryRowContext(ctx, appGroupQuery+` WHERE a.app_id = ? AND a.group_id = ?`, appID, groupID))
}

// ListAppGroups returns the groups assigned to the app, by priority then
// name.
func (s *Store) ListAppGroups(ctx context.Context, appID string) ([]AppGroup, error) {
	rows, err := s.db.QueryContext(ctx, appGroupQuery+` WHERE a.app_id = ? ORDER BY a.priority, g.name_key`, appID)
	if err != nil {
		return nil, fmt.Errorf("directory: list app groups: %w", err)
	}
	defer rows.Close()
	out := []AppGroup{}
	for rows.Next() {
		ag, err := scanAppGroup(appID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ag)
	}
	return out, rows.Err()
}
