package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/steps/scimclient"
	"github.com/ssoharness/ssoharness/steps/target"
)

// Steps for SCIM provisioning driven from the fake Okta (SCIM-04..SCIM-13), in
// Okta's words. Every Then checks the side that owns the state: the SP's
// members and teams through the target, and what Okta sent through its SCIM
// request log.
func (w *world) registerProvisioning(sc scenario) {
	sc.Step(`^provisioning is enabled for "([^"]*)"$`, w.provisioningEnabled)
	sc.Step(`^Okta provisions users and groups to "([^"]*)"(?: (without Sync Password))?$`, w.oktaProvisions)
	sc.Step(`^Okta provisions users and groups to "([^"]*)" as a custom app$`, w.oktaProvisionsCustom)
	sc.Step(`^the admin (?:assigns|has assigned) "([^"]*)" to the app in Okta$`, w.adminAssigns)
	sc.Step(`^the admin (unassigns|deactivates|suspends|reactivates|unsuspends) "([^"]*)" in Okta$`, w.adminLifecycle)
	sc.Step(`^the admin changes the (first name|last name|display name|locale) of "([^"]*)" to "([^"]*)" in Okta$`, w.adminChangesProfile)
	sc.Step(`^the admin sets the password of "([^"]*)" to "([^"]*)" in Okta$`, w.adminSetsPassword)
	sc.Step(`^a group "([^"]*)" in Okta with (.+)$`, w.groupInOkta)
	sc.Step(`^the admin pushes the group "([^"]*)" to the app$`, w.adminPushes)
	sc.Step(`^the admin (adds|removes) "([^"]*)" (?:to|from) the group "([^"]*)" in Okta$`, w.adminChangesGroup)
	sc.Step(`^the admin renames the group "([^"]*)" to "([^"]*)" in Okta$`, w.adminRenamesGroup)
	sc.Step(`^the admin pushes the group "([^"]*)" again now$`, w.adminPushesNow)
	sc.Step(`^the admin unlinks the pushed group "([^"]*)" and (deletes it in|leaves it in) the target app$`, w.adminUnlinks)
	sc.Step(`^the team "([^"]*)" of "([^"]*)" owns the monitor "([^"]*)"$`, w.teamOwnsMonitor)
	sc.Step(`^the admin of "([^"]*)" (rotates the SCIM token|turns provisioning off)$`, w.adminBreaksToken)

	sc.Step(`^"([^"]*)" is (a|not a) member of "([^"]*)" at the service provider$`, w.membershipAtSP)
	sc.Step(`^"([^"]*)" has an account at the service provider$`, w.hasAccount)
	sc.Step(`^"([^"]*)" is in no team of "([^"]*)"$`, w.inNoTeam)
	sc.Step(`^the service provider shows "([^"]*)" with (first name|last name) "([^"]*)"$`, w.spShowsName)
	sc.Step(`^the SCIM user "([^"]*)" of "([^"]*)" has (displayName|locale) "([^"]*)"$`, w.scimUserHas)
	sc.Step(`^"([^"]*)" can sign in to the service provider with the password "([^"]*)"$`, w.canSignInWithPassword)
	sc.Step(`^the SCIM user "([^"]*)" of "([^"]*)" shows no password$`, w.scimShowsNoPassword)
	sc.Step(`^"([^"]*)" has a team "([^"]*)" with exactly (.+)$`, w.teamHasExactly)
	sc.Step(`^"([^"]*)" has no team "([^"]*)"$`, w.hasNoTeam)
	sc.Step(`^the monitor "([^"]*)" of the team "([^"]*)" of "([^"]*)" is (gone|still there)$`, w.monitorState)
	sc.Step(`^the audit log of "([^"]*)" records that the team "([^"]*)" was deleted$`, w.auditRecordsTeamDeleted)

	sc.Step(`^Okta sent ((?:a |GET |PUT |POST |DELETE ).+)$`, w.oktaSent)
	sc.Step(`^Okta sent nothing to the service provider$`, w.oktaSentNothing)
	sc.Step(`^Okta deactivated the user with a PATCH setting active to false$`, w.oktaDeactivatedWithPatch)
	sc.Step(`^Okta's provisioning tasks all completed$`, w.tasksCompleted)
	sc.Step(`^Okta shows a failed task for "([^"]*)" saying the service provider refused the token$`, w.taskFailedAuth)
	sc.Step(`^exactly one SCIM user "([^"]*)" exists in "([^"]*)"$`, w.exactlyOneSCIMUser)
	sc.Step(`^a SCIM client deactivates "([^"]*)" in "([^"]*)"$`, w.scimClientDeactivates)
}

