package sqlstore

import (
	"context"
	"strings"
	"unicode"

	"github.com/ssoharness/ssoharness/sp/store"
)

const teamCols = "teams.id, teams.org_id, teams.name, COALESCE(teams.scim_group_id, ''), teams.created_at"

func scanTeam(r rowScanner) (store.Team, error) {
	var t store.Team
	err := scanRow(r, &t.ID, &t.OrgID, &t.Name, &t.SCIMGroupID, &t.CreatedAt)
	return t, err
}

// teamNameKey is what team names are unique on; see emailKey for why it is
// computed here.
func teamNameKey(t *store.Team) (string, error) {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return "", invalid("team name is empty")
	}
	return strings.ToLower(t.Name), nil
}

// Teams without a SCIM group store NULL there, so that the per-organization
// uniqueness of group ids leaves them alone.

func (s *Store) CreateTeam(ctx context.Context, t store.Team) (store.Team, error) {
	key, err := teamNameKey(&t)
	if err != nil {
		return store.Team{}, err
	}
	if t.OrgID == "" {
		return store.Team{}, invalid("team has no organization")
	}
	if t.ID == "" {
		t.ID = store.NewID("team_")
	}
	t.CreatedAt = stamp(t.CreatedAt)
	_, err = s.exec(ctx, `INSERT INTO teams (id, org_id, name, name_key, scim_group_id, created_at)
		VALUES (?, ?, ?, ?, NULLIF(?, ''), ?)`,
		t.ID, t.OrgID, t.Name, key, t.SCIMGroupID, t.CreatedAt)
	if err != nil {
		return store.Team{}, err
	}
	return t, nil
}

func (s *Store) GetTeam(ctx context.Context, id string) (store.Team, error) {
	return one(ctx, s, "team "+id, `SELECT `+teamCols+` FROM teams WHERE id = ?`, []any{id}, scanTeam)
}

func (s *Store) GetTeamBySCIMGroupID(ctx context.Context, orgID, groupID string) (store.Team, error) {
	return one(ctx, s, "team of SCIM group "+groupID,
		`SELECT `+teamCols+` FROM teams WHERE org_id = ? AND scim_group_id = ?`,
		[]any{orgID, groupID}, scanTeam)
}

func (s *Store) ListTeams(ctx context.Context, orgID string) ([]store.Team, error) {
	return list(ctx, s, `SELECT `+teamCols+` FROM teams WHERE org_id = ? ORDER BY seq`, []any{orgID}, scanTeam)
}

// UpdateTeam treats a non-empty OrgID as a scope: teams never move between
// organizations, so a mismatch is reported as no such team.
func (s *Store) UpdateTeam(ctx context.Context, t store.Team) (store.Team, error) {
	key, err := teamNameKey(&t)
	if err != nil {
		return store.Team{}, err
	}
	stored, err := oneWrite(ctx, s, "team "+t.ID, `UPDATE teams
		SET name = ?, name_key = ?, scim_group_id = NULLIF(?, '')
		WHERE id = ? AND org_id = COALESCE(NULLIF(?, ''), org_id)
		RETURNING `+teamCols,
		[]any{t.Name, key, t.SCIMGroupID, t.ID, t.OrgID}, scanTeam)
	if err != nil {
		return store.Team{}, err
	}
	return stored, nil
}

// DeleteTeam relies on the schema's cascades for members, domains and resources.
func (s *Store) DeleteTeam(ctx context.Context, id string) error {
	return s.execOne(ctx, "team "+id, `DELETE FROM teams WHERE id = ?`, id)
}

// AddTeamMember copies the organization from the team, and the schema refers the
// (organization, user) pair to memberships: a user who is not a member breaks
// that foreign key, which the dialect reports as ErrNotFound.
func (s *Store) AddTeamMember(ctx context.Context, teamID, userID string) error {
	if teamID == "" || userID == "" {
		return invalid("team member needs a team and a user")
	}
	n, err := s.exec(ctx, `INSERT INTO team_members (team_id, org_id, user_id)
		SELECT id, org_id, CAST(? AS TEXT) FROM teams WHERE id = ?
		ON CONFLICT (team_id, user_id) DO NOTHING`, userID, teamID)
	if err != nil || n > 0 {
		return err
	}
	// Nothing inserted: either already a member (fine) or no such team.
	_, err = one(ctx, s, "team "+teamID, `SELECT id FROM teams WHERE id = ?`, []any{teamID}, scanString)
	return err
}

