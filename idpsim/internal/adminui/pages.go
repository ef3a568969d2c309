package adminui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/adminapi"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/provision"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

func (u *ui) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	users, err := u.dir.ListUsers(ctx)
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	groups, err := u.dir.ListGroups(ctx, "")
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	apps, err := u.dir.ListApps(ctx)
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	failed, err := u.dir.ListTasks(ctx, directory.TaskFilter{Status: directory.TaskFailed, Limit: 20})
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	u.render(w, http.StatusOK, "home", current(r), r, "Dashboard", map[string]any{
		"Users": len(users), "Groups": len(groups), "Apps": len(apps), "Failed": failed,
	})
}

// Users.

type userRow struct {
	directory.User
	Admin bool
}

func (u *ui) users(w http.ResponseWriter, r *http.Request) {
	users, err := u.dir.ListUsers(r.Context())
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	rows := make([]userRow, 0, len(users))
	for _, usr := range users {
		admin, err := u.dir.IsAdmin(r.Context(), usr.ID)
		if err != nil {
			u.fail(w, r, "/admin/", err)
			return
		}
		rows = append(rows, userRow{User: usr, Admin: admin})
	}
	u.render(w, http.StatusOK, "users", current(r), r, "People", map[string]any{"Users": rows})
}

func (u *ui) createUser(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	status := directory.StatusActive
	if f.Get("activate") == "" {
		status = directory.StatusStaged
	}
	usr, err := u.eng.CreateUser(r.Context(), provision.NewUser{NewUser: directory.NewUser{
		Login: f.Get("login"), Email: f.Get("email"), FirstName: f.Get("firstName"), LastName: f.Get("lastName"),
		Password: f.Get("password"), Status: status,
	}})
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	done(w, r, "/admin/users/"+usr.ID, "Person added.")
}

type appOfUser struct {
	App   directory.App
	Scope string
	Link  *directory.Link
}

func (u *ui) user(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	usr, err := u.dir.UserByID(ctx, r.PathValue("id"))
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	extras, err := u.dir.ProfileExtras(ctx, usr.ID)
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	ev, err := u.dir.UserEvents(ctx, usr.ID)
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	groups, err := u.dir.ListUserGroups(ctx, usr.ID)
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	apps, err := u.dir.ListApps(ctx)
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	var assigned []appOfUser
	for _, a := range apps {
		au, err := u.dir.AppUser(ctx, a.ID, usr.ID)
		if errors.Is(err, directory.ErrNotFound) {
			continue
		}
		if err != nil {
			u.fail(w, r, "/admin/users", err)
			return
		}
		row := appOfUser{App: a, Scope: au.Scope}
		if l, err := u.dir.LinkFor(ctx, a.ID, usr.ID); err == nil {
			row.Link = &l
		}
		assigned = append(assigned, row)
	}
	roles, err := u.dir.ListRoles(ctx, usr.ID)
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	attrs := []map[string]string{}
	for _, name := range directory.ProfileAttributes {
		attrs = append(attrs, map[string]string{"Name": name, "Value": extras[name]})
	}
	u.render(w, http.StatusOK, "user", current(r), r, usr.FirstName+" "+usr.LastName, map[string]any{
		"User": usr, "Attributes": attrs, "Events": ev, "Groups": groups, "Apps": assigned, "Roles": roles,
		"Ops": lifecycleOps(usr.Status),
	})
}

// lifecycleOps are the lifecycle buttons Okta offers for a status.
func lifecycleOps(s directory.UserStatus) []map[string]string {
	op := func(name, label string) map[string]string { return map[string]string{"Op": name, "Label": label} }
	switch s {
	case directory.StatusActive:
		return []map[string]string{op(provision.OpSuspend, "Suspend"), op(provision.OpDeactivate, "Deactivate")}
	case directory.StatusStaged:
		return []map[string]string{op(provision.OpActivate, "Activate"), op(provision.OpDeactivate, "Deactivate")}
	case directory.StatusSuspended:
		return []map[string]string{op(provision.OpUnsuspend, "Unsuspend"), op(provision.OpDeactivate, "Deactivate")}
	default:
		return []map[string]string{op(provision.OpReactivate, "Reactivate")}
	}
}