// provisioningEnabled turns provisioning on at the SP (the guide's Provisioning
// toggle) and keeps the Bearer token it shows once.
func (w *world) provisioningEnabled(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	t.scimURL, t.scimToken, err = w.sp.EnableProvisioning(ctx, t.org)
	return err
}

// oktaProvisions fills in the app's Provisioning tab as the guide says: the
// SP's SCIM URL and token, username format Email, and the toggles; saving runs
// Okta's connector test.
func (w *world) oktaProvisions(ctx context.Context, name, withoutSync string) error {
	return w.configureProvisioning(ctx, name, withoutSync == "", "template")
}

func (w *world) oktaProvisionsCustom(ctx context.Context, name string) error {
	return w.configureProvisioning(ctx, name, true, "custom")
}

func (w *world) configureProvisioning(ctx context.Context, name string, syncPassword bool, mode string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	if t.scimToken == "" {
		if err := w.provisioningEnabled(ctx, name); err != nil {
			return err
		}
	}
	return w.okta.ConfigureProvisioning(ctx, t.app.ID, idpsim.ProvisioningSettings{
		Enabled: true, BaseURL: t.scimURL, Token: t.scimToken, UsernameFormat: "EMAIL",
		CreateUsers: true, UpdateUsers: true, DeactivateUsers: true, SyncPassword: syncPassword, Mode: mode,
	})
}

// mark remembers where Okta's request log stands, so that Then steps look only
// at what the last action sent.
func (w *world) mark(ctx context.Context) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	reqs, err := w.okta.Requests(ctx, idpsim.RequestFilter{AppID: app.ID, Limit: 1})
	if err != nil {
		return err
	}
	w.reqMark = 0
	if len(reqs) > 0 {
		w.reqMark = reqs[0].ID
	}
	return nil
}

func (w *world) sent(ctx context.Context) ([]idpsim.SCIMRequest, error) {
	app, err := w.app()
	if err != nil {
		return nil, err
	}
	reqs, err := w.okta.Requests(ctx, idpsim.RequestFilter{AppID: app.ID, AfterID: w.reqMark})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(reqs, func(a, b idpsim.SCIMRequest) int { return int(a.ID - b.ID) })
	return reqs, nil
}

func (w *world) adminAssigns(ctx context.Context, email string) error {
	if err := w.mark(ctx); err != nil {
		return err
	}
	return w.isAssignedInOkta(ctx, email)
}

// personAction runs an admin action on someone in Okta, after marking the
// request log so that Then steps see only what this action sent.
func (w *world) personAction(ctx context.Context, email string, act func(appID, userID string) error) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	if err := w.mark(ctx); err != nil {
		return err
	}
	return act(app.ID, p.oktaID)
}

// groupAction is personAction for an Okta group.
func (w *world) groupAction(ctx context.Context, name string, act func(appID, groupID string) error) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	g, err := w.okta.FindGroupByName(ctx, w.names.name(name))
	if err != nil {
		return err
	}
	if err := w.mark(ctx); err != nil {
		return err
	}
	return act(app.ID, g.ID)
}

