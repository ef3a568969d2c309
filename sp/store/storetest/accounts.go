package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

var organizationTests = []subtest{
	{"CreateAssignsIDAndTime", func(t *testing.T, s store.Store) {
		before := time.Now()
		o, err := s.CreateOrganization(ctxOf(t), store.Organization{Name: "Acme"})
		require.NoError(t, err)
		require.NotEmpty(t, o.ID)
		require.Equal(t, "Acme", o.Name)
		requireRecent(t, before, o.CreatedAt)

		got, err := s.GetOrganization(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, o, got)

		other := mustOrg(t, s, "Acme")
		require.NotEqual(t, o.ID, other.ID, "names are not unique, IDs are")
	}},
	{"CreateKeepsGivenIDAndTime", func(t *testing.T, s store.Store) {
		at := time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
		o, err := s.CreateOrganization(ctxOf(t), store.Organization{ID: "org_given", Name: "Acme", CreatedAt: at})
		require.NoError(t, err)
		require.Equal(t, "org_given", o.ID)
		requireSameInstant(t, at, o.CreatedAt)

		got, err := s.GetOrganization(ctxOf(t), "org_given")
		require.NoError(t, err)
		require.Equal(t, o, got, "what Create returns is what Get returns")
	}},
	{"DuplicateIDConflicts", func(t *testing.T, s store.Store) {
		_, err := s.CreateOrganization(ctxOf(t), store.Organization{ID: "org_1", Name: "A"})
		require.NoError(t, err)
		_, err = s.CreateOrganization(ctxOf(t), store.Organization{ID: "org_1", Name: "B"})
		require.ErrorIs(t, err, store.ErrConflict)
	}},
	{"EmptyNameInvalid", func(t *testing.T, s store.Store) {
		for _, name := range []string{"", "  "} {
			_, err := s.CreateOrganization(ctxOf(t), store.Organization{Name: name})
			require.ErrorIs(t, err, store.ErrInvalid, "name %q", name)
		}
		list, err := s.ListOrganizations(ctxOf(t))
		require.NoError(t, err)
		require.Empty(t, list)
	}},
	{"ListInCreationOrder", func(t *testing.T, s store.Store) {
		list, err := s.ListOrganizations(ctxOf(t))
		require.NoError(t, err)
		require.Len(t, list, 0)

		// Same timestamp and names out of alphabetical order: only the creation
		// sequence can give this order.
		var want []string
		for _, name := range []string{"Charlie", "Alpha", "Bravo"} {
			o, err := s.CreateOrganization(ctxOf(t), store.Organization{Name: name, CreatedAt: t0})
			require.NoError(t, err)
			want = append(want, o.ID)
		}
		list, err = s.ListOrganizations(ctxOf(t))
		require.NoError(t, err)
		require.Equal(t, want, ids(list, func(o store.Organization) string { return o.ID }))
	}},
}

