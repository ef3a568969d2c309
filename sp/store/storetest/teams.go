package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

var teamTests = []subtest{
	{"CreateGetList", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		before := time.Now()
		platform, err := s.CreateTeam(ctxOf(t), store.Team{OrgID: o.ID, Name: "Platform"})
		require.NoError(t, err)
		require.NotEmpty(t, platform.ID)
		requireRecent(t, before, platform.CreatedAt)
		apps, err := s.CreateTeam(ctxOf(t), store.Team{OrgID: o.ID, Name: "Apps", SCIMGroupID: "00g1", CreatedAt: t0})
		require.NoError(t, err)
		requireSameInstant(t, t0, apps.CreatedAt)

		got, err := s.GetTeam(ctxOf(t), platform.ID)
		require.NoError(t, err)
		require.Equal(t, platform, got)
		list, err := s.ListTeams(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, []store.Team{platform, apps}, list)

		other, err := s.ListTeams(ctxOf(t), mustOrg(t, s, "Globex").ID)
		require.NoError(t, err)
		require.Len(t, other, 0)
	}},
	{"NameUniquePerOrgCaseInsensitively", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		mustTeam(t, s, acme.ID, "Platform")
		for _, name := range []string{"Platform", "platform", "PLATFORM", " Platform "} {
			_, err := s.CreateTeam(ctxOf(t), store.Team{OrgID: acme.ID, Name: name})
			require.ErrorIs(t, err, store.ErrConflict, "name %q", name)
		}
		mustTeam(t, s, globex.ID, "platform")
	}},
	{"SCIMGroupID", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		pushed, err := s.CreateTeam(ctxOf(t), store.Team{OrgID: acme.ID, Name: "Pushed", SCIMGroupID: "00g1"})
		require.NoError(t, err)
		// Teams without a group do not collide with each other.
		mustTeam(t, s, acme.ID, "Local 1")
		mustTeam(t, s, acme.ID, "Local 2")

		got, err := s.GetTeamBySCIMGroupID(ctxOf(t), acme.ID, "00g1")
		require.NoError(t, err)
		require.Equal(t, pushed, got)
		_, err = s.GetTeamBySCIMGroupID(ctxOf(t), globex.ID, "00g1")
		require.ErrorIs(t, err, store.ErrNotFound, "group ids are per organization")
		_, err = s.GetTeamBySCIMGroupID(ctxOf(t), acme.ID, "")
		require.ErrorIs(t, err, store.ErrNotFound, "an empty group id matches no local team")

		_, err = s.CreateTeam(ctxOf(t), store.Team{OrgID: acme.ID, Name: "Again", SCIMGroupID: "00g1"})
		require.ErrorIs(t, err, store.ErrConflict)
		_, err = s.CreateTeam(ctxOf(t), store.Team{OrgID: globex.ID, Name: "Pushed", SCIMGroupID: "00g1"})
		require.NoError(t, err)
	}},
	{"Update", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		team := mustTeam(t, s, o.ID, "Platform")
		mustTeam(t, s, o.ID, "Apps")

		team.Name = "Infrastructure"
		team.SCIMGroupID = "00g9"
		updated, err := s.UpdateTeam(ctxOf(t), team)
		require.NoError(t, err)
		require.Equal(t, team, updated)
		got, err := s.GetTeamBySCIMGroupID(ctxOf(t), o.ID, "00g9")
		require.NoError(t, err)
		require.Equal(t, team, got)

		team.Name = "INFRASTRUCTURE"
		team.SCIMGroupID = ""
		updated, err = s.UpdateTeam(ctxOf(t), team)
		require.NoError(t, err, "a team may change the case of its own name")
		require.Equal(t, team, updated)
		_, err = s.GetTeamBySCIMGroupID(ctxOf(t), o.ID, "00g9")
		require.ErrorIs(t, err, store.ErrNotFound, "the group link was cleared")

		clash := team
		clash.Name = "apps"
		_, err = s.UpdateTeam(ctxOf(t), clash)
		require.ErrorIs(t, err, store.ErrConflict)

		blank := team
		blank.Name = " "
		_, err = s.UpdateTeam(ctxOf(t), blank)
		require.ErrorIs(t, err, store.ErrInvalid)

		moved := team
		moved.OrgID = mustOrg(t, s, "Globex").ID
		_, err = s.UpdateTeam(ctxOf(t), moved)
		require.ErrorIs(t, err, store.ErrNotFound, "a team never moves to another organization")

		got, err = s.GetTeam(ctxOf(t), team.ID)
		require.NoError(t, err)
		require.Equal(t, team, got, "refused updates changed nothing")
	}},
	{"CreateRefused", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		_, err := s.CreateTeam(ctxOf(t), store.Team{OrgID: "org_missing", Name: "Platform"})
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.CreateTeam(ctxOf(t), store.Team{OrgID: o.ID, Name: " "})
		require.ErrorIs(t, err, store.ErrInvalid)
		_, err = s.CreateTeam(ctxOf(t), store.Team{Name: "Platform"})
		require.ErrorIs(t, err, store.ErrInvalid)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		team := mustTeam(t, s, o.ID, "Platform")
		require.NoError(t, s.DeleteTeam(ctxOf(t), team.ID))
		_, err := s.GetTeam(ctxOf(t), team.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.DeleteTeam(ctxOf(t), team.ID), store.ErrNotFound)
		mustTeam(t, s, o.ID, "Platform")
	}},
}

