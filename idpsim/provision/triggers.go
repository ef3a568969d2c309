package provision

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// A change to the org runs in one directory transaction. Before it touches
// a user, it records the user's provisioning state (track); after it, the
// new state is compared with the old one for every app with provisioning
// on, and the tasks Okta would run are queued in the same transaction:
//
//   - a user who becomes an active app user (assigned and ACTIVE in Okta) is
//     created or linked, or reactivated if the app knows them;
//   - a user who stops being one is deactivated (and, when unassigned,
//     forgotten: a later assignment finds them again by userName);
//   - a profile or password change is pushed to the apps the user is in;
//   - pushed groups whose pushable membership changes are updated: before
//     the deactivations of the users who leave, after the creations of the
//     users who join.

// appState is a user's place in one app with provisioning on.
type appState struct {
	assigned bool
	mappings map[string]bool // the app's active push mappings whose group has the user
}

// userState is a user's provisioning state in every app with provisioning
// on.
type userState struct {
	exists bool
	user   directory.User
	apps   map[string]appState
}

// changes collects what one change does, to plan its tasks.
type changes struct {
	e       *Engine
	tx      *directory.Tx
	apps    []directory.Provisioning
	labels  map[string]string
	order   []string
	before  map[string]userState
	profile map[string]bool
	passwd  map[string]bool
	syncs   []string // push mappings to update (a rename)
	tasks   []directory.NewTask
	// assigned: user id → app id of an explicit assignment, which provisions
	// a user who is assigned but was never provisioned (assigned before
	// provisioning was turned on).
	assigned map[string]string
}

func (c *changes) loadApps(ctx context.Context) error {
	if c.apps != nil {
		return nil
	}
	apps, err := c.tx.EnabledProvisioning(ctx)
	if err != nil {
		return err
	}
	c.apps = apps
	if c.apps == nil {
		c.apps = []directory.Provisioning{}
	}
	c.labels = map[string]string{}
	for _, p := range c.apps {
		a, err := c.tx.AppByID(ctx, p.AppID)
		if err != nil {
			return err
		}
		c.labels[p.AppID] = a.Label
	}
	return nil
}

func (c *changes) state(ctx context.Context, userID string) (userState, error) {
	st := userState{apps: map[string]appState{}}
	u, err := c.tx.UserByID(ctx, userID)
	if errors.Is(err, directory.ErrNotFound) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	st.exists, st.user = true, u
	for _, p := range c.apps {
		assigned, err := c.tx.IsAssigned(ctx, p.AppID, userID)
		if err != nil {
			return st, err
		}
		ms, err := c.tx.PushMappingsForUser(ctx, p.AppID, userID)
		if err != nil {
			return st, err
		}
		as := appState{assigned: assigned, mappings: map[string]bool{}}
		for _, m := range ms {
			as.mappings[m.ID] = true
		}
		st.apps[p.AppID] = as
	}
	return st, nil
}

// track records the users' state before the change touches them.
func (c *changes) track(ctx context.Context, userIDs ...string) error {
	if err := c.loadApps(ctx); err != nil {
		return err
	}
	for _, id := range userIDs {
		if _, ok := c.before[id]; ok {
			continue
		}
		st, err := c.state(ctx, id)
		if err != nil {
			return err
		}
		c.before[id] = st
		c.order = append(c.order, id)
	}
	return nil
}

func (st userState) in(appID string) bool {
	return st.exists && st.user.Status == directory.StatusActive && st.apps[appID].assigned
}

