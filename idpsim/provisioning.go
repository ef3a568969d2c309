package idpsim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/adminapi"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/internal/adminui"
	"github.com/ssoharness/ssoharness/idpsim/provision"
)

// Group is an Okta group.
type Group = directory.Group

// Task is a provisioning task: one SCIM action for one app, COMPLETED or
// FAILED (with the reason Okta shows admins) or still QUEUED.
type Task = directory.Task

// SCIMRequest is one logged SCIM exchange (Bearer token redacted).
type SCIMRequest = directory.SCIMRequest

// PushMapping is a group pushed to an app.
type PushMapping = directory.PushMapping

// TaskFilter selects tasks for Tasks.
type TaskFilter = directory.TaskFilter

// RequestFilter selects logged SCIM exchanges for Requests.
type RequestFilter = directory.RequestFilter

// ProfileUpdate changes a user's profile; nil fields are left alone.
// Attributes are Okta's other profile attributes (displayName, locale…;
// see directory.ProfileAttributes), "" removing one.
type ProfileUpdate = provision.ProfileUpdate

// Provisioning is an app's Provisioning tab as saved. Token is never given
// back: Provisioning returns its last four characters only.
type Provisioning = directory.Provisioning

// ProvisioningSettings is an app's Provisioning tab, as the integration
// guide fills it in: "Enable API integration", the SCIM base URL and Bearer
// token, the application username format, and the "To App" features.
type ProvisioningSettings struct {
	Enabled bool
	// BaseURL is the SCIM connector base URL, such as
	// http://127.0.0.1:8080/scim/v2.
	BaseURL string
	// Token is the Bearer token; "" keeps the saved one.
	Token string
	// UsernameFormat is OKTA_USERNAME (the default), OKTA_USERNAME_PREFIX,
	// EMAIL or EMAIL_PREFIX.
	UsernameFormat  string
	CreateUsers     bool
	UpdateUsers     bool
	DeactivateUsers bool
	SyncPassword    bool
	// Mode is template (an OIN catalog app: PUT for profile updates, PATCH
	// for activation, deactivation and passwords; the default) or custom (an
	// App Integration Wizard app: PUT for everything).
	Mode string
	// SkipConnectorTest saves without Okta's connector test, which otherwise
	// runs when the connection is enabled or changed.
	SkipConnectorTest bool
}

// ErrConnector matches a failed connector test.
var ErrConnector = provision.ErrConnector

// initProvisioning makes the provisioning engine, the /api/v1 handler and
// the admin UI.
func (s *Server) initProvisioning(cfg Config) error {
	eng, err := provision.New(provision.Config{
		Directory: s.dir, Logger: s.log, Now: s.Now, Timeout: cfg.ProvisioningTimeout,
		Transport: cfg.ProvisioningTransport, Async: cfg.AsyncProvisioning,
	})
	if err != nil {
		return err
	}
	s.prov = eng
	s.apiToken = strings.TrimSpace(cfg.APIToken)
	if s.apiToken == "" {
		s.apiToken = adminapi.NewToken()
	}
	if s.api, err = adminapi.New(adminapi.Config{Token: s.apiToken, Engine: eng, Apps: appFactory{s}, BaseURL: s.baseURL, Logger: s.log}); err != nil {
		return err
	}
	s.adminUI, err = adminui.New(adminui.Config{
		Org: s.org, BaseURL: s.baseURL, Engine: eng, Apps: appFactory{s}, Logger: s.log,
		CurrentAdmin: s.currentAdmin, SignInURL: loginPath,
	})
	return err
}

// provisioningRoutes adds the management API, the admin UI and the
// provisioning /_admin routes.
func (s *Server) provisioningRoutes(m *http.ServeMux) {
	m.Handle("/api/v1/", s.api)
	m.Handle("/admin/", s.adminUI)
	m.Handle("GET /admin", http.RedirectHandler("/admin/", http.StatusFound))
	m.HandleFunc("GET /_admin/requests", s.handleAdminRequests)
	m.HandleFunc("GET /_admin/tasks", s.handleAdminTasks)
	m.HandleFunc("GET /_admin/tasks/{id}", s.handleAdminTask)
	m.HandleFunc("POST /_admin/tasks/{id}/retry", s.handleAdminRetry)
}

// currentAdmin is the signed-in user of the request if they hold an admin
// role, and a CSRF token bound to their session.
func (s *Server) currentAdmin(r *http.Request) (directory.User, string, bool) {
	cur, ok := s.currentSession(r)
	if !ok || cur.user.Status != directory.StatusActive {
		return directory.User{}, "", false
	}
	admin, err := s.dir.IsAdmin(r.Context(), cur.user.ID)
	if err != nil || !admin {
		return cur.user, "", false
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return cur.user, "", false
	}
	return cur.user, adminui.CSRFToken(c.Value), true
}

