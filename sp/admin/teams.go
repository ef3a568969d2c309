package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ssoharness/ssoharness/sp/store"
)

// MaxTeamName bounds a team name, in characters.
const MaxTeamName = 100

// Team is a team with its pre-approved email domains.
type Team struct {
	store.Team
	Domains []string // lowercase, in the order they were added
}

// CreateTeam creates a team in orgID. A refusal of the name is an *InputError
// (a name in use is one wrapping store.ErrConflict); an unknown organization is
// store.ErrNotFound.
func (s *Service) CreateTeam(ctx context.Context, orgID, name string) (store.Team, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return store.Team{}, inputErr(FieldName, "Enter a team name.")
	case utf8.RuneCountInString(name) > MaxTeamName:
		return store.Team{}, inputErr(FieldName, fmt.Sprintf("A team name is at most %d characters long.", MaxTeamName))
	case !utf8.ValidString(name) || strings.ContainsFunc(name, isControl):
		return store.Team{}, inputErr(FieldName, "A team name cannot contain control characters.")
	}
	if _, err := s.store.GetOrganization(ctx, orgID); err != nil {
		return store.Team{}, fmt.Errorf("create team: organization %q: %w", orgID, err)
	}
	t, err := s.store.CreateTeam(ctx, store.Team{OrgID: orgID, Name: name, CreatedAt: s.now()})
	switch {
	case errors.Is(err, store.ErrConflict):
		return store.Team{}, conflict(FieldName, fmt.Sprintf("A team named %q already exists.", name))
	case err != nil:
		return store.Team{}, fmt.Errorf("create team: %w", err)
	}
	return t, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// ListTeams returns orgID's teams, each with its pre-approved domains.
func (s *Service) ListTeams(ctx context.Context, orgID string) ([]Team, error) {
	teams, err := s.store.ListTeams(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	domains, err := s.store.ListTeamDomains(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("list team domains: %w", err)
	}
	out := make([]Team, 0, len(teams))
	for _, t := range teams {
		out = append(out, Team{Team: t, Domains: domainsOf(domains, t.ID)})
	}
	return out, nil
}

// GetTeam returns a team of orgID with its pre-approved domains.
func (s *Service) GetTeam(ctx context.Context, orgID, teamID string) (Team, error) {
	return s.getTeam(ctx, s.store, orgID, teamID)
}

func (s *Service) getTeam(ctx context.Context, st store.Store, orgID, teamID string) (Team, error) {
	t, err := st.GetTeam(ctx, teamID)
	if err == nil && t.OrgID != orgID {
		err = store.ErrNotFound
	}
	if err != nil {
		return Team{}, fmt.Errorf("team %q: %w", teamID, err)
	}
	domains, err := st.ListTeamDomains(ctx, orgID)
	if err != nil {
		return Team{}, fmt.Errorf("list team domains: %w", err)
	}
	return Team{Team: t, Domains: domainsOf(domains, t.ID)}, nil
}

func domainsOf(all []store.TeamDomain, teamID string) []string {
	out := []string{}
	for _, d := range all {
		if d.TeamID == teamID {
			out = append(out, d.Domain)
		}
	}
	return out
}

// AddTeamDomain pre-approves an email domain for a team of orgID (JIT-01) and
// returns it as stored. Adding a domain the team already has changes nothing. A
// bad domain, or one another team of the organization already pre-approves, is
// an *InputError (the second wrapping store.ErrConflict); an unknown team is
// store.ErrNotFound.
func (s *Service) AddTeamDomain(ctx context.Context, orgID, teamID, domain string) (string, error) {
	d, err := NormalizeDomain(domain)
	if err != nil {
		return "", err
	}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		if _, err := s.getTeam(ctx, tx, orgID, teamID); err != nil {
			return err
		}
		return s.addDomain(ctx, tx, orgID, teamID, d)
	})
	if err != nil {
		return "", err
	}
	return d, nil
}

// addDomain adds d to the team within tx, explaining a conflict.
func (s *Service) addDomain(ctx context.Context, tx store.Store, orgID, teamID, d string) error {
	err := tx.AddTeamDomain(ctx, store.TeamDomain{TeamID: teamID, OrgID: orgID, Domain: d})
	if !errors.Is(err, store.ErrConflict) {
		if err != nil {
			return fmt.Errorf("add team domain: %w", err)
		}
		return nil
	}
	owner, ferr := tx.FindTeamDomain(ctx, orgID, d)
	switch {
	case ferr != nil:
		return conflict(FieldDomain, fmt.Sprintf("%s is already pre-approved by another team.", d))
	case owner.TeamID == teamID:
		return nil
	}
	name := "another team"
	if t, err := tx.GetTeam(ctx, owner.TeamID); err == nil {
		name = fmt.Sprintf("the team %q", t.Name)
	}
	return conflict(FieldDomain, fmt.Sprintf("%s is already pre-approved by %s. A domain can be pre-approved by one team only.", d, name))
}

// RemoveTeamDomain stops pre-approving domain for a team of orgID. An unknown
// team, or a domain the team does not have, is store.ErrNotFound.
func (s *Service) RemoveTeamDomain(ctx context.Context, orgID, teamID, domain string) error {
	d := strings.ToLower(strings.TrimSpace(domain))
	return s.store.InTx(ctx, func(tx store.Store) error {
		if _, err := s.getTeam(ctx, tx, orgID, teamID); err != nil {
			return err
		}
		if err := tx.RemoveTeamDomain(ctx, teamID, d); err != nil {
			return fmt.Errorf("remove team domain %q: %w", d, err)
		}
		return nil
	})
}

// SetTeamDomains makes domains the team's whole list of pre-approved domains, in
// one transaction: the "Save changes" of the team's Configure page. Every entry
// is checked first; the first refusal is an *InputError naming the entry, and
// nothing changes. Duplicates in the list count once.
func (s *Service) SetTeamDomains(ctx context.Context, orgID, teamID string, domains []string) ([]string, error) {
	want := []string{}
	for _, raw := range domains {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		d, err := NormalizeDomain(raw)
		if err != nil {
			ie := AsInputError(err)
			return nil, &InputError{Field: FieldDomains, Message: fmt.Sprintf("%q: %s", strings.TrimSpace(raw), ie.Message)}
		}
		if !slices.Contains(want, d) {
			want = append(want, d)
		}
	}
	err := s.store.InTx(ctx, func(tx store.Store) error {
		t, err := s.getTeam(ctx, tx, orgID, teamID)
		if err != nil {
			return err
		}
		for _, d := range t.Domains {
			if !slices.Contains(want, d) {
				if err := tx.RemoveTeamDomain(ctx, teamID, d); err != nil {
					return fmt.Errorf("remove team domain %q: %w", d, err)
				}
			}
		}
		for _, d := range want {
			if slices.Contains(t.Domains, d) {
				continue
			}
			if err := s.addDomain(ctx, tx, orgID, teamID, d); err != nil {
				if ie := AsInputError(err); ie != nil {
					ie.Field = FieldDomains
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return want, nil
}

// ListTeamMembers returns the members of a team of orgID.
func (s *Service) ListTeamMembers(ctx context.Context, orgID, teamID string) ([]store.User, error) {
	if _, err := s.GetTeam(ctx, orgID, teamID); err != nil {
		return nil, err
	}
	users, err := s.store.ListTeamMembers(ctx, teamID)
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	return users, nil
}