// plan compares the tracked users' states and queues the tasks.
func (c *changes) plan(ctx context.Context) ([]Task, error) {
	if err := c.loadApps(ctx); err != nil {
		return nil, err
	}
	type planned struct {
		before, user, after []directory.NewTask
	}
	var p planned
	seen := map[string]bool{}
	syncTask := func(appID, mappingID string) (directory.NewTask, bool, error) {
		key := appID + "/" + mappingID
		if seen[key] {
			return directory.NewTask{}, false, nil
		}
		seen[key] = true
		m, err := c.tx.PushMappingByID(ctx, mappingID)
		if err != nil {
			return directory.NewTask{}, false, err
		}
		g, err := c.tx.GroupByID(ctx, m.GroupID)
		if err != nil {
			return directory.NewTask{}, false, err
		}
		return directory.NewTask{AppID: appID, Action: ActionSyncGroup, GroupID: g.ID, MappingID: m.ID,
			Description: fmt.Sprintf("Update pushed group %s in %s", g.Name, c.labels[appID])}, true, nil
	}

	for _, uid := range c.order {
		before := c.before[uid]
		after, err := c.state(ctx, uid)
		if err != nil {
			return nil, err
		}
		u := after.user
		if !after.exists {
			u = before.user
		}
		for _, prov := range c.apps {
			appID, label := prov.AppID, c.labels[prov.AppID]
			wasIn, isIn := before.in(appID), after.in(appID)

			// Pushed groups the user leaves are updated first…
			if wasIn {
				for _, mid := range slices.Sorted(maps.Keys(before.apps[appID].mappings)) {
					if !isIn || !after.apps[appID].mappings[mid] {
						t, ok, err := syncTask(appID, mid)
						if err != nil {
							return nil, err
						}
						if ok {
							p.before = append(p.before, t)
						}
					}
				}
			}

			link, err := c.tx.LinkFor(ctx, appID, uid)
			hasLink := err == nil
			if err != nil && !errors.Is(err, directory.ErrNotFound) {
				return nil, err
			}
			unassigned := before.apps[appID].assigned && !after.apps[appID].assigned
			base := directory.NewTask{AppID: appID, UserID: uid}
			switch {
			case !wasIn && isIn:
				switch {
				case hasLink && !link.Active:
					t := base
					t.Action, t.Description = ActionReactivateUser, fmt.Sprintf("Reactivate %s in %s", u.Login, label)
					p.user = append(p.user, t)
				case !hasLink && prov.CreateUsers:
					t := base
					t.Action, t.Description = ActionCreateUser, fmt.Sprintf("Provision user %s to %s", u.Login, label)
					p.user = append(p.user, t)
				}
			case wasIn && isIn && !hasLink && prov.CreateUsers && c.assigned[uid] == appID:
				t := base
				t.Action, t.Description = ActionCreateUser, fmt.Sprintf("Provision user %s to %s", u.Login, label)
				p.user = append(p.user, t)
			case wasIn && !isIn:
				if hasLink && link.Active && prov.DeactivateUsers {
					t := base
					t.Action, t.Description = ActionDeactivateUser, fmt.Sprintf("Deactivate %s in %s", u.Login, label)
					t.Params = map[string]string{"externalId": link.ExternalID, "displayName": u.FirstName + " " + u.LastName}
					p.user = append(p.user, t)
				}
			case wasIn && isIn && hasLink && link.Active:
				if c.profile[uid] && prov.UpdateUsers {
					t := base
					t.Action, t.Description = ActionUpdateUser, fmt.Sprintf("Push profile of %s to %s", u.Login, label)
					p.user = append(p.user, t)
				}
				if c.passwd[uid] && prov.SyncPassword {
					t := base
					t.Action, t.Description = ActionPushPassword, fmt.Sprintf("Push password of %s to %s", u.Login, label)
					p.user = append(p.user, t)
				}
			}
			// An unassigned user is forgotten, as Okta deletes the app user:
			// a new assignment looks the user up by userName again.
			if unassigned && hasLink {
				if err := c.tx.DeleteLink(ctx, appID, uid); err != nil {
					return nil, err
				}
			}

			// …and the groups the user joins, after the user exists there.
			if isIn {
				for _, mid := range slices.Sorted(maps.Keys(after.apps[appID].mappings)) {
					if !wasIn || !before.apps[appID].mappings[mid] {
						t, ok, err := syncTask(appID, mid)
						if err != nil {
							return nil, err
						}
						if ok {
							p.after = append(p.after, t)
						}
					}
				}
			}
		}
	}
	for _, mid := range c.syncs {
		m, err := c.tx.PushMappingByID(ctx, mid)
		if err != nil {
			return nil, err
		}
		t, ok, err := syncTask(m.AppID, mid)
		if err != nil {
			return nil, err
		}
		if ok {
			p.after = append(p.after, t)
		}
	}
	all := append(append(append(p.before, p.user...), p.after...), c.tasks...)
	out := make([]Task, 0, len(all))
	for _, nt := range all {
		t, err := c.tx.CreateTask(ctx, nt)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// change runs fn in one transaction, queues the tasks it calls for and,
// unless async, runs them.
func (e *Engine) change(ctx context.Context, fn func(tx *directory.Tx, c *changes) error) ([]Task, error) {
	var tasks []Task
	err := e.dir.Update(ctx, func(tx *directory.Tx) error {
		c := &changes{e: e, tx: tx, before: map[string]userState{}, profile: map[string]bool{}, passwd: map[string]bool{},
			assigned: map[string]string{}}
		if err := fn(tx, c); err != nil {
			return err
		}
		var err error
		tasks, err = c.plan(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e.runTasks(ctx, tasks)
}

// NewUser is the input of CreateUser: the core profile, the other profile
// attributes (see directory.ProfileAttributes), the password and the status
// (ACTIVE, or STAGED for a user created without activation).
type NewUser struct {
	directory.NewUser
	Attributes map[string]string
}

// CreateUser adds a user. A new user has no assignments, so nothing is
// provisioned yet.
func (e *Engine) CreateUser(ctx context.Context, in NewUser) (directory.User, error) {
	var u directory.User
	err := e.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		if u, err = tx.CreateUser(ctx, in.NewUser); err != nil {
			return err
		}
		if len(in.Attributes) > 0 {
			return tx.SetProfileExtras(ctx, u.ID, in.Attributes)
		}
		return nil
	})
	return u, err
}

// ProfileUpdate changes a user's profile. Nil fields are left alone.
type ProfileUpdate struct {
	Login     *string
	Email     *string
	FirstName *string
	LastName  *string
	// Attributes are merged into the other profile attributes ("" removes
	// one), or replace them all when ReplaceAttributes is set.
	Attributes        map[string]string
	ReplaceAttributes bool
	Password          *string
}

// UpdateUser changes a user's profile (and password); apps with Update User
// Attributes (Sync Password) get the change.
func (e *Engine) UpdateUser(ctx context.Context, userID string, upd ProfileUpdate) (directory.User, []Task, error) {
	var u directory.User
	tasks, err := e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		before, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		extras, err := tx.ProfileExtras(ctx, userID)
		if err != nil {
			return err
		}
		if u, err = tx.UpdateUser(ctx, userID, directory.UserUpdate{Login: upd.Login, Email: upd.Email,
			FirstName: upd.FirstName, LastName: upd.LastName, Password: upd.Password}); err != nil {
			return err
		}
		next := maps.Clone(extras)
		if upd.ReplaceAttributes {
			next = map[string]string{}
		}
		for k, v := range upd.Attributes {
			if strings.TrimSpace(v) == "" {
				delete(next, k)
			} else {
				next[k] = v
			}
		}
		if upd.ReplaceAttributes || len(upd.Attributes) > 0 {
			if err := tx.SetProfileExtras(ctx, userID, next); err != nil {
				return err
			}
			if next, err = tx.ProfileExtras(ctx, userID); err != nil {
				return err
			}
		}
		c.profile[userID] = before.Login != u.Login || before.Email != u.Email || before.FirstName != u.FirstName ||
			before.LastName != u.LastName || !maps.Equal(extras, next)
		c.passwd[userID] = upd.Password != nil && *upd.Password != ""
		return nil
	})
	return u, tasks, err
}

// SetStatus moves a user to a lifecycle status, without Okta's rules about
// which moves are allowed (callers check them). Deactivating or suspending
// deactivates the user in apps with Deactivate Users; activating,
// unsuspending or reactivating creates or reactivates them.
func (e *Engine) SetStatus(ctx context.Context, userID string, status directory.UserStatus) (directory.User, []Task, error) {
	var u directory.User
	tasks, err := e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		var err error
		u, err = tx.UpdateUser(ctx, userID, directory.UserUpdate{Status: &status})
		return err
	})
	return u, tasks, err
}