var userTests = []subtest{
	{"CreateAndGet", func(t *testing.T, s store.Store) {
		before := time.Now()
		u, err := s.CreateUser(ctxOf(t), store.User{
			Email: "Ada@X.test", GivenName: "Ada", FamilyName: "Lovelace",
			DisplayName: "Ada Lovelace", PasswordHash: "$argon2id$…",
		})
		require.NoError(t, err)
		require.NotEmpty(t, u.ID)
		requireRecent(t, before, u.CreatedAt)
		requireRecent(t, before, u.UpdatedAt)
		require.Equal(t, "Ada@X.test", u.Email, "the email is kept as given")

		got, err := s.GetUser(ctxOf(t), u.ID)
		require.NoError(t, err)
		require.Equal(t, u, got)
		byEmail, err := s.GetUserByEmail(ctxOf(t), "Ada@X.test")
		require.NoError(t, err)
		require.Equal(t, u, byEmail)
	}},
	{"EmailUniqueCaseInsensitively", func(t *testing.T, s store.Store) {
		first := mustUser(t, s, "Ada@X.test")
		for _, email := range []string{"ada@x.test", "ADA@X.TEST", " ada@x.test ", "Ada@X.test"} {
			_, err := s.CreateUser(ctxOf(t), store.User{Email: email})
			require.ErrorIs(t, err, store.ErrConflict, "email %q", email)
		}
		got, err := s.GetUserByEmail(ctxOf(t), "ada@x.test")
		require.NoError(t, err)
		require.Equal(t, first.ID, got.ID)
		mustUser(t, s, "ada@y.test")
	}},
	{"EmailUniqueBeyondASCII", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "Élodie@X.test")
		_, err := s.CreateUser(ctxOf(t), store.User{Email: "élodie@x.test"})
		require.ErrorIs(t, err, store.ErrConflict)
		got, err := s.GetUserByEmail(ctxOf(t), "ÉLODIE@X.TEST")
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)
	}},
	{"GetByEmailCaseInsensitive", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "grace@navy.test")
		for _, lookup := range []string{"grace@navy.test", "Grace@Navy.Test", "GRACE@NAVY.TEST", "  grace@navy.test\t"} {
			got, err := s.GetUserByEmail(ctxOf(t), lookup)
			require.NoError(t, err, "lookup %q", lookup)
			require.Equal(t, u.ID, got.ID, "lookup %q", lookup)
		}
		_, err := s.GetUserByEmail(ctxOf(t), "grace@navy.tes")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"EmptyEmailInvalid", func(t *testing.T, s store.Store) {
		for _, email := range []string{"", " "} {
			_, err := s.CreateUser(ctxOf(t), store.User{Email: email})
			require.ErrorIs(t, err, store.ErrInvalid, "email %q", email)
		}
	}},
	{"DuplicateIDConflicts", func(t *testing.T, s store.Store) {
		_, err := s.CreateUser(ctxOf(t), store.User{ID: "usr_1", Email: "a@x.test"})
		require.NoError(t, err)
		_, err = s.CreateUser(ctxOf(t), store.User{ID: "usr_1", Email: "b@x.test"})
		require.ErrorIs(t, err, store.ErrConflict)
	}},
	{"Update", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "ada@x.test")
		u.Email = "ada.lovelace@x.test"
		u.GivenName, u.FamilyName, u.DisplayName = "Augusta", "King", "Augusta Ada King"
		u.PasswordHash = "hash-2"
		u.UpdatedAt = t0
		updated, err := s.UpdateUser(ctxOf(t), u)
		require.NoError(t, err)
		requireSameInstant(t, t0, updated.UpdatedAt)
		require.Equal(t, u.CreatedAt, updated.CreatedAt)

		got, err := s.GetUser(ctxOf(t), u.ID)
		require.NoError(t, err)
		require.Equal(t, updated, got)
		_, err = s.GetUserByEmail(ctxOf(t), "ada@x.test")
		require.ErrorIs(t, err, store.ErrNotFound, "the old email no longer finds the user")
		_, err = s.GetUserByEmail(ctxOf(t), "ADA.LOVELACE@x.test")
		require.NoError(t, err)

		before := time.Now()
		updated.UpdatedAt = time.Time{}
		updated, err = s.UpdateUser(ctxOf(t), updated)
		require.NoError(t, err)
		requireRecent(t, before, updated.UpdatedAt)
	}},
	{"UpdateOwnEmailCase", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "ada@x.test")
		u.Email = "Ada@X.test"
		_, err := s.UpdateUser(ctxOf(t), u)
		require.NoError(t, err)
		got, err := s.GetUserByEmail(ctxOf(t), "ada@x.test")
		require.NoError(t, err)
		require.Equal(t, "Ada@X.test", got.Email)
	}},
	{"UpdateEmailConflict", func(t *testing.T, s store.Store) {
		mustUser(t, s, "ada@x.test")
		b := mustUser(t, s, "bob@x.test")
		changed := b
		changed.Email = "ADA@x.test"
		_, err := s.UpdateUser(ctxOf(t), changed)
		require.ErrorIs(t, err, store.ErrConflict)
		got, err := s.GetUser(ctxOf(t), b.ID)
		require.NoError(t, err)
		require.Equal(t, b, got, "a refused update changes nothing")
	}},
	{"UpdateInvalid", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "ada@x.test")
		u.Email = ""
		_, err := s.UpdateUser(ctxOf(t), u)
		require.ErrorIs(t, err, store.ErrInvalid)
	}},
	{"DeleteFreesEmail", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "ada@x.test")
		require.NoError(t, s.DeleteUser(ctxOf(t), u.ID))
		_, err := s.GetUser(ctxOf(t), u.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.DeleteUser(ctxOf(t), u.ID), store.ErrNotFound)
		again := mustUser(t, s, "ADA@x.test")
		require.NotEqual(t, u.ID, again.ID)
	}},
}

