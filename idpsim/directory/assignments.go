package directory

import (
	"context"
	"errors"
	"fmt"
)

// Assign assigns the user to the app. Assigning twice is not an error.
func (tx *Tx) Assign(ctx context.Context, appID, userID string) error {
	if _, err := getApp(ctx, tx.tx, `WHERE id = ?`, appID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: no app %q", ErrNotFound, appID)
		}
		return err
	}
	if _, err := getUser(ctx, tx.tx, `WHERE id = ?`, userID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: no user %q", ErrNotFound, userID)
		}
		return err
	}
	// A user already in the app through a group becomes directly assigned.
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO app_assignments (app_id, user_id, created, direct) VALUES (?, ?, ?, 1)
		ON CONFLICT (app_id, user_id) DO UPDATE SET direct = 1`, appID, userID, fmtTime(tx.s.now()))
	if err != nil {
		return fmt.Errorf("directory: assign: %w", err)
	}
	return nil
}

// Unassign removes the user's assignment to the app. Removing an assignment
// that does not exist is not an error. A user who is also in the app
// through an assigned group stays an app user, with scope GROUP.
func (tx *Tx) Unassign(ctx context.Context, appID, userID string) error {
	if _, err := tx.tx.ExecContext(ctx, `UPDATE app_assignments SET direct = 0 WHERE app_id = ? AND user_id = ?`, appID, userID); err != nil {
		return fmt.Errorf("directory: unassign: %w", err)
	}
	return tx.RefreshAppUser(ctx, appID, userID)
}

// Assign assigns the user to the app; see Tx.Assign.
func (s *Store) Assign(ctx context.Context, appID, userID string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.Assign(ctx, appID, userID) })
}

// Unassign removes an assignment; see Tx.Unassign.
func (s *Store) Unassign(ctx context.Context, appID, userID string) error {
	return s.Update(ctx, func(tx *Tx) error { return tx.Unassign(ctx, appID, userID) })
}

// IsAssigned reports whether the user is assigned to the app.
func (s *Store) IsAssigned(ctx context.Context, appID, userID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM app_assignments WHERE app_id = ? AND user_id = ?`, appID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("directory: is assigned: %w", err)
	}
	return n > 0, nil
}

// ListAssignedUsers returns the users assigned to the app, by login.
func (s *Store) ListAssignedUsers(ctx context.Context, appID string) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+prefixed("u.", userColumns)+` FROM users u
		JOIN app_assignments x ON x.user_id = u.id
		WHERE x.app_id = ? ORDER BY u.login_key`, appID)
	if err != nil {
		return nil, fmt.Errorf("directory: list assigned users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