var teamMemberTests = []subtest{
	{"AddListRemove", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		platform, apps := mustTeam(t, s, o.ID, "Platform"), mustTeam(t, s, o.ID, "Apps")
		bob, ada := mustUser(t, s, "bob@x.test"), mustUser(t, s, "ada@x.test")
		mustMember(t, s, o.ID, bob.ID)
		mustMember(t, s, o.ID, ada.ID)

		mustTeamMember(t, s, platform.ID, bob.ID)
		mustTeamMember(t, s, platform.ID, ada.ID)
		mustTeamMember(t, s, apps.ID, ada.ID)

		members, err := s.ListTeamMembers(ctxOf(t), platform.ID)
		require.NoError(t, err)
		require.Equal(t, []store.User{bob, ada}, members, "members in the order they joined")
		teams, err := s.ListUserTeams(ctxOf(t), o.ID, ada.ID)
		require.NoError(t, err)
		require.Equal(t, []store.Team{platform, apps}, teams)

		require.NoError(t, s.RemoveTeamMember(ctxOf(t), platform.ID, bob.ID))
		require.ErrorIs(t, s.RemoveTeamMember(ctxOf(t), platform.ID, bob.ID), store.ErrNotFound)
		members, err = s.ListTeamMembers(ctxOf(t), platform.ID)
		require.NoError(t, err)
		require.Equal(t, []string{ada.ID}, ids(members, userID))
		_, err = s.GetMembership(ctxOf(t), o.ID, bob.ID)
		require.NoError(t, err, "leaving a team keeps the organization membership")
	}},
	{"AddIsIdempotent", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		team, u := mustTeam(t, s, o.ID, "Platform"), mustUser(t, s, "ada@x.test")
		mustMember(t, s, o.ID, u.ID)
		for range 3 {
			require.NoError(t, s.AddTeamMember(ctxOf(t), team.ID, u.ID))
		}
		members, err := s.ListTeamMembers(ctxOf(t), team.ID)
		require.NoError(t, err)
		require.Equal(t, []string{u.ID}, ids(members, userID))
	}},
	{"AddRequiresOrgMembership", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		team := mustTeam(t, s, acme.ID, "Platform")
		outsider := mustUser(t, s, "outsider@x.test")
		elsewhere := mustUser(t, s, "elsewhere@x.test")
		mustMember(t, s, globex.ID, elsewhere.ID)

		for _, tc := range []struct {
			name, teamID, userID string
			want                 error
		}{
			{"user in no organization", team.ID, outsider.ID, store.ErrNotFound},
			{"user of another organization", team.ID, elsewhere.ID, store.ErrNotFound},
			{"unknown user", team.ID, "usr_missing", store.ErrNotFound},
			{"unknown team", "team_missing", elsewhere.ID, store.ErrNotFound},
			{"no team", "", elsewhere.ID, store.ErrInvalid},
			{"no user", team.ID, "", store.ErrInvalid},
		} {
			require.ErrorIs(t, s.AddTeamMember(ctxOf(t), tc.teamID, tc.userID), tc.want, tc.name)
		}
		members, err := s.ListTeamMembers(ctxOf(t), team.ID)
		require.NoError(t, err)
		require.Len(t, members, 0)
	}},
	{"ListUserTeamsIsPerOrganization", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		u := mustUser(t, s, "ada@x.test")
		mustMember(t, s, acme.ID, u.ID)
		mustMember(t, s, globex.ID, u.ID)
		a, g := mustTeam(t, s, acme.ID, "A"), mustTeam(t, s, globex.ID, "G")
		mustTeamMember(t, s, a.ID, u.ID)
		mustTeamMember(t, s, g.ID, u.ID)

		teams, err := s.ListUserTeams(ctxOf(t), acme.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, []string{a.ID}, ids(teams, teamID))
	}},
}

