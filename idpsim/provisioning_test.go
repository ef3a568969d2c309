package idpsim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/internal/scimtest"
	"github.com/ssoharness/ssoharness/idpsim/seed"
)

func scimLines(s *scimtest.Server) []string {
	var out []string
	for _, e := range s.Take() {
		out = append(out, e.Line())
	}
	return out
}

// provisioned is the fixture with provisioning on, as the guide sets it up.
func (e *env) provisioned(scim *scimtest.Server) fixture {
	e.t.Helper()
	f := e.fixture() // ada is assigned before provisioning is on
	require.NoError(e.t, e.srv.ConfigureProvisioning(context.Background(), f.app.ID, idpsim.ProvisioningSettings{
		Enabled: true, BaseURL: scim.URL(), Token: scim.Token, UsernameFormat: "EMAIL",
		CreateUsers: true, UpdateUsers: true, DeactivateUsers: true, SyncPassword: true,
	}))
	assert.Equal(e.t, []string{"GET /Users?startIndex=1&count=2", "GET /Groups?startIndex=1&count=100"}, scimLines(scim))
	return f
}

func TestGoAPIProvisioning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, t0)
	scim := scimtest.New(t)

	f := e.fixture()
	err := e.srv.ConfigureProvisioning(ctx, f.app.ID, idpsim.ProvisioningSettings{Enabled: true, BaseURL: scim.URL(), Token: "wrong", CreateUsers: true})
	require.ErrorIs(t, err, idpsim.ErrConnector)
	p, err := e.srv.Provisioning(ctx, f.app.ID)
	require.NoError(t, err)
	assert.False(t, p.Enabled, "nothing saved")
	scim.Take()

	require.NoError(t, e.srv.ConfigureProvisioning(ctx, f.app.ID, idpsim.ProvisioningSettings{
		Enabled: true, BaseURL: scim.URL(), Token: scim.Token, UsernameFormat: "EMAIL",
		CreateUsers: true, UpdateUsers: true, DeactivateUsers: true, SyncPassword: true,
	}))
	scim.Take()
	p, err = e.srv.Provisioning(ctx, f.app.ID)
	require.NoError(t, err)
	assert.True(t, p.Enabled)
	assert.Equal(t, "••••1234", p.Token, "the token is never given back")
	require.NoError(t, e.srv.TestConnector(ctx, f.app.ID))
	assert.Len(t, scimLines(scim), 2)

	// The existing Assign provisions.
	require.NoError(t, e.srv.Assign(ctx, f.app.ID, f.bob.ID))
	lines := scimLines(scim)
	require.Len(t, lines, 2)
	assert.Equal(t, "POST /Users", lines[1])
	link, err := e.srv.ProvisionedUser(ctx, f.app.ID, f.bob.ID)
	require.NoError(t, err)
	bobSCIM := link.ExternalID

	// Ada was assigned before provisioning was on: nothing was sent for her;
	// assigning her again provisions her.
	_, err = e.srv.ProvisionedUser(ctx, f.app.ID, f.ada.ID)
	require.ErrorIs(t, err, idpsim.ErrNotFound)
	tasks, err := e.srv.AssignUser(ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskCompleted, tasks[0].Status)
	assert.Equal(t, []string{"GET /Users?filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100", "POST /Users"}, scimLines(scim))
	tasks, err = e.srv.AssignUser(ctx, f.app.ID, f.ada.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks, "a provisioned user is not provisioned twice")

	first := "Robert"
	_, tasks, err = e.srv.UpdateUserProfile(ctx, f.bob.ID, idpsim.ProfileUpdate{FirstName: &first})
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskCompleted, tasks[0].Status)
	assert.Equal(t, []string{"GET /Users/" + bobSCIM, "PUT /Users/" + bobSCIM}, scimLines(scim))

	tasks, err = e.srv.SetPassword(ctx, f.bob.ID, "Bob-new-pw-1")
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, []string{"PATCH /Users/" + bobSCIM}, scimLines(scim))
	// Sign-in at the fake Okta uses the new password too.
	assert.Equal(t, http.StatusOK, e.browser().signIn("bob@acme.test", "Bob-new-pw-1").status)

	for _, step := range []struct {
		name string
		do   func(context.Context, string) ([]idpsim.Task, error)
	}{{"suspend", e.srv.Suspend}, {"unsuspend", e.srv.Unsuspend}, {"deactivate", e.srv.Deactivate}, {"reactivate", e.srv.Reactivate}} {
		tasks, err := step.do(ctx, f.bob.ID)
		require.NoError(t, err, step.name)
		require.Len(t, tasks, 1, step.name)
		assert.Equal(t, directory.TaskCompleted, tasks[0].Status, step.name)
		assert.Equal(t, []string{"PATCH /Users/" + bobSCIM}, scimLines(scim), step.name)
	}
	_, err = e.srv.Unsuspend(ctx, f.bob.ID)
	assert.Error(t, err, "Okta's rules: only a suspended user can be unsuspended")
	_, err = e.srv.Activate(ctx, f.bob.ID)
	assert.Error(t, err)

	// Groups.
	g, err := e.srv.CreateGroup(ctx, "Engineering", "")
	require.NoError(t, err)
	_, err = e.srv.AddGroupMember(ctx, g.ID, f.bob.ID)
	require.NoError(t, err)
	m, tasks, err := e.srv.PushGroup(ctx, f.app.ID, g.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskCompleted, tasks[0].Status)
	m, err = e.srv.PushMapping(ctx, f.app.ID, g.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, m.TargetID)
	assert.Len(t, scimLines(scim), 4)
	tasks, err = e.srv.RenameGroup(ctx, g.ID, "Platform")
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, []string{"PATCH /Groups/" + m.TargetID}, scimLines(scim))
	_, err = e.srv.DeleteGroup(ctx, g.ID)
	assert.ErrorIs(t, err, directory.ErrConflict)
	tasks, err = e.srv.UnlinkPushedGroup(ctx, f.app.ID, g.ID, true)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, []string{"DELETE /Groups/" + m.TargetID}, scimLines(scim))
	_, err = e.srv.DeleteGroup(ctx, g.ID)
	require.NoError(t, err)

	// A failure, then a retry.
	scim.SetFail(func(x scimtest.Exchange) (int, string, bool) { return 500, `{"detail":"down"}`, true })
	tasks, err = e.srv.UnassignUser(ctx, f.app.ID, f.bob.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskFailed, tasks[0].Status)
	assert.Contains(t, tasks[0].Reason, "Internal Server Error. Errors reported by remote server: down")
	failed, err := e.srv.Tasks(ctx, idpsim.TaskFilter{Status: directory.TaskFailed})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	scim.SetFail(nil)
	task, err := e.srv.RetryTask(ctx, failed[0].ID)
	require.NoError(t, err)
	assert.Equal(t, directory.TaskCompleted, task.Status)

	reqs, err := e.srv.Requests(ctx, idpsim.RequestFilter{TaskID: task.ID})
	require.NoError(t, err)
	require.Len(t, reqs, 2, "the failed attempt and the retry")
	for _, r := range reqs {
		assert.Equal(t, "Bearer [REDACTED]", r.RequestHeaders.Get("Authorization"))
	}

	// Deleting a user deactivates first; Okta never sends DELETE /Users.
	require.NoError(t, e.srv.Assign(ctx, f.app.ID, f.bob.ID))
	scim.Take()
	tasks, err = e.srv.DeleteUser(ctx, f.bob.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, []string{"PATCH /Users/" + bobSCIM}, scimLines(scim))
}

