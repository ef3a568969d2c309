package sp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// jitResponse is Okta's answer for a person, with the catalog app's name
// attributes.
func (f *fixture) jitResponse(t *testing.T, email, given, family string) url.Values {
	t.Helper()
	return form(f.idp.Response(t, f.sp(), testidp.Response{Email: email, Now: f.clock.Now(),
		Attributes: map[string]string{"email": email, "firstName": given, "lastName": family}}))
}

// mustTeamWithDomain creates a team of Acme pre-approving domain.
func (f *fixture) mustTeamWithDomain(t *testing.T, name, domain string) store.Team {
	t.Helper()
	ctx := context.Background()
	team, err := f.srv.CreateTeam(ctx, f.org.ID, name)
	require.NoError(t, err)
	_, err = f.srv.AddTeamDomain(ctx, f.org.ID, team.ID, domain)
	require.NoError(t, err)
	return team
}

// JIT-01: a first sign-in from a pre-approved domain creates the account, the
// membership (jit, member) and the team membership.
func TestJITCreatesUserMembershipAndTeamMembership(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		start func(t *testing.T, f *fixture) url.Values
		to    string
	}{
		{"IdP-initiated", func(t *testing.T, f *fixture) url.Values {
			return f.jitResponse(t, "Newton@Acme.test", "Isaac", "Newton")
		}, "/"},
		{"SP-initiated", func(t *testing.T, f *fixture) url.Values {
			req := f.startSignIn(t, f.integ.ID, "/settings/teams")
			return form(f.idp.Answer(t, req, testidp.Response{Email: "Newton@Acme.test", Now: t0,
				Attributes: map[string]string{"firstName": "Isaac", "lastName": "Newton"}}))
		}, "/settings/teams"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			team := f.mustTeamWithDomain(t, "Physics", "ACME.test")

			res := f.postACS(t, f.integ.ID, tt.start(t, f))
			require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
			assert.Equal(t, tt.to, res.Header.Get("Location"))
			c := sessionCookie(res)
			require.NotNil(t, c)

			u, err := f.st.GetUserByEmail(ctx, "newton@acme.test")
			require.NoError(t, err)
			assert.Equal(t, "Newton@Acme.test", u.Email, "as Okta sent it")
			assert.Equal(t, "Isaac", u.GivenName)
			assert.Equal(t, "Newton", u.FamilyName)
			assert.Equal(t, "Isaac Newton", u.DisplayName)
			assert.Empty(t, u.PasswordHash, "SSO only")
			m, err := f.st.GetMembership(ctx, f.org.ID, u.ID)
			require.NoError(t, err)
			assert.Equal(t, store.SourceJIT, m.Source)
			assert.Equal(t, store.RoleMember, m.Role)
			teams, err := f.st.ListUserTeams(ctx, f.org.ID, u.ID)
			require.NoError(t, err)
			require.Len(t, teams, 1)
			assert.Equal(t, team.ID, teams[0].ID)
			events, err := f.st.ListAudit(ctx, f.org.ID, 5)
			require.NoError(t, err)
			assert.Equal(t, "jit.create", events[0].Action)
			assert.Contains(t, body(t, f.do(t, http.MethodGet, "/", nil, c)), "Welcome, Isaac Newton")

			// The second sign-in is an ordinary one.
			f.clock.Set(t0.Add(1e9))
			res = f.postACS(t, f.integ.ID, f.jitResponse(t, "newton@acme.test", "Changed", "Name"))
			require.Equal(t, http.StatusSeeOther, res.StatusCode)
			again, err := f.st.GetUser(ctx, u.ID)
			require.NoError(t, err)
			assert.Equal(t, "Isaac", again.GivenName)
		})
	}
}

// An account that already exists (a member of another organization) is attached
// to this one, not duplicated, and keeps its other membership.
func TestJITAttachesAnExistingAccount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	f.mustTeamWithDomain(t, "Partners", "globex.test")
	bob := f.users["bob@globex.test"]

	res := f.postACS(t, f.integ.ID, f.jitResponse(t, "bob@globex.test", "Robert", "Other"))
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))

	ms, err := f.st.ListUserMemberships(ctx, bob.ID)
	require.NoError(t, err)
	require.Len(t, ms, 2, "Globex kept, Acme added")
	m, err := f.st.GetMembership(ctx, f.org.ID, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, store.SourceJIT, m.Source)
	u, err := f.st.GetUserByEmail(ctx, "bob@globex.test")
	require.NoError(t, err)
	assert.Equal(t, bob.ID, u.ID, "same account")
	assert.Equal(t, "Bob", u.GivenName, "an existing account's names are its own")
	events, err := f.st.ListAudit(ctx, f.org.ID, 5)
	require.NoError(t, err)
	assert.Equal(t, "jit.attach", events[0].Action)
}