func (w *world) adminLifecycle(ctx context.Context, op, email string) error {
	return w.personAction(ctx, email, func(appID, userID string) (err error) {
		switch op {
		case "unassigns":
			_, err = w.okta.UnassignUser(ctx, appID, userID)
		case "deactivates":
			_, err = w.okta.Deactivate(ctx, userID)
		case "suspends":
			_, err = w.okta.Suspend(ctx, userID)
		case "reactivates":
			_, err = w.okta.Reactivate(ctx, userID)
		case "unsuspends":
			_, err = w.okta.Unsuspend(ctx, userID)
		}
		return err
	})
}

func (w *world) adminChangesProfile(ctx context.Context, field, email, value string) error {
	var upd idpsim.ProfileUpdate
	switch field {
	case "first name":
		upd.FirstName = &value
	case "last name":
		upd.LastName = &value
	case "display name":
		upd.Attributes = map[string]string{"displayName": value}
	case "locale":
		upd.Attributes = map[string]string{"locale": value}
	}
	return w.personAction(ctx, email, func(_, userID string) error {
		_, _, err := w.okta.UpdateUserProfile(ctx, userID, upd)
		return err
	})
}

func (w *world) adminSetsPassword(ctx context.Context, email, password string) error {
	return w.personAction(ctx, email, func(_, userID string) error {
		_, err := w.okta.SetPassword(ctx, userID, password)
		return err
	})
}