// appFactory makes apps with fresh signing keys for the API and the UI.
type appFactory struct{ s *Server }

func (f appFactory) CreateApp(ctx context.Context, kind directory.AppKind, label string, settings directory.Settings, signOn directory.SignOn) (directory.App, error) {
	s := f.s
	if strings.TrimSpace(label) == "" {
		return directory.App{}, fmt.Errorf("%w: label: is required", directory.ErrInvalid)
	}
	cred, err := s.newCredential()
	if err != nil {
		return directory.App{}, err
	}
	var app directory.App
	err = s.dir.Update(ctx, func(tx *directory.Tx) error {
		app, err = s.insertApp(ctx, tx, kind, label, settings, signOn, cred)
		return err
	})
	return app, err
}

// APIToken returns the token of the management API (/api/v1), sent as
// "Authorization: SSWS {token}".
func (s *Server) APIToken() string { return s.apiToken }

// AdminURL returns the admin UI's URL.
func (s *Server) AdminURL() string { return s.baseURL + "/admin/" }

// SetAdmin gives the user the SUPER_ADMIN role (admin true), which opens the
// admin UI, or takes every admin role away (admin false).
func (s *Server) SetAdmin(ctx context.Context, userID string, admin bool) error {
	return s.dir.Update(ctx, func(tx *directory.Tx) error {
		roles, err := tx.ListRoles(ctx, userID)
		if err != nil {
			return err
		}
		if !admin {
			for _, r := range roles {
				if err := tx.UnassignRole(ctx, userID, r.ID); err != nil {
					return err
				}
			}
			return nil
		}
		for _, r := range roles {
			if r.Type == "SUPER_ADMIN" {
				return nil
			}
		}
		_, err = tx.AssignRole(ctx, userID, "SUPER_ADMIN")
		return err
	})
}

// ConfigureProvisioning saves the app's Provisioning tab. Okta's connector
// test runs first when the connection is enabled or changed (unless
// SkipConnectorTest); if it fails, nothing is saved and the error matches
// ErrConnector.
func (s *Server) ConfigureProvisioning(ctx context.Context, appID string, in ProvisioningSettings) error {
	mode := in.Mode
	if mode == "" {
		mode = string(directory.ModeTemplate)
	}
	format := in.UsernameFormat
	if format == "" {
		format = string(directory.UsernameOkta)
	}
	_, err := s.prov.ConfigureProvisioning(ctx, appID, provision.SettingsInput{
		Enabled: &in.Enabled, BaseURL: &in.BaseURL, Token: &in.Token, UsernameFormat: &format,
		CreateUsers: &in.CreateUsers, UpdateUsers: &in.UpdateUsers, DeactivateUsers: &in.DeactivateUsers,
		SyncPassword: &in.SyncPassword, Mode: &mode, SkipConnectorTest: in.SkipConnectorTest,
	})
	return err
}

// Provisioning returns the app's Provisioning tab; Token holds only a hint
// (its last four characters).
func (s *Server) Provisioning(ctx context.Context, appID string) (Provisioning, error) {
	p, err := s.dir.ProvisioningFor(ctx, appID)
	p.Token = adminapi.TokenHint(p.Token)
	return p, err
}

// TestConnector runs Okta's "Test Connector Configuration":
// GET /Users?startIndex=1&count=2, then GET /Groups?startIndex=1&count=100.
func (s *Server) TestConnector(ctx context.Context, appID string) error {
	return s.prov.TestConnector(ctx, appID)
}

// AssignUser assigns the user to the app and provisions them (Create Users):
// the SCIM client looks the user up by userName, then creates or links
// them. The tasks are returned as they ended (see Config.AsyncProvisioning).
func (s *Server) AssignUser(ctx context.Context, appID, userID string) ([]Task, error) {
	return s.prov.AssignUser(ctx, appID, userID)
}

// UnassignUser removes the user's assignment to the app, deactivating them
// there (Deactivate Users).
func (s *Server) UnassignUser(ctx context.Context, appID, userID string) ([]Task, error) {
	return s.prov.UnassignUser(ctx, appID, userID)
}

// UpdateUserProfile changes the user's profile; apps with Update User
// Attributes get it (GET then PUT).
func (s *Server) UpdateUserProfile(ctx context.Context, userID string, upd ProfileUpdate) (User, []Task, error) {
	return s.prov.UpdateUser(ctx, userID, upd)
}

// SetPassword sets the user's password; apps with Sync Password get it.
func (s *Server) SetPassword(ctx context.Context, userID, password string) ([]Task, error) {
	if password == "" {
		return nil, fmt.Errorf("%w: password: is required", directory.ErrInvalid)
	}
	_, tasks, err := s.prov.UpdateUser(ctx, userID, provision.ProfileUpdate{Password: &password})
	return tasks, err
}

