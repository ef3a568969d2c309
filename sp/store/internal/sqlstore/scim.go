package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Pages of SCIM lists are read in two steps: the page's keys first, from the
// organization's index alone, then the rows of those keys. A plain LIMIT/OFFSET
// would read every skipped row in full, which makes the last pages of a
// 100,000-user import slow.

// inChunk bounds the ids bound in one IN list or VALUES list, well under every
// backend's limit on bound parameters.
const inChunk = 500

// maxFilterLeaves bounds a filter's size, and so the query built from it.
const maxFilterLeaves = 64

func (s *Store) GetIntegrationBySCIMTokenID(ctx context.Context, tokenID string) (store.Integration, error) {
	if tokenID == "" {
		return store.Integration{}, notFound("integration of an empty SCIM token id")
	}
	return one(ctx, s, "integration of SCIM token "+tokenID,
		`SELECT `+integrationCols+` FROM integrations WHERE scim_token_id = ?`, []any{tokenID}, scanIntegration)
}

// atomically runs fn as one unit: in a transaction of its own, or under a
// savepoint when s is already in one. fn's statements need no savepoint of
// their own (guarded), since a failure undoes the whole unit.
func (s *Store) atomically(ctx context.Context, fn func(s *Store) error) error {
	if s.tx == nil {
		return s.begin(ctx, func(tx *Store) error {
			tx.guarded = true
			return fn(tx)
		})
	}
	if s.guarded {
		return fn(s)
	}
	return s.savepoint(ctx, true, fn)
}

const scimUserCols = "scim_users.id, scim_users.org_id, scim_users.external_id, scim_users.user_name, scim_users.active, " +
	"COALESCE(scim_users.user_id, ''), scim_users.emails, scim_users.profile, scim_users.version, scim_users.created_at, scim_users.updated_at"

func scanSCIMUser(r rowScanner) (store.SCIMUser, error) {
	var u store.SCIMUser
	var emails string
	err := scanRow(r, &u.ID, &u.OrgID, &u.ExternalID, &u.UserName, &u.Active, &u.UserID, &emails, &u.Profile,
		&u.Version, &u.CreatedAt, &u.UpdatedAt)
	if err != nil {
		return u, err
	}
	if err := json.Unmarshal([]byte(emails), &u.Emails); err != nil {
		return u, fmt.Errorf("sqlstore: scim user %s: emails: %w", u.ID, err)
	}
	return u, nil
}

// checkSCIMUser validates u and returns its userName key and emails as stored.
func checkSCIMUser(u *store.SCIMUser) (key, emails string, err error) {
	u.UserName = strings.TrimSpace(u.UserName)
	switch {
	case u.OrgID == "":
		return "", "", invalid("SCIM user has no organization")
	case u.UserName == "":
		return "", "", invalid("SCIM user has no userName")
	case u.Profile == "":
		u.Profile = "{}"
	}
	if !json.Valid([]byte(u.Profile)) {
		return "", "", invalid("SCIM user profile is not JSON")
	}
	if u.Emails == nil {
		u.Emails = []string{}
	}
	b, err := json.Marshal(u.Emails)
	if err != nil {
		return "", "", invalid("SCIM user emails: %v", err)
	}
	return store.FoldKey(u.UserName), string(b), nil
}

func (s *Store) CreateSCIMUser(ctx context.Context, u store.SCIMUser) (store.SCIMUser, error) {
	key, emails, err := checkSCIMUser(&u)
	if err != nil {
		return store.SCIMUser{}, err
	}
	if u.ID == "" {
		u.ID = store.NewID("scu_")
	}
	u.Version = 1
	u.CreatedAt = stamp(u.CreatedAt)
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	u.UpdatedAt = stamp(u.UpdatedAt)
	err = s.atomically(ctx, func(s *Store) error {
		if _, err := s.exec(ctx, `INSERT INTO scim_users (id, org_id, external_id, user_name, user_name_key, active, user_id, emails, profile, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, ?, ?)`,
			u.ID, u.OrgID, u.ExternalID, u.UserName, key, u.Active, u.UserID, emails, u.Profile, u.Version, u.CreatedAt, u.UpdatedAt); err != nil {
			return err
		}
		if _, err := s.exec(ctx, `INSERT INTO scim_user_counts (org_id, users) VALUES (?, 1)
			ON CONFLICT (org_id) DO UPDATE SET users = scim_user_counts.users + 1`, u.OrgID); err != nil {
			return err
		}
		return s.insertSCIMEmails(ctx, u.OrgID, u.ID, u.Emails)
	})
	if err != nil {
		return store.SCIMUser{}, err
	}
	return u, nil
}