func (u *ui) updateUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/users/" + id
	f := r.PostForm
	upd := provision.ProfileUpdate{Attributes: map[string]string{}}
	for k, dst := range map[string]**string{"login": &upd.Login, "email": &upd.Email, "firstName": &upd.FirstName, "lastName": &upd.LastName} {
		if f.Has(k) {
			v := f.Get(k)
			*dst = &v
		}
	}
	for _, name := range directory.ProfileAttributes {
		if f.Has("attr." + name) {
			upd.Attributes[name] = f.Get("attr." + name)
		}
	}
	_, tasks, err := u.eng.UpdateUser(r.Context(), id, upd)
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Profile saved", tasks))
}

func (u *ui) setPassword(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/users/" + id
	pw := r.PostForm.Get("password")
	if pw == "" {
		redirect(w, r, back, "error", "Type a password.")
		return
	}
	_, tasks, err := u.eng.UpdateUser(r.Context(), id, provision.ProfileUpdate{Password: &pw})
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Password set", tasks))
}

func (u *ui) lifecycle(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/users/" + id
	_, tasks, err := u.eng.Lifecycle(r.Context(), id, r.PathValue("op"))
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Status changed", tasks))
}

func (u *ui) deleteUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	usr, err := u.dir.UserByID(r.Context(), id)
	if err != nil {
		u.fail(w, r, "/admin/users", err)
		return
	}
	if usr.Status != directory.StatusDeprovisioned {
		redirect(w, r, "/admin/users/"+id, "error", "Deactivate the person before deleting them.")
		return
	}
	if _, err := u.eng.DeleteUser(r.Context(), id); err != nil {
		u.fail(w, r, "/admin/users/"+id, err)
		return
	}
	done(w, r, "/admin/users", usr.Login+" deleted.")
}

