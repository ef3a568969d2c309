package adminapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/provision"
)

// userJSON is Okta's user object.
type userJSON struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	Created         *oktaTime       `json:"created"`
	Activated       *oktaTime       `json:"activated"`
	StatusChanged   *oktaTime       `json:"statusChanged"`
	LastLogin       *oktaTime       `json:"lastLogin"`
	LastUpdated     *oktaTime       `json:"lastUpdated"`
	PasswordChanged *oktaTime       `json:"passwordChanged"`
	Profile         map[string]any  `json:"profile"`
	Credentials     map[string]any  `json:"credentials"`
	Links           map[string]link `json:"_links"`
}

func (a *api) userView(ctx context.Context, u directory.User) (userJSON, error) {
	extras, err := a.dir.ProfileExtras(ctx, u.ID)
	if err != nil {
		return userJSON{}, err
	}
	ev, err := a.dir.UserEvents(ctx, u.ID)
	if err != nil {
		return userJSON{}, err
	}
	hasPW, err := a.dir.HasPassword(ctx, u.ID)
	if err != nil {
		return userJSON{}, err
	}
	profile := map[string]any{"login": u.Login, "email": u.Email, "firstName": u.FirstName, "lastName": u.LastName}
	for k, v := range extras {
		profile[k] = v
	}
	creds := map[string]any{"provider": map[string]string{"type": "OKTA", "name": "OKTA"}}
	if hasPW {
		creds["password"] = map[string]any{}
	}
	self := a.base + "/api/v1/users/" + u.ID
	links := map[string]link{"self": {Href: self}}
	lc := func(op string) link { return link{Href: self + "/lifecycle/" + op, Method: "POST"} }
	switch u.Status {
	case directory.StatusActive:
		links["suspend"], links["deactivate"] = lc("suspend"), lc("deactivate")
		links["changePassword"] = link{Href: self + "/credentials/change_password", Method: "POST"}
	case directory.StatusStaged:
		links["activate"], links["deactivate"] = lc("activate"), lc("deactivate")
	case directory.StatusSuspended:
		links["unsuspend"], links["deactivate"] = lc("unsuspend"), lc("deactivate")
	case directory.StatusDeprovisioned:
		links["activate"] = lc("activate")
		links["delete"] = link{Href: self, Method: "DELETE"}
	}
	return userJSON{
		ID: u.ID, Status: string(u.Status), Created: ts(u.Created), Activated: tsp(ev.Activated),
		StatusChanged: tsp(ev.StatusChanged), LastLogin: tsp(ev.LastLogin), LastUpdated: ts(u.LastUpdated),
		PasswordChanged: tsp(ev.PasswordChanged), Profile: profile, Credentials: creds, Links: links,
	}, nil
}

func (a *api) writeUser(w http.ResponseWriter, r *http.Request, status int, u directory.User) {
	v, err := a.userView(r.Context(), u)
	if err != nil {
		a.fail(w, err, "User", u.ID)
		return
	}
	writeJSON(w, status, v)
}

// lookupUser finds a user by id or login, as Okta's /users/{id} does.
func (a *api) lookupUser(w http.ResponseWriter, r *http.Request, key string) (directory.User, bool) {
	u, err := a.dir.UserByID(r.Context(), key)
	if errors.Is(err, directory.ErrNotFound) {
		u, err = a.dir.UserByLogin(r.Context(), key)
	}
	if err != nil {
		a.fail(w, err, "User", key)
		return directory.User{}, false
	}
	return u, true
}

// userBody is the body of user creates and updates.
type userBody struct {
	Profile     map[string]json.RawMessage `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value *string `json:"value"`
		} `json:"password"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
}

func (b userBody) password() *string {
	if b.Credentials == nil || b.Credentials.Password == nil {
		return nil
	}
	return b.Credentials.Password.Value
}

var coreProfile = []string{"login", "email", "firstName", "lastName"}

// parsedProfile is a profile from a request: set core fields, extra
// attributes ("" to remove) and the validation causes.
type parsedProfile struct {
	core   map[string]string
	extras map[string]string
	causes []string
}