func TestAsyncProvisioningAndWait(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	scim := scimtest.New(t)
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	t.Cleanup(func() { dir.Close() })
	srv, err := idpsim.New(idpsim.Config{BaseURL: "http://okta.test", Directory: dir, AsyncProvisioning: true, APIToken: "00fixed"})
	require.NoError(t, err)
	assert.Equal(t, "00fixed", srv.APIToken())
	app, err := srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{SPBaseURL: "http://sp.test", IntegrationID: "abc"})
	require.NoError(t, err)
	u, err := srv.CreateUser(ctx, idpsim.UserInput{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)
	require.NoError(t, srv.ConfigureProvisioning(ctx, app.ID, idpsim.ProvisioningSettings{
		Enabled: true, BaseURL: scim.URL(), Token: scim.Token, CreateUsers: true, SkipConnectorTest: true}))
	assert.Empty(t, scimLines(scim), "no connector test")

	tasks, err := srv.AssignUser(ctx, app.ID, u.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, directory.TaskQueued, tasks[0].Status, "returned before the task ran")
	require.NoError(t, srv.WaitForProvisioning(ctx))
	done, err := srv.Tasks(ctx, idpsim.TaskFilter{})
	require.NoError(t, err)
	require.Len(t, done, 1)
	assert.Equal(t, directory.TaskCompleted, done[0].Status)
	assert.Len(t, scimLines(scim), 2)
}

