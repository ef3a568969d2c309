package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

// world is a small graph of two organizations, shared users, teams, domains,
// resources and sessions, for the tests that delete part of it.
type world struct {
	acme, globex                    store.Organization
	ada, bob                        store.User
	platform, apps, globexTeam      store.Team
	adaAcme, adaGlobex, adaNoOrg    string // session id hashes
	bobAcme                         string
	platformRes, appsRes, globexRes store.Resource
}

func newWorld(t *testing.T, s store.Store) *world {
	t.Helper()
	w := &world{
		acme: mustOrg(t, s, "Acme"), globex: mustOrg(t, s, "Globex"),
		ada: mustUser(t, s, "ada@x.test"), bob: mustUser(t, s, "bob@x.test"),
	}
	mustMember(t, s, w.acme.ID, w.ada.ID)
	mustMember(t, s, w.globex.ID, w.ada.ID)
	mustMember(t, s, w.acme.ID, w.bob.ID)

	w.platform, w.apps = mustTeam(t, s, w.acme.ID, "Platform"), mustTeam(t, s, w.acme.ID, "Apps")
	w.globexTeam = mustTeam(t, s, w.globex.ID, "Platform")
	mustTeamMember(t, s, w.platform.ID, w.ada.ID)
	mustTeamMember(t, s, w.platform.ID, w.bob.ID)
	mustTeamMember(t, s, w.apps.ID, w.ada.ID)
	mustTeamMember(t, s, w.globexTeam.ID, w.ada.ID)

	for _, d := range []store.TeamDomain{
		{TeamID: w.platform.ID, OrgID: w.acme.ID, Domain: "acme.test"},
		{TeamID: w.apps.ID, OrgID: w.acme.ID, Domain: "apps.acme.test"},
		{TeamID: w.globexTeam.ID, OrgID: w.globex.ID, Domain: "globex.test"},
	} {
		require.NoError(t, s.AddTeamDomain(ctxOf(t), d))
	}
	res := func(team store.Team) store.Resource {
		r, err := s.CreateResource(ctxOf(t), store.Resource{TeamID: team.ID, Kind: "monitor", Name: team.Name})
		require.NoError(t, err)
		return r
	}
	w.platformRes, w.appsRes, w.globexRes = res(w.platform), res(w.apps), res(w.globexTeam)

	w.adaAcme = mustSession(t, s, "ada-acme", w.ada.ID, w.acme.ID).IDHash
	w.adaGlobex = mustSession(t, s, "ada-globex", w.ada.ID, w.globex.ID).IDHash
	w.adaNoOrg = mustSession(t, s, "ada-none", w.ada.ID, "").IDHash
	w.bobAcme = mustSession(t, s, "bob-acme", w.bob.ID, w.acme.ID).IDHash
	return w
}

func requireTeamMembers(t *testing.T, s store.Store, teamID string, want ...store.User) {
	t.Helper()
	got, err := s.ListTeamMembers(ctxOf(t), teamID)
	require.NoError(t, err)
	require.Equal(t, ids(want, userID), ids(got, userID), "members of team %s", teamID)
}

func requireResources(t *testing.T, s store.Store, teamID string, want ...store.Resource) {
	t.Helper()
	got, err := s.ListResources(ctxOf(t), teamID)
	require.NoError(t, err)
	require.Equal(t, len(want), len(got), "resources of team %s", teamID)
	for i := range want {
		require.Equal(t, want[i], got[i])
	}
}

