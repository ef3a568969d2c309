package provision

import (
	"context"
	"errors"
	"fmt"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// run is one execution of a task against its app's SCIM server.
type run struct {
	e   *Engine
	t   Task
	app directory.App
	p   directory.Provisioning
	c   *Client
}

func (e *Engine) newRun(ctx context.Context, t Task) (*run, error) {
	app, err := e.dir.AppByID(ctx, t.AppID)
	if err != nil {
		return nil, fmt.Errorf("the app %s no longer exists", t.AppID)
	}
	p, err := e.dir.ProvisioningFor(ctx, t.AppID)
	if err != nil {
		return nil, err
	}
	if !p.Enabled {
		return nil, fmt.Errorf("Provisioning is not enabled for app %s", app.Label)
	}
	return &run{e: e, t: t, app: app, p: p, c: e.client(p, t.ID)}, nil
}

func (r *run) do(ctx context.Context) error {
	switch r.t.Action {
	case ActionCreateUser:
		return r.createUser(ctx)
	case ActionUpdateUser:
		return r.updateUser(ctx)
	case ActionDeactivateUser:
		return r.deactivateUser(ctx)
	case ActionReactivateUser:
		return r.reactivateUser(ctx)
	case ActionPushPassword:
		return r.pushPassword(ctx)
	case ActionPushGroup, ActionPushGroupNow:
		return r.pushGroup(ctx)
	case ActionSyncGroup:
		return r.syncGroup(ctx)
	case ActionDeleteGroup:
		return r.deleteGroup(ctx)
	}
	return fmt.Errorf("unknown task action %q", r.t.Action)
}

// failed records a group task's failure on its push mapping, as Okta shows
// a failed push on the Push Groups tab.
func (r *run) failed(ctx context.Context, reason string) {
	if r.t.MappingID == "" || r.t.Action == ActionDeleteGroup {
		return
	}
	err := r.e.dir.Update(ctx, func(tx *directory.Tx) error {
		m, err := tx.PushMappingByID(ctx, r.t.MappingID)
		if err != nil {
			return err
		}
		m.Status, m.ErrorSummary = directory.PushError, reason
		return tx.SavePushMapping(ctx, m)
	})
	if err != nil && !errors.Is(err, directory.ErrNotFound) {
		r.e.log.Error("provisioning: record push failure", "mapping", r.t.MappingID, "err", err)
	}
}

func (r *run) custom() bool { return r.p.Mode == directory.ModeCustom }

// profile is the app profile Okta sends for the user.
func (r *run) profile(ctx context.Context, u directory.User) (UserProfile, error) {
	extras, err := r.e.dir.ProfileExtras(ctx, u.ID)
	if err != nil {
		return UserProfile{}, err
	}
	return UserProfile{
		OktaID:      u.ID,
		UserName:    r.p.UsernameFormat.Apply(u.Login, u.Email),
		GivenName:   u.FirstName,
		FamilyName:  u.LastName,
		Email:       u.Email,
		DisplayName: displayName(u, extras),
		Locale:      scimLocale(extras["locale"]),
	}, nil
}

// activeUser loads the task's user, who must still exist, be ACTIVE in Okta
// and be assigned to the app.
func (r *run) activeUser(ctx context.Context) (directory.User, error) {
	u, err := r.e.dir.UserByID(ctx, r.t.UserID)
	if errors.Is(err, directory.ErrNotFound) {
		return u, skip{"the user no longer exists"}
	}
	if err != nil {
		return u, err
	}
	if u.Status != directory.StatusActive {
		return u, skip{"the user is " + string(u.Status) + " in Okta"}
	}
	assigned, err := r.e.dir.IsAssigned(ctx, r.app.ID, u.ID)
	if err != nil {
		return u, err
	}
	if !assigned {
		return u, skip{"the user is no longer assigned to the app"}
	}
	return u, nil
}

func (r *run) saveLink(ctx context.Context, userID, externalID string, active bool) error {
	return r.e.dir.Update(ctx, func(tx *directory.Tx) error { return tx.SaveLink(ctx, r.app.ID, userID, externalID, active) })
}

// setActive (de)activates the user in the app: a path-less PATCH for
// template apps, GET then PUT of the whole user for custom apps.
func (r *run) setActive(ctx context.Context, id string, current *Object, prof *UserProfile, active bool) error {
	if !r.custom() {
		return r.c.PatchUser(ctx, id, SetActivePatch(active))
	}
	if current == nil {
		cur, err := r.c.GetUser(ctx, id)
		if err != nil {
			return err
		}
		current = &cur
	}
	var body Object
	if prof != nil {
		body = MergeUser(*current, id, *prof, active, "")
	} else {
		body = onlyActive(*current, id, active)
	}
	return r.c.ReplaceUser(ctx, id, body)
}

// onlyActive is the user as read with only active changed (for a user who
// no longer exists in Okta).
func onlyActive(current Object, id string, active bool) Object {
	out := current.clone()
	if out.String("id") == "" {
		out.Set("id", id)
	}
	out.Set("active", active)
	return out
}

// createUser is Okta's "Create Users": find the user by userName; link a
// match (sending the profile by PUT, which also activates it) or create the
// user with POST.
func (r *run) createUser(ctx context.Context) error {
	u, err := r.activeUser(ctx)
	if err != nil {
		return err
	}
	dn := u.FirstName + " " + u.LastName
	wrap := errorf("Automatic provisioning of user %s to app %s failed", dn, r.app.Label)
	if !r.p.CreateUsers {
		return skip{"Create Users is off"}
	}
	link, err := r.e.dir.LinkFor(ctx, r.app.ID, u.ID)
	switch {
	case err == nil && link.Active:
		return skip{"the user is already provisioned"}
	case err == nil:
		return r.reactivate(ctx, u, link)
	case !errors.Is(err, directory.ErrNotFound):
		return err
	}
	prof, err := r.profile(ctx, u)
	if err != nil {
		return err
	}
	match, err := r.c.FindUser(ctx, prof.UserName)
	if err != nil {
		return wrap(errorf("Error while trying to find user %s", prof.UserName)(err))
	}
	if match != nil {
		id := match.String("id")
		if r.p.UpdateUsers {
			err = r.c.ReplaceUser(ctx, id, MergeUser(*match, id, prof, true, ""))
		} else if active, ok := match.Bool("active"); !ok || !active {
			err = r.setActive(ctx, id, match, &prof, true)
		}
		if err != nil {
			return wrap(errorf("Error while updating user %s", dn)(err))
		}
		return r.saveLink(ctx, u.ID, id, true)
	}
	password := randomPassword()
	if r.p.SyncPassword {
		if pw, ok, err := r.e.dir.SyncPassword(ctx, u.ID); err != nil {
			return err
		} else if ok {
			password = pw
		}
	}
	created, err := r.c.CreateUser(ctx, NewCreateUserBody(prof, password))
	if err != nil {
		return wrap(errorf("Error while creating user %s", dn)(err))
	}
	return r.saveLink(ctx, u.ID, created.String("id"), true)
}

// updateUser is Okta's "Update User Attributes": GET the user, then PUT it
// back with Okta's profile written over it.
func (r *run) updateUser(ctx context.Context) error {
	u, err := r.activeUser(ctx)
	if err != nil {
		return err
	}
	if !r.p.UpdateUsers {
		return skip{"Update User Attributes is off"}
	}
	link, err := r.e.dir.LinkFor(ctx, r.app.ID, u.ID)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && !link.Active) {
		return skip{"the user is not provisioned to the app"}
	}
	if err != nil {
		return err
	}
	wrap := errorf("Automatic profile push of user %s to app %s failed", u.FirstName+" "+u.LastName, r.app.Label)
	inner := errorf("Error while trying to push profile update for %s", u.Login)
	prof, err := r.profile(ctx, u)
	if err != nil {
		return err
	}
	cur, err := r.c.GetUser(ctx, link.ExternalID)
	if err != nil {
		return wrap(inner(err))
	}
	if err := r.c.ReplaceUser(ctx, link.ExternalID, MergeUser(cur, link.ExternalID, prof, true, "")); err != nil {
		return wrap(inner(err))
	}
	return r.saveLink(ctx, u.ID, link.ExternalID, true)
}

