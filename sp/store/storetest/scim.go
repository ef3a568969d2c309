package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

func mustSCIMUser(t *testing.T, s store.Store, u store.SCIMUser) store.SCIMUser {
	t.Helper()
	got, err := s.CreateSCIMUser(ctxOf(t), u)
	require.NoError(t, err)
	return got
}

// mustProvisioned creates an account that is a member of org and its SCIM user.
func mustProvisioned(t *testing.T, s store.Store, orgID, email string) (store.User, store.SCIMUser) {
	t.Helper()
	u := mustUser(t, s, email)
	mustMember(t, s, orgID, u.ID)
	su := mustSCIMUser(t, s, store.SCIMUser{OrgID: orgID, UserName: email, Active: true, UserID: u.ID, Emails: []string{email}})
	return u, su
}

func scimIDs(us []store.SCIMUser) []string {
	return ids(us, func(u store.SCIMUser) string { return u.ID })
}

func leaf(attr store.SCIMAttr, v string) *store.SCIMFilter {
	return &store.SCIMFilter{Attr: attr, Value: v}
}

func both(logic store.SCIMLogic, l, r *store.SCIMFilter) *store.SCIMFilter {
	return &store.SCIMFilter{Logic: logic, Left: l, Right: r}
}

var scimUserTests = []subtest{
	{"CreateGetRoundTrip", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		acct := mustUser(t, s, "ada@acme.test")
		before := time.Now()
		u, err := s.CreateSCIMUser(ctxOf(t), store.SCIMUser{
			OrgID: o.ID, ExternalID: "00u1", UserName: " Ada@Acme.test ", Active: true, UserID: acct.ID,
			Emails:  []string{"Ada@Acme.test", "ada@home.test"},
			Profile: `{"name":{"givenName":"Ada"},"locale":"en-US"}`,
		})
		require.NoError(t, err)
		require.NotEmpty(t, u.ID)
		require.Equal(t, "Ada@Acme.test", u.UserName, "kept as given, without surrounding space")
		require.EqualValues(t, 1, u.Version)
		requireRecent(t, before, u.CreatedAt)
		require.Equal(t, u.CreatedAt, u.UpdatedAt)

		got, err := s.GetSCIMUser(ctxOf(t), o.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, u, got)
		got, err = s.GetSCIMUserByUserName(ctxOf(t), o.ID, "ADA@acme.TEST")
		require.NoError(t, err)
		require.Equal(t, u, got, "userName lookups ignore case")
		got, err = s.GetSCIMUserByAccount(ctxOf(t), o.ID, acct.ID)
		require.NoError(t, err)
		require.Equal(t, u, got)

		inactive, err := s.CreateSCIMUser(ctxOf(t), store.SCIMUser{OrgID: o.ID, UserName: "gone@acme.test", CreatedAt: t0})
		require.NoError(t, err)
		requireSameInstant(t, t0, inactive.CreatedAt)
		require.False(t, inactive.Active)
		require.Empty(t, inactive.UserID, "no account while deactivated")
		require.Equal(t, "{}", inactive.Profile, "an empty profile is an empty object")
		require.Equal(t, []string{}, inactive.Emails)
	}},
	{"UserNameUniquePerOrgCaseInsensitively", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "ada@x.test"})
		for _, name := range []string{"ada@x.test", "ADA@X.TEST", " Ada@x.test"} {
			_, err := s.CreateSCIMUser(ctxOf(t), store.SCIMUser{OrgID: acme.ID, UserName: name})
			require.ErrorIs(t, err, store.ErrConflict, name)
		}
		mustSCIMUser(t, s, store.SCIMUser{OrgID: globex.ID, UserName: "ada@x.test"})
	}},
	{"AccountLinkedOncePerOrg", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		acct := mustUser(t, s, "ada@x.test")
		mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "ada", UserID: acct.ID})
		_, err := s.CreateSCIMUser(ctxOf(t), store.SCIMUser{OrgID: acme.ID, UserName: "ada2", UserID: acct.ID})
		require.ErrorIs(t, err, store.ErrConflict)
		mustSCIMUser(t, s, store.SCIMUser{OrgID: globex.ID, UserName: "ada", UserID: acct.ID})
		// Accounts not linked (deactivated users) do not collide.
		mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "x1"})
		mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "x2"})
	}},
	{"CreateRefusals", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		for name, tc := range map[string]struct {
			u    store.SCIMUser
			want error
		}{
			"no organization":      {store.SCIMUser{UserName: "a"}, store.ErrInvalid},
			"no userName":          {store.SCIMUser{OrgID: o.ID, UserName: "  "}, store.ErrInvalid},
			"profile not JSON":     {store.SCIMUser{OrgID: o.ID, UserName: "a", Profile: "{"}, store.ErrInvalid},
			"unknown organization": {store.SCIMUser{OrgID: "org_missing", UserName: "a"}, store.ErrNotFound},
			"unknown account":      {store.SCIMUser{OrgID: o.ID, UserName: "a", UserID: "usr_missing"}, store.ErrNotFound},
		} {
			_, err := s.CreateSCIMUser(ctxOf(t), tc.u)
			require.ErrorIs(t, err, tc.want, name)
		}
		n, err := s.CountSCIMUsers(ctxOf(t), o.ID, nil)
		require.NoError(t, err)
		require.Zero(t, n, "a refused create leaves nothing, not even half a user")
	}},
	{"NotFound", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		acct, u := mustProvisioned(t, s, acme.ID, "ada@x.test")
		for name, err := range map[string]error{
			"GetSCIMUser other org": func() error { _, err := s.GetSCIMUser(ctxOf(t), globex.ID, u.ID); return err }(),
			"GetSCIMUser unknown":   func() error { _, err := s.GetSCIMUser(ctxOf(t), acme.ID, "scu_missing"); return err }(),
			"ByUserName other org": func() error {
				_, err := s.GetSCIMUserByUserName(ctxOf(t), globex.ID, "ada@x.test")
				return err
			}(),
			"ByAccount other org": func() error {
				_, err := s.GetSCIMUserByAccount(ctxOf(t), globex.ID, acct.ID)
				return err
			}(),
			"ByAccount empty": func() error { _, err := s.GetSCIMUserByAccount(ctxOf(t), acme.ID, ""); return err }(),
			"Update other org": func() error {
				v := u
				v.OrgID = globex.ID
				_, err := s.UpdateSCIMUser(ctxOf(t), v)
				return err
			}(),
			"Delete other org": s.DeleteSCIMUser(ctxOf(t), globex.ID, u.ID),
			"Delete unknown":   s.DeleteSCIMUser(ctxOf(t), acme.ID, "scu_missing"),
			"GetSCIMGroup":     func() error { _, err := s.GetSCIMGroup(ctxOf(t), acme.ID, "scg_missing"); return err }(),
			"UpdateSCIMGroup": func() error {
				_, err := s.UpdateSCIMGroup(ctxOf(t), store.SCIMGroup{ID: "scg_missing", OrgID: acme.ID})
				return err
			}(),
			"TokenID empty":   func() error { _, err := s.GetIntegrationBySCIMTokenID(ctxOf(t), ""); return err }(),
			"TokenID unknown": func() error { _, err := s.GetIntegrationBySCIMTokenID(ctxOf(t), "tok"); return err }(),
		} {
			require.ErrorIs(t, err, store.ErrNotFound, name)
		}
		got, err := s.GetSCIMUser(ctxOf(t), acme.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, u, got, "nothing changed through another organization")
	}},
	{"Update", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		acct, u := mustProvisioned(t, s, o.ID, "ada@x.test")
		mustSCIMUser(t, s, store.SCIMUser{OrgID: o.ID, UserName: "bob@x.test"})

		u.UserName = "ada.lovelace@x.test"
		u.ExternalID = "00u9"
		u.Active = false
		u.UserID = ""
		u.Emails = []string{"ada.lovelace@x.test"}
		u.Profile = `{"locale":"fr-FR"}`
		u.UpdatedAt = t0
		updated, err := s.UpdateSCIMUser(ctxOf(t), u)
		require.NoError(t, err)
		require.EqualValues(t, 2, updated.Version, "every update is a new version")
		requireSameInstant(t, t0, updated.UpdatedAt)
		want := u
		want.Version, want.UpdatedAt = 2, updated.UpdatedAt
		require.Equal(t, want, updated)
		got, err := s.GetSCIMUser(ctxOf(t), o.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, updated, got)
		_, err = s.GetSCIMUserByAccount(ctxOf(t), o.ID, acct.ID)
		require.ErrorIs(t, err, store.ErrNotFound, "unlinked")

		n, err := s.CountSCIMUsers(ctxOf(t), o.ID, leaf(store.SCIMAttrEmail, "ada@x.test"))
		require.NoError(t, err)
		require.Zero(t, n, "the old email is no longer indexed")
		n, err = s.CountSCIMUsers(ctxOf(t), o.ID, leaf(store.SCIMAttrEmail, "ADA.lovelace@x.test"))
		require.NoError(t, err)
		require.Equal(t, 1, n)

		clash := updated
		clash.UserName = "BOB@x.test"
		_, err = s.UpdateSCIMUser(ctxOf(t), clash)
		require.ErrorIs(t, err, store.ErrConflict)
		_, err = s.UpdateSCIMUser(ctxOf(t), store.SCIMUser{ID: "scu_missing", OrgID: o.ID, UserName: "x"})
		require.ErrorIs(t, err, store.ErrNotFound)
		got, err = s.GetSCIMUser(ctxOf(t), o.ID, u.ID)
		require.NoError(t, err)
		require.Equal(t, updated, got, "a refused update changes nothing")
	}},
	{"UpdateVersionCheck", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		_, u := mustProvisioned(t, s, o.ID, "ada@x.test")
		first := u
		first.ExternalID = "a"
		v2, err := s.UpdateSCIMUser(ctxOf(t), first)
		require.NoError(t, err, "version 1 is current")
		second := u // still says version 1
		second.ExternalID = "b"
		_, err = s.UpdateSCIMUser(ctxOf(t), second)
		require.ErrorIs(t, err, store.ErrStale)
		second.Version = 0
		v3, err := s.UpdateSCIMUser(ctxOf(t), second)
		require.NoError(t, err, "version 0 skips the check")
		require.EqualValues(t, v2.Version+1, v3.Version)
		_, err = s.UpdateSCIMUser(ctxOf(t), store.SCIMUser{ID: "scu_missing", OrgID: o.ID, UserName: "x", Version: 3})
		require.ErrorIs(t, err, store.ErrNotFound, "missing, not stale")
	}},
	{"AccountDeletionUnlinks", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		acct, u := mustProvisioned(t, s, o.ID, "ada@x.test")
		require.NoError(t, s.DeleteUser(ctxOf(t), acct.ID))
		got, err := s.GetSCIMUser(ctxOf(t), o.ID, u.ID)
		require.NoError(t, err, "the SCIM user outlives the account")
		require.Empty(t, got.UserID)
	}},
	{"CountStaysExact", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		count := func(orgID string) int {
			t.Helper()
			n, err := s.CountSCIMUsers(ctxOf(t), orgID, nil)
			require.NoError(t, err)
			list, err := s.ListSCIMUsers(ctxOf(t), orgID, store.SCIMQuery{Limit: 1000})
			require.NoError(t, err)
			require.Len(t, list, n, "the kept count is the number of rows")
			return n
		}
		require.Zero(t, count(acme.ID))
		a := mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "a"})
		mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "b"})
		mustSCIMUser(t, s, store.SCIMUser{OrgID: globex.ID, UserName: "a"})
		_, err := s.CreateSCIMUser(ctxOf(t), store.SCIMUser{OrgID: acme.ID, UserName: "A"})
		require.ErrorIs(t, err, store.ErrConflict)
		require.ErrorIs(t, s.InTx(ctxOf(t), func(tx store.Store) error {
			mustSCIMUser(t, tx, store.SCIMUser{OrgID: acme.ID, UserName: "rolled back"})
			return store.ErrInvalid
		}), store.ErrInvalid)
		require.Equal(t, 2, count(acme.ID))
		require.Equal(t, 1, count(globex.ID))
		require.NoError(t, s.DeleteSCIMUser(ctxOf(t), acme.ID, a.ID))
		require.ErrorIs(t, s.DeleteSCIMUser(ctxOf(t), acme.ID, a.ID), store.ErrNotFound)
		require.ErrorIs(t, s.DeleteSCIMUser(ctxOf(t), globex.ID, a.ID), store.ErrNotFound)
		require.Equal(t, 1, count(acme.ID))
		require.Equal(t, 1, count(globex.ID))
	}},
	{"DeleteKeepsAccount", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		acct, u := mustProvisioned(t, s, o.ID, "ada@x.test")
		require.NoError(t, s.DeleteSCIMUser(ctxOf(t), o.ID, u.ID))
		_, err := s.GetSCIMUser(ctxOf(t), o.ID, u.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.GetUser(ctxOf(t), acct.ID)
		require.NoError(t, err)
		n, err := s.CountSCIMUsers(ctxOf(t), o.ID, leaf(store.SCIMAttrEmail, "ada@x.test"))
		require.NoError(t, err)
		require.Zero(t, n, "its emails go with it")
		mustSCIMUser(t, s, store.SCIMUser{OrgID: o.ID, UserName: "ada@x.test", UserID: acct.ID})
	}},
	{"ListPagesInCreationOrder", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		var all []store.SCIMUser
		for i := range 7 {
			all = append(all, mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: fmt.Sprintf("u%d@x.test", i),
				// Creation times out of order: the order is insertion, whatever the clock said.
				CreatedAt: t0.Add(time.Duration(7-i) * time.Minute)}))
			mustSCIMUser(t, s, store.SCIMUser{OrgID: globex.ID, UserName: fmt.Sprintf("u%d@x.test", i)})
		}
		var paged []store.SCIMUser
		for off := 0; off < 9; off += 3 {
			page, err := s.ListSCIMUsers(ctxOf(t), acme.ID, store.SCIMQuery{Offset: off, Limit: 3})
			require.NoError(t, err)
			paged = append(paged, page...)
		}
		require.Equal(t, all, paged)
		n, err := s.CountSCIMUsers(ctxOf(t), acme.ID, nil)
		require.NoError(t, err)
		require.Equal(t, 7, n)

		for name, q := range map[string]store.SCIMQuery{
			"limit 0":        {Limit: 0},
			"past the end":   {Offset: 7, Limit: 10},
			"unknown filter": {Filter: leaf(store.SCIMAttrUserName, "nobody"), Limit: 10},
		} {
			page, err := s.ListSCIMUsers(ctxOf(t), acme.ID, q)
			require.NoError(t, err, name)
			require.NotNil(t, page, name)
			require.Empty(t, page, name)
		}
		page, err := s.ListSCIMUsers(ctxOf(t), "org_missing", store.SCIMQuery{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page)
		_, err = s.ListSCIMUsers(ctxOf(t), acme.ID, store.SCIMQuery{Offset: -1, Limit: 1})
		require.ErrorIs(t, err, store.ErrInvalid)
		_, err = s.ListSCIMUsers(ctxOf(t), acme.ID, store.SCIMQuery{Limit: -1})
		require.ErrorIs(t, err, store.ErrInvalid)
	}},
	{"Filters", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		ada := mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "ada@x.test", ExternalID: "00uAda",
			Emails: []string{"ada@x.test", "Ada@Home.test"}})
		bob := mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "bob@x.test", ExternalID: "00uBob",
			Emails: []string{"bob@x.test", "ada@home.test"}})
		cat := mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "cat", ExternalID: "00uCat"})
		foreign := mustSCIMUser(t, s, store.SCIMUser{OrgID: globex.ID, UserName: "ada@x.test", ExternalID: "00uAda",
			Emails: []string{"ada@x.test", "ada@home.test"}})

		for name, tc := range map[string]struct {
			f    *store.SCIMFilter
			want []store.SCIMUser
		}{
			"userName ignores case":           {leaf(store.SCIMAttrUserName, "ADA@x.Test"), []store.SCIMUser{ada}},
			"externalId is exact":             {leaf(store.SCIMAttrExternalID, "00uAda"), []store.SCIMUser{ada}},
			"externalId other case":           {leaf(store.SCIMAttrExternalID, "00uada"), nil},
			"id":                              {leaf(store.SCIMAttrID, bob.ID), []store.SCIMUser{bob}},
			"email matches any, folded":       {leaf(store.SCIMAttrEmail, "ADA@home.test"), []store.SCIMUser{ada, bob}},
			"email of no one":                 {leaf(store.SCIMAttrEmail, "cat@x.test"), nil},
			"and":                             {both(store.SCIMAnd, leaf(store.SCIMAttrEmail, "ada@home.test"), leaf(store.SCIMAttrExternalID, "00uBob")), []store.SCIMUser{bob}},
			"or":                              {both(store.SCIMOr, leaf(store.SCIMAttrUserName, "cat"), leaf(store.SCIMAttrExternalID, "00uAda")), []store.SCIMUser{ada, cat}},
			"or stays in the organization":    {both(store.SCIMOr, leaf(store.SCIMAttrUserName, "nobody"), leaf(store.SCIMAttrEmail, "ada@x.test")), []store.SCIMUser{ada}},
			"nested":                          {both(store.SCIMAnd, both(store.SCIMOr, leaf(store.SCIMAttrUserName, "cat"), leaf(store.SCIMAttrUserName, "bob@x.test")), leaf(store.SCIMAttrExternalID, "00uCat")), []store.SCIMUser{cat}},
			"id of another organization's":    {leaf(store.SCIMAttrID, foreign.ID), nil},
			"unknown id":                      {leaf(store.SCIMAttrID, "scu_missing"), nil},
			"or with another organization's":  {both(store.SCIMOr, leaf(store.SCIMAttrID, foreign.ID), leaf(store.SCIMAttrExternalID, "00uBob")), []store.SCIMUser{bob}},
			"userName with surrounding space": {leaf(store.SCIMAttrUserName, " cat "), []store.SCIMUser{cat}},
		} {
			got, err := s.ListSCIMUsers(ctxOf(t), acme.ID, store.SCIMQuery{Filter: tc.f, Limit: 10})
			require.NoError(t, err, name)
			require.Equal(t, scimIDs(tc.want), scimIDs(got), name)
			n, err := s.CountSCIMUsers(ctxOf(t), acme.ID, tc.f)
			require.NoError(t, err, name)
			require.Equal(t, len(tc.want), n, name)
		}
		for name, f := range map[string]*store.SCIMFilter{
			"group attribute": leaf(store.SCIMAttrDisplayName, "x"),
			"unknown":         leaf("nickName", "x"),
			"empty side":      {Logic: store.SCIMAnd, Left: leaf(store.SCIMAttrUserName, "x")},
			"bad logic":       {Logic: "xor", Left: leaf(store.SCIMAttrUserName, "x"), Right: leaf(store.SCIMAttrUserName, "y")},
		} {
			_, err := s.ListSCIMUsers(ctxOf(t), acme.ID, store.SCIMQuery{Filter: f, Limit: 10})
			require.ErrorIs(t, err, store.ErrInvalid, name)
			_, err = s.CountSCIMUsers(ctxOf(t), acme.ID, f)
			require.ErrorIs(t, err, store.ErrInvalid, name)
		}
		big := leaf(store.SCIMAttrUserName, "x")
		for range 100 {
			big = both(store.SCIMOr, big, leaf(store.SCIMAttrUserName, "x"))
		}
		_, err := s.CountSCIMUsers(ctxOf(t), acme.ID, big)
		require.ErrorIs(t, err, store.ErrInvalid, "filter size is bounded")
	}},
	{"GetSCIMUsersByIDs", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		var want []string
		for i := range 3 {
			want = append(want, mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: fmt.Sprintf("u%d", i)}).ID)
		}
		foreign := mustSCIMUser(t, s, store.SCIMUser{OrgID: globex.ID, UserName: "f"})
		got, err := s.GetSCIMUsers(ctxOf(t), acme.ID, append([]string{want[2], want[0], "scu_missing", foreign.ID, want[0]}, want[1]))
		require.NoError(t, err)
		require.ElementsMatch(t, want, scimIDs(got), "only this organization's, each once")
		got, err = s.GetSCIMUsers(ctxOf(t), acme.ID, nil)
		require.NoError(t, err)
		require.NotNil(t, got)
		require.Empty(t, got)
	}},
	{"AccountLocale", func(t *testing.T, s store.Store) {
		u, err := s.CreateUser(ctxOf(t), store.User{Email: "ada@x.test", Locale: "en-US"})
		require.NoError(t, err)
		got, err := s.GetUser(ctxOf(t), u.ID)
		require.NoError(t, err)
		require.Equal(t, "en-US", got.Locale)
		got.Locale = "fr-FR"
		_, err = s.UpdateUser(ctxOf(t), got)
		require.NoError(t, err)
		got, err = s.GetUserByEmail(ctxOf(t), "ada@x.test")
		require.NoError(t, err)
		require.Equal(t, "fr-FR", got.Locale)
	}},
	{"IntegrationBySCIMTokenID", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		a := mustIntegration(t, s, acme.ID)
		mustIntegration(t, s, globex.ID) // no token: an empty token id must not find it
		a.ProvisioningEnabled, a.SCIMTokenID, a.SCIMTokenHash = true, "tok1", "hash1"
		a, err := s.UpdateIntegration(ctxOf(t), a)
		require.NoError(t, err)
		got, err := s.GetIntegrationBySCIMTokenID(ctxOf(t), "tok1")
		require.NoError(t, err)
		require.Equal(t, a, got)
		_, err = s.GetIntegrationBySCIMTokenID(ctxOf(t), "")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
}

