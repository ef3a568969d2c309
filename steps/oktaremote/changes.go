package oktaremote

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// scope is what a change is about: the app, user and group whose
// provisioning tasks it may start (besides the Client's own apps).
type scope struct{ appID, userID, groupID string }

// filters are the task lists that hold every task the change can start:
// those of the app named, of the Client's apps, of the user and of the
// group.
func (c *Client) filters(s scope) []idpsim.TaskFilter {
	c.mu.Lock()
	apps := slices.Clone(c.apps)
	c.mu.Unlock()
	if s.appID != "" && !slices.Contains(apps, s.appID) {
		apps = append(apps, s.appID)
	}
	var fs []idpsim.TaskFilter
	for _, a := range apps {
		fs = append(fs, idpsim.TaskFilter{AppID: a})
	}
	if s.userID != "" {
		fs = append(fs, idpsim.TaskFilter{UserID: s.userID})
	}
	if s.groupID != "" {
		fs = append(fs, idpsim.TaskFilter{GroupID: s.groupID})
	}
	return fs
}

// change runs do, one or more requests that may start provisioning, and
// returns the tasks they started once none is QUEUED any more: as the
// in-process Server returns them, and with every SCIM request they make
// sent. The tasks there were before are told apart by id, since the API
// does not say which tasks a request started.
func (c *Client) change(ctx context.Context, s scope, do func() error) ([]idpsim.Task, error) {
	fs := c.filters(s)
	before := map[string]bool{}
	for _, f := range fs {
		ts, err := c.Tasks(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			before[t.ID] = true
		}
	}
	if err := do(); err != nil {
		return nil, err
	}
	return c.settleTasks(ctx, fs, before)
}

// settleTasks polls the task lists until no task that is not in before is
// QUEUED, within SettleTimeout, and returns those tasks, oldest first.
func (c *Client) settleTasks(ctx context.Context, fs []idpsim.TaskFilter, before map[string]bool) ([]idpsim.Task, error) {
	wait, cancel := context.WithTimeout(ctx, c.settle)
	defer cancel()
	// Short sleeps first: a task usually runs in a few milliseconds.
	delay := 2 * time.Millisecond
	for {
		var fresh, queued []idpsim.Task
		seen := map[string]bool{}
		for _, f := range fs {
			ts, err := c.Tasks(wait, f)
			if err != nil {
				return nil, c.settleErr(ctx, wait, err, queued)
			}
			for _, t := range ts {
				if before[t.ID] || seen[t.ID] {
					continue
				}
				seen[t.ID] = true
				fresh = append(fresh, t)
				if t.Status == directory.TaskQueued {
					queued = append(queued, t)
				}
			}
		}
		if len(queued) == 0 {
			// Each list is oldest first; tasks of one change share a
			// creation time, so a stable sort keeps their order.
			slices.SortStableFunc(fresh, func(a, b idpsim.Task) int { return a.Created.Compare(b.Created) })
			if fresh == nil {
				fresh = []idpsim.Task{}
			}
			return fresh, nil
		}
		select {
		case <-wait.Done():
			return nil, c.settleErr(ctx, wait, wait.Err(), queued)
		case <-time.After(delay):
		}
		delay = min(delay*2, 100*time.Millisecond)
	}
}

// settleErr words a wait that ended before the tasks left QUEUED: the
// caller's context ended, SettleTimeout passed, or the task list could not
// be read.
func (c *Client) settleErr(ctx, wait context.Context, err error, queued []idpsim.Task) error {
	var names []string
	for _, t := range queued {
		names = append(names, fmt.Sprintf("%q", t.Description))
	}
	which := "its provisioning tasks"
	if len(names) > 0 {
		which += " " + strings.Join(names, ", ")
	}
	if ctx.Err() == nil && wait.Err() != nil {
		return fmt.Errorf("oktaremote: the fake Okta's %s were still QUEUED after %s: is its provisioning stuck? (%w)", which, c.settle, err)
	}
	return fmt.Errorf("oktaremote: waiting for the fake Okta's %s: %w", which, err)
}

