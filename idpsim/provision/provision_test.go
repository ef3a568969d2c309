package provision_test

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/internal/scimtest"
	"github.com/ssoharness/ssoharness/idpsim/provision"
)

type fixture struct {
	t    *testing.T
	ctx  context.Context
	dir  *directory.Store
	eng  *provision.Engine
	scim *scimtest.Server
	app  directory.App
	ada  directory.User
	bob  directory.User
}

type setup struct {
	mode         directory.ProvisioningMode
	syncPassword bool
	noCreate     bool
	noUpdate     bool
	noDeactivate bool
	timeout      time.Duration
	async        bool
}

const adaPassword = "Ada-Okta-pw-1"

func newFixture(t *testing.T, s setup) *fixture {
	t.Helper()
	ctx := context.Background()
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	t.Cleanup(func() { dir.Close() })
	timeout := s.timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	eng, err := provision.New(provision.Config{Directory: dir, Timeout: timeout, Async: s.async})
	require.NoError(t, err)
	app, err := dir.CreateApp(ctx, directory.NewApp{
		Kind: directory.KindCatalog, Name: directory.CatalogAppName, Label: "Reference SP",
		Settings:      directory.Settings{SPBaseURL: "http://sp.test", IntegrationID: "abc123"},
		PrivateKeyPEM: "key", CertificatePEM: "cert",
	})
	require.NoError(t, err)
	f := &fixture{t: t, ctx: ctx, dir: dir, eng: eng, scim: scimtest.New(t), app: app}
	f.ada, err = eng.CreateUser(ctx, provision.NewUser{NewUser: directory.NewUser{
		Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace", Password: adaPassword}})
	require.NoError(t, err)
	f.bob, err = eng.CreateUser(ctx, provision.NewUser{NewUser: directory.NewUser{
		Login: "bob@acme.test", FirstName: "Bob", LastName: "Builder", Password: "Bob-Okta-pw-1"}})
	require.NoError(t, err)

	mode := string(s.mode)
	if mode == "" {
		mode = string(directory.ModeTemplate)
	}
	_, err = eng.ConfigureProvisioning(ctx, app.ID, provision.SettingsInput{
		Enabled: ptr(true), BaseURL: ptr(f.scim.URL()), Token: ptr(f.scim.Token), UsernameFormat: ptr("EMAIL"),
		CreateUsers: ptr(!s.noCreate), UpdateUsers: ptr(!s.noUpdate), DeactivateUsers: ptr(!s.noDeactivate),
		SyncPassword: ptr(s.syncPassword), Mode: &mode,
		// A short timeout is for one failing exchange, not the connector test.
		SkipConnectorTest: s.timeout != 0,
	})
	require.NoError(t, err)
	f.scim.Take() // the connector test
	return f
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) lines() []string {
	var out []string
	for _, e := range f.scim.Take() {
		out = append(out, e.Line())
	}
	return out
}

func completed(t *testing.T, tasks []provision.Task, n int) {
	t.Helper()
	require.Len(t, tasks, n)
	for _, task := range tasks {
		assert.Equal(t, directory.TaskCompleted, task.Status, "%s: %s", task.Description, task.Reason)
	}
}

// provisioned assigns the user and returns its SCIM id.
func (f *fixture) provisioned(u directory.User) string {
	f.t.Helper()
	tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, u.ID)
	require.NoError(f.t, err)
	completed(f.t, tasks, 1)
	f.scim.Take()
	l, err := f.dir.LinkFor(f.ctx, f.app.ID, u.ID)
	require.NoError(f.t, err)
	return l.ExternalID
}

func assertOktaHeaders(t *testing.T, e scimtest.Exchange, token string) {
	t.Helper()
	assert.Equal(t, "Okta SCIM Client 1.0.0", e.Header.Get("User-Agent"), e.Line())
	assert.Equal(t, "application/scim+json", e.Header.Get("Accept"), e.Line())
	assert.Equal(t, "utf-8", e.Header.Get("Accept-Charset"), e.Line())
	assert.Equal(t, "gzip,deflate", e.Header.Get("Accept-Encoding"), e.Line())
	assert.Equal(t, "Bearer "+token, e.Header.Get("Authorization"), e.Line())
	if e.Body != "" {
		assert.Equal(t, "application/scim+json; charset=utf-8", e.Header.Get("Content-Type"), e.Line())
	} else {
		assert.Empty(t, e.Header.Get("Content-Type"), e.Line())
	}
}

var passwordRE = regexp.MustCompile(`^[a-z0-9]{8}$`)

// withoutPassword returns the body with its password replaced, and the
// password.
func withoutPassword(t *testing.T, body string) (string, string) {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	pw, _ := m["password"].(string)
	m["password"] = "PASSWORD"
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return string(out), pw
}

func TestConnectorTestSendsOktasTwoRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, setup{})
	require.NoError(t, f.eng.TestConnector(f.ctx, f.app.ID))
	reqs := f.scim.Take()
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET /Users?startIndex=1&count=2", reqs[0].Line())
	assert.Equal(t, "GET /Groups?startIndex=1&count=100", reqs[1].Line())
	for _, r := range reqs {
		assertOktaHeaders(t, r, f.scim.Token)
		assert.Empty(t, r.Body)
	}

	// A wrong token fails the test and nothing is saved.
	_, err := f.eng.ConfigureProvisioning(f.ctx, f.app.ID, provision.SettingsInput{Token: ptr("wrong-token")})
	require.ErrorIs(t, err, provision.ErrConnector)
	assert.Contains(t, err.Error(), "Unauthorized. Errors reported by remote server: bad token")
	assert.Equal(t, []string{"GET /Users?startIndex=1&count=2"}, f.lines(), "stops at the first failure")
	p, err := f.dir.ProvisioningFor(f.ctx, f.app.ID)
	require.NoError(t, err)
	assert.Equal(t, f.scim.Token, p.Token)

	// Changing only the To App toggles does not test again.
	_, err = f.eng.ConfigureProvisioning(f.ctx, f.app.ID, provision.SettingsInput{SyncPassword: ptr(true)})
	require.NoError(t, err)
	assert.Empty(t, f.lines())
	// A token set without the test is saved as is.
	_, err = f.eng.ConfigureProvisioning(f.ctx, f.app.ID, provision.SettingsInput{Token: ptr("other"), SkipConnectorTest: true})
	require.NoError(t, err)
	assert.Empty(t, f.lines())
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t, setup{})
	tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	completed(t, tasks, 1)
	assert.Equal(t, provision.ActionCreateUser, tasks[0].Action)

	reqs := f.scim.Take()
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100", reqs[0].Line())
	assert.Equal(t, `filter=userName eq "ada@acme.test"&startIndex=1&count=100`, scimtest.Query(reqs[0].Query))
	assert.Equal(t, "POST /Users", reqs[1].Line())
	for _, r := range reqs {
		assertOktaHeaders(t, r, f.scim.Token)
	}
	body, pw := withoutPassword(t, reqs[1].Body)
	assert.Regexp(t, passwordRE, pw, "a random password even without password sync")
	assert.NotEqual(t, adaPassword, pw)
	assert.JSONEq(t, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "ada@acme.test",
		"name": {"givenName": "Ada", "familyName": "Lovelace"},
		"emails": [{"primary": true, "value": "ada@acme.test", "type": "work"}],
		"displayName": "Ada Lovelace",
		"locale": "en-US",
		"externalId": "`+f.ada.ID+`",
		"groups": [],
		"password": "PASSWORD",
		"active": true
	}`, body)
	// Members in Okta's order.
	assert.Regexp(t, `^\{"schemas":.*"userName":.*"name":.*"emails":.*"displayName":.*"locale":.*"externalId":.*"groups":\[\],"password":.*"active":true\}$`, reqs[1].Body)

	l, err := f.dir.LinkFor(f.ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	assert.Equal(t, "u-1", l.ExternalID, "the SCIM id the server returned")
	assert.True(t, l.Active)

	// Assigning again sends nothing.
	tasks, err = f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)
	assert.Empty(t, f.lines())
}

func TestCreateUserSendsSyncedPassword(t *testing.T) {
	t.Parallel()
	f := newFixture(t, setup{syncPassword: true})
	f.provisionedWithBody(t, adaPassword)
}

func (f *fixture) provisionedWithBody(t *testing.T, wantPassword string) {
	tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	completed(t, tasks, 1)
	reqs := f.scim.Take()
	require.Len(t, reqs, 2)
	_, pw := withoutPassword(t, reqs[1].Body)
	assert.Equal(t, wantPassword, pw)
}

func TestLinkOnMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    setup
		active   bool
		wantReqs []string
		wantBody string
	}{
		{"update on: PUT the profile, activating", setup{}, false,
			[]string{"GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100", "PUT /Users/u-1"},
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u-1","userName":"ADA@acme.test",
			  "name":{"givenName":"Ada","middleName":"B","familyName":"Lovelace"},
			  "emails":[{"primary":true,"value":"ada@acme.test","type":"work"}],
			  "active":true,"meta":{"resourceType":"User"},
			  "displayName":"Ada Lovelace","locale":"en-US","externalId":"` + "%ADA%" + `"}`},
		{"update off, inactive: PATCH active", setup{noUpdate: true}, false,
			[]string{"GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100", "PATCH /Users/u-1"},
			`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`},
		{"update off, active: link only", setup{noUpdate: true}, true,
			[]string{"GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.setup)
			id := f.scim.AddUser(map[string]any{
				"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "ADA@acme.test",
				"name":   map[string]any{"givenName": "A", "middleName": "B", "familyName": "L"},
				"emails": []any{map[string]any{"primary": true, "value": "ada@acme.test", "type": "work"}},
				"active": tt.active, "meta": map[string]any{"resourceType": "User"},
			})
			tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
			require.NoError(t, err)
			completed(t, tasks, 1)
			reqs := f.scim.Take()
			var lines []string
			for _, r := range reqs {
				lines = append(lines, r.Line())
			}
			assert.Equal(t, tt.wantReqs, lines, "never a POST: the match is linked")
			if tt.wantBody != "" {
				want := strings.ReplaceAll(tt.wantBody, "%ADA%", f.ada.ID)
				want = strings.Replace(want, `"userName":"ADA@acme.test"`, `"userName":"ada@acme.test"`, 1)
				assert.JSONEq(t, want, reqs[len(reqs)-1].Body)
			}
			l, err := f.dir.LinkFor(f.ctx, f.app.ID, f.ada.ID)
			require.NoError(t, err)
			assert.Equal(t, id, l.ExternalID)
		})
	}
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	for _, mode := range []directory.ProvisioningMode{directory.ModeTemplate, directory.ModeCustom} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, setup{mode: mode})
			id := f.provisioned(f.ada)
			_, tasks, err := f.eng.UpdateUser(f.ctx, f.ada.ID, provision.ProfileUpdate{
				FirstName: ptr("Augusta"), Email: ptr("augusta@acme.test"),
				Attributes: map[string]string{"displayName": "Augusta Ada King", "locale": "en_GB"},
			})
			require.NoError(t, err)
			completed(t, tasks, 1)
			reqs := f.scim.Take()
			require.Len(t, reqs, 2)
			assert.Equal(t, "GET /Users/"+id, reqs[0].Line())
			assert.Equal(t, "PUT /Users/"+id, reqs[1].Line())
			assertOktaHeaders(t, reqs[1], f.scim.Token)
			// The user as read, with Okta's profile written over it (the
			// username format is Email, so userName follows the email).
			assert.JSONEq(t, `{
				"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
				"userName": "augusta@acme.test",
				"name": {"givenName": "Augusta", "familyName": "Lovelace"},
				"emails": [{"primary": true, "value": "augusta@acme.test", "type": "work"}],
				"displayName": "Augusta Ada King",
				"locale": "en-GB",
				"externalId": "`+f.ada.ID+`",
				"groups": [],
				"active": true,
				"id": "`+id+`"
			}`, reqs[1].Body)
			assert.NotContains(t, reqs[1].Body, "password")

			// No change, no request.
			_, tasks, err = f.eng.UpdateUser(f.ctx, f.ada.ID, provision.ProfileUpdate{FirstName: ptr("Augusta")})
			require.NoError(t, err)
			assert.Empty(t, tasks)
		})
	}
}