// insertSCIMEmails indexes each distinct email of a SCIM user.
func (s *Store) insertSCIMEmails(ctx context.Context, orgID, id string, emails []string) error {
	var keys []string
	for _, e := range emails {
		if k := store.NormalizeEmail(e); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, orgID, k, id)
	}
	_, err := s.exec(ctx, `INSERT INTO scim_user_emails (org_id, email_key, scim_user_id) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(keys)), ", "), args...)
	return err
}

func (s *Store) GetSCIMUser(ctx context.Context, orgID, id string) (store.SCIMUser, error) {
	return one(ctx, s, "SCIM user "+id, `SELECT `+scimUserCols+` FROM scim_users WHERE org_id = ? AND id = ?`,
		[]any{orgID, id}, scanSCIMUser)
}

func (s *Store) GetSCIMUserByUserName(ctx context.Context, orgID, userName string) (store.SCIMUser, error) {
	return one(ctx, s, "SCIM user "+userName, `SELECT `+scimUserCols+` FROM scim_users WHERE org_id = ? AND user_name_key = ?`,
		[]any{orgID, store.FoldKey(userName)}, scanSCIMUser)
}

func (s *Store) GetSCIMUserByAccount(ctx context.Context, orgID, userID string) (store.SCIMUser, error) {
	return one(ctx, s, "SCIM user of account "+userID, `SELECT `+scimUserCols+` FROM scim_users WHERE org_id = ? AND user_id = ?`,
		[]any{orgID, userID}, scanSCIMUser)
}

func (s *Store) GetSCIMUsers(ctx context.Context, orgID string, ids []string) ([]store.SCIMUser, error) {
	out := []store.SCIMUser{}
	for chunk := range slices.Chunk(dedupe(ids), inChunk) {
		args := append([]any{orgID}, anys(chunk)...)
		got, err := list(ctx, s, `SELECT `+scimUserCols+` FROM scim_users WHERE org_id = ? AND id IN (`+placeholders(len(chunk))+`)`,
			args, scanSCIMUser)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

func (s *Store) ListSCIMUsers(ctx context.Context, orgID string, q store.SCIMQuery) ([]store.SCIMUser, error) {
	where, args, err := scimUserWhere(orgID, q.Filter)
	if err != nil {
		return nil, err
	}
	if err := checkPage(q); err != nil || q.Limit == 0 {
		return []store.SCIMUser{}, err
	}
	return list(ctx, s, `SELECT `+scimUserCols+` FROM scim_users WHERE scim_users.seq IN (
			SELECT scim_users.seq FROM scim_users WHERE `+where+` ORDER BY scim_users.seq LIMIT ? OFFSET ?)
		ORDER BY scim_users.seq`, append(args, q.Limit, q.Offset), scanSCIMUser)
}

// CountSCIMUsers reads the kept count when there is no filter.
func (s *Store) CountSCIMUsers(ctx context.Context, orgID string, f *store.SCIMFilter) (int, error) {
	if f == nil {
		return one(ctx, s, "count", `SELECT COALESCE((SELECT users FROM scim_user_counts WHERE org_id = ?), 0)`,
			[]any{orgID}, scanInt)
	}
	where, args, err := scimUserWhere(orgID, f)
	if err != nil {
		return 0, err
	}
	return one(ctx, s, "count", `SELECT count(*) FROM scim_users WHERE `+where, args, scanInt)
}

func (s *Store) UpdateSCIMUser(ctx context.Context, u store.SCIMUser) (store.SCIMUser, error) {
	key, emails, err := checkSCIMUser(&u)
	if err != nil {
		return store.SCIMUser{}, err
	}
	u.UpdatedAt = stamp(u.UpdatedAt)
	var out store.SCIMUser
	err = s.atomically(ctx, func(s *Store) error {
		var err error
		out, err = oneWrite(ctx, s, "SCIM user "+u.ID, `UPDATE scim_users
			SET external_id = ?, user_name = ?, user_name_key = ?, active = ?, user_id = NULLIF(?, ''), emails = ?, profile = ?,
				version = version + 1, updated_at = ?
			WHERE org_id = ? AND id = ? AND (? = 0 OR version = ?)
			RETURNING `+scimUserCols,
			[]any{u.ExternalID, u.UserName, key, u.Active, u.UserID, emails, u.Profile, u.UpdatedAt,
				u.OrgID, u.ID, u.Version, u.Version}, scanSCIMUser)
		if errors.Is(err, store.ErrNotFound) && u.Version != 0 {
			if _, gerr := s.GetSCIMUser(ctx, u.OrgID, u.ID); gerr == nil {
				return fmt.Errorf("%w: SCIM user %s is no longer at version %d", store.ErrStale, u.ID, u.Version)
			}
		}
		if err != nil {
			return err
		}
		if _, err := s.exec(ctx, `DELETE FROM scim_user_emails WHERE scim_user_id = ?`, u.ID); err != nil {
			return err
		}
		return s.insertSCIMEmails(ctx, u.OrgID, u.ID, u.Emails)
	})
	if err != nil {
		return store.SCIMUser{}, err
	}
	return out, nil
}

// DeleteSCIMUser leaves the account alone; its email index goes by cascade.
func (s *Store) DeleteSCIMUser(ctx context.Context, orgID, id string) error {
	return s.atomically(ctx, func(s *Store) error {
		if err := s.execOne(ctx, "SCIM user "+id, `DELETE FROM scim_users WHERE org_id = ? AND id = ?`, orgID, id); err != nil {
			return err
		}
		_, err := s.exec(ctx, `UPDATE scim_user_counts SET users = users - 1 WHERE org_id = ?`, orgID)
		return err
	})
}

const scimGroupCols = "scim_groups.id, scim_groups.org_id, scim_groups.team_id, scim_groups.external_id, teams.name, " +
	"scim_groups.version, scim_groups.created_at, scim_groups.updated_at"

func scanSCIMGroup(r rowScanner) (store.SCIMGroup, error) {
	var g store.SCIMGroup
	err := scanRow(r, &g.ID, &g.OrgID, &g.TeamID, &g.ExternalID, &g.DisplayName, &g.Version, &g.CreatedAt, &g.UpdatedAt)
	return g, err
}

// CreateSCIMGroup relies on the foreign key to (team, organization): a team of
// another organization breaks it, which the dialect reports as ErrNotFound.
func (s *Store) CreateSCIMGroup(ctx context.Context, g store.SCIMGroup) (store.SCIMGroup, error) {
	if g.OrgID == "" || g.TeamID == "" {
		return store.SCIMGroup{}, invalid("SCIM group needs an organization and a team")
	}
	if g.ID == "" {
		g.ID = store.NewID("scg_")
	}
	g.Version = 1
	g.CreatedAt = stamp(g.CreatedAt)
	if g.UpdatedAt.IsZero() {
		g.UpdatedAt = g.CreatedAt
	}
	g.UpdatedAt = stamp(g.UpdatedAt)
	var out store.SCIMGroup
	err := s.atomically(ctx, func(s *Store) error {
		if _, err := s.exec(ctx, `INSERT INTO scim_groups (id, org_id, team_id, external_id, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`,
			g.ID, g.OrgID, g.TeamID, g.ExternalID, g.Version, g.CreatedAt, g.UpdatedAt); err != nil {
			return err
		}
		var err error
		out, err = s.GetSCIMGroup(ctx, g.OrgID, g.ID)
		return err
	})
	return out, err
}

func (s *Store) GetSCIMGroup(ctx context.Context, orgID, id string) (store.SCIMGroup, error) {
	return one(ctx, s, "SCIM group "+id, `SELECT `+scimGroupCols+` FROM scim_groups JOIN teams ON teams.id = scim_groups.team_id
		WHERE scim_groups.org_id = ? AND scim_groups.id = ?`, []any{orgID, id}, scanSCIMGroup)
}

func (s *Store) ListSCIMGroups(ctx context.Context, orgID string, q store.SCIMQuery) ([]store.SCIMGroup, error) {
	where, args, err := scimGroupWhere(orgID, q.Filter)
	if err != nil {
		return nil, err
	}
	if err := checkPage(q); err != nil || q.Limit == 0 {
		return []store.SCIMGroup{}, err
	}
	return list(ctx, s, `SELECT `+scimGroupCols+` FROM scim_groups JOIN teams ON teams.id = scim_groups.team_id
		WHERE `+where+` ORDER BY scim_groups.seq LIMIT ? OFFSET ?`, append(args, q.Limit, q.Offset), scanSCIMGroup)
}

func (s *Store) CountSCIMGroups(ctx context.Context, orgID string, f *store.SCIMFilter) (int, error) {
	where, args, err := scimGroupWhere(orgID, f)
	if err != nil {
		return 0, err
	}
	return one(ctx, s, "count", `SELECT count(*) FROM scim_groups JOIN teams ON teams.id = scim_groups.team_id WHERE `+where,
		args, scanInt)
}

func (s *Store) UpdateSCIMGroup(ctx context.Context, g store.SCIMGroup) (store.SCIMGroup, error) {
	g.UpdatedAt = stamp(g.UpdatedAt)
	var out store.SCIMGroup
	err := s.atomically(ctx, func(s *Store) error {
		n, err := s.exec(ctx, `UPDATE scim_groups SET external_id = ?, version = version + 1, updated_at = ?
			WHERE org_id = ? AND id = ? AND (? = 0 OR version = ?)`,
			g.ExternalID, g.UpdatedAt, g.OrgID, g.ID, g.Version, g.Version)
		if err != nil {
			return err
		}
		out, err = s.GetSCIMGroup(ctx, g.OrgID, g.ID)
		if err == nil && n == 0 {
			return fmt.Errorf("%w: SCIM group %s is no longer at version %d", store.ErrStale, g.ID, g.Version)
		}
		return err
	})
	if err != nil {
		return store.SCIMGroup{}, err
	}
	return out, nil
}

func (s *Store) ListSCIMGroupMembers(ctx context.Context, orgID, groupID string) ([]store.SCIMGroupMember, error) {
	return list(ctx, s, `SELECT scim_users.id, users.id, scim_users.user_name, users.display_name
		FROM scim_groups
		JOIN team_members ON team_members.team_id = scim_groups.team_id
		JOIN scim_users ON scim_users.org_id = team_members.org_id AND scim_users.user_id = team_members.user_id
		JOIN users ON users.id = team_members.user_id
		WHERE scim_groups.org_id = ? AND scim_groups.id = ?
		ORDER BY team_members.seq`, []any{orgID, groupID},
		func(r rowScanner) (store.SCIMGroupMember, error) {
			var m store.SCIMGroupMember
			err := r.Scan(&m.SCIMUserID, &m.UserID, &m.UserName, &m.DisplayName)
			return m, err
		})
}

// AddTeamMembers inserts in chunks, within one unit so that a user who is not
// a member of the organization (a broken foreign key, ErrNotFound) undoes the
// chunks before it too.
func (s *Store) AddTeamMembers(ctx context.Context, teamID string, userIDs []string) error {
	if teamID == "" {
		return invalid("team members need a team")
	}
	ids := dedupe(userIDs)
	if slices.Contains(ids, "") {
		return invalid("team member with an empty user id")
	}
	return s.atomically(ctx, func(s *Store) error {
		if _, err := one(ctx, s, "team "+teamID, `SELECT id FROM teams WHERE id = ?`, []any{teamID}, scanString); err != nil {
			return err
		}
		for chunk := range slices.Chunk(ids, inChunk) {
			// The first row's CAST gives the VALUES column its type in
			// PostgreSQL; the others follow it.
			values := "(CAST(? AS TEXT))" + strings.Repeat(", (?)", len(chunk)-1)
			args := append(anys(chunk), teamID)
			if _, err := s.exec(ctx, `INSERT INTO team_members (team_id, org_id, user_id)
				SELECT teams.id, teams.org_id, v.column1 FROM teams, (VALUES `+values+`) AS v WHERE teams.id = ?
				ON CONFLICT (team_id, user_id) DO NOTHING`, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Store) RemoveTeamMembers(ctx context.Context, teamID string, userIDs []string) error {
	return s.atomically(ctx, func(s *Store) error {
		for chunk := range slices.Chunk(dedupe(userIDs), inChunk) {
			args := append([]any{teamID}, anys(chunk)...)
			if _, err := s.exec(ctx, `DELETE FROM team_members WHERE team_id = ? AND user_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

func checkPage(q store.SCIMQuery) error {
	if q.Offset < 0 || q.Limit < 0 {
		return invalid("page offset %d, limit %d", q.Offset, q.Limit)
	}
	return nil
}

// leafSQL turns one comparison into SQL; ok is false for an attribute the
// resource does not have.
type leafSQL func(attr store.SCIMAttr, value string) (cond string, args []any, ok bool)

// scimUserWhere builds the condition of a user query. Every comparison
// carries the organization itself, so a filter needs no separate
// "org_id = ?": with one, SQLite walks the organization's index (all its
// users) instead of searching the comparison's own, and cannot answer an "or"
// from one index per side. Tenant isolation rests on this; storetest checks
// each comparison against another organization's matching rows.
func scimUserWhere(orgID string, f *store.SCIMFilter) (string, []any, error) {
	const union = "scim_users.id IN (SELECT scim_users.id FROM scim_users WHERE %s UNION SELECT scim_users.id FROM scim_users WHERE %s)"
	return filterWhere("scim_users.org_id = ?", union, orgID, f, func(attr store.SCIMAttr, v string) (string, []any, bool) {
		switch attr {
		case store.SCIMAttrID:
			return "(scim_users.org_id = ? AND scim_users.id = ?)", []any{orgID, v}, true
		case store.SCIMAttrExternalID:
			return "(scim_users.org_id = ? AND scim_users.external_id = ?)", []any{orgID, v}, true
		case store.SCIMAttrUserName:
			return "(scim_users.org_id = ? AND scim_users.user_name_key = ?)", []any{orgID, store.FoldKey(v)}, true
		case store.SCIMAttrEmail:
			// An email row is in its user's organization.
			return `scim_users.id IN (SELECT scim_user_emails.scim_user_id FROM scim_user_emails
				WHERE scim_user_emails.org_id = ? AND scim_user_emails.email_key = ?)`, []any{orgID, store.NormalizeEmail(v)}, true
		}
		return "", nil, false
	})
}

func scimGroupWhere(orgID string, f *store.SCIMFilter) (string, []any, error) {
	const union = "scim_groups.id IN (SELECT scim_groups.id FROM scim_groups JOIN teams ON teams.id = scim_groups.team_id WHERE %s " +
		"UNION SELECT scim_groups.id FROM scim_groups JOIN teams ON teams.id = scim_groups.team_id WHERE %s)"
	return filterWhere("scim_groups.org_id = ?", union, orgID, f, func(attr store.SCIMAttr, v string) (string, []any, bool) {
		switch attr {
		case store.SCIMAttrID:
			return "(scim_groups.org_id = ? AND scim_groups.id = ?)", []any{orgID, v}, true
		case store.SCIMAttrExternalID:
			return "(scim_groups.org_id = ? AND scim_groups.external_id = ?)", []any{orgID, v}, true
		case store.SCIMAttrDisplayName:
			// The team is in the group's organization (foreign key).
			return "(teams.org_id = ? AND teams.name_key = ?)", []any{orgID, store.FoldKey(v)}, true
		}
		return "", nil, false
	})
}

// filterWhere is scope for no filter, else the filter's condition, each of
// whose comparisons must name the organization (see scimUserWhere). An "or"
// becomes union (a format with the two sides' conditions): the union of two
// index searches. Written as a plain OR, SQLite would rather walk the
// organization's index, which it assumes to be selective.
func filterWhere(scope, union, orgID string, f *store.SCIMFilter, leaf leafSQL) (string, []any, error) {
	if f == nil {
		return scope, []any{orgID}, nil
	}
	leaves := 0
	var walk func(f *store.SCIMFilter) (string, []any, error)
	walk = func(f *store.SCIMFilter) (string, []any, error) {
		switch {
		case f == nil:
			return "", nil, invalid("filter with an empty side")
		case f.Logic == "":
			if leaves++; leaves > maxFilterLeaves {
				return "", nil, invalid("filter with more than %d comparisons", maxFilterLeaves)
			}
			cond, args, ok := leaf(f.Attr, f.Value)
			if !ok {
				return "", nil, invalid("filter on %q", f.Attr)
			}
			return cond, args, nil
		case f.Logic != store.SCIMAnd && f.Logic != store.SCIMOr:
			return "", nil, invalid("filter logic %q", f.Logic)
		}
		l, largs, err := walk(f.Left)
		if err != nil {
			return "", nil, err
		}
		r, rargs, err := walk(f.Right)
		if err != nil {
			return "", nil, err
		}
		if f.Logic == store.SCIMOr {
			return fmt.Sprintf(union, l, r), append(largs, rargs...), nil
		}
		return "(" + l + " AND " + r + ")", append(largs, rargs...), nil
	}
	return walk(f)
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// dedupe returns ss without repeats, in first-seen order.
func dedupe(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func scanInt(r rowScanner) (int, error) {
	var n int
	err := r.Scan(&n)
	return n, err
}