func (u *ui) setAdmin(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/users/" + id
	grant := r.PostForm.Get("admin") == "true"
	if !grant && id == current(r).user.ID {
		redirect(w, r, back, "error", "You cannot take your own admin role away.")
		return
	}
	err := u.dir.Update(r.Context(), func(tx *directory.Tx) error {
		roles, err := tx.ListRoles(r.Context(), id)
		if err != nil {
			return err
		}
		if grant {
			if len(roles) > 0 {
				return nil
			}
			_, err = tx.AssignRole(r.Context(), id, "SUPER_ADMIN")
			return err
		}
		for _, role := range roles {
			if err := tx.UnassignRole(r.Context(), id, role.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, "Admin roles saved.")
}

// Groups.

func (u *ui) groups(w http.ResponseWriter, r *http.Request) {
	groups, err := u.dir.ListGroups(r.Context(), "")
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	type row struct {
		directory.Group
		Members int
	}
	rows := []row{}
	for _, g := range groups {
		ms, err := u.dir.ListGroupMembers(r.Context(), g.ID)
		if err != nil {
			u.fail(w, r, "/admin/", err)
			return
		}
		rows = append(rows, row{Group: g, Members: len(ms)})
	}
	u.render(w, http.StatusOK, "groups", current(r), r, "Groups", map[string]any{"Groups": rows})
}

func (u *ui) createGroup(w http.ResponseWriter, r *http.Request) {
	g, err := u.eng.CreateGroup(r.Context(), directory.NewGroup{Name: r.PostForm.Get("name"), Description: r.PostForm.Get("description")})
	if err != nil {
		u.fail(w, r, "/admin/groups", err)
		return
	}
	done(w, r, "/admin/groups/"+g.ID, "Group added.")
}

func (u *ui) group(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	g, err := u.dir.GroupByID(ctx, r.PathValue("id"))
	if err != nil {
		u.fail(w, r, "/admin/groups", err)
		return
	}
	members, err := u.dir.ListGroupMembers(ctx, g.ID)
	if err != nil {
		u.fail(w, r, "/admin/groups", err)
		return
	}
	users, err := u.dir.ListUsers(ctx)
	if err != nil {
		u.fail(w, r, "/admin/groups", err)
		return
	}
	in := map[string]bool{}
	for _, m := range members {
		in[m.ID] = true
	}
	var others []directory.User
	for _, usr := range users {
		if !in[usr.ID] {
			others = append(others, usr)
		}
	}
	apps, err := u.dir.ListApps(ctx)
	if err != nil {
		u.fail(w, r, "/admin/groups", err)
		return
	}
	type appRow struct {
		App      directory.App
		Pushed   *directory.PushMapping
		Assigned bool
	}
	var rows []appRow
	for _, a := range apps {
		row := appRow{App: a}
		if _, err := u.dir.AppGroup(ctx, a.ID, g.ID); err == nil {
			row.Assigned = true
		}
		if m, err := u.dir.PushMappingFor(ctx, a.ID, g.ID); err == nil {
			row.Pushed = &m
		}
		if row.Assigned || row.Pushed != nil {
			rows = append(rows, row)
		}
	}
	u.render(w, http.StatusOK, "group", current(r), r, g.Name, map[string]any{"Group": g, "Members": members, "Others": others, "Apps": rows})
}

func (u *ui) updateGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/groups/" + id
	name, desc := r.PostForm.Get("name"), r.PostForm.Get("description")
	_, tasks, err := u.eng.UpdateGroup(r.Context(), id, directory.GroupUpdate{Name: &name, Description: &desc})
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Group saved", tasks))
}

func (u *ui) addMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/groups/" + id
	uid := r.PostForm.Get("userId")
	if uid == "" {
		redirect(w, r, back, "error", "Choose a person to add.")
		return
	}
	tasks, err := u.eng.AddGroupMember(r.Context(), id, uid)
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Member added", tasks))
}

func (u *ui) removeMember(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	back := "/admin/groups/" + id
	tasks, err := u.eng.RemoveGroupMember(r.Context(), id, r.PathValue("uid"))
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Member removed", tasks))
}

func (u *ui) deleteGroup(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	tasks, err := u.eng.DeleteGroup(r.Context(), id)
	if errors.Is(err, directory.ErrConflict) {
		redirect(w, r, "/admin/groups/"+id, "error", "This group is pushed to an app: unlink the pushed group before deleting it.")
		return
	}
	if err != nil {
		u.fail(w, r, "/admin/groups/"+id, err)
		return
	}
	done(w, r, "/admin/groups", taskSummary("Group deleted", tasks))
}

// Apps.

type appRow struct {
	App          directory.App
	Provisioning directory.Provisioning
}

func (u *ui) apps(w http.ResponseWriter, r *http.Request) {
	apps, err := u.dir.ListApps(r.Context())
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	rows := []appRow{}
	for _, a := range apps {
		p, err := u.dir.ProvisioningFor(r.Context(), a.ID)
		if err != nil {
			u.fail(w, r, "/admin/", err)
			return
		}
		rows = append(rows, appRow{App: a, Provisioning: p})
	}
	u.render(w, http.StatusOK, "apps", current(r), r, "Applications", map[string]any{"Apps": rows})
}

func (u *ui) createApp(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	kind := directory.AppKind(f.Get("kind"))
	var settings directory.Settings
	label := strings.TrimSpace(f.Get("label"))
	switch kind {
	case directory.KindCatalog:
		settings = directory.Settings{SPBaseURL: f.Get("spBaseURL"), IntegrationID: f.Get("integrationId")}
		if label == "" {
			label = "Reference SP"
		}
	case directory.KindSAML:
		settings = directory.Settings{ACSURL: f.Get("acsURL"), Audience: f.Get("audience"), NameIDFormat: directory.NameIDFormat(f.Get("nameIDFormat"))}
	default:
		redirect(w, r, "/admin/apps", "error", "Choose the catalog app or a SAML 2.0 app.")
		return
	}
	settings, err := directory.NormalizeSettings(kind, settings)
	if err != nil {
		u.fail(w, r, "/admin/apps", err)
		return
	}
	app, err := u.cfg.Apps.CreateApp(r.Context(), kind, label, settings, directory.DefaultSignOn())
	if err != nil {
		u.fail(w, r, "/admin/apps", err)
		return
	}
	done(w, r, "/admin/apps/"+app.ID, "Application added.")
}

var appTabs = map[string]string{"": "general", "general": "general", "sign-on": "sign-on", "provisioning": "provisioning",
	"assignments": "assignments", "push-groups": "push-groups"}

type assignedUser struct {
	directory.AppUser
	Link      *directory.Link
	LastError string
}

type pushRow struct {
	directory.PushMapping
	Group   directory.Group
	Members []directory.PushedMember
}

func (u *ui) app(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tab, ok := appTabs[r.PathValue("tab")]
	if !ok {
		u.errorPage(w, r, http.StatusNotFound, "Page not found", "This app has no such tab.")
		return
	}
	app, err := u.dir.AppByID(ctx, r.PathValue("id"))
	if err != nil {
		u.fail(w, r, "/admin/apps", err)
		return
	}
	p, err := u.dir.ProvisioningFor(ctx, app.ID)
	if err != nil {
		u.fail(w, r, "/admin/apps", err)
		return
	}
	base := strings.TrimRight(u.cfg.BaseURL, "/")
	data := map[string]any{
		"Tab": tab, "App": app, "Provisioning": p, "TokenHint": adminapi.TokenHint(p.Token),
		"EntityID": samlidp.EntityID(app.KeyID), "SSOURL": samlidp.SSOURL(base, app.Name, app.KeyID),
		"MetadataURL": samlidp.MetadataURL(base, app.KeyID), "EmbedLinkURL": samlidp.EmbedLinkURL(base, app.Name, app.ID, app.LinkID),
		"UsernameFormats": []map[string]string{
			{"Value": string(directory.UsernameOkta), "Label": "Okta username"},
			{"Value": string(directory.UsernameOktaPrefix), "Label": "Okta username prefix"},
			{"Value": string(directory.UsernameEmail), "Label": "Email"},
			{"Value": string(directory.UsernameEmailPrefix), "Label": "Email prefix"},
		},
	}
	switch tab {
	case "assignments":
		if err := u.assignmentsData(ctx, app, data); err != nil {
			u.fail(w, r, "/admin/apps", err)
			return
		}
	case "push-groups":
		if err := u.pushData(ctx, app, data); err != nil {
			u.fail(w, r, "/admin/apps", err)
			return
		}
	}
	u.render(w, http.StatusOK, "app", current(r), r, app.Label, data)
}

func (u *ui) assignmentsData(ctx context.Context, app directory.App, data map[string]any) error {
	aus, err := u.dir.ListAppUsers(ctx, app.ID)
	if err != nil {
		return err
	}
	rows := []assignedUser{}
	in := map[string]bool{}
	for _, au := range aus {
		in[au.User.ID] = true
		row := assignedUser{AppUser: au}
		if l, err := u.dir.LinkFor(ctx, app.ID, au.User.ID); err == nil {
			row.Link = &l
		}
		ts, err := u.dir.ListTasks(ctx, directory.TaskFilter{AppID: app.ID, UserID: au.User.ID, Limit: 1})
		if err != nil {
			return err
		}
		if len(ts) == 1 && ts[0].Status == directory.TaskFailed {
			row.LastError = ts[0].Reason
		}
		rows = append(rows, row)
	}
	users, err := u.dir.ListUsers(ctx)
	if err != nil {
		return err
	}
	var others []directory.User
	for _, usr := range users {
		if !in[usr.ID] {
			others = append(others, usr)
		}
	}
	ags, err := u.dir.ListAppGroups(ctx, app.ID)
	if err != nil {
		return err
	}
	groups, err := u.dir.ListGroups(ctx, "")
	if err != nil {
		return err
	}
	assignedGroups := map[string]bool{}
	for _, ag := range ags {
		assignedGroups[ag.Group.ID] = true
	}
	var otherGroups []directory.Group
	for _, g := range groups {
		if !assignedGroups[g.ID] {
			otherGroups = append(otherGroups, g)
		}
	}
	data["Users"], data["OtherUsers"], data["Groups"], data["OtherGroups"] = rows, others, ags, otherGroups
	return nil
}

func (u *ui) pushData(ctx context.Context, app directory.App, data map[string]any) error {
	ms, err := u.dir.ListPushMappings(ctx, app.ID)
	if err != nil {
		return err
	}
	rows := []pushRow{}
	pushed := map[string]bool{}
	for _, m := range ms {
		g, err := u.dir.GroupByID(ctx, m.GroupID)
		if err != nil {
			return err
		}
		members, err := u.dir.PushedMembers(ctx, m.ID)
		if err != nil {
			return err
		}
		pushed[g.ID] = true
		rows = append(rows, pushRow{PushMapping: m, Group: g, Members: members})
	}
	groups, err := u.dir.ListGroups(ctx, "")
	if err != nil {
		return err
	}
	var others []directory.Group
	for _, g := range groups {
		if !pushed[g.ID] {
			others = append(others, g)
		}
	}
	data["Mappings"], data["OtherGroups"] = rows, others
	return nil
}

func appBack(r *http.Request, tab string) string {
	return "/admin/apps/" + r.PathValue("id") + "/" + tab
}

func (u *ui) saveIntegration(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "provisioning")
	f := r.PostForm
	enabled := f.Get("enabled") == "on"
	baseURL, token := f.Get("baseUrl"), f.Get("token")
	if _, err := u.eng.ConfigureProvisioning(r.Context(), r.PathValue("id"), provision.SettingsInput{
		Enabled: &enabled, BaseURL: &baseURL, Token: &token,
	}); err != nil {
		u.fail(w, r, back, err)
		return
	}
	msg := "Integration saved."
	if enabled {
		msg = "Integration saved: the connector test passed."
	}
	done(w, r, back, msg)
}