var cascadeTests = []subtest{
	{"DeleteTeamTakesMembersDomainsResources", func(t *testing.T, s store.Store) {
		w := newWorld(t, s)
		require.NoError(t, s.DeleteTeam(ctxOf(t), w.platform.ID))

		_, err := s.GetTeam(ctxOf(t), w.platform.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		requireTeamMembers(t, s, w.platform.ID)
		requireResources(t, s, w.platform.ID)
		_, err = s.FindTeamDomain(ctxOf(t), w.acme.ID, "acme.test")
		require.ErrorIs(t, err, store.ErrNotFound)
		teams, err := s.ListUserTeams(ctxOf(t), w.acme.ID, w.ada.ID)
		require.NoError(t, err)
		require.Equal(t, []string{w.apps.ID}, ids(teams, teamID))

		// Everything else stays.
		requireTeamMembers(t, s, w.apps.ID, w.ada)
		requireResources(t, s, w.apps.ID, w.appsRes)
		requireResources(t, s, w.globexTeam.ID, w.globexRes)
		domains, err := s.ListTeamDomains(ctxOf(t), w.acme.ID)
		require.NoError(t, err)
		require.Equal(t, []store.TeamDomain{{TeamID: w.apps.ID, OrgID: w.acme.ID, Domain: "apps.acme.test"}}, domains)
		for _, u := range []store.User{w.ada, w.bob} {
			_, err := s.GetMembership(ctxOf(t), w.acme.ID, u.ID)
			require.NoError(t, err, "members of a deleted team stay in the organization")
		}
		require.True(t, sessionLive(t, s, w.bobAcme))
	}},
	{"DeleteUserTakesMembershipsTeamsSessions", func(t *testing.T, s store.Store) {
		w := newWorld(t, s)
		require.NoError(t, s.DeleteUser(ctxOf(t), w.ada.ID))

		_, err := s.GetUser(ctxOf(t), w.ada.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetUserByEmail(ctxOf(t), w.ada.Email)
		require.ErrorIs(t, err, store.ErrNotFound)
		for _, org := range []string{w.acme.ID, w.globex.ID} {
			_, err := s.GetMembership(ctxOf(t), org, w.ada.ID)
			require.ErrorIs(t, err, store.ErrNotFound)
		}
		mine, err := s.ListUserMemberships(ctxOf(t), w.ada.ID)
		require.NoError(t, err)
		require.Len(t, mine, 0)
		requireTeamMembers(t, s, w.platform.ID, w.bob)
		requireTeamMembers(t, s, w.apps.ID)
		requireTeamMembers(t, s, w.globexTeam.ID)
		for _, h := range []string{w.adaAcme, w.adaGlobex, w.adaNoOrg} {
			require.False(t, sessionLive(t, s, h), h)
		}

		// Other people and the organizations' own things stay.
		require.True(t, sessionLive(t, s, w.bobAcme))
		_, err = s.GetMembership(ctxOf(t), w.acme.ID, w.bob.ID)
		require.NoError(t, err)
		requireResources(t, s, w.apps.ID, w.appsRes)
		_, err = s.GetTeam(ctxOf(t), w.apps.ID)
		require.NoError(t, err)
	}},
	{"DeleteOrganizationTakesWhatItOwnedAndItsOwnAccounts", func(t *testing.T, s store.Store) {
		w := newWorld(t, s)
		_, err := s.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: w.acme.ID, Actor: "test", Action: "team.created", Target: "Platform"})
		require.NoError(t, err)
		require.NoError(t, s.DeleteOrganization(ctxOf(t), w.acme.ID))

		_, err = s.GetOrganization(ctxOf(t), w.acme.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		for _, team := range []store.Team{w.platform, w.apps} {
			_, err = s.GetTeam(ctxOf(t), team.ID)
			require.ErrorIs(t, err, store.ErrNotFound, team.Name)
			requireResources(t, s, team.ID)
		}
		_, err = s.GetUser(ctxOf(t), w.bob.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "bob belonged to Acme alone")
		require.False(t, sessionLive(t, s, w.bobAcme))
		require.False(t, sessionLive(t, s, w.adaAcme))

		// Ada belongs to Globex too: her account, Globex and its things stay.
		_, err = s.GetUser(ctxOf(t), w.ada.ID)
		require.NoError(t, err)
		_, err = s.GetMembership(ctxOf(t), w.globex.ID, w.ada.ID)
		require.NoError(t, err)
		requireTeamMembers(t, s, w.globexTeam.ID, w.ada)
		requireResources(t, s, w.globexTeam.ID, w.globexRes)
		require.True(t, sessionLive(t, s, w.adaGlobex))
		require.True(t, sessionLive(t, s, w.adaNoOrg))

		events, err := s.ListAudit(ctxOf(t), w.acme.ID, 10)
		require.NoError(t, err)
		require.Len(t, events, 1, "the audit log outlives the organization")

		require.ErrorIs(t, s.DeleteOrganization(ctxOf(t), w.acme.ID), store.ErrNotFound)
	}},
	{"RemoveMembershipDetachesFromThatOrganizationOnly", func(t *testing.T, s store.Store) {
		w := newWorld(t, s)
		require.NoError(t, s.RemoveMembership(ctxOf(t), w.acme.ID, w.ada.ID))

		_, err := s.GetMembership(ctxOf(t), w.acme.ID, w.ada.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		teams, err := s.ListUserTeams(ctxOf(t), w.acme.ID, w.ada.ID)
		require.NoError(t, err)
		require.Len(t, teams, 0)
		requireTeamMembers(t, s, w.platform.ID, w.bob)
		requireTeamMembers(t, s, w.apps.ID)
		require.False(t, sessionLive(t, s, w.adaAcme), "the session in that organization ends")

		// The account, the other organization and sessions elsewhere stay.
		_, err = s.GetUser(ctxOf(t), w.ada.ID)
		require.NoError(t, err)
		_, err = s.GetMembership(ctxOf(t), w.globex.ID, w.ada.ID)
		require.NoError(t, err)
		teams, err = s.ListUserTeams(ctxOf(t), w.globex.ID, w.ada.ID)
		require.NoError(t, err)
		require.Equal(t, []string{w.globexTeam.ID}, ids(teams, teamID))
		require.True(t, sessionLive(t, s, w.adaGlobex))
		require.True(t, sessionLive(t, s, w.adaNoOrg))
		require.True(t, sessionLive(t, s, w.bobAcme))
		requireResources(t, s, w.platform.ID, w.platformRes)

		// Re-adding the membership does not bring the teams back.
		mustMember(t, s, w.acme.ID, w.ada.ID)
		teams, err = s.ListUserTeams(ctxOf(t), w.acme.ID, w.ada.ID)
		require.NoError(t, err)
		require.Len(t, teams, 0)
	}},
}