// groupInOkta creates an Okta group; members are listed as `"a", "b" and "c"`
// or as `nobody`.
func (w *world) groupInOkta(ctx context.Context, name, members string) error {
	g, err := w.okta.CreateGroup(ctx, w.names.name(name), "")
	if err != nil {
		return err
	}
	for _, email := range quoted(members) {
		p, err := w.person(ctx, email)
		if err != nil {
			return err
		}
		if _, err := w.okta.AddGroupMember(ctx, g.ID, p.oktaID); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) adminPushes(ctx context.Context, name string) error {
	return w.groupAction(ctx, name, func(appID, groupID string) error {
		_, _, err := w.okta.PushGroup(ctx, appID, groupID)
		return err
	})
}

func (w *world) adminChangesGroup(ctx context.Context, op, email, name string) error {
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	return w.groupAction(ctx, name, func(_, groupID string) (err error) {
		if op == "adds" {
			_, err = w.okta.AddGroupMember(ctx, groupID, p.oktaID)
		} else {
			_, err = w.okta.RemoveGroupMember(ctx, groupID, p.oktaID)
		}
		return err
	})
}

func (w *world) adminRenamesGroup(ctx context.Context, from, to string) error {
	return w.groupAction(ctx, from, func(_, groupID string) error {
		_, err := w.okta.RenameGroup(ctx, groupID, w.names.name(to))
		return err
	})
}

func (w *world) adminPushesNow(ctx context.Context, name string) error {
	return w.groupAction(ctx, name, func(appID, groupID string) error {
		_, err := w.okta.PushGroupNow(ctx, appID, groupID)
		return err
	})
}

func (w *world) adminUnlinks(ctx context.Context, name, how string) error {
	return w.groupAction(ctx, name, func(appID, groupID string) error {
		_, err := w.okta.UnlinkPushedGroup(ctx, appID, groupID, how == "deletes it in")
		return err
	})
}

func (w *world) teamOwnsMonitor(ctx context.Context, team, orgName, monitor string) error {
	t, tm, err := w.findTeam(ctx, orgName, team)
	if err != nil {
		return err
	}
	return w.sp.AddTeamResource(ctx, t.org, tm, monitor)
}

func (w *world) adminBreaksToken(ctx context.Context, orgName, what string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	if what == "rotates the SCIM token" {
		t.scimToken, err = w.sp.RotateSCIMToken(ctx, t.org)
		return err
	}
	return w.sp.DisableProvisioning(ctx, t.org)
}

func (w *world) membershipAtSP(ctx context.Context, email, is, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	emails, err := w.sp.OrgMembers(ctx, t.org)
	if err != nil {
		return err
	}
	if containsFold(emails, email) != (is == "a") {
		return errorf("%q has members %v; want %s %s member", orgName, emails, email, is)
	}
	return nil
}

func (w *world) hasAccount(ctx context.Context, email string) error {
	ok, err := w.sp.HasAccount(ctx, email)
	if err != nil {
		return err
	}
	if !ok {
		return errorf("the service provider has no account for %s", email)
	}
	return nil
}

func (w *world) inNoTeam(ctx context.Context, email, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	for name, tm := range t.teams {
		emails, err := w.sp.TeamMembers(ctx, t.org, tm)
		if err != nil {
			return err
		}
		if containsFold(emails, email) {
			return errorf("%s is still in the team %q", email, name)
		}
	}
	return nil
}

func (w *world) spShowsName(ctx context.Context, email, field, want string) error {
	m, err := w.sp.Profile(ctx, email)
	if err != nil {
		return err
	}
	got := m.GivenName
	if field == "last name" {
		got = m.FamilyName
	}
	if got != want {
		return errorf("the service provider shows %s with %s %q, want %q", email, field, got, want)
	}
	return nil
}

func (w *world) scimUserHas(ctx context.Context, email, orgName, attr, want string) error {
	u, err := w.scimUser(ctx, orgName, email)
	if err != nil {
		return err
	}
	if got, _ := u[attr].(string); got != want {
		return errorf("the SCIM user %s has %s %q, want %q", email, attr, got, want)
	}
	return nil
}

func (w *world) scimShowsNoPassword(ctx context.Context, email, orgName string) error {
	u, err := w.scimUser(ctx, orgName, email)
	if err != nil {
		return err
	}
	if _, ok := u["password"]; ok {
		return errorf("the SCIM user %s shows a password", email)
	}
	return nil
}

// scimUser reads the SCIM user by userName with the organization's own token,
// as any SCIM client could.
func (w *world) scimUser(ctx context.Context, orgName, email string) (map[string]any, error) {
	users, err := w.scimFind(ctx, orgName, email)
	if err != nil {
		return nil, err
	}
	if len(users) != 1 {
		return nil, errorf("%d SCIM users with userName %s in %q, want 1", len(users), email, orgName)
	}
	return users[0], nil
}

func (w *world) scimFind(ctx context.Context, orgName, email string) ([]map[string]any, error) {
	t, err := w.tenant(orgName)
	if err != nil {
		return nil, err
	}
	q := url.Values{"filter": {fmt.Sprintf("userName eq %q", w.names.email(email))}}
	res, err := scimclient.New(t.scimURL, t.scimToken).Get(ctx, "/Users?"+q.Encode())
	if err != nil {
		return nil, err
	}
	var list struct {
		Resources []map[string]any
	}
	if res.Status != http.StatusOK {
		return nil, errorf("listing SCIM users: %s", res)
	}
	if err := res.Decode(&list); err != nil {
		return nil, err
	}
	return list.Resources, nil
}

// scimClientDeactivates deactivates a user over SCIM directly, with the
// organization's token, while Okta still has them assigned.
func (w *world) scimClientDeactivates(ctx context.Context, email, orgName string) error {
	u, err := w.scimUser(ctx, orgName, email)
	if err != nil {
		return err
	}
	id, _ := u["id"].(string)
	t := w.tenants[orgName]
	w.problem = target.ProblemDeprovisioned
	res, err := scimclient.New(t.scimURL, t.scimToken).Patch(ctx, "/Users/"+url.PathEscape(id),
		scimPatchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}))
	if err != nil {
		return err
	}
	if res.Status/100 != 2 {
		return errorf("deactivating %s over SCIM: %s", email, res)
	}
	return nil
}

func (w *world) exactlyOneSCIMUser(ctx context.Context, email, orgName string) error {
	_, err := w.scimUser(ctx, orgName, email)
	return err
}