var scimGroupTests = []subtest{
	{"CreateGetList", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		platform := mustTeam(t, s, acme.ID, "Platform")
		before := time.Now()
		g, err := s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: acme.ID, TeamID: platform.ID, ExternalID: "00g1"})
		require.NoError(t, err)
		require.NotEmpty(t, g.ID)
		require.Equal(t, "Platform", g.DisplayName, "the name is the team's")
		require.EqualValues(t, 1, g.Version)
		requireRecent(t, before, g.CreatedAt)
		got, err := s.GetSCIMGroup(ctxOf(t), acme.ID, g.ID)
		require.NoError(t, err)
		require.Equal(t, g, got)
		_, err = s.GetSCIMGroup(ctxOf(t), globex.ID, g.ID)
		require.ErrorIs(t, err, store.ErrNotFound)

		apps, err := s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{ID: "scg_apps", OrgID: acme.ID, TeamID: mustTeam(t, s, acme.ID, "Apps").ID})
		require.NoError(t, err)
		foreign, err := s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: globex.ID, TeamID: mustTeam(t, s, globex.ID, "Platform").ID, ExternalID: "00g1"})
		require.NoError(t, err)

		all, err := s.ListSCIMGroups(ctxOf(t), acme.ID, store.SCIMQuery{Limit: 10})
		require.NoError(t, err)
		require.Equal(t, []store.SCIMGroup{g, apps}, all)
		page, err := s.ListSCIMGroups(ctxOf(t), acme.ID, store.SCIMQuery{Offset: 1, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []store.SCIMGroup{apps}, page)
		for name, tc := range map[string]struct {
			f    *store.SCIMFilter
			want []store.SCIMGroup
		}{
			"displayName ignores case":  {leaf(store.SCIMAttrDisplayName, "PLATFORM"), []store.SCIMGroup{g}},
			"externalId":                {leaf(store.SCIMAttrExternalID, "00g1"), []store.SCIMGroup{g}},
			"id":                        {leaf(store.SCIMAttrID, "scg_apps"), []store.SCIMGroup{apps}},
			"or":                        {both(store.SCIMOr, leaf(store.SCIMAttrID, "scg_apps"), leaf(store.SCIMAttrDisplayName, "platform")), []store.SCIMGroup{g, apps}},
			"another organization's id": {leaf(store.SCIMAttrID, foreign.ID), []store.SCIMGroup{}},
			"and":                       {both(store.SCIMAnd, leaf(store.SCIMAttrExternalID, "00g1"), leaf(store.SCIMAttrDisplayName, "Platform")), []store.SCIMGroup{g}},
		} {
			got, err := s.ListSCIMGroups(ctxOf(t), acme.ID, store.SCIMQuery{Filter: tc.f, Limit: 10})
			require.NoError(t, err, name)
			require.Equal(t, tc.want, got, name)
			n, err := s.CountSCIMGroups(ctxOf(t), acme.ID, tc.f)
			require.NoError(t, err, name)
			require.Equal(t, len(tc.want), n, name)
		}
		_, err = s.ListSCIMGroups(ctxOf(t), acme.ID, store.SCIMQuery{Filter: leaf(store.SCIMAttrUserName, "x"), Limit: 1})
		require.ErrorIs(t, err, store.ErrInvalid)
		n, err := s.CountSCIMGroups(ctxOf(t), acme.ID, nil)
		require.NoError(t, err)
		require.Equal(t, 2, n)
	}},
	{"CreateRefusals", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		team := mustTeam(t, s, acme.ID, "Platform")
		mustGroup(t, s, acme.ID, team.ID)
		_, err := s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: acme.ID, TeamID: team.ID})
		require.ErrorIs(t, err, store.ErrConflict, "one group per team")
		_, err = s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: globex.ID, TeamID: mustTeam(t, s, acme.ID, "Apps").ID})
		require.ErrorIs(t, err, store.ErrNotFound, "a team of another organization")
		_, err = s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: acme.ID, TeamID: "team_missing"})
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: acme.ID})
		require.ErrorIs(t, err, store.ErrInvalid)
	}},
	{"UpdateAndVersion", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		g := mustGroup(t, s, o.ID, mustTeam(t, s, o.ID, "Platform").ID)
		g.ExternalID = "00g2"
		g.UpdatedAt = t0
		v2, err := s.UpdateSCIMGroup(ctxOf(t), g)
		require.NoError(t, err)
		require.EqualValues(t, 2, v2.Version)
		require.Equal(t, "00g2", v2.ExternalID)
		requireSameInstant(t, t0, v2.UpdatedAt)
		require.Equal(t, g.CreatedAt, v2.CreatedAt)
		_, err = s.UpdateSCIMGroup(ctxOf(t), g) // still version 1
		require.ErrorIs(t, err, store.ErrStale)
		got, err := s.GetSCIMGroup(ctxOf(t), o.ID, g.ID)
		require.NoError(t, err)
		require.Equal(t, v2, got)
	}},
	{"TeamDeletionDeletesGroup", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		team := mustTeam(t, s, o.ID, "Platform")
		g := mustGroup(t, s, o.ID, team.ID)
		require.NoError(t, s.DeleteTeam(ctxOf(t), team.ID))
		_, err := s.GetSCIMGroup(ctxOf(t), o.ID, g.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"Members", func(t *testing.T, s store.Store) {
		acme := mustOrg(t, s, "Acme")
		team := mustTeam(t, s, acme.ID, "Platform")
		g := mustGroup(t, s, acme.ID, team.ID)
		adaAcct, ada := mustProvisioned(t, s, acme.ID, "ada@x.test")
		bobAcct, bob := mustProvisioned(t, s, acme.ID, "bob@x.test")
		local := mustUser(t, s, "local@x.test") // a member, but not through SCIM
		mustMember(t, s, acme.ID, local.ID)

		// One call per user, so that the joining order is known.
		require.NoError(t, s.AddTeamMembers(ctxOf(t), team.ID, []string{bobAcct.ID, bobAcct.ID}))
		require.NoError(t, s.AddTeamMembers(ctxOf(t), team.ID, []string{local.ID}))
		require.NoError(t, s.AddTeamMembers(ctxOf(t), team.ID, []string{adaAcct.ID, bobAcct.ID}), "idempotent")
		requireTeamMembers(t, s, team.ID, bobAcct, local, adaAcct)
		members, err := s.ListSCIMGroupMembers(ctxOf(t), acme.ID, g.ID)
		require.NoError(t, err)
		require.Equal(t, []store.SCIMGroupMember{
			{SCIMUserID: bob.ID, UserID: bobAcct.ID, UserName: "bob@x.test", DisplayName: "bob@x.test"},
			{SCIMUserID: ada.ID, UserID: adaAcct.ID, UserName: "ada@x.test", DisplayName: "ada@x.test"},
		}, members, "only SCIM users, in joining order")
		other, err := s.ListSCIMGroupMembers(ctxOf(t), mustOrg(t, s, "Globex").ID, g.ID)
		require.NoError(t, err)
		require.Empty(t, other)

		require.NoError(t, s.RemoveTeamMembers(ctxOf(t), team.ID, []string{bobAcct.ID, "usr_missing"}))
		requireTeamMembers(t, s, team.ID, local, adaAcct)
		require.NoError(t, s.RemoveTeamMembers(ctxOf(t), team.ID, nil))
	}},
	{"AddTeamMembersAllOrNothing", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		team := mustTeam(t, s, acme.ID, "Platform")
		var ok []string
		for i := range 1200 { // more than one chunk
			u, err := s.CreateUser(ctxOf(t), store.User{Email: fmt.Sprintf("u%d@x.test", i)})
			require.NoError(t, err)
			mustMember(t, s, acme.ID, u.ID)
			ok = append(ok, u.ID)
		}
		stranger := mustUser(t, s, "stranger@x.test")
		mustMember(t, s, globex.ID, stranger.ID)
		for name, userIDs := range map[string][]string{
			"member of another org": append(append([]string{}, ok...), stranger.ID),
			"no such user":          append(append([]string{}, ok...), "usr_missing"),
		} {
			require.ErrorIs(t, s.AddTeamMembers(ctxOf(t), team.ID, userIDs), store.ErrNotFound, name)
			members, err := s.ListTeamMembers(ctxOf(t), team.ID)
			require.NoError(t, err)
			require.Empty(t, members, "%s: nothing added", name)
		}
		require.ErrorIs(t, s.AddTeamMembers(ctxOf(t), "team_missing", ok[:1]), store.ErrNotFound)
		require.ErrorIs(t, s.AddTeamMembers(ctxOf(t), team.ID, []string{""}), store.ErrInvalid)
		require.NoError(t, s.AddTeamMembers(ctxOf(t), team.ID, ok))
		members, err := s.ListTeamMembers(ctxOf(t), team.ID)
		require.NoError(t, err)
		require.Len(t, members, len(ok))
		require.NoError(t, s.RemoveTeamMembers(ctxOf(t), team.ID, ok))
		members, err = s.ListTeamMembers(ctxOf(t), team.ID)
		require.NoError(t, err)
		require.Empty(t, members)
	}},
	{"FailureInsideTransactionIsContained", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		team := mustTeam(t, s, acme.ID, "Platform")
		member := mustUser(t, s, "ada@x.test")
		mustMember(t, s, acme.ID, member.ID)
		stranger := mustUser(t, s, "bob@x.test")
		mustMember(t, s, globex.ID, stranger.ID)
		mustSCIMUser(t, s, store.SCIMUser{OrgID: acme.ID, UserName: "taken"})
		require.NoError(t, s.InTx(ctxOf(t), func(tx store.Store) error {
			require.ErrorIs(t, tx.AddTeamMembers(ctxOf(t), team.ID, []string{member.ID, stranger.ID}), store.ErrNotFound)
			_, err := tx.CreateSCIMUser(ctxOf(t), store.SCIMUser{OrgID: acme.ID, UserName: "TAKEN", Emails: []string{"a@x.test"}})
			require.ErrorIs(t, err, store.ErrConflict)
			// The transaction carries on after both failures.
			return tx.AddTeamMembers(ctxOf(t), team.ID, []string{member.ID})
		}))
		requireTeamMembers(t, s, team.ID, member)
		n, err := s.CountSCIMUsers(ctxOf(t), acme.ID, leaf(store.SCIMAttrEmail, "a@x.test"))
		require.NoError(t, err)
		require.Zero(t, n, "the refused create left no email behind")
	}},
}

