package oktaremote_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/oktaremote"
	"github.com/ssoharness/ssoharness/steps/target"
)

const apiToken = "00oktaremote-test-token"

// appKey is every test app's signing key: generating one per app would be
// most of the tests' time, and nothing here tells apps apart by key.
var appKey = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// fixture is a fake Okta on httptest, driven both ways: okta is the Server
// (the truth to compare with), client the HTTP API under test.
type fixture struct {
	okta   *idpsim.Server
	http   *httptest.Server
	client *oktaremote.Client
	scim   *scimServer
}

func newFixture(t *testing.T, async bool) *fixture {
	t.Helper()
	ctx := context.Background()
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(nil)
	srv, err := idpsim.New(idpsim.Config{
		BaseURL: "http://" + hs.Listener.Addr().String(), Directory: dir, APIToken: apiToken,
		AsyncProvisioning: async, NewKey: appKey,
	})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	scim := newSCIMServer(t)
	// Cleanups run last first: background provisioning ends before the
	// servers and the directory go.
	t.Cleanup(func() { dir.Close() })
	t.Cleanup(hs.Close)
	t.Cleanup(func() { _ = srv.WaitForProvisioning(context.Background()) })
	client, err := oktaremote.New(srv.BaseURL(), apiToken, hs.Client())
	require.NoError(t, err)
	return &fixture{okta: srv, http: hs, client: client, scim: scim}
}

// provisionedApp adds a catalog app whose provisioning reaches the
// recording SCIM server, with every "To App" feature on.
func (f *fixture) provisionedApp(t *testing.T) idpsim.App {
	t.Helper()
	ctx := context.Background()
	app, err := f.client.CreateCatalogApp(ctx, idpsim.CatalogAppInput{SPBaseURL: "http://sp.test", IntegrationID: "int-1"})
	require.NoError(t, err)
	require.NoError(t, f.client.ConfigureProvisioning(ctx, app.ID, idpsim.ProvisioningSettings{
		Enabled: true, BaseURL: f.scim.URL + "/scim/v2", Token: f.scim.token, UsernameFormat: "EMAIL",
		CreateUsers: true, UpdateUsers: true, DeactivateUsers: true, SyncPassword: true,
	}))
	f.scim.take()
	return app
}

func (f *fixture) user(t *testing.T, login string) idpsim.User {
	t.Helper()
	u, err := f.client.CreateUser(context.Background(), idpsim.UserInput{Login: login, FirstName: "Ada", LastName: "Lovelace", Password: "Okta-test-1"})
	require.NoError(t, err)
	return u
}

