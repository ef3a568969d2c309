package admin_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

func TestNormalizeDomain(t *testing.T) {
	t.Parallel()
	label63 := strings.Repeat("a", 63)
	long := strings.Repeat(label63+".", 4)[:250] + ".io" // 253 bytes
	tests := []struct {
		in, want string
		refused  string // a word of the message; "" means accepted
	}{
		{"acme.com", "acme.com", ""},
		{"  ACME.Com ", "acme.com", ""},
		{"eng.acme.co.uk", "eng.acme.co.uk", ""},
		{"a-b.c-d.example", "a-b.c-d.example", ""},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", ""},
		{"123.example", "123.example", ""},
		{label63 + ".com", label63 + ".com", ""},
		{long, long, ""},
		{"", "", "Enter a domain"},
		{"   ", "", "Enter a domain"},
		{"ada@acme.com", "", "without the @"},
		{"@acme.com", "", "without the @"},
		{"*.acme.com", "", "Wildcards"},
		{"acme.*", "", "Wildcards"},
		{"acme", "", "at least one dot"},
		{"localhost", "", "at least one dot"},
		{".acme.com", "", "begin or end with a dot"},
		{"acme.com.", "", "begin or end with a dot"},
		{"acme..com", "", "two dots"},
		{strings.Repeat("a", 64) + ".com", "", "63 characters"},
		{long + "x", "", "253 characters"},
		{"-acme.com", "", "hyphen"},
		{"acme-.com", "", "hyphen"},
		{"ac_me.com", "", "only letters"},
		{"ac me.com", "", "only letters"},
		{"bücher.example", "", "xn--"},
		{"acme.com/path", "", "only letters"},
		{"https://acme.com", "", "only letters"},
		{"10.0.0.1", "", "IP address"},
	}
	for _, tt := range tests {
		got, err := admin.NormalizeDomain(tt.in)
		if tt.refused == "" {
			assert.NoError(t, err, "%q", tt.in)
			assert.Equal(t, tt.want, got, "%q", tt.in)
			continue
		}
		ie := admin.AsInputError(err)
		if assert.NotNil(t, ie, "%q must be refused", tt.in) {
			assert.Contains(t, ie.Message, tt.refused, "%q", tt.in)
			assert.Equal(t, admin.FieldDomain, ie.Field)
		}
		assert.Empty(t, got)
	}
}

type fixture struct {
	svc          *admin.Service
	st           store.Store
	acme, globex store.Organization
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	f := &fixture{svc: admin.New(st, func() time.Time { return time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC) }), st: st}
	f.acme, err = st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	f.globex, err = st.CreateOrganization(ctx, store.Organization{Name: "Globex"})
	require.NoError(t, err)
	return f
}