func mustGroup(t *testing.T, s store.Store, orgID, teamID string) store.SCIMGroup {
	t.Helper()
	g, err := s.CreateSCIMGroup(ctxOf(t), store.SCIMGroup{OrgID: orgID, TeamID: teamID})
	require.NoError(t, err)
	return g
}

// scimConcurrencyTests race the creates the SCIM server does when Okta retries
// or runs tasks in parallel.
var scimConcurrencyTests = []subtest{
	{"CreateSCIMUserSameUserName", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		ids := make([]string, racers)
		errs := race(func(i int) error {
			u, err := s.CreateSCIMUser(ctxOf(t), store.SCIMUser{OrgID: o.ID, UserName: caseVariant("race@scim.test", i),
				Active: true, Emails: []string{"race@scim.test"}})
			ids[i] = u.ID
			return err
		})
		winner := requireOneWinner(t, errs, store.ErrConflict)
		all, err := s.ListSCIMUsers(ctxOf(t), o.ID, store.SCIMQuery{Limit: 100})
		require.NoError(t, err)
		require.Equal(t, []string{ids[winner]}, scimIDs(all), "exactly one row")
		n, err := s.CountSCIMUsers(ctxOf(t), o.ID, leaf(store.SCIMAttrEmail, "race@scim.test"))
		require.NoError(t, err)
		require.Equal(t, 1, n, "and one email index entry")
	}},
}