// Assign assigns the user to the app. Assigning twice is not an error. An
// app with provisioning gets the user.
func (c *Client) Assign(ctx context.Context, appID, userID string) error {
	_, err := c.change(ctx, scope{appID: appID, userID: userID}, func() error {
		return c.api(ctx, http.MethodPost, "/api/v1/apps/"+seg(appID)+"/users", map[string]string{"id": userID}, nil)
	})
	return err
}

// UnassignUser removes the user's individual assignment to the app; an app
// with provisioning gets the user deactivated. As Okta's API, it refuses a
// user who is not assigned (404) or assigned only through a group.
func (c *Client) UnassignUser(ctx context.Context, appID, userID string) ([]idpsim.Task, error) {
	return c.change(ctx, scope{appID: appID, userID: userID}, func() error {
		return c.api(ctx, http.MethodDelete, "/api/v1/apps/"+seg(appID)+"/users/"+seg(userID), nil, nil)
	})
}

func (c *Client) lifecycle(ctx context.Context, userID, op string) ([]idpsim.Task, error) {
	return c.change(ctx, scope{userID: userID}, func() error {
		return c.api(ctx, http.MethodPost, "/api/v1/users/"+seg(userID)+"/lifecycle/"+op, nil, nil)
	})
}

// Deactivate deactivates the user in Okta and in the apps with Deactivate
// Users.
func (c *Client) Deactivate(ctx context.Context, userID string) ([]idpsim.Task, error) {
	return c.lifecycle(ctx, userID, "deactivate")
}

// Suspend suspends an ACTIVE user, deactivating them in the apps.
func (c *Client) Suspend(ctx context.Context, userID string) ([]idpsim.Task, error) {
	return c.lifecycle(ctx, userID, "suspend")
}

// Unsuspend unsuspends a SUSPENDED user, reactivating them in the apps.
func (c *Client) Unsuspend(ctx context.Context, userID string) ([]idpsim.Task, error) {
	return c.lifecycle(ctx, userID, "unsuspend")
}

// Reactivate reactivates a deactivated user, in Okta and in the apps.
func (c *Client) Reactivate(ctx context.Context, userID string) ([]idpsim.Task, error) {
	return c.lifecycle(ctx, userID, "reactivate")
}

// UpdateUserProfile changes the user's profile (nil fields are left alone;
// an attribute "" is removed); apps with Update User Attributes get it.
func (c *Client) UpdateUserProfile(ctx context.Context, userID string, upd idpsim.ProfileUpdate) (idpsim.User, []idpsim.Task, error) {
	profile := map[string]any{}
	for k, v := range map[string]*string{"login": upd.Login, "email": upd.Email, "firstName": upd.FirstName, "lastName": upd.LastName} {
		if v != nil {
			profile[k] = *v
		}
	}
	for k, v := range upd.Attributes {
		if strings.TrimSpace(v) == "" {
			profile[k] = nil // the API's way to remove a property
		} else {
			profile[k] = v
		}
	}
	method := http.MethodPost // a partial update: only what is given changes
	if upd.ReplaceAttributes {
		// PUT replaces the profile, so the core fields not changed are sent
		// as they are.
		var cur userJSON
		if err := c.api(ctx, http.MethodGet, "/api/v1/users/"+seg(userID), nil, &cur); err != nil {
			return idpsim.User{}, nil, err
		}
		for k, v := range map[string]string{"login": cur.Profile.Login, "email": cur.Profile.Email,
			"firstName": cur.Profile.FirstName, "lastName": cur.Profile.LastName} {
			if _, set := profile[k]; !set {
				profile[k] = v
			}
		}
		method = http.MethodPut
	}
	body := map[string]any{"profile": profile}
	if upd.Password != nil {
		body["credentials"] = credentials{Password: &password{Value: *upd.Password}}
	}
	var u userJSON
	tasks, err := c.change(ctx, scope{userID: userID}, func() error {
		return c.api(ctx, method, "/api/v1/users/"+seg(userID), body, &u)
	})
	if err != nil {
		return idpsim.User{}, nil, err
	}
	return u.user(), tasks, nil
}