// DeleteUser deletes a user. Okta deletes only deactivated users and sends
// apps nothing when it does; callers deactivate first.
func (e *Engine) DeleteUser(ctx context.Context, userID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		return tx.DeleteUser(ctx, userID)
	})
}

// AssignUser assigns the user to the app (scope USER). Assigning a user
// who is already assigned but not provisioned (assigned before Create Users
// was on) provisions them.
func (e *Engine) AssignUser(ctx context.Context, appID, userID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		c.assigned[userID] = appID
		return tx.Assign(ctx, appID, userID)
	})
}

// UnassignUser removes the user's individual assignment to the app.
func (e *Engine) UnassignUser(ctx context.Context, appID, userID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		return tx.Unassign(ctx, appID, userID)
	})
}

// CreateGroup adds a group (it has no members yet, so nothing is pushed).
func (e *Engine) CreateGroup(ctx context.Context, in directory.NewGroup) (directory.Group, error) {
	var g directory.Group
	err := e.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		g, err = tx.CreateGroup(ctx, in)
		return err
	})
	return g, err
}

// UpdateGroup renames a group or changes its description; a rename reaches
// the apps the group is pushed to.
func (e *Engine) UpdateGroup(ctx context.Context, groupID string, upd directory.GroupUpdate) (directory.Group, []Task, error) {
	var g directory.Group
	tasks, err := e.change(ctx, func(tx *directory.Tx, c *changes) error {
		before, err := tx.GroupByID(ctx, groupID)
		if err != nil {
			return err
		}
		if g, err = tx.UpdateGroup(ctx, groupID, upd); err != nil {
			return err
		}
		if g.Name == before.Name {
			return nil
		}
		if err := c.loadApps(ctx); err != nil {
			return err
		}
		ms, err := tx.PushMappingsForGroup(ctx, groupID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if m.Status != directory.PushInactive && c.labels[m.AppID] != "" {
				c.syncs = append(c.syncs, m.ID)
			}
		}
		return nil
	})
	return g, tasks, err
}