// JIT-02: a first-time user whose domain no team of this organization
// pre-approves is refused, told to ask their administrator, and nothing is made.
func TestJITRefusesUnapprovedDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, email string
		setup       func(t *testing.T, f *fixture)
	}{
		{"no team pre-approves anything", "zed@acme.test", func(*testing.T, *fixture) {}},
		{"another domain is pre-approved", "zed@acme.test", func(t *testing.T, f *fixture) {
			f.mustTeamWithDomain(t, "Physics", "physics.acme.test")
		}},
		{"a subdomain of an approved one", "zed@eng.acme.test", func(t *testing.T, f *fixture) {
			f.mustTeamWithDomain(t, "Physics", "acme.test")
		}},
		{"pre-approved by another organization only", "zed@acme.test", func(t *testing.T, f *fixture) {
			other := f.otherIntegration(t)
			team, err := f.srv.CreateTeam(context.Background(), other.OrgID, "Theirs")
			require.NoError(t, err)
			_, err = f.srv.AddTeamDomain(context.Background(), other.OrgID, team.ID, "acme.test")
			require.NoError(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t, fixtureOptions{})
			tt.setup(t, f)
			res := f.postACS(t, f.integ.ID, f.jitResponse(t, tt.email, "Zed", "Zero"))
			b := f.assertRefused(t, res, http.StatusForbidden, ssosaml.ReasonNotMember, f.integ.ID)
			assert.Contains(t, b, "Ask your administrator to add you, or to pre-approve your email domain")
			_, err := f.st.GetUserByEmail(ctx, tt.email)
			assert.ErrorIs(t, err, store.ErrNotFound, "nothing created")
			ms, err := f.st.ListMemberships(ctx, f.org.ID)
			require.NoError(t, err)
			assert.Len(t, ms, 3)
		})
	}
}

// faultStore hands InTx a transaction whose AddTeamMember first runs fault: a
// failure in the middle of the JIT transaction, after the account and the
// membership were written.
type faultStore struct {
	store.Store
	fault func(ctx context.Context, tx store.Store, teamID string) error
}

func (s *faultStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return s.Store.InTx(ctx, func(tx store.Store) error {
		return fn(&faultTx{Store: tx, fault: s.fault})
	})
}

type faultTx struct {
	store.Store
	fault func(ctx context.Context, tx store.Store, teamID string) error
}

func (t *faultTx) AddTeamMember(ctx context.Context, teamID, userID string) error {
	if err := t.fault(ctx, t.Store, teamID); err != nil {
		return err
	}
	return t.Store.AddTeamMember(ctx, teamID, userID)
}

// JIT is one transaction: a failure part-way leaves no account, membership or
// team membership behind.
func TestJITFailurePartWayLeavesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fault  func(ctx context.Context, tx store.Store, teamID string) error
		status int
		reason ssosaml.Reason
	}{
		{
			// The team (and its pre-approved domain) is deleted between the
			// domain lookup and the team membership, as by an admin at that moment.
			name:   "team deleted concurrently",
			fault:  func(ctx context.Context, tx store.Store, teamID string) error { return tx.DeleteTeam(ctx, teamID) },
			status: http.StatusForbidden, reason: ssosaml.ReasonNotMember,
		},
		{
			name:   "database failure",
			fault:  func(context.Context, store.Store, string) error { return errors.New("disk on fire") },
			status: http.StatusInternalServerError, reason: ssosaml.ReasonInternal,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			base, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sp.db"))
			require.NoError(t, err)
			t.Cleanup(func() { _ = base.Close() })
			f := newFixture(t, fixtureOptions{store: &faultStore{Store: base, fault: tt.fault}})
			f.mustTeamWithDomain(t, "Physics", "acme.test")
			f.mustTeamWithDomain(t, "Partners", "globex.test")

			for _, email := range []string{"newton@acme.test", "bob@globex.test"} {
				f.logs.buf.Reset()
				res := f.postACS(t, f.integ.ID, f.jitResponse(t, email, "Isaac", "Newton"))
				f.assertRefused(t, res, tt.status, tt.reason, f.integ.ID)
			}

			_, err = base.GetUserByEmail(ctx, "newton@acme.test")
			assert.ErrorIs(t, err, store.ErrNotFound, "no account")
			ms, err := base.ListMemberships(ctx, f.org.ID)
			require.NoError(t, err)
			assert.Len(t, ms, 3, "no membership")
			bobs, err := base.ListUserMemberships(ctx, f.users["bob@globex.test"].ID)
			require.NoError(t, err)
			assert.Len(t, bobs, 1, "the existing account was not attached either")
			teams, err := base.ListTeams(ctx, f.org.ID)
			require.NoError(t, err)
			for _, team := range teams {
				members, err := base.ListTeamMembers(ctx, team.ID)
				require.NoError(t, err)
				assert.Empty(t, members, team.Name)
			}
		})
	}
}