func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if v != nil {
		require.NoError(t, json.Unmarshal(body, v), string(body))
	}
	return res.StatusCode
}

func TestAdminTasksAndRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	scim := scimtest.New(t)
	e := newEnv(t, t0)
	f := e.provisioned(scim)
	base := e.srv.BaseURL()

	scim.SetFail(func(x scimtest.Exchange) (int, string, bool) { return 401, `{"detail":"nope"}`, true })
	_, err := e.srv.AssignUser(ctx, f.app.ID, f.bob.ID)
	require.NoError(t, err)

	var tasks []map[string]any
	require.Equal(t, 200, getJSON(t, base+"/_admin/tasks?status=failed", &tasks))
	require.Len(t, tasks, 1)
	id := tasks[0]["id"].(string)
	assert.Equal(t, "FAILED", tasks[0]["status"])
	assert.Equal(t, "user.create", tasks[0]["action"])
	assert.Contains(t, tasks[0]["reason"], "Unauthorized. Errors reported by remote server: nope")
	var one map[string]any
	require.Equal(t, 200, getJSON(t, base+"/_admin/tasks/"+id, &one))
	assert.Equal(t, id, one["id"])
	var errBody map[string]string
	assert.Equal(t, 404, getJSON(t, base+"/_admin/tasks/tsknope", &errBody))
	assert.Equal(t, 400, getJSON(t, base+"/_admin/tasks?status=weird", &errBody))
	assert.NotEmpty(t, errBody["error"])
	assert.Equal(t, 400, getJSON(t, base+"/_admin/requests?limit=-1", &errBody))

	var reqs []map[string]any
	require.Equal(t, 200, getJSON(t, base+"/_admin/requests?taskId="+id, &reqs))
	require.Len(t, reqs, 1)
	assert.Equal(t, float64(401), reqs[0]["status"])
	assert.Equal(t, "GET", reqs[0]["method"])
	h := reqs[0]["requestHeaders"].(map[string]any)
	assert.Equal(t, []any{"Bearer [REDACTED]"}, h["Authorization"])
	assert.Equal(t, []any{"Okta SCIM Client 1.0.0"}, h["User-Agent"])
	require.Equal(t, 200, getJSON(t, base+"/_admin/requests?appId="+f.app.ID+"&limit=2", &reqs))
	assert.Len(t, reqs, 2)

	post := func(path string) (int, map[string]any) {
		res, err := http.Post(base+path, "application/json", nil)
		require.NoError(t, err)
		defer res.Body.Close()
		var m map[string]any
		require.NoError(t, json.NewDecoder(res.Body).Decode(&m))
		return res.StatusCode, m
	}
	scim.SetFail(nil)
	status, task := post("/_admin/tasks/" + id + "/retry")
	require.Equal(t, 200, status)
	assert.Equal(t, "COMPLETED", task["status"])
	status, m := post("/_admin/tasks/" + id + "/retry")
	assert.Equal(t, 409, status)
	assert.Contains(t, m["error"], "only a FAILED task can be retried")
	status, _ = post("/_admin/tasks/tsknope/retry")
	assert.Equal(t, 404, status)
}

func TestManagementAPIIsMounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	require.NotEmpty(t, e.srv.APIToken())
	assert.True(t, strings.HasPrefix(e.srv.APIToken(), "00"))

	req, err := http.NewRequest(http.MethodGet, e.srv.BaseURL()+"/api/v1/apps/"+f.app.ID, nil)
	require.NoError(t, err)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)

	req.Header.Set("Authorization", "SSWS "+e.srv.APIToken())
	var app map[string]any
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&app))
	assert.Equal(t, f.app.ID, app["id"])
	assert.Equal(t, f.app.MetadataURL, app["_idpsim"].(map[string]any)["metadataUrl"])

	// The SAML metadata stays where it was, without a token.
	res2, err := http.Get(e.srv.BaseURL() + "/api/v1/apps/" + f.app.ID + "/sso/saml/metadata")
	require.NoError(t, err)
	res2.Body.Close()
	assert.Equal(t, http.StatusOK, res2.StatusCode)
}

func TestSeedGroupsAdminsAndProvisioning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t, t0)
	doc := `
users:
  - {login: ada@acme.test, firstName: Ada, lastName: Lovelace, password: "Ada-pw-1"}
  - {login: root@acme.test, firstName: Root, lastName: Admin, password: "Root-pw-1", admin: true}
groups:
  - name: Engineering
    description: Builds things
    members: [ada@acme.test]
apps:
  - kind: catalog
    label: Reference SP
    spBaseURL: http://sp.test:8080
    integrationId: abc123
    assignGroups: [Engineering]
    provisioning:
      baseURL: http://sp.test:8080/scim/v2
      token: seeded-token-0001
      usernameFormat: EMAIL
      createUsers: true
      deactivateUsers: true
`
	res, err := e.srv.SeedYAML(ctx, []byte(doc))
	require.NoError(t, err)
	require.Len(t, res.Groups, 1)
	again, err := e.srv.SeedYAML(ctx, []byte(doc))
	require.NoError(t, err, "a seed applies twice")
	assert.Equal(t, res.Groups[0].ID, again.Groups[0].ID)

	members, err := e.srv.GroupMembers(ctx, res.Groups[0].ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	au, err := e.srv.Directory().AppUser(ctx, res.Apps[0].ID, res.Users[0].ID)
	require.NoError(t, err)
	assert.Equal(t, directory.ScopeGroup, au.Scope)
	p, err := e.srv.Provisioning(ctx, res.Apps[0].ID)
	require.NoError(t, err)
	assert.True(t, p.Enabled)
	assert.Equal(t, directory.UsernameEmail, p.UsernameFormat)
	assert.Equal(t, "••••0001", p.Token)
	admin, err := e.srv.Directory().IsAdmin(ctx, res.Users[1].ID)
	require.NoError(t, err)
	assert.True(t, admin)
	tasks, err := e.srv.Tasks(ctx, idpsim.TaskFilter{})
	require.NoError(t, err)
	assert.Empty(t, tasks, "a seed sends nothing")

	for _, tt := range []struct{ name, doc, field string }{
		{"unknown group", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://a', integrationId: b, assignGroups: [Nope]}\n", "apps[0].assignGroups[0]"},
		{"unknown member", "groups:\n  - {name: G, members: [nobody@acme.test]}\n", "groups[0].members[0]"},
		{"duplicate group", "groups:\n  - {name: G}\n  - {name: g}\n", "groups[1].name"},
		{"bad mode", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://a', integrationId: b, provisioning: {baseURL: 'http://a/scim', token: t, mode: wizard}}\n", "apps[0].provisioning.mode"},
		{"no token", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://a', integrationId: b, provisioning: {baseURL: 'http://a/scim'}}\n", "apps[0].provisioning.token"},
		{"bad url", "apps:\n  - {kind: catalog, label: X, spBaseURL: 'http://a', integrationId: b, provisioning: {baseURL: 'nope', token: t}}\n", "apps[0].provisioning.baseURL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.srv.SeedYAML(ctx, []byte(tt.doc))
			var se *seed.Error
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.field, se.Field, se.Error())
		})
	}

	def, err := idpsim.DefaultSeed()
	require.NoError(t, err)
	var admins []string
	for _, u := range def.Users {
		if u.Admin {
			admins = append(admins, u.Login)
		}
	}
	assert.Equal(t, []string{"admin@acme.test"}, admins)
}

func TestAdminUI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	scim := scimtest.New(t)
	e := newEnv(t, t0)
	f := e.provisioned(scim)
	res, err := e.srv.SeedYAML(ctx, []byte(`users: [{login: root@acme.test, firstName: Root, lastName: Admin, password: "Root-pw-1", admin: true}]`))
	require.NoError(t, err)
	root := res.Users[0]

	// Signed out: to the sign-in page. Signed in without a role: refused.
	anon := e.browser().noRedirects()
	p := anon.get("/admin/users")
	assert.Equal(t, http.StatusFound, p.status)
	assert.Contains(t, p.header.Get("Location"), "/login/login.htm?fromURI=%2Fadmin%2Fusers")
	ada := e.browser()
	ada.signIn("ada@acme.test", adaPW)
	p = ada.get("/admin/users")
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Contains(t, p.body, "permission to access the Admin Console")

	b := e.browser()
	require.Equal(t, http.StatusOK, b.signIn(root.Login, "Root-pw-1").status)
	for _, path := range []string{"/admin/", "/admin/users", "/admin/users/" + f.ada.ID, "/admin/groups", "/admin/apps", "/admin/apps/" + f.app.ID,
		"/admin/apps/" + f.app.ID + "/sign-on", "/admin/apps/" + f.app.ID + "/provisioning", "/admin/apps/" + f.app.ID + "/assignments",
		"/admin/apps/" + f.app.ID + "/push-groups", "/admin/tasks", "/admin/requests"} {
		p := b.get(path)
		assert.Equal(t, http.StatusOK, p.status, path)
	}
	assert.Equal(t, http.StatusNotFound, b.get("/admin/apps/"+f.app.ID+"/nope").status)
	assert.Equal(t, http.StatusNotFound, b.get("/admin/users/00unope").status)

	p = b.get("/admin/apps/" + f.app.ID + "/sign-on")
	assert.Contains(t, p.body, f.app.MetadataURL)
	assert.Contains(t, p.body, "BEGIN CERTIFICATE")
	p = b.get("/admin/apps/" + f.app.ID + "/provisioning")
	assert.Contains(t, p.body, scim.URL())
	assert.Contains(t, p.body, "••••1234")
	assert.NotContains(t, p.body, scim.Token, "the token is never shown")
	csrf := p.inputs()["csrf"]
	require.NotEmpty(t, csrf)

	// A form without the CSRF token is refused.
	p = b.post("/admin/apps/"+f.app.ID+"/assignments/users", url.Values{"userId": {f.bob.ID}})
	assert.Equal(t, http.StatusForbidden, p.status)
	assert.Empty(t, scim.Take())

	// Assigning bob provisions him.
	p = b.post("/admin/apps/"+f.app.ID+"/assignments/users", url.Values{"userId": {f.bob.ID}, "csrf": {csrf}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "1 provisioning task(s) completed")
	assert.Len(t, scimLines(scim), 2)
	link, err := e.srv.ProvisionedUser(ctx, f.app.ID, f.bob.ID)
	require.NoError(t, err)
	assert.Contains(t, p.body, link.ExternalID)

	// The To App toggles, then a failing deactivation, retried from Tasks.
	p = b.post("/admin/apps/"+f.app.ID+"/provisioning/to-app", url.Values{"csrf": {csrf}, "usernameFormat": {"EMAIL"}, "mode": {"template"},
		"createUsers": {"on"}, "updateUsers": {"on"}, "deactivateUsers": {"on"}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "Provisioning to App saved")
	prov, err := e.srv.Provisioning(ctx, f.app.ID)
	require.NoError(t, err)
	assert.False(t, prov.SyncPassword)

	scim.SetFail(func(x scimtest.Exchange) (int, string, bool) { return 503, "maintenance", true })
	p = b.post("/admin/users/"+f.bob.ID+"/lifecycle/suspend", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "1 of 1 provisioning task(s) failed")
	p = b.get("/admin/tasks?status=FAILED")
	assert.Contains(t, p.body, "Service Unavailable. Errors reported by remote server: maintenance")
	failed, err := e.srv.Tasks(ctx, idpsim.TaskFilter{Status: directory.TaskFailed})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	scim.SetFail(nil)
	p = b.post("/admin/tasks/"+failed[0].ID+"/retry", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "Task completed")

	// Groups and push from the UI.
	p = b.post("/admin/groups", url.Values{"csrf": {csrf}, "name": {"Engineering"}})
	require.Equal(t, http.StatusOK, p.status)
	g, err := e.srv.FindGroupByName(ctx, "engineering")
	require.NoError(t, err)
	p = b.post("/admin/groups/"+g.ID+"/members", url.Values{"csrf": {csrf}, "userId": {f.ada.ID}})
	require.Equal(t, http.StatusOK, p.status)
	p = b.post("/admin/apps/"+f.app.ID+"/push-groups", url.Values{"csrf": {csrf}, "groupId": {g.ID}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "Group pushed")
	m, err := e.srv.PushMapping(ctx, f.app.ID, g.ID)
	require.NoError(t, err)
	scim.Take()
	p = b.post("/admin/apps/"+f.app.ID+"/assignments/groups", url.Values{"csrf": {csrf}, "groupId": {g.ID}})
	require.Equal(t, http.StatusOK, p.status)
	for _, path := range []string{"/admin/apps/" + f.app.ID + "/push-groups", "/admin/apps/" + f.app.ID + "/assignments",
		"/admin/groups/" + g.ID, "/admin/users/" + f.ada.ID, "/admin/", "/admin/tasks", "/admin/requests"} {
		p := b.get(path)
		require.Equal(t, http.StatusOK, p.status, path)
		assert.NotContains(t, p.body, "Internal Server Error", path)
	}
	p = b.get("/admin/apps/" + f.app.ID + "/push-groups")
	assert.Contains(t, p.body, m.TargetID)
	assert.Contains(t, p.body, "Delete the group in the target app")
	p = b.post("/admin/apps/"+f.app.ID+"/push-groups/"+m.ID+"/push-now", url.Values{"csrf": {csrf}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "task(s) completed")
	scim.Take()
	p = b.post("/admin/apps/"+f.app.ID+"/push-groups/"+m.ID+"/unlink", url.Values{"csrf": {csrf}, "target": {"delete"}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, []string{"DELETE /Groups/" + m.TargetID}, scimLines(scim))

	// The request log shows redacted headers.
	reqs, err := e.srv.Requests(ctx, idpsim.RequestFilter{Limit: 1})
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	p = b.get("/admin/requests/" + itoa(reqs[0].ID))
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "Authorization: Bearer [REDACTED]")
	assert.NotContains(t, p.body, scim.Token)

	// Settings errors come back to the page.
	p = b.post("/admin/apps/"+f.app.ID+"/provisioning/integration", url.Values{"csrf": {csrf}, "enabled": {"on"}, "baseUrl": {scim.URL()}, "token": {"bad-token"}})
	require.Equal(t, http.StatusOK, p.status)
	assert.Contains(t, p.body, "Error authenticating: Unauthorized")
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