// DeleteGroup deletes a group. A pushed group cannot be deleted
// (directory.ErrConflict); members who were in apps only through it are
// unassigned.
func (e *Engine) DeleteGroup(ctx context.Context, groupID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		members, err := tx.ListGroupMembers(ctx, groupID)
		if err != nil {
			return err
		}
		apps, err := tx.AppsForGroup(ctx, groupID)
		if err != nil {
			return err
		}
		for _, u := range members {
			if err := c.track(ctx, u.ID); err != nil {
				return err
			}
		}
		if err := tx.DeleteGroup(ctx, groupID); err != nil {
			return err
		}
		for _, appID := range apps {
			for _, u := range members {
				if err := tx.RefreshAppUser(ctx, appID, u.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// AddGroupMember adds the user to the group: the apps the group is
// assigned to get the user, and the apps it is pushed to get the member.
func (e *Engine) AddGroupMember(ctx context.Context, groupID, userID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		added, err := tx.AddGroupMember(ctx, groupID, userID)
		if err != nil || !added {
			return err
		}
		return refreshGroupApps(ctx, tx, groupID, userID)
	})
}

// RemoveGroupMember removes the user from the group.
func (e *Engine) RemoveGroupMember(ctx context.Context, groupID, userID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		if err := c.track(ctx, userID); err != nil {
			return err
		}
		removed, err := tx.RemoveGroupMember(ctx, groupID, userID)
		if err != nil || !removed {
			return err
		}
		return refreshGroupApps(ctx, tx, groupID, userID)
	})
}

func refreshGroupApps(ctx context.Context, tx *directory.Tx, groupID, userID string) error {
	apps, err := tx.AppsForGroup(ctx, groupID)
	if err != nil {
		return err
	}
	for _, appID := range apps {
		if err := tx.RefreshAppUser(ctx, appID, userID); err != nil {
			return err
		}
	}
	return nil
}