// The same person's first sign-in arriving twice at once (two tabs, two
// replicas): both land signed in, one account and one membership.
func TestJITConcurrentFirstSignIns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	f.mustTeamWithDomain(t, "Physics", "acme.test")
	srv2, err := newServerOn(f.st, f.clock, &logBuffer{})
	require.NoError(t, err)
	forms := []url.Values{f.jitResponse(t, "newton@acme.test", "Isaac", "Newton"), f.jitResponse(t, "newton@acme.test", "Isaac", "Newton")}
	codes := make([]int, 2)
	var wg sync.WaitGroup
	for i, v := range forms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptestRequest(http.MethodPost, "/sso/okta/"+f.integ.ID+"/acs", v.Encode())
			rec := httptest.NewRecorder()
			if i == 0 {
				f.srv.ServeHTTP(rec, req)
			} else {
				srv2.ServeHTTP(rec, req)
			}
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	assert.Equal(t, []int{http.StatusSeeOther, http.StatusSeeOther}, codes)
	u, err := f.st.GetUserByEmail(ctx, "newton@acme.test")
	require.NoError(t, err)
	ms, err := f.st.ListUserMemberships(ctx, u.ID)
	require.NoError(t, err)
	assert.Len(t, ms, 1)
}

// The Teams pages: create a team, configure its pre-approved domains.
func TestTeamsSettingsPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	admin := f.signIn(t, "admin@acme.test", adminPassword)

	page := body(t, f.do(t, http.MethodGet, "/settings/teams", nil, admin))
	assert.Contains(t, page, "There are no teams yet.")
	assert.Contains(t, page, `action="/settings/teams"`)

	res := f.do(t, http.MethodPost, "/settings/teams", url.Values{"name": {"  "}}, admin)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, body(t, res), "Enter a team name.")

	res = f.do(t, http.MethodPost, "/settings/teams", url.Values{"name": {"Physics"}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	res = f.do(t, http.MethodPost, "/settings/teams", url.Values{"name": {"physics"}}, admin)
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, body(t, res), "already exists")
	teams, err := f.st.ListTeams(ctx, f.org.ID)
	require.NoError(t, err)
	require.Len(t, teams, 1)
	team := teams[0]

	page = body(t, f.do(t, http.MethodGet, "/settings/teams", nil, admin))
	assert.Contains(t, page, `href="/settings/teams/`+team.ID+`"`)
	assert.Contains(t, page, ">Configure<")

	page = body(t, f.do(t, http.MethodGet, "/settings/teams/"+team.ID, nil, admin))
	assert.Contains(t, page, "Pre-approved domains")
	assert.Contains(t, page, "Save changes")

	res = f.do(t, http.MethodPost, "/settings/teams/"+team.ID+"/domains", url.Values{"domains": {"Acme.test\nacme.org, acme.test"}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, body(t, res))
	page = body(t, f.do(t, http.MethodGet, res.Header.Get("Location"), nil, admin))
	assert.Contains(t, page, "Changes saved.")
	assert.Contains(t, page, ">acme.test\nacme.org</textarea>")

	// A bad entry refuses the whole list, keeps what was typed, changes nothing.
	res = f.do(t, http.MethodPost, "/settings/teams/"+team.ID+"/domains", url.Values{"domains": {"acme.test\n*.acme.test"}}, admin)
	page = body(t, res)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, page, "Wildcards are not supported")
	assert.Contains(t, page, "*.acme.test</textarea>")
	ds, err := f.st.ListTeamDomains(ctx, f.org.ID)
	require.NoError(t, err)
	assert.Len(t, ds, 2)

	// Removing is saving a shorter list.
	res = f.do(t, http.MethodPost, "/settings/teams/"+team.ID+"/domains", url.Values{"domains": {"acme.org"}}, admin)
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	ds, err = f.st.ListTeamDomains(ctx, f.org.ID)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "acme.org", ds[0].Domain)

	// Another team cannot take a domain already pre-approved.
	other, err := f.srv.CreateTeam(ctx, f.org.ID, "Chemistry")
	require.NoError(t, err)
	res = f.do(t, http.MethodPost, "/settings/teams/"+other.ID+"/domains", url.Values{"domains": {"acme.org"}}, admin)
	assert.Equal(t, http.StatusConflict, res.StatusCode)
	assert.Contains(t, body(t, res), "acme.org is already pre-approved by the team &#34;Physics&#34;")

	// Another organization's team is not found; members cannot see the pages.
	globex := f.otherIntegration(t)
	theirs, err := f.srv.CreateTeam(ctx, globex.OrgID, "Theirs")
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, f.do(t, http.MethodGet, "/settings/teams/"+theirs.ID, nil, admin).StatusCode)
	res = f.do(t, http.MethodPost, "/settings/teams/"+theirs.ID+"/domains", url.Values{"domains": {"evil.test"}}, admin)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)
	ada := f.signIn(t, "ada@acme.test", adaPassword)
	assert.Equal(t, http.StatusForbidden, f.do(t, http.MethodGet, "/settings/teams", nil, ada).StatusCode)
	assert.Equal(t, http.StatusForbidden, f.do(t, http.MethodPost, "/settings/teams", url.Values{"name": {"X"}}, ada).StatusCode)
}

