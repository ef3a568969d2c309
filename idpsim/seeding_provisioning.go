package idpsim

import (
	"context"
	"errors"
	"fmt"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/seed"
)

// seedAdmin gives the user the SUPER_ADMIN role unless they have it.
func seedAdmin(ctx context.Context, tx *directory.Tx, userID string) error {
	roles, err := tx.ListRoles(ctx, userID)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if r.Type == "SUPER_ADMIN" {
			return nil
		}
	}
	_, err = tx.AssignRole(ctx, userID, "SUPER_ADMIN")
	return err
}

// seedGroup creates or updates a group (matched by name) and adds its
// members. Members are never removed.
func seedGroup(ctx context.Context, tx *directory.Tx, field string, sg seed.Group) (Group, error) {
	g, err := tx.GroupByName(ctx, sg.Name)
	switch {
	case errors.Is(err, directory.ErrNotFound):
		g, err = tx.CreateGroup(ctx, directory.NewGroup{Name: sg.Name, Description: sg.Description})
	case err == nil && g.Description != sg.Description:
		desc := sg.Description
		g, err = tx.UpdateGroup(ctx, g.ID, directory.GroupUpdate{Description: &desc})
	}
	if err != nil {
		return Group{}, seedErr(field, err)
	}
	for j, login := range sg.Members {
		u, err := tx.UserByLogin(ctx, login)
		if errors.Is(err, directory.ErrNotFound) {
			return Group{}, &seed.Error{Field: fmt.Sprintf("%s.members[%d]", field, j),
				Message: fmt.Sprintf("no user with login %q (add it under users)", login)}
		}
		if err != nil {
			return Group{}, err
		}
		if _, err := tx.AddGroupMember(ctx, g.ID, u.ID); err != nil {
			return Group{}, err
		}
		apps, err := tx.AppsForGroup(ctx, g.ID)
		if err != nil {
			return Group{}, err
		}
		for _, appID := range apps {
			if err := tx.RefreshAppUser(ctx, appID, u.ID); err != nil {
				return Group{}, err
			}
		}
	}
	return tx.GroupByID(ctx, g.ID)
}

// seedAppExtras assigns the app's groups and saves its provisioning
// settings. Nothing is sent to the SCIM server.
func seedAppExtras(ctx context.Context, tx *directory.Tx, field, appID string, sa seed.App) error {
	for j, name := range sa.AssignGroups {
		g, err := tx.GroupByName(ctx, name)
		if errors.Is(err, directory.ErrNotFound) {
			return &seed.Error{Field: fmt.Sprintf("%s.assignGroups[%d]", field, j),
				Message: fmt.Sprintf("no group named %q (add it under groups)", name)}
		}
		if err != nil {
			return err
		}
		if err := tx.AssignGroup(ctx, appID, g.ID, j); err != nil {
			return err
		}
	}
	if sa.Provisioning == nil {
		return nil
	}
	p := sa.Provisioning.Settings(appID)
	if p.Token == "" {
		// Keep a token saved earlier (through the API or the admin UI).
		cur, err := tx.ProvisioningFor(ctx, appID)
		if err != nil {
			return err
		}
		p.Token = cur.Token
	}
	if _, err := tx.SaveProvisioning(ctx, p); err != nil {
		return seedErr(field+".provisioning", err)
	}
	return nil
}