// deactivateUser is Okta's "Deactivate Users": active false, by a
// path-less PATCH (template apps) or a PUT of the whole user (custom apps).
// Okta never deletes users.
func (r *run) deactivateUser(ctx context.Context) error {
	id := r.t.Params["externalId"]
	if id == "" {
		if link, err := r.e.dir.LinkFor(ctx, r.app.ID, r.t.UserID); err == nil {
			id = link.ExternalID
		}
	}
	if id == "" {
		return skip{"the user is not provisioned to the app"}
	}
	name := r.t.Params["displayName"]
	var prof *UserProfile
	if u, err := r.e.dir.UserByID(ctx, r.t.UserID); err == nil {
		name = u.FirstName + " " + u.LastName
		p, err := r.profile(ctx, u)
		if err != nil {
			return err
		}
		prof = &p
	}
	wrap := errorf("Automatic deactivation of user %s in app %s failed", name, r.app.Label)
	if err := r.setActive(ctx, id, nil, prof, false); err != nil {
		return wrap(errorf("Error while deactivating user %s", name)(err))
	}
	link, err := r.e.dir.LinkFor(ctx, r.app.ID, r.t.UserID)
	if err == nil && link.ExternalID == id {
		return r.saveLink(ctx, r.t.UserID, id, false)
	}
	return nil
}

