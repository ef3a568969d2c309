// Package storetest is the conformance suite every store.Store backend runs:
//
//	func TestStore(t *testing.T) {
//		storetest.RunTests(t, func(t *testing.T) store.Store { return openFresh(t) })
//	}
//
// newStore must return an empty store of its own (sub-tests run in parallel)
// and close it when t ends.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

// subtest is one behaviour, run against a fresh store.
type subtest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// RunTests runs the whole suite. Every sub-test gets its own store from newStore
// and runs in parallel with the others.
func RunTests(t *testing.T, newStore func(t *testing.T) store.Store) {
	areas := []struct {
		name  string
		tests []subtest
	}{
		{"Organizations", organizationTests},
		{"Users", userTests},
		{"Memberships", membershipTests},
		{"Teams", teamTests},
		{"TeamMembers", teamMemberTests},
		{"TeamDomains", teamDomainTests},
		{"Resources", resourceTests},
		{"Integrations", integrationTests},
		{"Sessions", sessionTests},
		{"PendingRequests", pendingRequestTests},
		{"Assertions", assertionTests},
		{"Audit", auditTests},
		{"AdminTokens", adminTokenTests},
		{"Cascades", cascadeTests},
		{"Transactions", txTests},
		{"Missing", missingTests},
		{"Concurrency", concurrencyTests},
		{"SCIMUsers", scimUserTests},
		{"SCIMGroups", scimGroupTests},
		{"SCIMConcurrency", scimConcurrencyTests},
		{"Lifecycle", lifecycleTests},
	}
	for _, area := range areas {
		t.Run(area.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range area.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, newStore(t))
				})
			}
		})
	}
}

// t0 is a fixed instant for the tests that pass their own clock, as the SP does.
var t0 = time.Date(2031, 3, 14, 15, 9, 26, 535897000, time.UTC)

func ctxOf(t *testing.T) context.Context { return t.Context() }

func mustOrg(t *testing.T, s store.Store, name string) store.Organization {
	t.Helper()
	o, err := s.CreateOrganization(ctxOf(t), store.Organization{Name: name})
	require.NoError(t, err)
	return o
}

func mustUser(t *testing.T, s store.Store, email string) store.User {
	t.Helper()
	u, err := s.CreateUser(ctxOf(t), store.User{Email: email, DisplayName: email})
	require.NoError(t, err)
	return u
}

func mustMember(t *testing.T, s store.Store, orgID, userID string) store.Membership {
	t.Helper()
	m, err := s.AddMembership(ctxOf(t), store.Membership{OrgID: orgID, UserID: userID, Role: store.RoleMember, Source: store.SourceLocal})
	require.NoError(t, err)
	return m
}

func mustTeam(t *testing.T, s store.Store, orgID, name string) store.Team {
	t.Helper()
	tm, err := s.CreateTeam(ctxOf(t), store.Team{OrgID: orgID, Name: name})
	require.NoError(t, err)
	return tm
}

func mustTeamMember(t *testing.T, s store.Store, teamID, userID string) {
	t.Helper()
	require.NoError(t, s.AddTeamMember(ctxOf(t), teamID, userID))
}

func mustIntegration(t *testing.T, s store.Store, orgID string) store.Integration {
	t.Helper()
	i, err := s.CreateIntegration(ctxOf(t), store.Integration{OrgID: orgID})
	require.NoError(t, err)
	return i
}

func mustSession(t *testing.T, s store.Store, idHash, userID, orgID string) store.Session {
	t.Helper()
	sess := store.Session{IDHash: idHash, UserID: userID, OrgID: orgID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	require.NoError(t, s.CreateSession(ctxOf(t), sess))
	return sess
}

// sessionLive reports whether the session made by mustSession is still there.
func sessionLive(t *testing.T, s store.Store, idHash string) bool {
	t.Helper()
	_, err := s.GetSession(ctxOf(t), idHash, t0)
	if err != nil {
		require.ErrorIs(t, err, store.ErrNotFound)
		return false
	}
	return true
}

// requireRecent checks a timestamp the store assigned: about now, in UTC.
func requireRecent(t *testing.T, before time.Time, got time.Time) {
	t.Helper()
	require.Equal(t, time.UTC, got.Location(), "timestamps come back in UTC")
	require.False(t, got.Before(before.Add(-time.Second)), "assigned %v, before %v", got, before)
	require.False(t, got.After(time.Now().Add(time.Second)), "assigned %v is in the future", got)
}

// requireSameInstant checks that a timestamp given to the store came back to at
// least millisecond precision, in UTC.
func requireSameInstant(t *testing.T, want, got time.Time) {
	t.Helper()
	require.Equal(t, time.UTC, got.Location(), "timestamps come back in UTC")
	d := got.Sub(want)
	require.True(t, d > -time.Millisecond && d < time.Millisecond, "stored %v, got %v back", want, got)
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

func userID(u store.User) string { return u.ID }
func teamID(t store.Team) string { return t.ID }