func (s *Server) lifecycle(ctx context.Context, userID, op string) ([]Task, error) {
	_, tasks, err := s.prov.Lifecycle(ctx, userID, op)
	return tasks, err
}

// Activate activates a STAGED or deactivated user; apps get them created or
// reactivated.
func (s *Server) Activate(ctx context.Context, userID string) ([]Task, error) {
	return s.lifecycle(ctx, userID, provision.OpActivate)
}

// Deactivate deactivates the user in Okta and in the apps with Deactivate
// Users.
func (s *Server) Deactivate(ctx context.Context, userID string) ([]Task, error) {
	return s.lifecycle(ctx, userID, provision.OpDeactivate)
}

// Suspend suspends an ACTIVE user, deactivating them in the apps.
func (s *Server) Suspend(ctx context.Context, userID string) ([]Task, error) {
	return s.lifecycle(ctx, userID, provision.OpSuspend)
}

// Unsuspend unsuspends a SUSPENDED user, reactivating them in the apps.
func (s *Server) Unsuspend(ctx context.Context, userID string) ([]Task, error) {
	return s.lifecycle(ctx, userID, provision.OpUnsuspend)
}

// Reactivate reactivates a deactivated user, in Okta and in the apps.
func (s *Server) Reactivate(ctx context.Context, userID string) ([]Task, error) {
	return s.lifecycle(ctx, userID, provision.OpReactivate)
}

// DeleteUser deletes the user, deactivating them first as Okta does (apps
// get the deactivation; Okta never sends DELETE /Users).
func (s *Server) DeleteUser(ctx context.Context, userID string) ([]Task, error) {
	_, tasks, err := s.prov.Lifecycle(ctx, userID, provision.OpDeactivate)
	if err != nil {
		return tasks, err
	}
	more, err := s.prov.DeleteUser(ctx, userID)
	return append(tasks, more...), err
}

// ProvisionedUser returns the user's account in the app as the SCIM server
// gave it: the SCIM id and whether it is active there. ErrNotFound if the
// app does not know the user.
func (s *Server) ProvisionedUser(ctx context.Context, appID, userID string) (directory.Link, error) {
	return s.dir.LinkFor(ctx, appID, userID)
}

// CreateGroup adds an Okta group.
func (s *Server) CreateGroup(ctx context.Context, name, description string) (Group, error) {
	return s.prov.CreateGroup(ctx, directory.NewGroup{Name: name, Description: description})
}

// FindGroupByName returns the group with the name (case-insensitively), or
// an error matching ErrNotFound.
func (s *Server) FindGroupByName(ctx context.Context, name string) (Group, error) {
	return s.dir.GroupByName(ctx, name)
}

// GroupMembers returns the group's members.
func (s *Server) GroupMembers(ctx context.Context, groupID string) ([]User, error) {
	return s.dir.ListGroupMembers(ctx, groupID)
}

// RenameGroup renames a group; apps it is pushed to get the new name.
func (s *Server) RenameGroup(ctx context.Context, groupID, name string) ([]Task, error) {
	_, tasks, err := s.prov.UpdateGroup(ctx, groupID, directory.GroupUpdate{Name: &name})
	return tasks, err
}

// DeleteGroup deletes a group. A pushed group cannot be deleted (unlink it
// first); the error matches directory.ErrConflict.
func (s *Server) DeleteGroup(ctx context.Context, groupID string) ([]Task, error) {
	return s.prov.DeleteGroup(ctx, groupID)
}

// AddGroupMember adds the user to the group: apps the group is assigned to
// get the user, apps it is pushed to get the member.
func (s *Server) AddGroupMember(ctx context.Context, groupID, userID string) ([]Task, error) {
	return s.prov.AddGroupMember(ctx, groupID, userID)
}

// RemoveGroupMember removes the user from the group.
func (s *Server) RemoveGroupMember(ctx context.Context, groupID, userID string) ([]Task, error) {
	return s.prov.RemoveGroupMember(ctx, groupID, userID)
}

// AssignGroup assigns the group to the app: its members are assigned (and
// provisioned).
func (s *Server) AssignGroup(ctx context.Context, appID, groupID string) ([]Task, error) {
	return s.prov.AssignGroup(ctx, appID, groupID, 0)
}

// UnassignGroup removes the group's assignment to the app.
func (s *Server) UnassignGroup(ctx context.Context, appID, groupID string) ([]Task, error) {
	return s.prov.UnassignGroup(ctx, appID, groupID)
}

// PushGroup pushes the group to the app (Push Groups): the group is found by
// name or created there, and its members assigned to the app are pushed.
func (s *Server) PushGroup(ctx context.Context, appID, groupID string) (PushMapping, []Task, error) {
	return s.prov.PushGroup(ctx, appID, groupID, directory.PushActive)
}