func parseProfile(in map[string]json.RawMessage) parsedProfile {
	p := parsedProfile{core: map[string]string{}, extras: map[string]string{}}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var v *string
		if err := json.Unmarshal(in[k], &v); err != nil {
			p.causes = append(p.causes, fmt.Sprintf("%s: Property value must be a string", k))
			continue
		}
		isCore := false
		for _, c := range coreProfile {
			isCore = isCore || c == k
		}
		switch {
		case isCore:
			if v == nil || strings.TrimSpace(*v) == "" {
				p.causes = append(p.causes, k+": The field cannot be left blank")
				continue
			}
			p.core[k] = strings.TrimSpace(*v)
		case directory.IsProfileAttribute(k):
			if v == nil {
				p.extras[k] = ""
			} else {
				p.extras[k] = *v
			}
		default:
			p.causes = append(p.causes, fmt.Sprintf("%s: Property name '%s' is not defined in profile", k, k))
		}
	}
	for _, k := range []string{"login", "email"} {
		if v, ok := p.core[k]; ok {
			if _, err := directory.ValidateLogin(v); err != nil {
				msg := "Does not match required pattern"
				if k == "login" {
					msg = "Username must be in the form of an email address"
				}
				p.causes = append(p.causes, k+": "+msg)
			}
		}
	}
	return p
}

func (a *api) causesFail(w http.ResponseWriter, causes []string) {
	fields := []string{}
	for _, c := range causes {
		f, _, _ := strings.Cut(c, ":")
		fields = append(fields, f)
	}
	validation(w, strings.Join(fields, ", "), causes...)
}

// conflict words a duplicate login the way Okta does.
func (a *api) userWriteFail(w http.ResponseWriter, err error, id string) {
	if errors.Is(err, directory.ErrConflict) {
		validation(w, "login", "login: An object with this field already exists in the current organization")
		return
	}
	a.fail(w, err, "User", id)
}

func (a *api) createUser(w http.ResponseWriter, r *http.Request) {
	activate, ok := boolParam(w, r, "activate", true)
	if !ok {
		return
	}
	var body userBody
	if !readJSON(w, r, &body) {
		return
	}
	if body.Profile == nil {
		validation(w, "profile", "profile: The field cannot be left blank")
		return
	}
	p := parseProfile(body.Profile)
	for _, k := range coreProfile {
		if _, set := p.core[k]; !set && body.Profile[k] == nil {
			p.causes = append(p.causes, k+": The field cannot be left blank")
		}
	}
	if len(p.causes) > 0 {
		a.causesFail(w, p.causes)
		return
	}
	status := directory.StatusActive
	if !activate {
		status = directory.StatusStaged
	}
	in := provision.NewUser{NewUser: directory.NewUser{
		Login: p.core["login"], Email: p.core["email"], FirstName: p.core["firstName"], LastName: p.core["lastName"], Status: status,
	}, Attributes: p.extras}
	if pw := body.password(); pw != nil {
		in.Password = *pw
	}
	for _, gid := range body.GroupIDs {
		if _, err := a.dir.GroupByID(r.Context(), gid); err != nil {
			a.fail(w, err, "Group", gid)
			return
		}
	}
	u, err := a.eng.CreateUser(r.Context(), in)
	if err != nil {
		a.userWriteFail(w, err, "")
		return
	}
	for _, gid := range body.GroupIDs {
		if _, err := a.eng.AddGroupMember(r.Context(), gid, u.ID); err != nil {
			a.fail(w, err, "Group", gid)
			return
		}
	}
	a.log.Info("api: user created", "user", u.ID, "login", u.Login, "status", u.Status)
	a.writeUser(w, r, http.StatusOK, u)
}

func (a *api) getUser(w http.ResponseWriter, r *http.Request) {
	if u, ok := a.lookupUser(w, r, r.PathValue("id")); ok {
		a.writeUser(w, r, http.StatusOK, u)
	}
}

var userFilterAttrs = map[string]bool{"id": true, "status": true, "created": true, "lastUpdated": true,
	"profile.login": true, "profile.email": true, "profile.firstName": true, "profile.lastName": true}