// AssignGroup assigns the group to the app: its members become app users.
func (e *Engine) AssignGroup(ctx context.Context, appID, groupID string, priority int) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		members, err := tx.ListGroupMembers(ctx, groupID)
		if err != nil {
			return notFoundAs(err, "group", groupID)
		}
		for _, u := range members {
			if err := c.track(ctx, u.ID); err != nil {
				return err
			}
		}
		return tx.AssignGroup(ctx, appID, groupID, priority)
	})
}

// UnassignGroup removes the group's assignment to the app.
func (e *Engine) UnassignGroup(ctx context.Context, appID, groupID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		members, err := tx.ListGroupMembers(ctx, groupID)
		if err != nil {
			return err
		}
		for _, u := range members {
			if err := c.track(ctx, u.ID); err != nil {
				return err
			}
		}
		return tx.UnassignGroup(ctx, appID, groupID)
	})
}

func notFoundAs(err error, kind, id string) error {
	if errors.Is(err, directory.ErrNotFound) {
		return fmt.Errorf("%w: no %s %q", directory.ErrNotFound, kind, id)
	}
	return err
}

// PushGroup pushes the group to the app (Push Groups tab, "Push groups" by
// name). An ACTIVE mapping is pushed at once; an INACTIVE one waits until
// activated. Provisioning must be enabled.
func (e *Engine) PushGroup(ctx context.Context, appID, groupID string, status directory.PushStatus) (directory.PushMapping, []Task, error) {
	if status == "" {
		status = directory.PushActive
	}
	var m directory.PushMapping
	tasks, err := e.change(ctx, func(tx *directory.Tx, c *changes) error {
		p, err := tx.ProvisioningFor(ctx, appID)
		if err != nil {
			return err
		}
		if !p.Enabled {
			return ErrDisabled
		}
		if m, err = tx.CreatePushMapping(ctx, appID, groupID, status); err != nil {
			return err
		}
		if status == directory.PushActive {
			c.tasks = append(c.tasks, e.pushTask(ctx, tx, m, ActionPushGroup))
		}
		return nil
	})
	return m, tasks, err
}

func (e *Engine) pushTask(ctx context.Context, tx *directory.Tx, m directory.PushMapping, action string) directory.NewTask {
	name, label := m.GroupID, m.AppID
	if g, err := tx.GroupByID(ctx, m.GroupID); err == nil {
		name = g.Name
	}
	if a, err := tx.AppByID(ctx, m.AppID); err == nil {
		label = a.Label
	}
	desc := fmt.Sprintf("Push group %s to %s", name, label)
	if action == ActionPushGroupNow {
		desc += " (full membership)"
	}
	return directory.NewTask{AppID: m.AppID, Action: action, GroupID: m.GroupID, MappingID: m.ID, Description: desc}
}

// SetPushStatus activates or deactivates a push mapping. Activating pushes
// the group's whole membership; a deactivated mapping is not updated.
func (e *Engine) SetPushStatus(ctx context.Context, mappingID string, status directory.PushStatus) (directory.PushMapping, []Task, error) {
	if status != directory.PushActive && status != directory.PushInactive {
		return directory.PushMapping{}, nil, fmt.Errorf("%w: status must be ACTIVE or INACTIVE", directory.ErrInvalid)
	}
	var m directory.PushMapping
	tasks, err := e.change(ctx, func(tx *directory.Tx, c *changes) error {
		var err error
		if m, err = tx.PushMappingByID(ctx, mappingID); err != nil {
			return err
		}
		was := m.Status
		m.Status = status
		if err := tx.SavePushMapping(ctx, m); err != nil {
			return err
		}
		if status == directory.PushActive && was == directory.PushInactive {
			c.tasks = append(c.tasks, e.pushTask(ctx, tx, m, ActionPushGroupNow))
		}
		return nil
	})
	return m, tasks, err
}

// PushGroupNow pushes the group's whole membership ("Push now").
func (e *Engine) PushGroupNow(ctx context.Context, mappingID string) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		m, err := tx.PushMappingByID(ctx, mappingID)
		if err != nil {
			return err
		}
		if m.Status == directory.PushInactive {
			return fmt.Errorf("%w: the push mapping is inactive; activate it to push", directory.ErrInvalid)
		}
		c.tasks = append(c.tasks, e.pushTask(ctx, tx, m, ActionPushGroupNow))
		return nil
	})
}