// reactivateUser sets active true again for a user the app already knows.
func (r *run) reactivateUser(ctx context.Context) error {
	u, err := r.activeUser(ctx)
	if err != nil {
		return err
	}
	link, err := r.e.dir.LinkFor(ctx, r.app.ID, u.ID)
	if errors.Is(err, directory.ErrNotFound) {
		return skip{"the user is not provisioned to the app"}
	}
	if err != nil {
		return err
	}
	if link.Active {
		return skip{"the user is already active in the app"}
	}
	return r.reactivate(ctx, u, link)
}

func (r *run) reactivate(ctx context.Context, u directory.User, link directory.Link) error {
	dn := u.FirstName + " " + u.LastName
	prof, err := r.profile(ctx, u)
	if err != nil {
		return err
	}
	if err := r.setActive(ctx, link.ExternalID, nil, &prof, true); err != nil {
		return errorf("Automatic reactivation of user %s in app %s failed", dn, r.app.Label)(
			errorf("Error while activating user %s", dn)(err))
	}
	return r.saveLink(ctx, u.ID, link.ExternalID, true)
}

// pushPassword is Okta's "Sync Password": a path-less PATCH of password
// (template apps) or a PUT of the whole user with password (custom apps).
func (r *run) pushPassword(ctx context.Context) error {
	u, err := r.activeUser(ctx)
	if err != nil {
		return err
	}
	if !r.p.SyncPassword {
		return skip{"Sync Password is off"}
	}
	link, err := r.e.dir.LinkFor(ctx, r.app.ID, u.ID)
	if errors.Is(err, directory.ErrNotFound) || (err == nil && !link.Active) {
		return skip{"the user is not provisioned to the app"}
	}
	if err != nil {
		return err
	}
	dn := u.FirstName + " " + u.LastName
	wrap := errorf("Automatic password push of user %s to app %s failed", dn, r.app.Label)
	inner := errorf("Error while pushing the password of %s", u.Login)
	pw, ok, err := r.e.dir.SyncPassword(ctx, u.ID)
	if err != nil {
		return err
	}
	if !ok {
		return wrap(inner(errors.New("the user has no Okta password to push")))
	}
	if !r.custom() {
		err = r.c.PatchUser(ctx, link.ExternalID, PasswordPatch(pw))
	} else {
		var cur Object
		if cur, err = r.c.GetUser(ctx, link.ExternalID); err == nil {
			var prof UserProfile
			if prof, err = r.profile(ctx, u); err != nil {
				return err
			}
			err = r.c.ReplaceUser(ctx, link.ExternalID, MergeUser(cur, link.ExternalID, prof, true, pw))
		}
	}
	if err != nil {
		return wrap(inner(err))
	}
	return r.saveLink(ctx, u.ID, link.ExternalID, true)
}