// PushMapping returns the push mapping of the group to the app (its
// TargetID is the group's SCIM id there), or ErrNotFound.
func (s *Server) PushMapping(ctx context.Context, appID, groupID string) (PushMapping, error) {
	return s.dir.PushMappingFor(ctx, appID, groupID)
}

// PushGroupNow pushes the pushed group's whole membership ("Push now").
func (s *Server) PushGroupNow(ctx context.Context, appID, groupID string) ([]Task, error) {
	m, err := s.dir.PushMappingFor(ctx, appID, groupID)
	if err != nil {
		return nil, err
	}
	return s.prov.PushGroupNow(ctx, m.ID)
}

// UnlinkPushedGroup stops pushing the group to the app. With
// deleteInTarget ("Delete the group in the target app") the app gets
// DELETE /Groups/{id}; otherwise ("Leave the group") nothing is sent.
func (s *Server) UnlinkPushedGroup(ctx context.Context, appID, groupID string, deleteInTarget bool) ([]Task, error) {
	m, err := s.dir.PushMappingFor(ctx, appID, groupID)
	if err != nil {
		return nil, err
	}
	return s.prov.UnlinkPushedGroup(ctx, m.ID, deleteInTarget)
}

// Tasks returns the provisioning tasks that match, oldest first.
func (s *Server) Tasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	return s.prov.Tasks(ctx, f)
}

// RetryTask runs a FAILED task again, against the org as it is now.
func (s *Server) RetryTask(ctx context.Context, taskID string) (Task, error) {
	return s.prov.RetryTask(ctx, taskID)
}

// Requests returns the logged SCIM exchanges that match, oldest first.
func (s *Server) Requests(ctx context.Context, f RequestFilter) ([]SCIMRequest, error) {
	return s.prov.Requests(ctx, f)
}

// WaitForProvisioning runs every queued task now (with
// Config.AsyncProvisioning, this is how a test waits).
func (s *Server) WaitForProvisioning(ctx context.Context) error { return s.prov.Wait(ctx) }

// handleAdminRequests is GET /_admin/requests: the SCIM request log, oldest
// first. Query: appId, taskId, after (an id), limit (the newest n).
func (s *Server) handleAdminRequests(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := RequestFilter{AppID: q.Get("appId"), TaskID: q.Get("taskId")}
	var ok bool
	if f.AfterID, ok = intParam(w, q.Get("after"), "after"); !ok {
		return
	}
	limit, ok := intParam(w, q.Get("limit"), "limit")
	if !ok {
		return
	}
	f.Limit = int(limit)
	reqs, err := s.Requests(r.Context(), f)
	if err != nil {
		s.log.Error("request log failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "request log failed: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, reqs)
}

func intParam(w http.ResponseWriter, v, name string) (int64, bool) {
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("%s must be a non-negative number, not %q", name, v))
		return 0, false
	}
	return n, true
}

// handleAdminTasks is GET /_admin/tasks: provisioning tasks, oldest first.
// Query: appId, userId, groupId, status (QUEUED, COMPLETED, FAILED), limit.
func (s *Server) handleAdminTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := TaskFilter{AppID: q.Get("appId"), UserID: q.Get("userId"), GroupID: q.Get("groupId"),
		Status: directory.TaskStatus(strings.ToUpper(q.Get("status")))}
	switch f.Status {
	case "", directory.TaskQueued, directory.TaskCompleted, directory.TaskFailed:
	default:
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("status must be QUEUED, COMPLETED or FAILED, not %q", q.Get("status")))
		return
	}
	limit, ok := intParam(w, q.Get("limit"), "limit")
	if !ok {
		return
	}
	f.Limit = int(limit)
	tasks, err := s.Tasks(r.Context(), f)
	if err != nil {
		s.log.Error("task list failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "task list failed: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, tasks)
}

// handleAdminTask is GET /_admin/tasks/{id}.
func (s *Server) handleAdminTask(w http.ResponseWriter, r *http.Request) {
	t, err := s.dir.TaskByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, directory.ErrNotFound) {
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("no task %q", r.PathValue("id")))
		return
	}
	if err != nil {
		writeJSONError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, t)
}

// handleAdminRetry is POST /_admin/tasks/{id}/retry: runs a FAILED task
// again and answers with the task as it ended.
func (s *Server) handleAdminRetry(w http.ResponseWriter, r *http.Request) {
	t, err := s.RetryTask(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, directory.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("no task %q", r.PathValue("id")))
	case errors.Is(err, directory.ErrInvalid):
		writeJSONError(w, http.StatusConflict, strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": "))
	case err != nil:
		s.log.Error("task retry failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "retry failed: "+err.Error())
	default:
		writeJSON(w, http.StatusOK, t)
	}
}