func (u *ui) testConnector(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "provisioning")
	if err := u.eng.TestConnector(r.Context(), r.PathValue("id")); err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, "Connector configured successfully.")
}

func (u *ui) saveToApp(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "provisioning")
	f := r.PostForm
	on := func(k string) *bool { v := f.Get(k) == "on"; return &v }
	format, mode := f.Get("usernameFormat"), f.Get("mode")
	if _, err := u.eng.ConfigureProvisioning(r.Context(), r.PathValue("id"), provision.SettingsInput{
		UsernameFormat: &format, Mode: &mode, CreateUsers: on("createUsers"), UpdateUsers: on("updateUsers"),
		DeactivateUsers: on("deactivateUsers"), SyncPassword: on("syncPassword"),
	}); err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, "Provisioning to App saved.")
}

func (u *ui) assignUser(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "assignments")
	uid := r.PostForm.Get("userId")
	if uid == "" {
		redirect(w, r, back, "error", "Choose a person to assign.")
		return
	}
	tasks, err := u.eng.AssignUser(r.Context(), r.PathValue("id"), uid)
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Assigned", tasks))
}

func (u *ui) unassignUser(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "assignments")
	au, err := u.dir.AppUser(r.Context(), r.PathValue("id"), r.PathValue("uid"))
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	if au.Scope == directory.ScopeGroup {
		redirect(w, r, back, "error", "This person is assigned through a group: remove the group or their membership.")
		return
	}
	tasks, err := u.eng.UnassignUser(r.Context(), r.PathValue("id"), r.PathValue("uid"))
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Unassigned", tasks))
}