func (w *world) canSignInWithPassword(ctx context.Context, email, password string) error {
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	if err := w.sp.PasswordSignIn(ctx, p.browser, email, password); err != nil {
		return err
	}
	who, ok, err := w.sp.SignedIn(ctx, p.browser.Jar())
	if err != nil {
		return err
	}
	if !ok || !strings.EqualFold(who.Email, email) {
		return errorf("%s is not signed in after the password sign-in", email)
	}
	return nil
}

func (w *world) findTeam(ctx context.Context, orgName, team string) (*tenant, target.Team, error) {
	t, err := w.tenant(orgName)
	if err != nil {
		return nil, target.Team{}, err
	}
	tm, ok, err := w.sp.FindTeam(ctx, t.org, team)
	if err != nil {
		return nil, target.Team{}, err
	}
	if !ok {
		return nil, target.Team{}, errorf("%q has no team %q", orgName, team)
	}
	if t.teams == nil {
		t.teams = map[string]target.Team{}
	}
	t.teams[team] = tm
	return t, tm, nil
}

func (w *world) teamHasExactly(ctx context.Context, orgName, team, members string) error {
	t, tm, err := w.findTeam(ctx, orgName, team)
	if err != nil {
		return err
	}
	got, err := w.sp.TeamMembers(ctx, t.org, tm)
	if err != nil {
		return err
	}
	want := quoted(members)
	norm := func(l []string) []string {
		out := make([]string, len(l))
		for i, s := range l {
			out[i] = strings.ToLower(s)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(norm(got), norm(want)) {
		return errorf("team %q has %v, want %v", team, got, want)
	}
	return nil
}

func (w *world) hasNoTeam(ctx context.Context, orgName, team string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	if _, ok, err := w.sp.FindTeam(ctx, t.org, team); err != nil || ok {
		return errorf("%q still has a team %q (err %v)", orgName, team, err)
	}
	return nil
}

func (w *world) monitorState(ctx context.Context, monitor, team, orgName, state string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	tm, ok := t.teams[team]
	if !ok {
		return errorf("the team %q was never seen in this scenario", team)
	}
	names, err := w.sp.TeamResources(ctx, t.org, tm)
	if err != nil {
		return err
	}
	there := slices.Contains(names, monitor)
	if there != (state == "still there") {
		return errorf("the monitor %q of %q: present=%v, want %s", monitor, team, there, state)
	}
	return nil
}

func (w *world) auditRecordsTeamDeleted(ctx context.Context, orgName, team string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	actions, err := w.sp.AuditActions(ctx, t.org)
	if err != nil {
		return err
	}
	for _, a := range actions {
		l := strings.ToLower(a)
		if strings.Contains(l, "delete") && (strings.Contains(l, "group") || strings.Contains(l, "team")) {
			return nil
		}
	}
	return errorf("the audit log of %q has no team deletion: %v", orgName, actions)
}

// oktaSent checks the shape of what Okta sent since the last action, as a
// list of requests such as `a userName lookup, then POST /Users`.
func (w *world) oktaSent(ctx context.Context, what string) error {
	reqs, err := w.sent(ctx)
	if err != nil {
		return err
	}
	var got []string
	for _, r := range reqs {
		got = append(got, describe(r))
	}
	want := strings.Split(strings.ReplaceAll(what, ", then ", ", "), ", ")
	for i := range want {
		want[i] = strings.TrimPrefix(strings.TrimSpace(want[i]), "then ")
	}
	if !slices.Equal(got, want) {
		return errorf("Okta sent %q, want %q", got, want)
	}
	return nil
}

// oktaDeactivatedWithPatch looks for Okta's deactivation among what it sent;
// it may first take the user out of pushed groups.
func (w *world) oktaDeactivatedWithPatch(ctx context.Context) error {
	reqs, err := w.sent(ctx)
	if err != nil {
		return err
	}
	var got []string
	for _, r := range reqs {
		d := describe(r)
		if d == "a PATCH setting active to false" {
			return nil
		}
		if r.Method == "DELETE" && strings.Contains(r.URL, "/Users/") {
			return errorf("Okta deleted the user instead of deactivating them")
		}
		got = append(got, d)
	}
	return errorf("Okta sent %q, none a PATCH setting active to false", got)
}

func (w *world) oktaSentNothing(ctx context.Context) error {
	reqs, err := w.sent(ctx)
	if err != nil {
		return err
	}
	if len(reqs) > 0 {
		return errorf("Okta sent %d requests, the first %s %s", len(reqs), reqs[0].Method, reqs[0].URL)
	}
	return nil
}

// describe names a SCIM request in the words the scenarios use.
func describe(r idpsim.SCIMRequest) string {
	u, _ := url.Parse(r.URL)
	path := u.Path
	if i := strings.Index(path, "/Users"); i >= 0 {
		path = path[i:]
	} else if i := strings.Index(path, "/Groups"); i >= 0 {
		path = path[i:]
	}
	resource, id, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	var body map[string]any
	_ = json.Unmarshal([]byte(r.RequestBody), &body)
	switch {
	case r.Method == "GET" && id == "" && strings.Contains(u.Query().Get("filter"), "userName eq"):
		return "a userName lookup"
	case r.Method == "GET" && id == "" && strings.Contains(u.Query().Get("filter"), "displayName eq"):
		return "a displayName lookup"
	case r.Method == "GET" && id == "":
		return "GET /" + resource
	case r.Method == "PATCH":
		return "a PATCH " + patchSummary(body)
	}
	if id != "" {
		return r.Method + " /" + resource + "/{id}"
	}
	return r.Method + " /" + resource
}

// patchSummary names what a PatchOp does: "setting active to false",
// "setting the password", "adding members", "removing a member",
// "replacing members", "renaming the group".
func patchSummary(body map[string]any) string {
	ops, _ := body["Operations"].([]any)
	var parts []string
	for _, o := range ops {
		op, _ := o.(map[string]any)
		verb, _ := op["op"].(string)
		path, _ := op["path"].(string)
		value, _ := op["value"].(map[string]any)
		switch {
		case path == "" && value != nil && value["active"] != nil:
			parts = append(parts, fmt.Sprintf("setting active to %v", value["active"]))
		case path == "" && value != nil && value["password"] != nil:
			parts = append(parts, "setting the password")
		case path == "" && value != nil && value["displayName"] != nil:
			parts = append(parts, "renaming the group")
		case strings.EqualFold(verb, "add") && path == "members":
			parts = append(parts, "adding members")
		case strings.EqualFold(verb, "remove") && strings.HasPrefix(path, "members[value eq"):
			parts = append(parts, "removing a member")
		case strings.EqualFold(verb, "replace") && path == "members":
			parts = append(parts, "replacing members")
		default:
			parts = append(parts, verb+" "+path)
		}
	}
	return strings.Join(parts, " and ")
}

func (w *world) tasksCompleted(ctx context.Context) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	tasks, err := w.okta.Tasks(ctx, idpsim.TaskFilter{AppID: app.ID})
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if t.Status != "COMPLETED" {
			return errorf("Okta's task %q is %s: %s", t.Description, t.Status, t.Reason)
		}
	}
	return nil
}

func (w *world) taskFailedAuth(ctx context.Context, email string) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	tasks, err := w.okta.Tasks(ctx, idpsim.TaskFilter{AppID: app.ID, UserID: p.oktaID, Status: "FAILED"})
	if err != nil {
		return err
	}
	for _, t := range tasks {
		if strings.Contains(t.Reason, "401") || strings.Contains(strings.ToLower(t.Reason), "unauthorized") {
			return nil
		}
	}
	return errorf("Okta shows no failed task for %s with an authentication error (%d failed tasks)", email, len(tasks))
}

// quoted returns the "quoted" names in a phrase like `"a", "b" and "c"`.
func quoted(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			return out
		}
		out = append(out, s[i+1:i+1+j])
		s = s[i+j+2:]
	}
}
