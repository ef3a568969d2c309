package storetest

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

var errAbort = errors.New("storetest: abort")

// signUp is a JIT sign-up: the kind of several-step change InTx exists for.
func signUp(t *testing.T, tx store.Store, orgName, email string) (store.Organization, store.User, error) {
	t.Helper()
	o, err := tx.CreateOrganization(ctxOf(t), store.Organization{Name: orgName})
	if err != nil {
		return o, store.User{}, err
	}
	u, err := tx.CreateUser(ctxOf(t), store.User{Email: email})
	if err != nil {
		return o, u, err
	}
	_, err = tx.AddMembership(ctxOf(t), store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleMember, Source: store.SourceJIT})
	return o, u, err
}

func requireExists(t *testing.T, s store.Store, o store.Organization, u store.User) {
	t.Helper()
	_, err := s.GetOrganization(ctxOf(t), o.ID)
	require.NoError(t, err)
	_, err = s.GetUser(ctxOf(t), u.ID)
	require.NoError(t, err)
	_, err = s.GetMembership(ctxOf(t), o.ID, u.ID)
	require.NoError(t, err)
}

func requireGone(t *testing.T, s store.Store, o store.Organization, u store.User) {
	t.Helper()
	require.NotEmpty(t, o.ID)
	require.NotEmpty(t, u.ID)
	_, err := s.GetOrganization(ctxOf(t), o.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetUser(ctxOf(t), u.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.GetUserByEmail(ctxOf(t), u.Email)
	require.ErrorIs(t, err, store.ErrNotFound)
}

var txTests = []subtest{
	{"CommitsOnNil", func(t *testing.T, s store.Store) {
		var o store.Organization
		var u store.User
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			var err error
			o, u, err = signUp(t, tx, "Acme", "ada@x.test")
			return err
		})
		require.NoError(t, err)
		requireExists(t, s, o, u)
	}},
	{"RollsBackOnError", func(t *testing.T, s store.Store) {
		var o store.Organization
		var u store.User
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			var err error
			o, u, err = signUp(t, tx, "Acme", "ada@x.test")
			require.NoError(t, err)
			return errAbort
		})
		require.ErrorIs(t, err, errAbort, "InTx returns fn's error")
		requireGone(t, s, o, u)
		list, err := s.ListOrganizations(ctxOf(t))
		require.NoError(t, err)
		require.Len(t, list, 0)
		mustUser(t, s, "ada@x.test")
	}},
	{"ReadsItsOwnWritesAndHidesThemUntilCommit", func(t *testing.T, s store.Store) {
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			o, u, err := signUp(t, tx, "Acme", "ada@x.test")
			require.NoError(t, err)
			got, err := tx.GetUserByEmail(ctxOf(t), "ADA@x.test")
			require.NoError(t, err)
			require.Equal(t, u, got)
			members, err := tx.ListMemberships(ctxOf(t), o.ID)
			require.NoError(t, err)
			require.Len(t, members, 1)

			_, err = s.GetOrganization(ctxOf(t), o.ID)
			require.ErrorIs(t, err, store.ErrNotFound, "uncommitted changes are invisible outside")
			return nil
		})
		require.NoError(t, err)
	}},
	{"NestedCommitsWithOuter", func(t *testing.T, s store.Store) {
		var o store.Organization
		var u store.User
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			var err error
			o, err = tx.CreateOrganization(ctxOf(t), store.Organization{Name: "Acme"})
			require.NoError(t, err)
			return tx.InTx(ctxOf(t), func(inner store.Store) error {
				u, err = inner.CreateUser(ctxOf(t), store.User{Email: "ada@x.test"})
				if err != nil {
					return err
				}
				_, err = inner.GetOrganization(ctxOf(t), o.ID)
				return err
			})
		})
		require.NoError(t, err)
		_, err = s.GetOrganization(ctxOf(t), o.ID)
		require.NoError(t, err)
		_, err = s.GetUser(ctxOf(t), u.ID)
		require.NoError(t, err)
	}},
	{"NestedErrorUndoesOnlyTheNestedPart", func(t *testing.T, s store.Store) {
		var o store.Organization
		var u store.User
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			var err error
			o, err = tx.CreateOrganization(ctxOf(t), store.Organization{Name: "Acme"})
			require.NoError(t, err)
			err = tx.InTx(ctxOf(t), func(inner store.Store) error {
				u, err = inner.CreateUser(ctxOf(t), store.User{Email: "ada@x.test"})
				require.NoError(t, err)
				return errAbort
			})
			require.ErrorIs(t, err, errAbort)
			_, err = tx.GetUser(ctxOf(t), u.ID)
			require.ErrorIs(t, err, store.ErrNotFound, "the nested part is undone at once")
			return nil
		})
		require.NoError(t, err)
		_, err = s.GetOrganization(ctxOf(t), o.ID)
		require.NoError(t, err, "the outer part commits")
		_, err = s.GetUser(ctxOf(t), u.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"OuterErrorUndoesNestedPart", func(t *testing.T, s store.Store) {
		var o store.Organization
		var u store.User
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			return tx.InTx(ctxOf(t), func(inner store.Store) error {
				var err error
				o, u, err = signUp(t, inner, "Acme", "ada@x.test")
				require.NoError(t, err)
				return nil
			})
		})
		require.NoError(t, err)
		requireExists(t, s, o, u)

		err = s.InTx(ctxOf(t), func(tx store.Store) error {
			if err := tx.InTx(ctxOf(t), func(inner store.Store) error {
				var err error
				o, u, err = signUp(t, inner, "Globex", "bob@x.test")
				return err
			}); err != nil {
				return err
			}
			return errAbort
		})
		require.ErrorIs(t, err, errAbort)
		requireGone(t, s, o, u)
	}},
	{"RefusedChangeLeavesTransactionUsable", func(t *testing.T, s store.Store) {
		existing := mustUser(t, s, "ada@x.test")
		var o store.Organization
		var u store.User
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			var err error
			o, err = tx.CreateOrganization(ctxOf(t), store.Organization{Name: "Acme"})
			require.NoError(t, err)
			_, err = tx.CreateUser(ctxOf(t), store.User{Email: "ADA@x.test"})
			require.ErrorIs(t, err, store.ErrConflict)
			require.ErrorIs(t, tx.AddTeamMember(ctxOf(t), mustTeam(t, tx, o.ID, "Platform").ID, existing.ID), store.ErrNotFound)
			_, err = tx.AddMembership(ctxOf(t), store.Membership{OrgID: "org_missing", UserID: existing.ID, Role: store.RoleMember, Source: store.SourceJIT})
			require.ErrorIs(t, err, store.ErrNotFound)
			require.ErrorIs(t, tx.RecordAssertion(ctxOf(t), "int_missing", "a", t0, t0), store.ErrNotFound)

			// A JIT sign-up that finds the account already there carries on with it.
			u, err = tx.GetUserByEmail(ctxOf(t), "ada@x.test")
			require.NoError(t, err)
			_, err = tx.AddMembership(ctxOf(t), store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleMember, Source: store.SourceJIT})
			return err
		})
		require.NoError(t, err)
		requireExists(t, s, o, u)
		require.Equal(t, existing.ID, u.ID)
	}},
	{"PanicRollsBack", func(t *testing.T, s store.Store) {
		var o store.Organization
		require.Panics(t, func() {
			_ = s.InTx(ctxOf(t), func(tx store.Store) error {
				var err error
				o, err = tx.CreateOrganization(ctxOf(t), store.Organization{Name: "Acme"})
				require.NoError(t, err)
				panic("boom")
			})
		})
		_, err := s.GetOrganization(ctxOf(t), o.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		// The store is still writable: the panicking transaction let go of it.
		require.NoError(t, s.InTx(ctxOf(t), func(tx store.Store) error {
			_, err := tx.CreateOrganization(ctxOf(t), store.Organization{Name: "Globex"})
			return err
		}))
		mustOrg(t, s, "Initech")
	}},
}
