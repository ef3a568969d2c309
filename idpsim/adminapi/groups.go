package adminapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// groupJSON is Okta's group object.
type groupJSON struct {
	ID                    string          `json:"id"`
	Created               *oktaTime       `json:"created"`
	LastUpdated           *oktaTime       `json:"lastUpdated"`
	LastMembershipUpdated *oktaTime       `json:"lastMembershipUpdated"`
	ObjectClass           []string        `json:"objectClass"`
	Type                  string          `json:"type"`
	Profile               groupProfile    `json:"profile"`
	Links                 map[string]link `json:"_links"`
}

type groupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (a *api) groupView(g directory.Group) groupJSON {
	self := a.base + "/api/v1/groups/" + g.ID
	return groupJSON{
		ID: g.ID, Created: ts(g.Created), LastUpdated: ts(g.LastUpdated), LastMembershipUpdated: ts(g.LastMembershipUpdated),
		ObjectClass: []string{"okta:user_group"}, Type: "OKTA_GROUP",
		Profile: groupProfile{Name: g.Name, Description: g.Description},
		Links:   map[string]link{"self": {Href: self}, "users": {Href: self + "/users"}, "apps": {Href: self + "/apps"}},
	}
}

func (a *api) lookupGroup(w http.ResponseWriter, r *http.Request, id string) (directory.Group, bool) {
	g, err := a.dir.GroupByID(r.Context(), id)
	if err != nil {
		a.fail(w, err, "UserGroup", id)
		return g, false
	}
	return g, true
}

type groupBody struct {
	Profile *struct {
		Name        *string `json:"name"`
		Description *string `json:"description"`
	} `json:"profile"`
}

func (b groupBody) check(w http.ResponseWriter) bool {
	if b.Profile == nil || b.Profile.Name == nil || strings.TrimSpace(*b.Profile.Name) == "" {
		validation(w, "name", "name: The field cannot be left blank")
		return false
	}
	return true
}

// groupWriteFail words a duplicate name the way Okta does.
func (a *api) groupWriteFail(w http.ResponseWriter, err error, id string) {
	if errors.Is(err, directory.ErrConflict) && strings.Contains(err.Error(), "named") {
		validation(w, "name", "name: An object with this field already exists in the current organization")
		return
	}
	a.fail(w, err, "UserGroup", id)
}

func (a *api) createGroup(w http.ResponseWriter, r *http.Request) {
	var body groupBody
	if !readJSON(w, r, &body) || !body.check(w) {
		return
	}
	in := directory.NewGroup{Name: *body.Profile.Name}
	if body.Profile.Description != nil {
		in.Description = *body.Profile.Description
	}
	g, err := a.eng.CreateGroup(r.Context(), in)
	if err != nil {
		a.groupWriteFail(w, err, "")
		return
	}
	writeJSON(w, http.StatusOK, a.groupView(g))
}

func (a *api) getGroup(w http.ResponseWriter, r *http.Request) {
	if g, ok := a.lookupGroup(w, r, r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, a.groupView(g))
	}
}

var groupFilterAttrs = map[string]bool{"id": true, "type": true, "profile.name": true, "created": true, "lastUpdated": true, "lastMembershipUpdated": true}