// SetPassword sets the user's password as an admin; apps with Sync
// Password get it.
func (c *Client) SetPassword(ctx context.Context, userID, pw string) ([]idpsim.Task, error) {
	if pw == "" {
		return nil, fmt.Errorf("%w: password: is required", directory.ErrInvalid)
	}
	return c.change(ctx, scope{userID: userID}, func() error {
		return c.api(ctx, http.MethodPost, "/api/v1/users/"+seg(userID),
			map[string]any{"credentials": credentials{Password: &password{Value: pw}}}, nil)
	})
}

// AddGroupMember adds the user to the group: apps the group is assigned to
// get the user, apps it is pushed to get the member.
func (c *Client) AddGroupMember(ctx context.Context, groupID, userID string) ([]idpsim.Task, error) {
	return c.change(ctx, scope{userID: userID, groupID: groupID}, func() error {
		return c.api(ctx, http.MethodPut, "/api/v1/groups/"+seg(groupID)+"/users/"+seg(userID), nil, nil)
	})
}

// RemoveGroupMember removes the user from the group.
func (c *Client) RemoveGroupMember(ctx context.Context, groupID, userID string) ([]idpsim.Task, error) {
	return c.change(ctx, scope{userID: userID, groupID: groupID}, func() error {
		return c.api(ctx, http.MethodDelete, "/api/v1/groups/"+seg(groupID)+"/users/"+seg(userID), nil, nil)
	})
}

// RenameGroup renames a group; apps it is pushed to get the new name.
func (c *Client) RenameGroup(ctx context.Context, groupID, name string) ([]idpsim.Task, error) {
	// PUT replaces the whole profile: the description is sent as it is.
	g, err := c.getGroup(ctx, groupID)
	if err != nil {
		return nil, err
	}
	return c.change(ctx, scope{groupID: groupID}, func() error {
		return c.api(ctx, http.MethodPut, "/api/v1/groups/"+seg(groupID),
			groupBody{groupProfile{Name: name, Description: g.Profile.Description}}, nil)
	})
}

// mappingJSON is Okta's group push mapping.
type mappingJSON struct {
	ID            string     `json:"id"`
	Status        string     `json:"status"`
	SourceGroupID string     `json:"sourceGroupId"`
	TargetGroupID *string    `json:"targetGroupId"`
	ErrorSummary  string     `json:"errorSummary"`
	LastPush      *time.Time `json:"lastPush"`
	Created       *time.Time `json:"created"`
	LastUpdated   *time.Time `json:"lastUpdated"`
}

// mapping is the idpsim.PushMapping; the API does not give TargetName (the
// name last pushed), so it is left empty.
func (m mappingJSON) mapping(appID string) idpsim.PushMapping {
	pm := idpsim.PushMapping{
		ID: m.ID, AppID: appID, GroupID: m.SourceGroupID, Status: directory.PushStatus(m.Status),
		ErrorSummary: m.ErrorSummary, LastPush: deref(m.LastPush), Created: deref(m.Created), LastUpdated: deref(m.LastUpdated),
	}
	if m.TargetGroupID != nil {
		pm.TargetID = *m.TargetGroupID
	}
	return pm
}

func mappingsPath(appID string) string { return "/api/v1/apps/" + seg(appID) + "/group-push/mappings" }

// findMapping returns the app's push mapping of the group, or an error
// matching idpsim.ErrNotFound.
func (c *Client) findMapping(ctx context.Context, appID, groupID string) (mappingJSON, error) {
	var ms []mappingJSON
	if err := c.call(ctx, http.MethodGet, mappingsPath(appID), url.Values{"sourceGroupId": {groupID}}, nil, &ms, true); err != nil {
		return mappingJSON{}, err
	}
	for _, m := range ms {
		if m.SourceGroupID == groupID {
			return m, nil
		}
	}
	return mappingJSON{}, fmt.Errorf("%w: group %q is not pushed to app %q", idpsim.ErrNotFound, groupID, appID)
}