// The domain rules apply whichever way a domain arrives.
func TestAddTeamDomainRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, fixtureOptions{})
	team := f.mustTeamWithDomain(t, "Physics", "acme.test")
	other, err := f.srv.CreateTeam(ctx, f.org.ID, "Chemistry")
	require.NoError(t, err)

	_, err = f.srv.AddTeamDomain(ctx, f.org.ID, other.ID, "ACME.test")
	ie := admin.AsInputError(err)
	require.NotNil(t, ie)
	assert.ErrorIs(t, err, store.ErrConflict)
	assert.Equal(t, admin.FieldDomain, ie.Field)

	d, err := f.srv.AddTeamDomain(ctx, f.org.ID, team.ID, "acme.test")
	require.NoError(t, err, "the same team again changes nothing")
	assert.Equal(t, "acme.test", d)

	_, err = f.srv.AddTeamDomain(ctx, f.org.ID, team.ID, "*.acme.test")
	assert.NotNil(t, admin.AsInputError(err))
	_, err = f.srv.AddTeamDomain(ctx, f.org.ID, "team_missing", "x.test")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// JIT-03: JIT never brings back someone SCIM deactivated in the organization;
// a deactivation in another organization does not count.
func TestJITRefusesSCIMDeactivatedUser(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		userName  string // of the inactive SCIM user
		otherOrg  bool   // the record belongs to another organization
		wantReply ssosaml.Reason
	}{
		{"deactivated here, same case", "gone@acme.test", false, ssosaml.ReasonDeprovisioned},
		{"deactivated here, other case", "Gone@ACME.test", false, ssosaml.ReasonDeprovisioned},
		{"deactivated in another organization", "gone@acme.test", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newFixture(t, fixtureOptions{})
			f.mustTeamWithDomain(t, "Physics", "acme.test")
			orgID := f.org.ID
			if tt.otherOrg {
				orgID = f.otherIntegration(t).OrgID
			}
			_, err := f.st.CreateSCIMUser(ctx, store.SCIMUser{OrgID: orgID, UserName: tt.userName,
				Emails: []string{tt.userName}, Active: false, Profile: "{}"})
			require.NoError(t, err)

			res := f.postACS(t, f.integ.ID, f.jitResponse(t, "gone@acme.test", "Gone", "Away"))
			if tt.wantReply == "" {
				assert.Equal(t, http.StatusSeeOther, res.StatusCode, "JIT goes ahead")
				_, err := f.st.GetUserByEmail(ctx, "gone@acme.test")
				assert.NoError(t, err)
				return
			}
			f.assertRefused(t, res, http.StatusForbidden, tt.wantReply, f.integ.ID)
			_, err = f.st.GetUserByEmail(ctx, "gone@acme.test")
			assert.ErrorIs(t, err, store.ErrNotFound, "nothing created")
		})
	}
}