// UnlinkPushedGroup deletes a push mapping ("Unlink pushed group"). With
// deleteInTarget the group is deleted in the app (DELETE /Groups/{id});
// otherwise it is left there and nothing is sent.
func (e *Engine) UnlinkPushedGroup(ctx context.Context, mappingID string, deleteInTarget bool) ([]Task, error) {
	return e.change(ctx, func(tx *directory.Tx, c *changes) error {
		m, err := tx.PushMappingByID(ctx, mappingID)
		if err != nil {
			return err
		}
		if err := tx.DeletePushMapping(ctx, mappingID); err != nil {
			return err
		}
		if !deleteInTarget || m.TargetID == "" {
			return nil
		}
		name, label := m.GroupID, m.AppID
		if g, err := tx.GroupByID(ctx, m.GroupID); err == nil {
			name = g.Name
		}
		if a, err := tx.AppByID(ctx, m.AppID); err == nil {
			label = a.Label
		}
		c.tasks = append(c.tasks, directory.NewTask{AppID: m.AppID, Action: ActionDeleteGroup, GroupID: m.GroupID,
			MappingID: m.ID, Description: fmt.Sprintf("Delete pushed group %s in %s", name, label),
			Params: map[string]string{"targetId": m.TargetID, "groupName": name}})
		return nil
	})
}

// Lifecycle errors. Both wrap a message for people.
var (
	// ErrAlreadyActive: activating an ACTIVE user.
	ErrAlreadyActive = errors.New("provision: the user is already active")
	// ErrLifecycle: the operation is not allowed in the user's status.
	ErrLifecycle = errors.New("provision: the operation is not allowed in the user's current status")
)

// Lifecycle operations, as Okta's /lifecycle/{op} names them.
const (
	OpActivate   = "activate"
	OpReactivate = "reactivate"
	OpDeactivate = "deactivate"
	OpSuspend    = "suspend"
	OpUnsuspend  = "unsuspend"
)

// Lifecycle runs one of Okta's user lifecycle operations with Okta's rules:
// activate a STAGED or DEPROVISIONED user; deactivate anyone (a deactivated
// user stays as is); suspend an ACTIVE user; unsuspend a SUSPENDED one.
// Okta's reactivate is for users stuck in PROVISIONED, a status this fake
// does not have; here it reactivates a DEPROVISIONED user.
func (e *Engine) Lifecycle(ctx context.Context, userID, op string) (directory.User, []Task, error) {
	u, err := e.dir.UserByID(ctx, userID)
	if err != nil {
		return u, nil, err
	}
	var to directory.UserStatus
	switch op {
	case OpActivate:
		switch u.Status {
		case directory.StatusStaged, directory.StatusDeprovisioned:
			to = directory.StatusActive
		case directory.StatusActive:
			return u, nil, fmt.Errorf("%w: activation failed because the user is already active", ErrAlreadyActive)
		default:
			return u, nil, fmt.Errorf("%w: a %s user cannot be activated (unsuspend them)", ErrLifecycle, u.Status)
		}
	case OpReactivate:
		if u.Status != directory.StatusDeprovisioned {
			return u, nil, fmt.Errorf("%w: only a deactivated user can be reactivated; this one is %s", ErrLifecycle, u.Status)
		}
		to = directory.StatusActive
	case OpDeactivate:
		if u.Status == directory.StatusDeprovisioned {
			return u, []Task{}, nil
		}
		to = directory.StatusDeprovisioned
	case OpSuspend:
		if u.Status != directory.StatusActive {
			return u, nil, fmt.Errorf("%w: cannot suspend a user that is not active", ErrLifecycle)
		}
		to = directory.StatusSuspended
	case OpUnsuspend:
		if u.Status != directory.StatusSuspended {
			return u, nil, fmt.Errorf("%w: cannot unsuspend a user that is not suspended", ErrLifecycle)
		}
		to = directory.StatusActive
	default:
		return u, nil, fmt.Errorf("%w: unknown lifecycle operation %q", directory.ErrInvalid, op)
	}
	return e.SetStatus(ctx, userID, to)
}