// mapping loads the task's push mapping and group; an unlinked or
// deactivated mapping has nothing to push.
func (r *run) mapping(ctx context.Context) (directory.PushMapping, directory.Group, error) {
	m, err := r.e.dir.PushMappingByID(ctx, r.t.MappingID)
	if errors.Is(err, directory.ErrNotFound) {
		return m, directory.Group{}, skip{"the group is no longer pushed"}
	}
	if err != nil {
		return m, directory.Group{}, err
	}
	if m.Status == directory.PushInactive {
		return m, directory.Group{}, skip{"the push mapping is inactive"}
	}
	g, err := r.e.dir.GroupByID(ctx, m.GroupID)
	if err != nil {
		return m, g, err
	}
	return m, g, nil
}

// desired is the membership Okta pushes: the group's members who are ACTIVE
// in Okta, assigned to the app and provisioned (active) in it.
func (r *run) desired(ctx context.Context, m directory.PushMapping) ([]directory.PushedMember, error) {
	members, err := r.e.dir.ListGroupMembers(ctx, m.GroupID)
	if err != nil {
		return nil, err
	}
	out := []directory.PushedMember{}
	for _, u := range members {
		if u.Status != directory.StatusActive {
			continue
		}
		assigned, err := r.e.dir.IsAssigned(ctx, r.app.ID, u.ID)
		if err != nil {
			return nil, err
		}
		if !assigned {
			continue
		}
		link, err := r.e.dir.LinkFor(ctx, r.app.ID, u.ID)
		if errors.Is(err, directory.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !link.Active {
			continue
		}
		out = append(out, directory.PushedMember{UserID: u.ID, ExternalID: link.ExternalID,
			Display: r.p.UsernameFormat.Apply(u.Login, u.Email)})
	}
	return out, nil
}

func scimMembers(ms []directory.PushedMember) []Member {
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, Member{Value: m.ExternalID, Display: m.Display})
	}
	return out
}

// pushed records a successful push on the mapping.
func (r *run) pushed(ctx context.Context, m directory.PushMapping, g directory.Group, members []directory.PushedMember) error {
	return r.e.dir.Update(ctx, func(tx *directory.Tx) error {
		cur, err := tx.PushMappingByID(ctx, m.ID)
		if errors.Is(err, directory.ErrNotFound) {
			return nil // unlinked meanwhile
		}
		if err != nil {
			return err
		}
		if cur.Status == directory.PushError {
			cur.Status = directory.PushActive
		}
		cur.TargetID, cur.TargetName, cur.ErrorSummary, cur.LastPush = m.TargetID, g.Name, "", r.e.now()
		if err := tx.SavePushMapping(ctx, cur); err != nil {
			return err
		}
		return tx.SetPushedMembers(ctx, m.ID, members)
	})
}