var teamDomainTests = []subtest{
	{"AddFindListRemove", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		platform, apps := mustTeam(t, s, o.ID, "Platform"), mustTeam(t, s, o.ID, "Apps")
		require.NoError(t, s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: platform.ID, OrgID: o.ID, Domain: " Acme.Test "}))
		require.NoError(t, s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: apps.ID, Domain: "apps.acme.test"}),
			"the organization is taken from the team when not given")

		want := store.TeamDomain{TeamID: platform.ID, OrgID: o.ID, Domain: "acme.test"}
		got, err := s.FindTeamDomain(ctxOf(t), o.ID, "ACME.test")
		require.NoError(t, err)
		require.Equal(t, want, got, "domains are stored in lowercase and found in any case")

		list, err := s.ListTeamDomains(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, []store.TeamDomain{want, {TeamID: apps.ID, OrgID: o.ID, Domain: "apps.acme.test"}}, list)

		require.NoError(t, s.RemoveTeamDomain(ctxOf(t), platform.ID, "ACME.TEST"))
		_, err = s.FindTeamDomain(ctxOf(t), o.ID, "acme.test")
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.RemoveTeamDomain(ctxOf(t), platform.ID, "acme.test"), store.ErrNotFound)
		require.ErrorIs(t, s.RemoveTeamDomain(ctxOf(t), platform.ID, "apps.acme.test"), store.ErrNotFound,
			"a team removes only its own domains")
	}},
	{"UniquePerOrganization", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		platform, apps := mustTeam(t, s, acme.ID, "Platform"), mustTeam(t, s, acme.ID, "Apps")
		require.NoError(t, s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: platform.ID, OrgID: acme.ID, Domain: "acme.test"}))

		err := s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: apps.ID, OrgID: acme.ID, Domain: "ACME.test"})
		require.ErrorIs(t, err, store.ErrConflict, "another team of the same organization")
		err = s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: platform.ID, OrgID: acme.ID, Domain: "acme.test"})
		require.ErrorIs(t, err, store.ErrConflict, "the same team again")

		other := mustTeam(t, s, globex.ID, "Platform")
		require.NoError(t, s.AddTeamDomain(ctxOf(t), store.TeamDomain{TeamID: other.ID, OrgID: globex.ID, Domain: "acme.test"}),
			"another organization may pre-approve the same domain")
		got, err := s.FindTeamDomain(ctxOf(t), globex.ID, "acme.test")
		require.NoError(t, err)
		require.Equal(t, other.ID, got.TeamID)
		got, err = s.FindTeamDomain(ctxOf(t), acme.ID, "acme.test")
		require.NoError(t, err)
		require.Equal(t, platform.ID, got.TeamID)
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		team := mustTeam(t, s, acme.ID, "Platform")
		for _, tc := range []struct {
			name string
			d    store.TeamDomain
			want error
		}{
			{"empty domain", store.TeamDomain{TeamID: team.ID, Domain: " "}, store.ErrInvalid},
			{"an address, not a domain", store.TeamDomain{TeamID: team.ID, Domain: "ada@acme.test"}, store.ErrInvalid},
			{"a phrase, not a domain", store.TeamDomain{TeamID: team.ID, Domain: "acme test"}, store.ErrInvalid},
			{"no team", store.TeamDomain{Domain: "acme.test"}, store.ErrInvalid},
			{"unknown team", store.TeamDomain{TeamID: "team_missing", Domain: "acme.test"}, store.ErrNotFound},
			{"team of another organization", store.TeamDomain{TeamID: team.ID, OrgID: globex.ID, Domain: "acme.test"}, store.ErrNotFound},
		} {
			require.ErrorIs(t, s.AddTeamDomain(ctxOf(t), tc.d), tc.want, tc.name)
		}
		for _, org := range []string{acme.ID, globex.ID} {
			list, err := s.ListTeamDomains(ctxOf(t), org)
			require.NoError(t, err)
			require.Len(t, list, 0)
		}
	}},
}

var resourceTests = []subtest{
	{"CreateList", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		platform, apps := mustTeam(t, s, o.ID, "Platform"), mustTeam(t, s, o.ID, "Apps")
		before := time.Now()
		r1, err := s.CreateResource(ctxOf(t), store.Resource{TeamID: platform.ID, Kind: "monitor", Name: "api"})
		require.NoError(t, err)
		require.NotEmpty(t, r1.ID)
		requireRecent(t, before, r1.CreatedAt)
		r2, err := s.CreateResource(ctxOf(t), store.Resource{ID: "res_given", TeamID: platform.ID, Kind: "monitor", Name: "web", CreatedAt: t0})
		require.NoError(t, err)
		require.Equal(t, "res_given", r2.ID)
		requireSameInstant(t, t0, r2.CreatedAt)
		_, err = s.CreateResource(ctxOf(t), store.Resource{TeamID: apps.ID, Kind: "monitor", Name: "app"})
		require.NoError(t, err)

		list, err := s.ListResources(ctxOf(t), platform.ID)
		require.NoError(t, err)
		require.Equal(t, []store.Resource{r1, r2}, list)

		_, err = s.CreateResource(ctxOf(t), store.Resource{ID: "res_given", TeamID: apps.ID, Kind: "monitor", Name: "x"})
		require.ErrorIs(t, err, store.ErrConflict)
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		_, err := s.CreateResource(ctxOf(t), store.Resource{TeamID: "team_missing", Kind: "monitor", Name: "api"})
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.CreateResource(ctxOf(t), store.Resource{Kind: "monitor", Name: "api"})
		require.ErrorIs(t, err, store.ErrInvalid)
	}},
}