var membershipTests = []subtest{
	{"AddGetList", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		ada, bob := mustUser(t, s, "ada@x.test"), mustUser(t, s, "bob@x.test")

		before := time.Now()
		m, err := s.AddMembership(ctxOf(t), store.Membership{OrgID: acme.ID, UserID: bob.ID, Role: store.RoleAdmin, Source: store.SourceInvite})
		require.NoError(t, err)
		requireRecent(t, before, m.CreatedAt)
		m2, err := s.AddMembership(ctxOf(t), store.Membership{OrgID: acme.ID, UserID: ada.ID, Role: store.RoleMember, Source: store.SourceSCIM, CreatedAt: t0})
		require.NoError(t, err)
		requireSameInstant(t, t0, m2.CreatedAt)
		m3, err := s.AddMembership(ctxOf(t), store.Membership{OrgID: globex.ID, UserID: bob.ID, Role: store.RoleMember, Source: store.SourceJIT})
		require.NoError(t, err)

		got, err := s.GetMembership(ctxOf(t), acme.ID, bob.ID)
		require.NoError(t, err)
		require.Equal(t, m, got)

		list, err := s.ListMemberships(ctxOf(t), acme.ID)
		require.NoError(t, err)
		require.Equal(t, []store.Membership{m, m2}, list)

		mine, err := s.ListUserMemberships(ctxOf(t), bob.ID)
		require.NoError(t, err)
		require.Equal(t, []store.Membership{m, m3}, mine)
	}},
	{"DuplicateConflicts", func(t *testing.T, s store.Store) {
		o, u := mustOrg(t, s, "Acme"), mustUser(t, s, "ada@x.test")
		mustMember(t, s, o.ID, u.ID)
		_, err := s.AddMembership(ctxOf(t), store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleAdmin, Source: store.SourceSCIM})
		require.ErrorIs(t, err, store.ErrConflict)
		got, err := s.GetMembership(ctxOf(t), o.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, store.RoleMember, got.Role, "the refused membership changed nothing")
	}},
	{"UnknownOrgOrUserNotFound", func(t *testing.T, s store.Store) {
		o, u := mustOrg(t, s, "Acme"), mustUser(t, s, "ada@x.test")
		for _, m := range []store.Membership{
			{OrgID: "org_missing", UserID: u.ID},
			{OrgID: o.ID, UserID: "usr_missing"},
		} {
			m.Role, m.Source = store.RoleMember, store.SourceLocal
			_, err := s.AddMembership(ctxOf(t), m)
			require.ErrorIs(t, err, store.ErrNotFound, "%+v", m)
		}
	}},
	{"Invalid", func(t *testing.T, s store.Store) {
		o, u := mustOrg(t, s, "Acme"), mustUser(t, s, "ada@x.test")
		valid := store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleMember, Source: store.SourceLocal}
		for name, change := range map[string]func(*store.Membership){
			"no org":         func(m *store.Membership) { m.OrgID = "" },
			"no user":        func(m *store.Membership) { m.UserID = "" },
			"no role":        func(m *store.Membership) { m.Role = "" },
			"unknown role":   func(m *store.Membership) { m.Role = "owner" },
			"no source":      func(m *store.Membership) { m.Source = "" },
			"unknown source": func(m *store.Membership) { m.Source = "ldap" },
		} {
			m := valid
			change(&m)
			_, err := s.AddMembership(ctxOf(t), m)
			require.ErrorIs(t, err, store.ErrInvalid, name)
		}
		_, err := s.GetMembership(ctxOf(t), o.ID, u.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"Remove", func(t *testing.T, s store.Store) {
		o, u := mustOrg(t, s, "Acme"), mustUser(t, s, "ada@x.test")
		mustMember(t, s, o.ID, u.ID)
		require.NoError(t, s.RemoveMembership(ctxOf(t), o.ID, u.ID))
		_, err := s.GetMembership(ctxOf(t), o.ID, u.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		require.ErrorIs(t, s.RemoveMembership(ctxOf(t), o.ID, u.ID), store.ErrNotFound)
		_, err = s.GetUser(ctxOf(t), u.ID)
		require.NoError(t, err, "the account stays")
		mustMember(t, s, o.ID, u.ID)
	}},
}