func userAttr(a string) bool {
	if userFilterAttrs[a] {
		return true
	}
	rest, ok := strings.CutPrefix(a, "profile.")
	return ok && directory.IsProfileAttribute(rest)
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f filter
	for _, param := range []string{"filter", "search"} {
		if expr := q.Get(param); expr != "" {
			var err error
			if f, err = parseFilter(expr, userAttr); err != nil {
				writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", param+": "+err.Error())
				return
			}
		}
	}
	term := strings.ToLower(strings.TrimSpace(q.Get("q")))
	users, err := a.dir.ListUsers(r.Context())
	if err != nil {
		a.fail(w, err, "User", "")
		return
	}
	var out []directory.User
	for _, u := range users {
		if term != "" && !strings.HasPrefix(strings.ToLower(u.FirstName), term) && !strings.HasPrefix(strings.ToLower(u.LastName), term) &&
			!strings.HasPrefix(strings.ToLower(u.Email), term) && !strings.HasPrefix(strings.ToLower(u.Login), term) {
			continue
		}
		if f != nil {
			extras, err := a.dir.ProfileExtras(r.Context(), u.ID)
			if err != nil {
				a.fail(w, err, "User", u.ID)
				return
			}
			get := func(attr string) string {
				switch attr {
				case "id":
					return u.ID
				case "status":
					return string(u.Status)
				case "created":
					return u.Created.UTC().Format("2006-01-02T15:04:05.000Z")
				case "lastUpdated":
					return u.LastUpdated.UTC().Format("2006-01-02T15:04:05.000Z")
				case "profile.login":
					return u.Login
				case "profile.email":
					return u.Email
				case "profile.firstName":
					return u.FirstName
				case "profile.lastName":
					return u.LastName
				}
				return extras[strings.TrimPrefix(attr, "profile.")]
			}
			if !f.match(get) {
				continue
			}
		}
		out = append(out, u)
	}
	shown, ok := page(w, r, a.base, out, func(u directory.User) string { return u.ID }, 200)
	if !ok {
		return
	}
	views := make([]userJSON, 0, len(shown))
	for _, u := range shown {
		v, err := a.userView(r.Context(), u)
		if err != nil {
			a.fail(w, err, "User", u.ID)
			return
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, views)
}

// updateUserPartial is POST /api/v1/users/{id}: only the given profile
// properties (and the password) change.
func (a *api) updateUserPartial(w http.ResponseWriter, r *http.Request) {
	a.updateUser(w, r, false)
}

// replaceUser is PUT /api/v1/users/{id}: the profile is replaced; missing
// optional properties are removed.
func (a *api) replaceUser(w http.ResponseWriter, r *http.Request) {
	a.updateUser(w, r, true)
}

func (a *api) updateUser(w http.ResponseWriter, r *http.Request, replace bool) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	var body userBody
	if !readJSON(w, r, &body) {
		return
	}
	p := parseProfile(body.Profile)
	if replace {
		if body.Profile == nil {
			p.causes = append(p.causes, "profile: The field cannot be left blank")
		}
		for _, k := range coreProfile {
			if _, set := p.core[k]; !set && body.Profile != nil && body.Profile[k] == nil {
				p.causes = append(p.causes, k+": The field cannot be left blank")
			}
		}
	}
	if len(p.causes) > 0 {
		a.causesFail(w, p.causes)
		return
	}
	upd := provision.ProfileUpdate{Attributes: p.extras, ReplaceAttributes: replace, Password: body.password()}
	for k, dst := range map[string]**string{"login": &upd.Login, "email": &upd.Email, "firstName": &upd.FirstName, "lastName": &upd.LastName} {
		if v, set := p.core[k]; set {
			*dst = &v
		}
	}
	if upd.Password != nil && *upd.Password == "" {
		validation(w, "password", "password: The field cannot be left blank")
		return
	}
	nu, _, err := a.eng.UpdateUser(r.Context(), u.ID, upd)
	if err != nil {
		a.userWriteFail(w, err, u.ID)
		return
	}
	a.writeUser(w, r, http.StatusOK, nu)
}