func TestTeamsAndDomains(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)

	for name, want := range map[string]string{"": "Enter a team name", " \t": "Enter a team name", strings.Repeat("x", 101): "at most 100", "a\x00b": "control"} {
		_, err := f.svc.CreateTeam(ctx, f.acme.ID, name)
		ie := admin.AsInputError(err)
		require.NotNil(t, ie, "%q", name)
		assert.Contains(t, ie.Message, want)
	}
	_, err := f.svc.CreateTeam(ctx, "org_missing", "X")
	assert.ErrorIs(t, err, store.ErrNotFound)

	physics, err := f.svc.CreateTeam(ctx, f.acme.ID, " Physics ")
	require.NoError(t, err)
	assert.Equal(t, "Physics", physics.Name)
	_, err = f.svc.CreateTeam(ctx, f.acme.ID, "PHYSICS")
	assert.ErrorIs(t, err, store.ErrConflict)
	theirs, err := f.svc.CreateTeam(ctx, f.globex.ID, "Physics")
	require.NoError(t, err, "names are per organization")

	d, err := f.svc.AddTeamDomain(ctx, f.acme.ID, physics.ID, "Acme.Test")
	require.NoError(t, err)
	assert.Equal(t, "acme.test", d)
	chem, err := f.svc.CreateTeam(ctx, f.acme.ID, "Chemistry")
	require.NoError(t, err)
	_, err = f.svc.AddTeamDomain(ctx, f.acme.ID, chem.ID, "acme.test")
	ie := admin.AsInputError(err)
	require.NotNil(t, ie)
	assert.ErrorIs(t, err, store.ErrConflict)
	assert.Contains(t, ie.Message, `the team "Physics"`)
	_, err = f.svc.AddTeamDomain(ctx, f.globex.ID, theirs.ID, "acme.test")
	assert.NoError(t, err, "domains are unique per organization only")

	// Tenant scoping: Globex cannot touch Acme's team, and vice versa.
	_, err = f.svc.AddTeamDomain(ctx, f.globex.ID, physics.ID, "evil.test")
	assert.ErrorIs(t, err, store.ErrNotFound)
	assert.ErrorIs(t, f.svc.RemoveTeamDomain(ctx, f.globex.ID, physics.ID, "acme.test"), store.ErrNotFound)
	_, err = f.svc.GetTeam(ctx, f.globex.ID, physics.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = f.svc.ListTeamMembers(ctx, f.globex.ID, physics.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = f.svc.SetTeamDomains(ctx, f.globex.ID, physics.ID, nil)
	assert.ErrorIs(t, err, store.ErrNotFound)

	teams, err := f.svc.ListTeams(ctx, f.acme.ID)
	require.NoError(t, err)
	require.Len(t, teams, 2)
	assert.Equal(t, []string{"acme.test"}, teams[0].Domains)
	assert.Equal(t, []string{}, teams[1].Domains)

	assert.ErrorIs(t, f.svc.RemoveTeamDomain(ctx, f.acme.ID, physics.ID, "other.test"), store.ErrNotFound)
	require.NoError(t, f.svc.RemoveTeamDomain(ctx, f.acme.ID, physics.ID, " ACME.test "))
	_, err = f.svc.AddTeamDomain(ctx, f.acme.ID, chem.ID, "acme.test")
	assert.NoError(t, err, "free again")
}

// SetTeamDomains replaces the list at once, or not at all.
func TestSetTeamDomains(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	physics, err := f.svc.CreateTeam(ctx, f.acme.ID, "Physics")
	require.NoError(t, err)
	chem, err := f.svc.CreateTeam(ctx, f.acme.ID, "Chemistry")
	require.NoError(t, err)
	_, err = f.svc.AddTeamDomain(ctx, f.acme.ID, chem.ID, "chem.test")
	require.NoError(t, err)

	got, err := f.svc.SetTeamDomains(ctx, f.acme.ID, physics.ID, []string{"a.test", "B.test", " ", "a.test"})
	require.NoError(t, err)
	assert.Equal(t, []string{"a.test", "b.test"}, got)

	for name, list := range map[string][]string{
		"a bad entry":                {"c.test", "not a domain"},
		"a domain of another team":   {"c.test", "chem.test"},
		"a wildcard after good ones": {"a.test", "d.test", "*.e.test"},
	} {
		_, err := f.svc.SetTeamDomains(ctx, f.acme.ID, physics.ID, list)
		ie := admin.AsInputError(err)
		require.NotNil(t, ie, name)
		assert.Equal(t, admin.FieldDomains, ie.Field, name)
		team, err := f.svc.GetTeam(ctx, f.acme.ID, physics.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"a.test", "b.test"}, team.Domains, "%s: nothing changed", name)
	}

	got, err = f.svc.SetTeamDomains(ctx, f.acme.ID, physics.ID, []string{"b.test", "c.test"})
	require.NoError(t, err)
	assert.Equal(t, []string{"b.test", "c.test"}, got)
	team, err := f.svc.GetTeam(ctx, f.acme.ID, physics.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"b.test", "c.test"}, team.Domains)
}