// pushGroup is Okta's group push: find the group by displayName; link it or
// create it (POST with no members); then push the membership. A new group
// gets its members added; a linked group, and "Push now", get the full
// membership by replace. Custom apps get one PUT of the whole group.
func (r *run) pushGroup(ctx context.Context) error {
	m, g, err := r.mapping(ctx)
	if err != nil {
		return err
	}
	wrap := errorf("Group push of %s to app %s failed", g.Name, r.app.Label)
	created := false
	if m.TargetID == "" {
		match, err := r.c.FindGroup(ctx, g.Name)
		if err != nil {
			return wrap(errorf("Error while trying to find group %s", g.Name)(err))
		}
		if match != nil {
			m.TargetID = match.String("id")
		} else {
			obj, err := r.c.CreateGroup(ctx, NewGroupBody(g.Name, nil))
			if err != nil {
				return wrap(errorf("Error while creating group %s", g.Name)(err))
			}
			m.TargetID, created = obj.String("id"), true
		}
		// Kept at once, so that a retry after a later failure does not
		// create the group twice.
		err = r.e.dir.Update(ctx, func(tx *directory.Tx) error {
			cur, err := tx.PushMappingByID(ctx, m.ID)
			if err != nil {
				return err
			}
			cur.TargetID = m.TargetID
			if created {
				cur.TargetName = g.Name
			}
			return tx.SavePushMapping(ctx, cur)
		})
		if err != nil {
			return err
		}
	}
	desired, err := r.desired(ctx, m)
	if err != nil {
		return err
	}
	members := scimMembers(desired)
	inner := errorf("Error while updating group %s", g.Name)
	switch {
	case r.custom():
		if !created || len(members) > 0 {
			err = r.c.ReplaceGroup(ctx, m.TargetID, NewGroupBody(g.Name, members))
		}
	case created:
		if len(members) > 0 {
			if err = r.c.PatchGroup(ctx, m.TargetID, RenameGroupPatch(m.TargetID, g.Name)); err == nil {
				err = r.c.PatchGroup(ctx, m.TargetID, MembershipPatch(members, nil))
			}
		}
	default:
		if err = r.c.PatchGroup(ctx, m.TargetID, RenameGroupPatch(m.TargetID, g.Name)); err == nil {
			err = r.c.PatchGroup(ctx, m.TargetID, ReplaceMembersPatch(members))
		}
	}
	if err != nil {
		return wrap(inner(err))
	}
	return r.pushed(ctx, m, g, desired)
}

// syncGroup pushes a change to a pushed group: its name (path-less replace
// of id and displayName, sent with every membership update too) and the
// members who joined (add) or left (remove by filter). Custom apps get one
// PUT of the whole group.
func (r *run) syncGroup(ctx context.Context) error {
	m, g, err := r.mapping(ctx)
	if err != nil {
		return err
	}
	if m.TargetID == "" {
		return r.pushGroup(ctx)
	}
	desired, err := r.desired(ctx, m)
	if err != nil {
		return err
	}
	pushed, err := r.e.dir.PushedMembers(ctx, m.ID)
	if err != nil {
		return err
	}
	have := map[string]directory.PushedMember{}
	for _, p := range pushed {
		have[p.UserID] = p
	}
	want := map[string]directory.PushedMember{}
	var add []directory.PushedMember
	for _, d := range desired {
		want[d.UserID] = d
		if p, ok := have[d.UserID]; !ok || p.ExternalID != d.ExternalID {
			add = append(add, d)
		}
	}
	var remove []string
	for _, p := range pushed {
		if d, ok := want[p.UserID]; !ok || d.ExternalID != p.ExternalID {
			remove = append(remove, p.ExternalID)
		}
	}
	renamed := m.TargetName != g.Name
	if !renamed && len(add) == 0 && len(remove) == 0 {
		return skip{"the pushed group is up to date"}
	}
	wrap := errorf("Group push of %s to app %s failed", g.Name, r.app.Label)
	inner := errorf("Error while updating group %s", g.Name)
	if r.custom() {
		err = r.c.ReplaceGroup(ctx, m.TargetID, NewGroupBody(g.Name, scimMembers(desired)))
	} else {
		err = r.c.PatchGroup(ctx, m.TargetID, RenameGroupPatch(m.TargetID, g.Name))
		if err == nil && (len(add) > 0 || len(remove) > 0) {
			err = r.c.PatchGroup(ctx, m.TargetID, MembershipPatch(scimMembers(add), remove))
		}
	}
	if err != nil {
		return wrap(inner(err))
	}
	return r.pushed(ctx, m, g, desired)
}

// deleteGroup is the unlink option "Delete the group in the target app":
// DELETE /Groups/{id}.
func (r *run) deleteGroup(ctx context.Context) error {
	id, name := r.t.Params["targetId"], r.t.Params["groupName"]
	if id == "" {
		return skip{"the group was never created in the app"}
	}
	if err := r.c.DeleteGroup(ctx, id); err != nil {
		return errorf("Unlinking pushed group %s from app %s failed", name, r.app.Label)(
			errorf("Error while deleting group %s", name)(err))
	}
	return nil
}