func (a *api) deleteUser(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	var err error
	if u.Status != directory.StatusDeprovisioned {
		// As Okta: the first DELETE deactivates, the second deletes.
		_, _, err = a.eng.SetStatus(r.Context(), u.ID, directory.StatusDeprovisioned)
	} else {
		_, err = a.eng.DeleteUser(r.Context(), u.ID)
	}
	if err != nil {
		a.fail(w, err, "User", u.ID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lifecycle is POST /api/v1/users/{id}/lifecycle/{op}, with Okta's rules
// on which statuses each operation accepts.
func (a *api) lifecycle(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	op := r.PathValue("op")
	switch op {
	case provision.OpActivate, provision.OpReactivate, provision.OpDeactivate, provision.OpSuspend, provision.OpUnsuspend:
	default:
		writeError(w, http.StatusNotFound, "E0000007", fmt.Sprintf("Not found: Resource not found: lifecycle/%s (Operation)", op))
		return
	}
	_, _, err := a.eng.Lifecycle(r.Context(), u.ID, op)
	switch {
	case errors.Is(err, provision.ErrAlreadyActive):
		writeError(w, http.StatusForbidden, "E0000016", "Activation failed because the user is already active")
	case errors.Is(err, provision.ErrLifecycle) && (op == provision.OpSuspend || op == provision.OpUnsuspend):
		validation(w, op, cleanLifecycle(err))
	case errors.Is(err, provision.ErrLifecycle):
		writeError(w, http.StatusForbidden, "E0000038", "This operation is not allowed in the user's current status.", cleanLifecycle(err))
	case err != nil:
		a.fail(w, err, "User", u.ID)
	default:
		a.log.Info("api: user lifecycle", "user", u.ID, "op", op)
		writeJSON(w, http.StatusOK, map[string]any{})
	}
}

func cleanLifecycle(err error) string {
	msg := strings.TrimPrefix(err.Error(), provision.ErrLifecycle.Error()+": ")
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

func (a *api) changePassword(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	var body struct {
		OldPassword *struct {
			Value string `json:"value"`
		} `json:"oldPassword"`
		NewPassword *struct {
			Value string `json:"value"`
		} `json:"newPassword"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.OldPassword == nil || body.NewPassword == nil || body.NewPassword.Value == "" {
		validation(w, "password", "oldPassword and newPassword: The field cannot be left blank")
		return
	}
	if _, err := a.dir.CheckPassword(r.Context(), u.Login, body.OldPassword.Value); err != nil {
		writeError(w, http.StatusForbidden, "E0000014", "Update of credentials failed", "oldPassword: The credentials provided were incorrect.")
		return
	}
	pw := body.NewPassword.Value
	if _, _, err := a.eng.UpdateUser(r.Context(), u.ID, provision.ProfileUpdate{Password: &pw}); err != nil {
		a.fail(w, err, "User", u.ID)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"password": map[string]any{}, "provider": map[string]string{"type": "OKTA", "name": "OKTA"}})
}

func (a *api) userGroups(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	groups, err := a.dir.ListUserGroups(r.Context(), u.ID)
	if err != nil {
		a.fail(w, err, "User", u.ID)
		return
	}
	out := make([]groupJSON, 0, len(groups))
	for _, g := range groups {
		out = append(out, a.groupView(g))
	}
	writeJSON(w, http.StatusOK, out)
}

var roleLabels = map[string]string{
	"SUPER_ADMIN": "Super Administrator", "ORG_ADMIN": "Organizational Administrator", "APP_ADMIN": "Application Administrator",
	"USER_ADMIN": "Group Administrator", "GROUP_MEMBERSHIP_ADMIN": "Group Membership Administrator", "READ_ONLY_ADMIN": "Read-only Administrator",
}

func (a *api) roleView(role directory.AdminRole) map[string]any {
	return map[string]any{
		"id": role.ID, "label": roleLabels[role.Type], "type": role.Type, "status": "ACTIVE",
		"created": ts(role.Created), "lastUpdated": ts(role.LastUpdated), "assignmentType": "USER",
		"_links": map[string]link{"assignee": {Href: a.base + "/api/v1/users/" + role.UserID}},
	}
}

func (a *api) listRoles(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	roles, err := a.dir.ListRoles(r.Context(), u.ID)
	if err != nil {
		a.fail(w, err, "User", u.ID)
		return
	}
	out := []map[string]any{}
	for _, role := range roles {
		out = append(out, a.roleView(role))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) assignRole(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	var body struct {
		Type string `json:"type"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	var role directory.AdminRole
	err := a.dir.Update(r.Context(), func(tx *directory.Tx) error {
		var err error
		role, err = tx.AssignRole(r.Context(), u.ID, body.Type)
		return err
	})
	if err != nil {
		a.fail(w, err, "Role", body.Type)
		return
	}
	writeJSON(w, http.StatusCreated, a.roleView(role))
}

func (a *api) unassignRole(w http.ResponseWriter, r *http.Request) {
	u, ok := a.lookupUser(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	roleID := r.PathValue("roleId")
	if err := a.dir.Update(r.Context(), func(tx *directory.Tx) error { return tx.UnassignRole(r.Context(), u.ID, roleID) }); err != nil {
		a.fail(w, err, "Role", roleID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