// PushGroup pushes the group to the app (Push Groups). The mapping is
// returned as it is once the push has run.
func (c *Client) PushGroup(ctx context.Context, appID, groupID string) (idpsim.PushMapping, []idpsim.Task, error) {
	var m mappingJSON
	tasks, err := c.change(ctx, scope{appID: appID, groupID: groupID}, func() error {
		return c.api(ctx, http.MethodPost, mappingsPath(appID), map[string]string{"sourceGroupId": groupID, "status": "ACTIVE"}, &m)
	})
	if err != nil {
		return idpsim.PushMapping{}, nil, err
	}
	// With background provisioning the answer came before the push: read
	// the mapping again for its target id and push time.
	if err := c.api(ctx, http.MethodGet, mappingsPath(appID)+"/"+seg(m.ID), nil, &m); err != nil {
		return idpsim.PushMapping{}, nil, err
	}
	return m.mapping(appID), tasks, nil
}

// PushGroupNow pushes the pushed group's whole membership ("Push now").
func (c *Client) PushGroupNow(ctx context.Context, appID, groupID string) ([]idpsim.Task, error) {
	m, err := c.findMapping(ctx, appID, groupID)
	if err != nil {
		return nil, err
	}
	return c.change(ctx, scope{appID: appID, groupID: groupID}, func() error {
		return c.api(ctx, http.MethodPost, mappingsPath(appID)+"/"+seg(m.ID)+"/_push", nil, nil)
	})
}

// UnlinkPushedGroup stops pushing the group to the app. With
// deleteInTarget ("Delete the group in the target app") the app gets
// DELETE /Groups/{id}; otherwise ("Leave the group") nothing is sent. As
// Okta's admin UI (and the Server's UnlinkPushedGroup) it deactivates the
// mapping first, since the API deletes only an INACTIVE one; deactivating
// sends nothing.
func (c *Client) UnlinkPushedGroup(ctx context.Context, appID, groupID string, deleteInTarget bool) ([]idpsim.Task, error) {
	m, err := c.findMapping(ctx, appID, groupID)
	if err != nil {
		return nil, err
	}
	path := mappingsPath(appID) + "/" + seg(m.ID)
	return c.change(ctx, scope{appID: appID, groupID: groupID}, func() error {
		if m.Status != string(directory.PushInactive) {
			if err := c.api(ctx, http.MethodPatch, path, map[string]string{"status": string(directory.PushInactive)}, nil); err != nil {
				return err
			}
		}
		q := url.Values{"deleteTargetGroup": {fmt.Sprint(deleteInTarget)}}
		return c.call(ctx, http.MethodDelete, path, q, nil, nil, true)
	})
}

// ConfigureProvisioning saves the app's Provisioning tab. Okta's connector
// test runs first when the connection is enabled or changed (unless
// SkipConnectorTest); if it fails, nothing is saved and the error carries
// the test's reason.
func (c *Client) ConfigureProvisioning(ctx context.Context, appID string, in idpsim.ProvisioningSettings) error {
	// The Server's defaults for the fields a caller may leave empty.
	mode, format := in.Mode, in.UsernameFormat
	if mode == "" {
		mode = string(directory.ModeTemplate)
	}
	if format == "" {
		format = string(directory.UsernameOkta)
	}
	body := map[string]any{
		"enabled": in.Enabled, "baseUrl": in.BaseURL, "usernameFormat": format, "mode": mode,
		"createUsers": in.CreateUsers, "updateUsers": in.UpdateUsers, "deactivateUsers": in.DeactivateUsers,
		"syncPassword": in.SyncPassword,
	}
	if in.Token != "" { // "" keeps the saved token
		body["token"] = in.Token
	}
	q := url.Values{}
	if in.SkipConnectorTest {
		q.Set("skipConnectorTest", "true")
	}
	_, err := c.change(ctx, scope{appID: appID}, func() error {
		return c.call(ctx, http.MethodPut, "/api/v1/apps/"+seg(appID)+"/_provisioning", q, body, nil, true)
	})
	return err
}