func (u *ui) assignGroup(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "assignments")
	gid := r.PostForm.Get("groupId")
	if gid == "" {
		redirect(w, r, back, "error", "Choose a group to assign.")
		return
	}
	tasks, err := u.eng.AssignGroup(r.Context(), r.PathValue("id"), gid, 0)
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Group assigned", tasks))
}

func (u *ui) unassignGroup(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "assignments")
	tasks, err := u.eng.UnassignGroup(r.Context(), r.PathValue("id"), r.PathValue("gid"))
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Group unassigned", tasks))
}

// mapping loads a mapping of the app in the path.
func (u *ui) mapping(w http.ResponseWriter, r *http.Request) (directory.PushMapping, bool) {
	m, err := u.dir.PushMappingByID(r.Context(), r.PathValue("mid"))
	if err == nil && m.AppID != r.PathValue("id") {
		err = directory.ErrNotFound
	}
	if err != nil {
		u.fail(w, r, appBack(r, "push-groups"), err)
		return m, false
	}
	return m, true
}

func (u *ui) pushGroup(w http.ResponseWriter, r *http.Request) {
	back := appBack(r, "push-groups")
	gid := r.PostForm.Get("groupId")
	if gid == "" {
		redirect(w, r, back, "error", "Choose a group to push.")
		return
	}
	_, tasks, err := u.eng.PushGroup(r.Context(), r.PathValue("id"), gid, directory.PushActive)
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	done(w, r, back, taskSummary("Group pushed", tasks))
}

func (u *ui) pushNow(w http.ResponseWriter, r *http.Request) {
	m, ok := u.mapping(w, r)
	if !ok {
		return
	}
	tasks, err := u.eng.PushGroupNow(r.Context(), m.ID)
	if err != nil {
		u.fail(w, r, appBack(r, "push-groups"), err)
		return
	}
	done(w, r, appBack(r, "push-groups"), taskSummary("Pushed", tasks))
}

