package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

var adminTokenTests = []subtest{
	{"CreateGetListDelete", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		before := time.Now()
		a, err := s.CreateAdminToken(ctxOf(t), store.AdminToken{OrgID: o.ID, Hash: "hash-a"})
		require.NoError(t, err)
		require.NotEmpty(t, a.ID, "an ID is assigned")
		requireRecent(t, before, a.CreatedAt)
		b, err := s.CreateAdminToken(ctxOf(t), store.AdminToken{ID: "adm_b", OrgID: o.ID, Hash: "hash-b", CreatedAt: t0})
		require.NoError(t, err)
		require.Equal(t, "adm_b", b.ID)
		requireSameInstant(t, t0, b.CreatedAt)

		got, err := s.GetAdminTokenByHash(ctxOf(t), "hash-a")
		require.NoError(t, err)
		require.Equal(t, a, got)

		l, err := s.ListAdminTokens(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, []string{a.ID, b.ID}, ids(l, func(x store.AdminToken) string { return x.ID }), "creation order")

		require.NoError(t, s.DeleteAdminToken(ctxOf(t), o.ID, a.ID))
		_, err = s.GetAdminTokenByHash(ctxOf(t), "hash-a")
		require.ErrorIs(t, err, store.ErrNotFound, "revoked at once")
		require.ErrorIs(t, s.DeleteAdminToken(ctxOf(t), o.ID, a.ID), store.ErrNotFound, "already gone")
	}},
	{"OrganizationScoped", func(t *testing.T, s store.Store) {
		acme := mustOrg(t, s, "Acme")
		globex := mustOrg(t, s, "Globex")
		a, err := s.CreateAdminToken(ctxOf(t), store.AdminToken{OrgID: acme.ID, Hash: "hash-a"})
		require.NoError(t, err)

		require.ErrorIs(t, s.DeleteAdminToken(ctxOf(t), globex.ID, a.ID), store.ErrNotFound, "another organization cannot revoke it")
		l, err := s.ListAdminTokens(ctxOf(t), globex.ID)
		require.NoError(t, err)
		require.Empty(t, l)
		_, err = s.GetAdminTokenByHash(ctxOf(t), "hash-a")
		require.NoError(t, err, "still there")
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		_, err := s.CreateAdminToken(ctxOf(t), store.AdminToken{OrgID: o.ID, Hash: "hash-a"})
		require.NoError(t, err)
		for _, tc := range []struct {
			name string
			tok  store.AdminToken
			want error
		}{
			{"same hash", store.AdminToken{OrgID: o.ID, Hash: "hash-a"}, store.ErrConflict},
			{"unknown organization", store.AdminToken{OrgID: "org_missing", Hash: "hash-b"}, store.ErrNotFound},
			{"no hash", store.AdminToken{OrgID: o.ID}, store.ErrInvalid},
			{"no organization", store.AdminToken{Hash: "hash-c"}, store.ErrInvalid},
		} {
			_, err := s.CreateAdminToken(ctxOf(t), tc.tok)
			require.ErrorIs(t, err, tc.want, tc.name)
		}
	}},
	{"UnknownHashNotFound", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		_, err := s.CreateAdminToken(ctxOf(t), store.AdminToken{OrgID: o.ID, Hash: "hash-a"})
		require.NoError(t, err)
		for _, h := range []string{"no-such-hash", "", "HASH-A"} {
			_, err := s.GetAdminTokenByHash(ctxOf(t), h)
			require.ErrorIs(t, err, store.ErrNotFound, "%q", h)
		}
	}},
}