func TestAddMember(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)

	m, err := f.svc.AddMember(ctx, f.acme.ID, admin.NewMember{Email: " Ada@Acme.test ", GivenName: "Ada", FamilyName: "Lovelace"})
	require.NoError(t, err)
	assert.Equal(t, "Ada@Acme.test", m.User.Email)
	assert.Equal(t, "Ada Lovelace", m.User.DisplayName)
	assert.Equal(t, store.RoleMember, m.Membership.Role)
	assert.Equal(t, store.SourceLocal, m.Membership.Source)
	assert.Equal(t, []string{}, m.TeamIDs)

	_, err = f.svc.AddMember(ctx, f.acme.ID, admin.NewMember{Email: "ada@acme.test"})
	assert.ErrorIs(t, err, store.ErrConflict)
	assert.Equal(t, admin.FieldEmail, admin.AsInputError(err).Field)

	// The same person joins Globex: one account, two memberships.
	g, err := f.svc.AddMember(ctx, f.globex.ID, admin.NewMember{Email: "ada@acme.test", GivenName: "Other", Role: store.RoleAdmin})
	require.NoError(t, err)
	assert.Equal(t, m.User.ID, g.User.ID)
	assert.Equal(t, "Ada", g.User.GivenName)
	assert.Equal(t, store.RoleAdmin, g.Membership.Role)

	for _, tt := range []struct {
		m     admin.NewMember
		field string
	}{
		{admin.NewMember{}, admin.FieldEmail},
		{admin.NewMember{Email: "nope"}, admin.FieldEmail},
		{admin.NewMember{Email: "a@b"}, admin.FieldEmail},
		{admin.NewMember{Email: "a b@c.test"}, admin.FieldEmail},
		{admin.NewMember{Email: "a@@c.test"}, admin.FieldEmail},
		{admin.NewMember{Email: strings.Repeat("a", 250) + "@c.test"}, admin.FieldEmail},
		{admin.NewMember{Email: "x@c.test", GivenName: strings.Repeat("é", 201)}, admin.FieldGivenName},
		{admin.NewMember{Email: "x@c.test", FamilyName: "a\nb"}, admin.FieldFamilyName},
		{admin.NewMember{Email: "x@c.test", Role: "owner"}, admin.FieldRole},
	} {
		_, err := f.svc.AddMember(ctx, f.acme.ID, tt.m)
		ie := admin.AsInputError(err)
		require.NotNil(t, ie, "%+v", tt.m)
		assert.Equal(t, tt.field, ie.Field, "%+v", tt.m)
	}
	_, err = f.svc.AddMember(ctx, "org_missing", admin.NewMember{Email: "x@c.test"})
	assert.ErrorIs(t, err, store.ErrNotFound)

	ms, err := f.svc.ListMembers(ctx, f.acme.ID)
	require.NoError(t, err)
	require.Len(t, ms, 1)
	_, err = f.svc.GetMember(ctx, f.acme.ID, "usr_missing")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestAdminTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	secret, tok, err := f.svc.CreateAdminToken(ctx, f.acme.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(secret, admin.TokenPrefix))
	assert.Len(t, secret, len(admin.TokenPrefix)+43, "256 bits, base64url")
	assert.NotContains(t, tok.Hash, secret)
	assert.Equal(t, admin.HashToken(secret), tok.Hash, "only the hash is stored")

	got, err := f.svc.AuthenticateToken(ctx, secret)
	require.NoError(t, err)
	assert.Equal(t, f.acme.ID, got.OrgID)
	for _, bad := range []string{"", "ssoh_admin_", secret + "x", strings.TrimPrefix(secret, admin.TokenPrefix), tok.Hash, admin.TokenPrefix + strings.Repeat("a", 300)} {
		_, err := f.svc.AuthenticateToken(ctx, bad)
		assert.ErrorIs(t, err, admin.ErrBadToken, "%q", bad)
	}

	assert.ErrorIs(t, f.svc.RevokeAdminToken(ctx, f.globex.ID, tok.ID), store.ErrNotFound, "not Globex's to revoke")
	require.NoError(t, f.svc.RevokeAdminToken(ctx, f.acme.ID, tok.ID))
	_, err = f.svc.AuthenticateToken(ctx, secret)
	assert.ErrorIs(t, err, admin.ErrBadToken, "revoked at once")
}