func (u *ui) pushStatus(w http.ResponseWriter, r *http.Request) {
	m, ok := u.mapping(w, r)
	if !ok {
		return
	}
	_, tasks, err := u.eng.SetPushStatus(r.Context(), m.ID, directory.PushStatus(r.PostForm.Get("status")))
	if err != nil {
		u.fail(w, r, appBack(r, "push-groups"), err)
		return
	}
	done(w, r, appBack(r, "push-groups"), taskSummary("Push status saved", tasks))
}

func (u *ui) unlink(w http.ResponseWriter, r *http.Request) {
	m, ok := u.mapping(w, r)
	if !ok {
		return
	}
	var del bool
	switch r.PostForm.Get("target") {
	case "delete":
		del = true
	case "leave":
	default:
		redirect(w, r, appBack(r, "push-groups"), "error", "Choose whether to delete the group in the app or leave it there.")
		return
	}
	tasks, err := u.eng.UnlinkPushedGroup(r.Context(), m.ID, del)
	if err != nil {
		u.fail(w, r, appBack(r, "push-groups"), err)
		return
	}
	done(w, r, appBack(r, "push-groups"), taskSummary("Pushed group unlinked", tasks))
}

// Tasks and the request log.

func (u *ui) tasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := directory.TaskFilter{AppID: q.Get("appId"), Status: directory.TaskStatus(strings.ToUpper(q.Get("status"))), Limit: 500}
	tasks, err := u.dir.ListTasks(r.Context(), f)
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	slices.Reverse(tasks) // newest first
	labels, err := u.appLabels(r.Context())
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	u.render(w, http.StatusOK, "tasks", current(r), r, "Tasks", map[string]any{"Tasks": tasks, "Labels": labels, "Status": string(f.Status), "AppID": f.AppID})
}

func (u *ui) appLabels(ctx context.Context) (map[string]string, error) {
	apps, err := u.dir.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range apps {
		out[a.ID] = a.Label
	}
	return out, nil
}

func (u *ui) retry(w http.ResponseWriter, r *http.Request) {
	back := "/admin/tasks"
	if to := r.PostForm.Get("back"); strings.HasPrefix(to, "/admin/") && !strings.HasPrefix(to, "//") {
		back = to
	}
	t, err := u.eng.RetryTask(r.Context(), r.PathValue("id"))
	if err != nil {
		u.fail(w, r, back, err)
		return
	}
	if t.Status == directory.TaskFailed {
		redirect(w, r, back, "error", "The task failed again: "+t.Reason)
		return
	}
	done(w, r, back, "Task "+strings.ToLower(string(t.Status))+": "+t.Description)
}

func (u *ui) requests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	reqs, err := u.dir.ListSCIMRequests(r.Context(), directory.RequestFilter{AppID: q.Get("appId"), TaskID: q.Get("taskId"), Limit: 200})
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	slices.Reverse(reqs) // newest first
	labels, err := u.appLabels(r.Context())
	if err != nil {
		u.fail(w, r, "/admin/", err)
		return
	}
	u.render(w, http.StatusOK, "requests", current(r), r, "SCIM requests", map[string]any{"Requests": reqs, "Labels": labels,
		"AppID": q.Get("appId"), "TaskID": q.Get("taskId")})
}

func (u *ui) request(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		u.errorPage(w, r, http.StatusNotFound, "Not found", "No such request.")
		return
	}
	req, err := u.dir.SCIMRequestByID(r.Context(), id)
	if err != nil {
		u.fail(w, r, "/admin/requests", err)
		return
	}
	u.render(w, http.StatusOK, "request", current(r), r, req.Method+" "+req.URL, map[string]any{
		"Request": req, "RequestHeaders": headerLines(req.RequestHeaders), "ResponseHeaders": headerLines(req.ResponseHeaders),
		"RequestBody": pretty(req.RequestBody), "ResponseBody": pretty(req.ResponseBody),
	})
}

func headerLines(h map[string][]string) []string {
	var out []string
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, k+": "+v)
		}
	}
	sort.Strings(out)
	return out
}

func pretty(body string) string {
	var v json.RawMessage
	if json.Unmarshal([]byte(body), &v) != nil {
		return body
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return body
	}
	return string(out)
}