func TestDeactivateAndReactivate(t *testing.T) {
	t.Parallel()
	patch := func(active bool) string {
		if active {
			return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}`
		}
		return `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`
	}
	tests := []struct {
		name       string
		deactivate func(f *fixture) ([]provision.Task, error)
		reactivate func(f *fixture) ([]provision.Task, error)
	}{
		{"deactivate and activate in Okta",
			func(f *fixture) ([]provision.Task, error) {
				_, ts, err := f.eng.SetStatus(f.ctx, f.ada.ID, directory.StatusDeprovisioned)
				return ts, err
			},
			func(f *fixture) ([]provision.Task, error) {
				_, ts, err := f.eng.SetStatus(f.ctx, f.ada.ID, directory.StatusActive)
				return ts, err
			}},
		{"suspend and unsuspend",
			func(f *fixture) ([]provision.Task, error) {
				_, ts, err := f.eng.SetStatus(f.ctx, f.ada.ID, directory.StatusSuspended)
				return ts, err
			},
			func(f *fixture) ([]provision.Task, error) {
				_, ts, err := f.eng.SetStatus(f.ctx, f.ada.ID, directory.StatusActive)
				return ts, err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, setup{})
			id := f.provisioned(f.ada)
			tasks, err := tt.deactivate(f)
			require.NoError(t, err)
			completed(t, tasks, 1)
			reqs := f.scim.Take()
			require.Len(t, reqs, 1)
			assert.Equal(t, "PATCH /Users/"+id, reqs[0].Line())
			assertOktaHeaders(t, reqs[0], f.scim.Token)
			assert.JSONEq(t, patch(false), reqs[0].Body)
			assert.Equal(t, false, f.scim.User(id)["active"])

			tasks, err = tt.reactivate(f)
			require.NoError(t, err)
			completed(t, tasks, 1)
			reqs = f.scim.Take()
			require.Len(t, reqs, 1)
			assert.Equal(t, "PATCH /Users/"+id, reqs[0].Line())
			assert.JSONEq(t, patch(true), reqs[0].Body)
		})
	}

	t.Run("unassign and reassign", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{})
		id := f.provisioned(f.ada)
		tasks, err := f.eng.UnassignUser(f.ctx, f.app.ID, f.ada.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 1)
		assert.Equal(t, "PATCH /Users/"+id, reqs[0].Line())
		assert.JSONEq(t, patch(false), reqs[0].Body)
		_, err = f.dir.LinkFor(f.ctx, f.app.ID, f.ada.ID)
		assert.ErrorIs(t, err, directory.ErrNotFound, "Okta forgets an unassigned user")

		// Re-assigning finds the user by userName and reactivates it with
		// the profile PUT: no duplicate.
		tasks, err = f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		assert.Equal(t, []string{"GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100", "PUT /Users/" + id}, f.lines())
		assert.Equal(t, true, f.scim.User(id)["active"])
	})

	t.Run("custom app: GET then PUT", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{mode: directory.ModeCustom})
		id := f.provisioned(f.ada)
		_, tasks, err := f.eng.SetStatus(f.ctx, f.ada.ID, directory.StatusDeprovisioned)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.Equal(t, "GET /Users/"+id, reqs[0].Line())
		assert.Equal(t, "PUT /Users/"+id, reqs[1].Line())
		var body map[string]any
		require.NoError(t, json.Unmarshal([]byte(reqs[1].Body), &body))
		assert.Equal(t, false, body["active"])
		assert.Equal(t, "ada@acme.test", body["userName"])
	})

	t.Run("deactivate users off: nothing is sent", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{noDeactivate: true})
		f.provisioned(f.ada)
		tasks, err := f.eng.UnassignUser(f.ctx, f.app.ID, f.ada.ID)
		require.NoError(t, err)
		assert.Empty(t, tasks)
		assert.Empty(t, f.lines())
	})

	t.Run("delete after deactivation sends nothing", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{})
		f.provisioned(f.ada)
		_, _, err := f.eng.SetStatus(f.ctx, f.ada.ID, directory.StatusDeprovisioned)
		require.NoError(t, err)
		f.scim.Take()
		tasks, err := f.eng.DeleteUser(f.ctx, f.ada.ID)
		require.NoError(t, err)
		assert.Empty(t, tasks)
		assert.Empty(t, f.lines(), "Okta never sends DELETE /Users")
	})
}

func TestPasswordSync(t *testing.T) {
	t.Parallel()
	t.Run("template: path-less PATCH", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{syncPassword: true})
		id := f.provisioned(f.ada)
		_, tasks, err := f.eng.UpdateUser(f.ctx, f.ada.ID, provision.ProfileUpdate{Password: ptr("New-pw-2024")})
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 1)
		assert.Equal(t, "PATCH /Users/"+id, reqs[0].Line())
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"replace","value":{"password":"New-pw-2024"}}]}`, reqs[0].Body)
	})
	t.Run("custom: PUT with password", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{syncPassword: true, mode: directory.ModeCustom})
		id := f.provisioned(f.ada)
		_, tasks, err := f.eng.UpdateUser(f.ctx, f.ada.ID, provision.ProfileUpdate{Password: ptr("New-pw-2024")})
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.Equal(t, "GET /Users/"+id, reqs[0].Line())
		assert.Equal(t, "PUT /Users/"+id, reqs[1].Line())
		var body map[string]any
		require.NoError(t, json.Unmarshal([]byte(reqs[1].Body), &body))
		assert.Equal(t, "New-pw-2024", body["password"])
		assert.Equal(t, true, body["active"])
	})
	t.Run("sync off: nothing", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{})
		f.provisioned(f.ada)
		_, tasks, err := f.eng.UpdateUser(f.ctx, f.ada.ID, provision.ProfileUpdate{Password: ptr("New-pw-2024")})
		require.NoError(t, err)
		assert.Empty(t, tasks)
		assert.Empty(t, f.lines())
	})
}