func (a *api) listGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f filter
	if expr := q.Get("filter"); expr != "" {
		var err error
		if f, err = parseFilter(expr, func(s string) bool { return groupFilterAttrs[s] }); err != nil {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", "filter: "+err.Error())
			return
		}
	}
	groups, err := a.dir.ListGroups(r.Context(), q.Get("q"))
	if err != nil {
		a.fail(w, err, "UserGroup", "")
		return
	}
	var out []directory.Group
	for _, g := range groups {
		get := func(attr string) string {
			switch attr {
			case "id":
				return g.ID
			case "type":
				return "OKTA_GROUP"
			case "profile.name":
				return g.Name
			case "created":
				return g.Created.UTC().Format("2006-01-02T15:04:05.000Z")
			case "lastUpdated":
				return g.LastUpdated.UTC().Format("2006-01-02T15:04:05.000Z")
			}
			return g.LastMembershipUpdated.UTC().Format("2006-01-02T15:04:05.000Z")
		}
		if f == nil || f.match(get) {
			out = append(out, g)
		}
	}
	shown, ok := page(w, r, a.base, out, func(g directory.Group) string { return g.ID }, 10000)
	if !ok {
		return
	}
	views := make([]groupJSON, 0, len(shown))
	for _, g := range shown {
		views = append(views, a.groupView(g))
	}
	writeJSON(w, http.StatusOK, views)
}

// updateGroup is PUT /api/v1/groups/{id}: the profile is replaced; a rename
// reaches the apps the group is pushed to.
func (a *api) updateGroup(w http.ResponseWriter, r *http.Request) {
	g, ok := a.lookupGroup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	var body groupBody
	if !readJSON(w, r, &body) || !body.check(w) {
		return
	}
	desc := ""
	if body.Profile.Description != nil {
		desc = *body.Profile.Description
	}
	ng, _, err := a.eng.UpdateGroup(r.Context(), g.ID, directory.GroupUpdate{Name: body.Profile.Name, Description: &desc})
	if err != nil {
		a.groupWriteFail(w, err, g.ID)
		return
	}
	writeJSON(w, http.StatusOK, a.groupView(ng))
}

func (a *api) deleteGroup(w http.ResponseWriter, r *http.Request) {
	g, ok := a.lookupGroup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	if _, err := a.eng.DeleteGroup(r.Context(), g.ID); err != nil {
		if errors.Is(err, directory.ErrConflict) {
			writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action",
				"The group is used by a group push mapping; unlink the pushed group before deleting it")
			return
		}
		a.fail(w, err, "UserGroup", g.ID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) groupUsers(w http.ResponseWriter, r *http.Request) {
	g, ok := a.lookupGroup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	users, err := a.dir.ListGroupMembers(r.Context(), g.ID)
	if err != nil {
		a.fail(w, err, "UserGroup", g.ID)
		return
	}
	shown, ok := page(w, r, a.base, users, func(u directory.User) string { return u.ID }, 1000)
	if !ok {
		return
	}
	out := make([]userJSON, 0, len(shown))
	for _, u := range shown {
		v, err := a.userView(r.Context(), u)
		if err != nil {
			a.fail(w, err, "User", u.ID)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) membership(w http.ResponseWriter, r *http.Request, add bool) {
	g, ok := a.lookupGroup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	u, ok := a.lookupUser(w, r, r.PathValue("userId"))
	if !ok {
		return
	}
	var err error
	if add {
		_, err = a.eng.AddGroupMember(r.Context(), g.ID, u.ID)
	} else {
		_, err = a.eng.RemoveGroupMember(r.Context(), g.ID, u.ID)
	}
	if err != nil {
		a.fail(w, err, "UserGroup", g.ID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) addGroupMember(w http.ResponseWriter, r *http.Request)    { a.membership(w, r, true) }
func (a *api) removeGroupMember(w http.ResponseWriter, r *http.Request) { a.membership(w, r, false) }

func (a *api) groupApps(w http.ResponseWriter, r *http.Request) {
	g, ok := a.lookupGroup(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	apps, err := a.dir.ListApps(r.Context())
	if err != nil {
		a.fail(w, err, "UserGroup", g.ID)
		return
	}
	out := []appJSON{}
	for _, app := range apps {
		if _, err := a.dir.AppGroup(r.Context(), app.ID, g.ID); err == nil {
			v, err := a.appView(r.Context(), app)
			if err != nil {
				a.fail(w, err, "App", app.ID)
				return
			}
			out = append(out, v)
		}
	}
	writeJSON(w, http.StatusOK, out)
}
