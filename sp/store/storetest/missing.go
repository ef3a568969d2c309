package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Every getter, updater and deleter reports ErrNotFound for what does not
// exist, and every list is empty, on a store that has only unrelated rows.
var missingTests = []subtest{
	{"GettersNotFound", func(t *testing.T, s store.Store) {
		populate(t, s)
		for name, get := range map[string]func(context.Context) error{
			"GetOrganization": func(ctx context.Context) error { _, err := s.GetOrganization(ctx, "org_missing"); return err },
			"GetUser":         func(ctx context.Context) error { _, err := s.GetUser(ctx, "usr_missing"); return err },
			"GetUserByEmail":  func(ctx context.Context) error { _, err := s.GetUserByEmail(ctx, "missing@x.test"); return err },
			"GetMembership": func(ctx context.Context) error {
				_, err := s.GetMembership(ctx, "org_missing", "usr_missing")
				return err
			},
			"GetTeam": func(ctx context.Context) error { _, err := s.GetTeam(ctx, "team_missing"); return err },
			"GetTeamBySCIMGroupID": func(ctx context.Context) error {
				_, err := s.GetTeamBySCIMGroupID(ctx, "org_missing", "00g")
				return err
			},
			"FindTeamDomain":      func(ctx context.Context) error { _, err := s.FindTeamDomain(ctx, "org_missing", "x.test"); return err },
			"GetIntegration":      func(ctx context.Context) error { _, err := s.GetIntegration(ctx, "int_missing"); return err },
			"GetIntegrationByOrg": func(ctx context.Context) error { _, err := s.GetIntegrationByOrg(ctx, "org_missing"); return err },
			"GetSession":          func(ctx context.Context) error { _, err := s.GetSession(ctx, "missing", t0); return err },
			"TakePendingRequest": func(ctx context.Context) error {
				_, err := s.TakePendingRequest(ctx, "int_missing", "missing", t0)
				return err
			},
			"GetOrganization(empty)": func(ctx context.Context) error { _, err := s.GetOrganization(ctx, ""); return err },
			"GetUser(empty)":         func(ctx context.Context) error { _, err := s.GetUser(ctx, ""); return err },
		} {
			require.ErrorIs(t, get(ctxOf(t)), store.ErrNotFound, name)
		}
	}},
	{"ChangesNotFound", func(t *testing.T, s store.Store) {
		p := populate(t, s)
		for name, change := range map[string]func(context.Context) error{
			"UpdateUser": func(ctx context.Context) error {
				_, err := s.UpdateUser(ctx, store.User{ID: "usr_missing", Email: "missing@x.test"})
				return err
			},
			"UpdateTeam": func(ctx context.Context) error {
				_, err := s.UpdateTeam(ctx, store.Team{ID: "team_missing", OrgID: p.org.ID, Name: "x"})
				return err
			},
			"UpdateIntegration": func(ctx context.Context) error {
				_, err := s.UpdateIntegration(ctx, store.Integration{ID: "int_missing", Status: store.StatusConnected})
				return err
			},
			"DeleteUser":         func(ctx context.Context) error { return s.DeleteUser(ctx, "usr_missing") },
			"DeleteOrganization": func(ctx context.Context) error { return s.DeleteOrganization(ctx, "org_missing") },
			"DeleteTeam":         func(ctx context.Context) error { return s.DeleteTeam(ctx, "team_missing") },
			"RemoveMembership":   func(ctx context.Context) error { return s.RemoveMembership(ctx, p.org.ID, "usr_missing") },
			"RemoveTeamMember":   func(ctx context.Context) error { return s.RemoveTeamMember(ctx, p.team.ID, "usr_missing") },
			"RemoveTeamDomain":   func(ctx context.Context) error { return s.RemoveTeamDomain(ctx, p.team.ID, "missing.test") },
			"DeleteSession":      func(ctx context.Context) error { return s.DeleteSession(ctx, "missing") },
		} {
			require.ErrorIs(t, change(ctxOf(t)), store.ErrNotFound, name)
		}
	}},
	{"ListsEmpty", func(t *testing.T, s store.Store) {
		orgs, err := s.ListOrganizations(ctxOf(t))
		require.NoError(t, err)
		require.Len(t, orgs, 0, "ListOrganizations on an empty store")

		p := populate(t, s)
		for name, list := range map[string]func(context.Context) (int, error){
			"ListMemberships": func(ctx context.Context) (int, error) {
				l, err := s.ListMemberships(ctx, "org_missing")
				return len(l), err
			},
			"ListUserMemberships": func(ctx context.Context) (int, error) {
				l, err := s.ListUserMemberships(ctx, "usr_missing")
				return len(l), err
			},
			"ListTeams": func(ctx context.Context) (int, error) { l, err := s.ListTeams(ctx, "org_missing"); return len(l), err },
			"ListTeamMembers": func(ctx context.Context) (int, error) {
				l, err := s.ListTeamMembers(ctx, "team_missing")
				return len(l), err
			},
			"ListTeamMembers(empty team)": func(ctx context.Context) (int, error) {
				l, err := s.ListTeamMembers(ctx, p.emptyTeam.ID)
				return len(l), err
			},
			"ListUserTeams": func(ctx context.Context) (int, error) {
				l, err := s.ListUserTeams(ctx, p.org.ID, "usr_missing")
				return len(l), err
			},
			"ListTeamDomains": func(ctx context.Context) (int, error) {
				l, err := s.ListTeamDomains(ctx, "org_missing")
				return len(l), err
			},
			"ListResources": func(ctx context.Context) (int, error) {
				l, err := s.ListResources(ctx, "team_missing")
				return len(l), err
			},
			"ListAudit": func(ctx context.Context) (int, error) {
				l, err := s.ListAudit(ctx, "org_missing", 10)
				return len(l), err
			},
		} {
			n, err := list(ctxOf(t))
			require.NoError(t, err, name)
			require.Zero(t, n, name)
		}
	}},
}

type populated struct {
	org             store.Organization
	team, emptyTeam store.Team
}

// populate adds one of everything, so that "not found" cannot come from an
// empty table.
func populate(t *testing.T, s store.Store) populated {
	t.Helper()
	p := populated{org: mustOrg(t, s, "Acme")}
	u := mustUser(t, s, "ada@x.test")
	mustMember(t, s, p.org.ID, u.ID)
	p.team = mustTeam(t, s, p.org.ID, "Platform")
	p.emptyTeam = mustTeam(t, s, p.org.ID, "Empty")
	mustTeamMember(t, s, p.team.ID, u.ID)
	require.NoError(t, s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: p.team.ID, Domain: "acme.test"}))
	_, err := s.CreateResource(ctxOf(t), store.Resource{TeamID: p.team.ID, Kind: "monitor", Name: "api"})
	require.NoError(t, err)
	i := mustIntegration(t, s, p.org.ID)
	mustSession(t, s, "present", u.ID, p.org.ID)
	require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "present", IntegrationID: i.ID, ExpiresAt: t0.Add(time.Hour)}))
	_, err = s.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: p.org.ID, Action: "seed"})
	require.NoError(t, err)
	return p
}