// groupFixture has ada and bob provisioned and a group "Engineering" with
// both as members, plus carol who is in the group but not assigned.
func groupFixture(t *testing.T, s setup) (*fixture, directory.Group, directory.User, map[string]string) {
	f := newFixture(t, s)
	ids := map[string]string{f.ada.ID: f.provisioned(f.ada), f.bob.ID: f.provisioned(f.bob)}
	carol, err := f.eng.CreateUser(f.ctx, provision.NewUser{NewUser: directory.NewUser{Login: "carol@acme.test", FirstName: "Carol", LastName: "Shaw"}})
	require.NoError(t, err)
	g, err := f.eng.CreateGroup(f.ctx, directory.NewGroup{Name: "Engineering"})
	require.NoError(t, err)
	for _, u := range []directory.User{f.ada, f.bob, carol} {
		tasks, err := f.eng.AddGroupMember(f.ctx, g.ID, u.ID)
		require.NoError(t, err)
		assert.Empty(t, tasks, "the group is not pushed yet")
	}
	assert.Empty(t, f.lines())
	return f, g, carol, ids
}

func TestGroupPush(t *testing.T) {
	t.Parallel()
	const rename = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"%G%","displayName":"%N%"}}]}`
	renameBody := func(id, name string) string {
		return strings.ReplaceAll(strings.ReplaceAll(rename, "%G%", id), "%N%", name)
	}

	f, g, carol, ids := groupFixture(t, setup{})
	m, tasks, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
	require.NoError(t, err)
	completed(t, tasks, 1)
	reqs := f.scim.Take()
	require.Len(t, reqs, 4)
	assert.Equal(t, "GET /Groups?filter=displayName%20eq%20%22Engineering%22&startIndex=1&count=100", reqs[0].Line())
	assert.Equal(t, "POST /Groups", reqs[1].Line())
	assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[]}`, reqs[1].Body)
	m, err = f.dir.PushMappingByID(f.ctx, m.ID)
	require.NoError(t, err)
	gid := m.TargetID
	require.NotEmpty(t, gid)
	assert.Equal(t, "PATCH /Groups/"+gid, reqs[2].Line())
	assert.JSONEq(t, renameBody(gid, "Engineering"), reqs[2].Body)
	assert.Equal(t, "PATCH /Groups/"+gid, reqs[3].Line())
	// Only members assigned to the app are pushed (not carol); no type.
	assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[
		{"value":"`+ids[f.ada.ID]+`","display":"ada@acme.test"},{"value":"`+ids[f.bob.ID]+`","display":"bob@acme.test"}]}]}`, reqs[3].Body)
	for _, r := range reqs {
		assertOktaHeaders(t, r, f.scim.Token)
	}
	assert.Equal(t, directory.PushActive, m.Status)

	t.Run("remove a member", func(t *testing.T) {
		tasks, err := f.eng.RemoveGroupMember(f.ctx, g.ID, f.bob.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.JSONEq(t, renameBody(gid, "Engineering"), reqs[0].Body, "the name is sent again with every membership update")
		assert.Equal(t, "PATCH /Groups/"+gid, reqs[1].Line())
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations":[{"op":"remove","path":"members[value eq \"`+ids[f.bob.ID]+`\"]"}]}`, reqs[1].Body)
	})
	t.Run("add a member", func(t *testing.T) {
		tasks, err := f.eng.AddGroupMember(f.ctx, g.ID, f.bob.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.JSONEq(t, renameBody(gid, "Engineering"), reqs[0].Body)
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members",
			"value":[{"value":"`+ids[f.bob.ID]+`","display":"bob@acme.test"}]}]}`, reqs[1].Body)
	})
	t.Run("a member who is not assigned is not pushed", func(t *testing.T) {
		tasks, err := f.eng.RemoveGroupMember(f.ctx, g.ID, carol.ID)
		require.NoError(t, err)
		assert.Empty(t, tasks)
		tasks, err = f.eng.AddGroupMember(f.ctx, g.ID, carol.ID)
		require.NoError(t, err)
		assert.Empty(t, tasks)
		assert.Empty(t, f.lines())
	})
	t.Run("rename", func(t *testing.T) {
		_, tasks, err := f.eng.UpdateGroup(f.ctx, g.ID, directory.GroupUpdate{Name: ptr("Platform")})
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 1)
		assert.Equal(t, "PATCH /Groups/"+gid, reqs[0].Line())
		assert.JSONEq(t, renameBody(gid, "Platform"), reqs[0].Body)
		assert.Equal(t, "Platform", f.scim.Group(gid)["displayName"])
	})
	t.Run("push now replaces the membership", func(t *testing.T) {
		tasks, err := f.eng.PushGroupNow(f.ctx, m.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.JSONEq(t, renameBody(gid, "Platform"), reqs[0].Body)
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[
			{"value":"`+ids[f.ada.ID]+`","display":"ada@acme.test"},{"value":"`+ids[f.bob.ID]+`","display":"bob@acme.test"}]}]}`, reqs[1].Body)
	})
	t.Run("an unassigned member leaves the group before being deactivated", func(t *testing.T) {
		tasks, err := f.eng.UnassignUser(f.ctx, f.app.ID, f.bob.ID)
		require.NoError(t, err)
		completed(t, tasks, 2)
		assert.Equal(t, []string{"PATCH /Groups/" + gid, "PATCH /Groups/" + gid, "PATCH /Users/" + ids[f.bob.ID]}, f.lines())
	})
	t.Run("emptying the group", func(t *testing.T) {
		tasks, err := f.eng.RemoveGroupMember(f.ctx, g.ID, f.ada.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		f.scim.Take()
		tasks, err = f.eng.PushGroupNow(f.ctx, m.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[]}]}`, reqs[1].Body)
	})
	t.Run("a pushed group cannot be deleted in Okta", func(t *testing.T) {
		_, err := f.eng.DeleteGroup(f.ctx, g.ID)
		assert.ErrorIs(t, err, directory.ErrConflict)
	})
	t.Run("unlink and delete in the app", func(t *testing.T) {
		tasks, err := f.eng.UnlinkPushedGroup(f.ctx, m.ID, true)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 1)
		assert.Equal(t, "DELETE /Groups/"+gid, reqs[0].Line())
		assert.Empty(t, reqs[0].Body)
		assertOktaHeaders(t, reqs[0], f.scim.Token)
		assert.Nil(t, f.scim.Group(gid))
		_, err = f.dir.PushMappingByID(f.ctx, m.ID)
		assert.ErrorIs(t, err, directory.ErrNotFound)
	})
}

func TestGroupPushVariants(t *testing.T) {
	t.Parallel()
	t.Run("unlink and leave the group sends nothing", func(t *testing.T) {
		t.Parallel()
		f, g, _, _ := groupFixture(t, setup{})
		m, _, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
		require.NoError(t, err)
		f.scim.Take()
		tasks, err := f.eng.UnlinkPushedGroup(f.ctx, m.ID, false)
		require.NoError(t, err)
		assert.Empty(t, tasks)
		assert.Empty(t, f.lines())
	})
	t.Run("an existing group is linked and gets the full membership", func(t *testing.T) {
		t.Parallel()
		f, g, _, ids := groupFixture(t, setup{})
		gid := f.scim.AddGroup("Engineering")
		_, tasks, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 3)
		assert.Equal(t, "GET /Groups?filter=displayName%20eq%20%22Engineering%22&startIndex=1&count=100", reqs[0].Line())
		assert.Equal(t, "PATCH /Groups/"+gid, reqs[1].Line())
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[
			{"value":"`+ids[f.ada.ID]+`","display":"ada@acme.test"},{"value":"`+ids[f.bob.ID]+`","display":"bob@acme.test"}]}]}`, reqs[2].Body)
	})
	t.Run("an empty group is created and nothing more", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{})
		g, err := f.eng.CreateGroup(f.ctx, directory.NewGroup{Name: `R&D "core"`})
		require.NoError(t, err)
		_, tasks, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs := f.scim.Take()
		require.Len(t, reqs, 2)
		assert.Equal(t, `filter=displayName eq "R&D \"core\""&startIndex=1&count=100`, scimtest.Query(reqs[0].Query))
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"R&D \"core\"","members":[]}`, reqs[1].Body)
		assert.Contains(t, reqs[1].Body, `R&D`, "no HTML escaping")
	})
	t.Run("custom app: one PUT of the whole group", func(t *testing.T) {
		t.Parallel()
		f, g, _, ids := groupFixture(t, setup{mode: directory.ModeCustom})
		m, tasks, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
		require.NoError(t, err)
		completed(t, tasks, 1)
		m, err = f.dir.PushMappingByID(f.ctx, m.ID)
		require.NoError(t, err)
		reqs := f.scim.Take()
		require.Len(t, reqs, 3)
		assert.Equal(t, "PUT /Groups/"+m.TargetID, reqs[2].Line())
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[
			{"value":"`+ids[f.ada.ID]+`","display":"ada@acme.test"},{"value":"`+ids[f.bob.ID]+`","display":"bob@acme.test"}]}`, reqs[2].Body)
		tasks, err = f.eng.RemoveGroupMember(f.ctx, g.ID, f.ada.ID)
		require.NoError(t, err)
		completed(t, tasks, 1)
		reqs = f.scim.Take()
		require.Len(t, reqs, 1)
		assert.JSONEq(t, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Engineering","members":[
			{"value":"`+ids[f.bob.ID]+`","display":"bob@acme.test"}]}`, reqs[0].Body)
	})
	t.Run("assigning a group provisions its members, then pushes them", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, setup{})
		g, err := f.eng.CreateGroup(f.ctx, directory.NewGroup{Name: "Ops"})
		require.NoError(t, err)
		_, err = f.eng.AddGroupMember(f.ctx, g.ID, f.ada.ID)
		require.NoError(t, err)
		_, tasks, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
		require.NoError(t, err)
		completed(t, tasks, 1)
		assert.Equal(t, []string{"GET /Groups?filter=displayName%20eq%20%22Ops%22&startIndex=1&count=100", "POST /Groups"}, f.lines(),
			"ada is not assigned yet: the group is pushed empty")
		tasks, err = f.eng.AssignGroup(f.ctx, f.app.ID, g.ID, 0)
		require.NoError(t, err)
		completed(t, tasks, 2)
		assert.Equal(t, provision.ActionCreateUser, tasks[0].Action)
		assert.Equal(t, provision.ActionSyncGroup, tasks[1].Action)
		lines := f.lines()
		require.Len(t, lines, 4)
		assert.Equal(t, "POST /Users", lines[1])
		au, err := f.dir.AppUser(f.ctx, f.app.ID, f.ada.ID)
		require.NoError(t, err)
		assert.Equal(t, directory.ScopeGroup, au.Scope)

		// Unassigning the group deactivates the member (after leaving the
		// pushed group).
		tasks, err = f.eng.UnassignGroup(f.ctx, f.app.ID, g.ID)
		require.NoError(t, err)
		completed(t, tasks, 2)
		assert.Equal(t, provision.ActionSyncGroup, tasks[0].Action)
		assert.Equal(t, provision.ActionDeactivateUser, tasks[1].Action)
	})
}

func TestFailuresAndRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fail   func(e scimtest.Exchange) (int, string, bool)
		delay  time.Duration
		reason string
	}{
		{"401", func(e scimtest.Exchange) (int, string, bool) {
			return 401, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Token expired","status":"401"}`, true
		}, 0, "Automatic provisioning of user Ada Lovelace to app Reference SP failed: Error while trying to find user ada@acme.test: Unauthorized. Errors reported by remote server: Token expired"},
		{"409 on create", func(e scimtest.Exchange) (int, string, bool) {
			return 409, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"User already exists in the database.","status":"409","scimType":"uniqueness"}`, e.Method == http.MethodPost
		}, 0, "Automatic provisioning of user Ada Lovelace to app Reference SP failed: Error while creating user Ada Lovelace: Conflict. Errors reported by remote server: User already exists in the database."},
		{"500 with a plain-text body", func(e scimtest.Exchange) (int, string, bool) {
			return 500, "boom", e.Method == http.MethodPost
		}, 0, "Error while creating user Ada Lovelace: Internal Server Error. Errors reported by remote server: boom"},
		{"timeout", nil, 2 * time.Second, "Error while trying to find user ada@acme.test: Read timed out"},
		{"garbage body", func(e scimtest.Exchange) (int, string, bool) {
			return 201, "<html>not json</html>", e.Method == http.MethodPost
		}, 0, "Error while creating user Ada Lovelace: Unable to parse the user returned by the remote server"},
		{"no id", func(e scimtest.Exchange) (int, string, bool) {
			return 201, `{"userName":"ada@acme.test"}`, e.Method == http.MethodPost
		}, 0, "Error while creating user Ada Lovelace: The user returned by the remote server has no id."},
		{"empty body", func(e scimtest.Exchange) (int, string, bool) {
			return 201, ``, e.Method == http.MethodPost
		}, 0, "Error while creating user Ada Lovelace: Create new user returned empty user."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, setup{timeout: time.Second})
			f.scim.SetFail(tt.fail)
			f.scim.SetDelay(tt.delay)
			tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
			require.NoError(t, err, "the assignment is made; the task fails")
			require.Len(t, tasks, 1)
			assert.Equal(t, directory.TaskFailed, tasks[0].Status)
			assert.Contains(t, tasks[0].Reason, tt.reason)
			assert.Equal(t, 1, tasks[0].Attempts)
			_, err = f.dir.LinkFor(f.ctx, f.app.ID, f.ada.ID)
			assert.ErrorIs(t, err, directory.ErrNotFound)

			failed, err := f.eng.Tasks(f.ctx, directory.TaskFilter{Status: directory.TaskFailed})
			require.NoError(t, err)
			require.Len(t, failed, 1)

			// The server is fixed; the retry succeeds.
			f.scim.SetFail(nil)
			f.scim.SetDelay(0)
			task, err := f.eng.RetryTask(f.ctx, tasks[0].ID)
			require.NoError(t, err)
			assert.Equal(t, directory.TaskCompleted, task.Status, task.Reason)
			assert.Empty(t, task.Reason)
			assert.Equal(t, 2, task.Attempts)
			l, err := f.dir.LinkFor(f.ctx, f.app.ID, f.ada.ID)
			require.NoError(t, err)
			assert.NotEmpty(t, l.ExternalID)

			_, err = f.eng.RetryTask(f.ctx, tasks[0].ID)
			assert.ErrorIs(t, err, directory.ErrInvalid, "only failed tasks are retried")
		})
	}

	t.Run("a failed group push marks the mapping and retries without a duplicate", func(t *testing.T) {
		t.Parallel()
		f, g, _, _ := groupFixture(t, setup{})
		f.scim.SetFail(func(e scimtest.Exchange) (int, string, bool) {
			return 500, `{"detail":"db down"}`, e.Method == http.MethodPatch
		})
		m, tasks, err := f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
		require.NoError(t, err)
		require.Len(t, tasks, 1)
		assert.Equal(t, directory.TaskFailed, tasks[0].Status)
		assert.Contains(t, tasks[0].Reason, "Group push of Engineering to app Reference SP failed: Error while updating group Engineering: Internal Server Error. Errors reported by remote server: db down")
		m, err = f.dir.PushMappingByID(f.ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, directory.PushError, m.Status)
		assert.Equal(t, tasks[0].Reason, m.ErrorSummary)
		f.scim.Take()

		f.scim.SetFail(nil)
		task, err := f.eng.RetryTask(f.ctx, tasks[0].ID)
		require.NoError(t, err)
		assert.Equal(t, directory.TaskCompleted, task.Status)
		lines := f.lines()
		assert.Equal(t, []string{"PATCH /Groups/" + m.TargetID, "PATCH /Groups/" + m.TargetID}, lines, "no second POST")
		m, err = f.dir.PushMappingByID(f.ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, directory.PushActive, m.Status)
		assert.Empty(t, m.ErrorSummary)
	})
}

func TestRequestLogRedactsSecrets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, setup{syncPassword: true})
	f.provisioned(f.ada)
	reqs, err := f.eng.Requests(f.ctx, directory.RequestFilter{AppID: f.app.ID})
	require.NoError(t, err)
	require.Len(t, reqs, 4, "the connector test and the create")
	for _, r := range reqs {
		assert.Equal(t, provision.RedactedToken, r.RequestHeaders.Get("Authorization"))
		raw, err := json.Marshal(r)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), f.scim.Token)
		assert.NotContains(t, string(raw), adaPassword)
		assert.Equal(t, "Okta SCIM Client 1.0.0", r.RequestHeaders.Get("User-Agent"))
		assert.NotZero(t, r.Status)
	}
	post := reqs[3]
	assert.Equal(t, http.MethodPost, post.Method)
	assert.Equal(t, f.scim.URL()+"/Users", post.URL)
	assert.Contains(t, post.RequestBody, `"password":"[REDACTED]"`)
	assert.Contains(t, post.ResponseBody, `"id":"u-1"`)
	assert.Equal(t, 201, post.Status)
	assert.NotEmpty(t, post.TaskID)
	assert.Empty(t, reqs[0].TaskID, "the connector test is not a task")

	byTask, err := f.eng.Requests(f.ctx, directory.RequestFilter{TaskID: post.TaskID})
	require.NoError(t, err)
	assert.Len(t, byTask, 2)
	last, err := f.eng.Requests(f.ctx, directory.RequestFilter{Limit: 1})
	require.NoError(t, err)
	require.Len(t, last, 1)
	assert.Equal(t, post.ID, last[0].ID)
}

func TestAsyncRunsInTheBackground(t *testing.T) {
	t.Parallel()
	f := newFixture(t, setup{async: true})
	tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	require.NoError(t, f.eng.Wait(f.ctx))
	task, err := f.dir.TaskByID(f.ctx, tasks[0].ID)
	require.NoError(t, err)
	assert.Equal(t, directory.TaskCompleted, task.Status)
	assert.Len(t, f.lines(), 2)
}

func TestProvisioningOffSendsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, setup{noCreate: true})
	tasks, err := f.eng.AssignUser(f.ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks, "Create Users is off")
	_, err = f.eng.ConfigureProvisioning(f.ctx, f.app.ID, provision.SettingsInput{Enabled: ptr(false)})
	require.NoError(t, err)
	tasks, err = f.eng.AssignUser(f.ctx, f.app.ID, f.bob.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)
	g, err := f.eng.CreateGroup(f.ctx, directory.NewGroup{Name: "Ops"})
	require.NoError(t, err)
	_, _, err = f.eng.PushGroup(f.ctx, f.app.ID, g.ID, "")
	assert.ErrorIs(t, err, provision.ErrDisabled)
	assert.Empty(t, f.lines())
}