// asJSON compares values as the API carries them: times in one zone.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, url, token, wantErr string
	}{
		{"base URL", "http://127.0.0.1:8081", "00x", ""},
		{"trailing slash", "http://127.0.0.1:8081/", "00x", ""},
		{"not a URL", "127.0.0.1:8081", "00x", "not an absolute http(s) URL"},
		{"a path", "http://127.0.0.1:8081/okta", "00x", "must have no path"},
		{"no token", "http://127.0.0.1:8081", " ", "API token is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := oktaremote.New(tt.url, tt.token, nil)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "http://127.0.0.1:8081", c.BaseURL())
			assert.Equal(t, "http://127.0.0.1:8081/app/UserHome", c.DashboardURL())
			assert.Equal(t, "http://127.0.0.1:8081/login/login.htm", c.SignInURL())
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()
	require.NoError(t, f.client.Check(ctx))
	assert.Equal(t, f.okta.DashboardURL(), f.client.DashboardURL())
	assert.Equal(t, f.okta.SignInURL(), f.client.SignInURL())

	wrong, err := oktaremote.New(f.okta.BaseURL(), "00wrong", f.http.Client())
	require.NoError(t, err)
	err = wrong.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Invalid token provided")

	// The same server by another name: its apps' URLs would send browsers
	// to a host where they have no session.
	other := strings.Replace(f.okta.BaseURL(), "127.0.0.1", "localhost", 1)
	byName, err := oktaremote.New(other, apiToken, f.http.Client())
	require.NoError(t, err)
	err = byName.Check(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "calls itself "+f.okta.BaseURL())
}

// TestMethods drives every method over HTTP, one after the other on one
// org, and checks each against the Server's own view and the SCIM requests
// that reached the app.
func TestMethods(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()
	c := f.client
	var (
		app     idpsim.App
		ada     idpsim.User
		group   idpsim.Group
		mapping idpsim.PushMapping
	)
	steps := []struct {
		name string
		run  func(t *testing.T)
		scim []string // the SCIM requests the step sends, "METHOD /path"
	}{
		{"CreateCatalogApp", func(t *testing.T) {
			var err error
			app, err = c.CreateCatalogApp(ctx, idpsim.CatalogAppInput{SPBaseURL: "http://sp.test", IntegrationID: "int-1", DefaultRelayState: "/home"})
			require.NoError(t, err)
			want, err := f.okta.GetApp(ctx, app.ID)
			require.NoError(t, err)
			assert.Equal(t, want, app)
			assert.Equal(t, "emailAddress", app.NameIDFormat)
		}, nil},
		{"ConfigureProvisioning", func(t *testing.T) {
			require.NoError(t, c.ConfigureProvisioning(ctx, app.ID, idpsim.ProvisioningSettings{
				Enabled: true, BaseURL: f.scim.URL + "/scim/v2", Token: f.scim.token, UsernameFormat: "EMAIL",
				CreateUsers: true, UpdateUsers: true, DeactivateUsers: true, SyncPassword: true, Mode: "custom",
			}))
			p, err := f.okta.Provisioning(ctx, app.ID)
			require.NoError(t, err)
			assert.True(t, p.Enabled && p.CreateUsers && p.UpdateUsers && p.DeactivateUsers && p.SyncPassword)
			assert.Equal(t, directory.UsernameEmail, p.UsernameFormat)
			assert.Equal(t, directory.ModeCustom, p.Mode)
			// Back to an OIN app, keeping the saved token ("" keeps it).
			require.NoError(t, c.ConfigureProvisioning(ctx, app.ID, idpsim.ProvisioningSettings{
				Enabled: true, BaseURL: f.scim.URL + "/scim/v2", UsernameFormat: "EMAIL",
				CreateUsers: true, UpdateUsers: true, DeactivateUsers: true, SyncPassword: true,
			}))
			p, err = f.okta.Provisioning(ctx, app.ID)
			require.NoError(t, err)
			assert.Equal(t, directory.ModeTemplate, p.Mode)
		}, []string{"GET /Users", "GET /Groups"}},
		{"CreateUser", func(t *testing.T) {
			ada = f.user(t, "ada@acme.test")
			want, err := f.okta.FindUserByLogin(ctx, "ada@acme.test")
			require.NoError(t, err)
			assert.Equal(t, asJSON(t, want), asJSON(t, ada))
			assert.Equal(t, directory.StatusActive, ada.Status)
		}, nil},
		{"Assign", func(t *testing.T) {
			require.NoError(t, c.Assign(ctx, app.ID, ada.ID))
		}, []string{"GET /Users", "POST /Users"}},
		{"UpdateUserProfile", func(t *testing.T) {
			last := "Byron"
			u, tasks, err := c.UpdateUserProfile(ctx, ada.ID, idpsim.ProfileUpdate{LastName: &last, Attributes: map[string]string{"displayName": "Countess"}})
			require.NoError(t, err)
			assert.Equal(t, "Byron", u.LastName)
			require.Len(t, tasks, 1)
			assert.Equal(t, "user.update", tasks[0].Action)
			assert.Equal(t, directory.TaskCompleted, tasks[0].Status)
		}, []string{"GET /Users/u-1", "PUT /Users/u-1"}},
		{"UpdateUserProfile replacing the attributes", func(t *testing.T) {
			u, tasks, err := c.UpdateUserProfile(ctx, ada.ID, idpsim.ProfileUpdate{ReplaceAttributes: true, Attributes: map[string]string{"locale": "fr_FR"}})
			require.NoError(t, err)
			assert.Equal(t, "Byron", u.LastName, "the core profile is kept")
			require.Len(t, tasks, 1)
			extras, err := f.okta.Directory().ProfileExtras(ctx, ada.ID)
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"locale": "fr_FR"}, extras)
		}, []string{"GET /Users/u-1", "PUT /Users/u-1"}},
		{"SetPassword", func(t *testing.T) {
			tasks, err := c.SetPassword(ctx, ada.ID, "Okta-test-2")
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			assert.Equal(t, "user.password", tasks[0].Action)
			_, err = c.SetPassword(ctx, ada.ID, "")
			assert.ErrorIs(t, err, directory.ErrInvalid)
		}, []string{"PATCH /Users/u-1"}},
		{"Suspend", func(t *testing.T) { lifecycle(t, f, c.Suspend, ada.ID, directory.StatusSuspended) }, []string{"PATCH /Users/u-1"}},
		{"Unsuspend", func(t *testing.T) { lifecycle(t, f, c.Unsuspend, ada.ID, directory.StatusActive) }, []string{"PATCH /Users/u-1"}},
		{"Deactivate", func(t *testing.T) { lifecycle(t, f, c.Deactivate, ada.ID, directory.StatusDeprovisioned) }, []string{"PATCH /Users/u-1"}},
		{"Reactivate", func(t *testing.T) { lifecycle(t, f, c.Reactivate, ada.ID, directory.StatusActive) }, []string{"PATCH /Users/u-1"}},
		{"CreateGroup", func(t *testing.T) {
			var err error
			group, err = c.CreateGroup(ctx, "Engineering", "Builds things")
			require.NoError(t, err)
			want, err := f.okta.FindGroupByName(ctx, "Engineering")
			require.NoError(t, err)
			assert.Equal(t, asJSON(t, want), asJSON(t, group))
		}, nil},
		{"FindGroupByName", func(t *testing.T) {
			_, err := c.CreateGroup(ctx, "Engineering Managers", "")
			require.NoError(t, err)
			g, err := c.FindGroupByName(ctx, "engineering")
			require.NoError(t, err)
			assert.Equal(t, group.ID, g.ID, "the exact name, case-insensitively, not a prefix")
			_, err = c.FindGroupByName(ctx, "Sales")
			assert.ErrorIs(t, err, idpsim.ErrNotFound)
		}, nil},
		{"AddGroupMember", func(t *testing.T) {
			tasks, err := c.AddGroupMember(ctx, group.ID, ada.ID)
			require.NoError(t, err)
			assert.Empty(t, tasks, "the group is neither pushed nor assigned")
			members, err := f.okta.GroupMembers(ctx, group.ID)
			require.NoError(t, err)
			require.Len(t, members, 1)
			assert.Equal(t, ada.ID, members[0].ID)
		}, nil},
		{"PushGroup", func(t *testing.T) {
			var tasks []idpsim.Task
			var err error
			mapping, tasks, err = c.PushGroup(ctx, app.ID, group.ID)
			require.NoError(t, err)
			require.NotEmpty(t, tasks)
			want, err := f.okta.PushMapping(ctx, app.ID, group.ID)
			require.NoError(t, err)
			want.TargetName = "" // the API does not show it
			assert.Equal(t, asJSON(t, want), asJSON(t, mapping))
			assert.Equal(t, "g-2", mapping.TargetID)
		}, []string{"GET /Groups", "POST /Groups", "PATCH /Groups/g-2", "PATCH /Groups/g-2"}},
		{"RemoveGroupMember", func(t *testing.T) {
			tasks, err := c.RemoveGroupMember(ctx, group.ID, ada.ID)
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			assert.Equal(t, "group.sync", tasks[0].Action)
		}, []string{"PATCH /Groups/g-2", "PATCH /Groups/g-2"}},
		{"AddGroupMember to a pushed group", func(t *testing.T) {
			tasks, err := c.AddGroupMember(ctx, group.ID, ada.ID)
			require.NoError(t, err)
			require.Len(t, tasks, 1)
		}, []string{"PATCH /Groups/g-2", "PATCH /Groups/g-2"}},
		{"RenameGroup", func(t *testing.T) {
			tasks, err := c.RenameGroup(ctx, group.ID, "Platform")
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			g, err := f.okta.FindGroupByName(ctx, "Platform")
			require.NoError(t, err)
			assert.Equal(t, "Builds things", g.Description, "the description is kept")
		}, []string{"PATCH /Groups/g-2"}},
		{"PushGroupNow", func(t *testing.T) {
			tasks, err := c.PushGroupNow(ctx, app.ID, group.ID)
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			assert.Equal(t, "group.pushNow", tasks[0].Action)
		}, []string{"PATCH /Groups/g-2", "PATCH /Groups/g-2"}},
		{"UnlinkPushedGroup", func(t *testing.T) {
			tasks, err := c.UnlinkPushedGroup(ctx, app.ID, group.ID, true)
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			assert.Equal(t, "group.delete", tasks[0].Action)
			_, err = f.okta.PushMapping(ctx, app.ID, group.ID)
			assert.ErrorIs(t, err, idpsim.ErrNotFound)
			_, err = c.PushGroupNow(ctx, app.ID, group.ID)
			assert.ErrorIs(t, err, idpsim.ErrNotFound)
		}, []string{"DELETE /Groups/g-2"}},
		{"UnlinkPushedGroup leaving the group", func(t *testing.T) {
			support, err := c.CreateGroup(ctx, "Support", "")
			require.NoError(t, err)
			_, _, err = c.PushGroup(ctx, app.ID, support.ID)
			require.NoError(t, err)
			f.scim.take()
			tasks, err := c.UnlinkPushedGroup(ctx, app.ID, support.ID, false)
			require.NoError(t, err)
			assert.Empty(t, tasks)
			_, err = f.okta.PushMapping(ctx, app.ID, support.ID)
			assert.ErrorIs(t, err, idpsim.ErrNotFound)
		}, nil},
		{"UnassignUser", func(t *testing.T) {
			tasks, err := c.UnassignUser(ctx, app.ID, ada.ID)
			require.NoError(t, err)
			require.Len(t, tasks, 1)
			assert.Equal(t, "user.deactivate", tasks[0].Action)
		}, []string{"PATCH /Users/u-1"}},
		{"Tasks", func(t *testing.T) {
			for _, filter := range []idpsim.TaskFilter{{AppID: app.ID}, {UserID: ada.ID, Limit: 2}, {GroupID: group.ID, Status: directory.TaskCompleted}} {
				got, err := c.Tasks(ctx, filter)
				require.NoError(t, err)
				want, err := f.okta.Tasks(ctx, filter)
				require.NoError(t, err)
				require.NotEmpty(t, want)
				assert.Equal(t, asJSON(t, want), asJSON(t, got), "%+v", filter)
			}
		}, nil},
		{"Requests", func(t *testing.T) {
			all, err := f.okta.Requests(ctx, idpsim.RequestFilter{AppID: app.ID})
			require.NoError(t, err)
			require.Greater(t, len(all), 3)
			for _, filter := range []idpsim.RequestFilter{{AppID: app.ID}, {AppID: app.ID, Limit: 1}, {AfterID: all[2].ID}, {TaskID: all[3].TaskID}} {
				got, err := c.Requests(ctx, filter)
				require.NoError(t, err)
				want, err := f.okta.Requests(ctx, filter)
				require.NoError(t, err)
				require.NotEmpty(t, want)
				assert.Equal(t, asJSON(t, want), asJSON(t, got), "%+v", filter)
			}
		}, nil},
		{"SetFault and LastResponse", func(t *testing.T) {
			_, ok, err := c.LastResponse(ctx, app.ID)
			require.NoError(t, err)
			assert.False(t, ok, "no response sent yet")
			require.NoError(t, c.Assign(ctx, app.ID, ada.ID))
			require.NoError(t, c.SetFault(ctx, app.ID, idpsim.FaultWrongAudience))
			assert.Equal(t, []idpsim.FaultSetting{{AppID: app.ID, Fault: idpsim.FaultWrongAudience}}, f.okta.Faults())

			// Ada opens the app from Okta: the response is sent to the
			// app's ACS URL, with the fault.
			b := browser.New(nil)
			page, err := b.Get(ctx, app.EmbedLinkURL)
			require.NoError(t, err)
			form, ok := page.FormWithField("password")
			require.True(t, ok, "the sign-in page")
			page, err = b.Submit(ctx, form, map[string]string{"username": "ada@acme.test", "password": "Okta-test-2"})
			require.NoError(t, err)
			posted, ok := page.FormWithField("SAMLResponse")
			require.True(t, ok, "the auto-post form to the app")

			sent, ok, err := c.LastResponse(ctx, app.ID)
			require.NoError(t, err)
			require.True(t, ok)
			want, _ := f.okta.LastResponse(app.ID)
			assert.Equal(t, asJSON(t, want), asJSON(t, sent))
			assert.Equal(t, posted.Fields.Get("SAMLResponse"), sent.SAMLResponse)
			assert.Equal(t, []idpsim.Fault{idpsim.FaultWrongAudience}, sent.Faults)

			_, _, err = c.LastResponse(ctx, "0oanosuchapp00000000")
			assert.ErrorContains(t, err, "unknown app")
			assert.ErrorContains(t, c.SetFault(ctx, app.ID, "sunburn"), "sunburn")
		}, []string{"GET /Users", "PUT /Users/u-1"}},
		{"the clock is not moved", func(t *testing.T) {
			for _, err := range []error{c.SetTime(time.Now().AddDate(-11, 0, 0)), c.UseRealClock()} {
				assert.ErrorIs(t, err, target.ErrUnsupported)
				assert.ErrorIs(t, err, oktaremote.ErrClockShared)
				assert.Contains(t, err.Error(), "moving the fake Okta's clock (the fake Okta is shared: -okta)")
			}
			assert.Equal(t, idpsim.ClockReal, f.okta.ClockState().Mode)
		}, nil},
	}
	for _, s := range steps {
		// Each step builds on the ones before: they share the org.
		ok := t.Run(s.name, func(t *testing.T) {
			s.run(t)
			assert.Equal(t, s.scim, f.scim.take(), "SCIM requests")
		})
		if !ok {
			break
		}
	}
}