func (s *Store) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	return s.execOne(ctx, "member "+userID+" of team "+teamID,
		`DELETE FROM team_members WHERE team_id = ? AND user_id = ?`, teamID, userID)
}

func (s *Store) ListTeamMembers(ctx context.Context, teamID string) ([]store.User, error) {
	return list(ctx, s, `SELECT `+userCols+` FROM team_members JOIN users ON users.id = team_members.user_id
		WHERE team_members.team_id = ? ORDER BY team_members.seq`, []any{teamID}, scanUser)
}

func (s *Store) ListUserTeams(ctx context.Context, orgID, userID string) ([]store.Team, error) {
	return list(ctx, s, `SELECT `+teamCols+` FROM team_members JOIN teams ON teams.id = team_members.team_id
		WHERE team_members.org_id = ? AND team_members.user_id = ? ORDER BY teams.seq`,
		[]any{orgID, userID}, scanTeam)
}

const domainCols = "team_id, org_id, domain"

func scanDomain(r rowScanner) (store.TeamDomain, error) {
	var d store.TeamDomain
	err := scanRow(r, &d.TeamID, &d.OrgID, &d.Domain)
	return d, err
}

// normalizeDomain returns the stored form of an email domain. An "@" or a space
// means the caller passed an address or a phrase, not a domain.
func normalizeDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSpace(d))
	if d == "" || strings.ContainsFunc(d, func(r rune) bool { return r == '@' || unicode.IsSpace(r) }) {
		return "", invalid("email domain %q", d)
	}
	return d, nil
}

// AddTeamDomain takes the organization from the team; a non-empty OrgID must
// match it.
func (s *Store) AddTeamDomain(ctx context.Context, d store.TeamDomain) error {
	domain, err := normalizeDomain(d.Domain)
	if err != nil {
		return err
	}
	if d.TeamID == "" {
		return invalid("team domain has no team")
	}
	return s.execOne(ctx, "team "+d.TeamID, `INSERT INTO team_domains (team_id, org_id, domain)
		SELECT id, org_id, CAST(? AS TEXT) FROM teams WHERE id = ? AND org_id = COALESCE(NULLIF(?, ''), org_id)`,
		domain, d.TeamID, d.OrgID)
}

func (s *Store) RemoveTeamDomain(ctx context.Context, teamID, domain string) error {
	return s.execOne(ctx, "domain "+domain+" of team "+teamID,
		`DELETE FROM team_domains WHERE team_id = ? AND domain = ?`,
		teamID, strings.ToLower(strings.TrimSpace(domain)))
}

func (s *Store) ListTeamDomains(ctx context.Context, orgID string) ([]store.TeamDomain, error) {
	return list(ctx, s, `SELECT `+domainCols+` FROM team_domains WHERE org_id = ? ORDER BY seq`,
		[]any{orgID}, scanDomain)
}

func (s *Store) FindTeamDomain(ctx context.Context, orgID, domain string) (store.TeamDomain, error) {
	return one(ctx, s, "domain "+domain, `SELECT `+domainCols+` FROM team_domains WHERE org_id = ? AND domain = ?`,
		[]any{orgID, strings.ToLower(strings.TrimSpace(domain))}, scanDomain)
}

const resourceCols = "id, team_id, kind, name, created_at"

func scanResource(r rowScanner) (store.Resource, error) {
	var res store.Resource
	err := scanRow(r, &res.ID, &res.TeamID, &res.Kind, &res.Name, &res.CreatedAt)
	return res, err
}

func (s *Store) CreateResource(ctx context.Context, r store.Resource) (store.Resource, error) {
	if r.TeamID == "" {
		return store.Resource{}, invalid("resource has no team")
	}
	if r.ID == "" {
		r.ID = store.NewID("res_")
	}
	r.CreatedAt = stamp(r.CreatedAt)
	_, err := s.exec(ctx, `INSERT INTO resources (id, team_id, kind, name, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.TeamID, r.Kind, r.Name, r.CreatedAt)
	if err != nil {
		return store.Resource{}, err
	}
	return r, nil
}

func (s *Store) ListResources(ctx context.Context, teamID string) ([]store.Resource, error) {
	return list(ctx, s, `SELECT `+resourceCols+` FROM resources WHERE team_id = ? ORDER BY seq`,
		[]any{teamID}, scanResource)
}