func lifecycle(t *testing.T, f *fixture, op func(context.Context, string) ([]idpsim.Task, error), userID string, want directory.UserStatus) {
	t.Helper()
	tasks, err := op(context.Background(), userID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskCompleted, tasks[0].Status)
	u, err := f.okta.Directory().UserByID(context.Background(), userID)
	require.NoError(t, err)
	assert.Equal(t, want, u.Status)
}

// TestWaitsForBackgroundProvisioning: a fake Okta that provisions in the
// background answers before the SCIM server is called; the Client returns
// only once it has been.
func TestWaitsForBackgroundProvisioning(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	ctx := context.Background()
	app := f.provisionedApp(t)
	f.scim.setDelay(200 * time.Millisecond)

	// The control: straight over the API, the change is answered while
	// its task is still QUEUED and nothing has reached the SCIM server.
	bob := f.user(t, "bob@acme.test")
	req, err := http.NewRequest(http.MethodPost, f.okta.BaseURL()+"/api/v1/apps/"+app.ID+"/users", strings.NewReader(`{"id": "`+bob.ID+`"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "SSWS "+apiToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := f.http.Client().Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	queued, err := f.okta.Tasks(ctx, idpsim.TaskFilter{UserID: bob.ID, Status: directory.TaskQueued})
	require.NoError(t, err)
	require.Len(t, queued, 1, "the API answered before provisioning")
	require.NoError(t, f.okta.WaitForProvisioning(ctx))
	f.scim.take()

	ada := f.user(t, "ada@acme.test")
	require.NoError(t, f.client.Assign(ctx, app.ID, ada.ID))
	assert.Equal(t, []string{"GET /Users", "POST /Users"}, f.scim.take(), "sent by the time Assign returned")
	tasks, err := f.okta.Tasks(ctx, idpsim.TaskFilter{UserID: ada.ID})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskCompleted, tasks[0].Status)

	tasks, err = f.client.Suspend(ctx, ada.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskCompleted, tasks[0].Status, "returned as it ended")
	assert.Equal(t, []string{"PATCH /Users/u-2"}, f.scim.take())
}

// TestWaitEndsWithTheContext: provisioning that does not finish holds the
// caller no longer than its context.
func TestWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	app := f.provisionedApp(t)
	release := make(chan struct{})
	f.scim.setHold(release)
	defer close(release) // before the fixture's cleanup waits for provisioning

	ada := f.user(t, "ada@acme.test")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := f.client.Assign(ctx, app.ID, ada.ID)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// TestWaitIsCapped: provisioning that does not finish holds the caller no
// longer than the cap (SettleTimeout), with an error naming the tasks.
func TestWaitIsCapped(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	app := f.provisionedApp(t)
	release := make(chan struct{})
	f.scim.setHold(release)
	defer close(release)
	oktaremote.SetSettleTimeout(f.client, 300*time.Millisecond)

	ada := f.user(t, "ada@acme.test")
	err := f.client.Assign(context.Background(), app.ID, ada.ID)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `provisioning tasks "Provision user ada@acme.test to Reference SP" were still QUEUED after 300ms`)
}

// TestAPIErrors: the fake Okta's refusals come back as errors that say
// what Okta said.
func TestAPIErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()
	f.user(t, "ada@acme.test")
	app, err := f.client.CreateCatalogApp(ctx, idpsim.CatalogAppInput{SPBaseURL: "http://sp.test", IntegrationID: "int-1"})
	require.NoError(t, err)
	for _, tt := range []struct {
		name     string
		call     func() error
		contains []string
		notFound bool
	}{
		{"duplicate login", func() error {
			_, err := f.client.CreateUser(ctx, idpsim.UserInput{Login: "ADA@acme.test", FirstName: "A", LastName: "L"})
			return err
		}, []string{"POST /api/v1/users", "Api validation failed: login", "An object with this field already exists", "E0000001"}, false},
		{"unknown app", func() error {
			return f.client.Assign(ctx, "0oanosuchapp00000000", "00unosuchuser0000000")
		}, []string{"Not found: Resource not found: 0oanosuchapp00000000 (App)", "404 E0000007"}, true},
		{"unknown user", func() error {
			_, err := f.client.Suspend(ctx, "00unosuchuser0000000")
			return err
		}, []string{"Resource not found: 00unosuchuser0000000 (User)"}, true},
		{"lifecycle not allowed", func() error {
			_, err := f.client.Reactivate(ctx, mustLogin(t, f, "ada@acme.test"))
			return err
		}, []string{"This operation is not allowed in the user's current status.", "Only a deactivated user can be reactivated"}, false},
		{"failed connector test", func() error {
			return f.client.ConfigureProvisioning(ctx, app.ID, idpsim.ProvisioningSettings{
				Enabled: true, BaseURL: f.scim.URL + "/scim/v2", Token: "not-the-token", CreateUsers: true})
		}, []string{"Api validation failed: provisioning", "Error authenticating"}, false},
		{"push without provisioning", func() error {
			g, err := f.client.CreateGroup(ctx, "Sales", "")
			require.NoError(t, err)
			_, _, err = f.client.PushGroup(ctx, app.ID, g.ID)
			return err
		}, []string{"Provisioning is not enabled for this app"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			require.Error(t, err)
			t.Log(err)
			for _, s := range tt.contains {
				assert.Contains(t, err.Error(), s)
			}
			var ae *oktaremote.APIError
			assert.True(t, errors.As(err, &ae), "an *APIError: %v", err)
			assert.Equal(t, tt.notFound, errors.Is(err, idpsim.ErrNotFound))
		})
	}
}

func mustLogin(t *testing.T, f *fixture, login string) string {
	t.Helper()
	u, err := f.okta.FindUserByLogin(context.Background(), login)
	require.NoError(t, err)
	return u.ID
}

// scimServer is a small recording SCIM server: it keeps users and groups
// so that Okta's reads find what it wrote, and records each request as
// "METHOD /path" (under /scim/v2, without the query).
type scimServer struct {
	*httptest.Server
	token string

	mu     sync.Mutex
	lines  []string
	users  map[string]map[string]any
	groups map[string]map[string]any
	n      int
	delay  time.Duration   // before answering POST /Users
	hold   <-chan struct{} // POST /Users waits for it to close
}

func newSCIMServer(t *testing.T) *scimServer {
	s := &scimServer{token: "scim-test-token-1234", users: map[string]map[string]any{}, groups: map[string]map[string]any{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *scimServer) setDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func (s *scimServer) setHold(c <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = c
}

// take returns the requests recorded since the last take.
func (s *scimServer) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.lines
	s.lines = nil
	return out
}

func (s *scimServer) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/scim/v2")
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.lines = append(s.lines, r.Method+" "+path)
	delay, hold := s.delay, s.hold
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		writeSCIM(w, http.StatusUnauthorized, map[string]any{"detail": "bad token", "status": "401"})
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	store := s.users
	if parts[0] == "Groups" {
		store = s.groups
	}
	switch {
	case r.Method == http.MethodGet && len(parts) == 1:
		// Okta looks resources up with `userName eq "…"` (or displayName).
		found := []any{}
		if attr, value, ok := strings.Cut(r.URL.Query().Get("filter"), " eq "); ok {
			s.mu.Lock()
			for _, res := range store {
				if res[attr] == strings.Trim(value, `"`) {
					found = append(found, res)
				}
			}
			s.mu.Unlock()
		}
		writeSCIM(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": len(found), "startIndex": 1, "itemsPerPage": len(found), "Resources": found})
	case r.Method == http.MethodPost && len(parts) == 1:
		if parts[0] == "Users" {
			time.Sleep(delay)
			if hold != nil {
				<-hold
			}
		}
		var res map[string]any
		_ = json.Unmarshal(body, &res)
		s.mu.Lock()
		s.n++
		id := fmt.Sprintf("%c-%d", strings.ToLower(parts[0])[0], s.n)
		res["id"] = id
		store[id] = res
		s.mu.Unlock()
		writeSCIM(w, http.StatusCreated, res)
	case r.Method == http.MethodGet && len(parts) == 2:
		s.mu.Lock()
		res, ok := store[parts[1]]
		s.mu.Unlock()
		if !ok {
			writeSCIM(w, http.StatusNotFound, map[string]any{"detail": "no such resource", "status": "404"})
			return
		}
		writeSCIM(w, http.StatusOK, res)
	case slices.Contains([]string{http.MethodPut, http.MethodPatch, http.MethodDelete}, r.Method) && len(parts) == 2:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeSCIM(w, http.StatusNotFound, map[string]any{"detail": "unknown endpoint", "status": "404"})
	}
}

func writeSCIM(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
