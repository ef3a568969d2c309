package directory_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

func TestGroupsAndAppUserScopes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)
	app, err := s.CreateApp(ctx, newCatalog("http://sp.test", "abc"))
	require.NoError(t, err)
	ada, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "Lovelace"})
	require.NoError(t, err)

	var g directory.Group
	require.NoError(t, s.Update(ctx, func(tx *directory.Tx) error {
		var err error
		g, err = tx.CreateGroup(ctx, directory.NewGroup{Name: " Engineering "})
		return err
	}))
	assert.Regexp(t, `^00g[A-Za-z0-9]{17}$`, g.ID)
	assert.Equal(t, "Engineering", g.Name)
	err = s.Update(ctx, func(tx *directory.Tx) error {
		_, err := tx.CreateGroup(ctx, directory.NewGroup{Name: "ENGINEERING"})
		return err
	})
	assert.ErrorIs(t, err, directory.ErrConflict, "names are unique case-insensitively")

	scope := func() string {
		au, err := s.AppUser(ctx, app.ID, ada.ID)
		if err != nil {
			return "none"
		}
		return au.Scope
	}
	tx := func(fn func(tx *directory.Tx) error) { require.NoError(t, s.Update(ctx, fn)) }

	tx(func(tx *directory.Tx) error { _, err := tx.AddGroupMember(ctx, g.ID, ada.ID); return err })
	assert.Equal(t, "none", scope())
	tx(func(tx *directory.Tx) error { return tx.AssignGroup(ctx, app.ID, g.ID, 0) })
	assert.Equal(t, directory.ScopeGroup, scope())
	tx(func(tx *directory.Tx) error { return tx.Assign(ctx, app.ID, ada.ID) })
	assert.Equal(t, directory.ScopeUser, scope(), "a direct assignment wins")
	tx(func(tx *directory.Tx) error { return tx.Unassign(ctx, app.ID, ada.ID) })
	assert.Equal(t, directory.ScopeGroup, scope(), "still in through the group")
	assigned, err := s.IsAssigned(ctx, app.ID, ada.ID)
	require.NoError(t, err)
	assert.True(t, assigned, "SAML sign-in sees group assignments")
	tx(func(tx *directory.Tx) error {
		_, err := tx.RemoveGroupMember(ctx, g.ID, ada.ID)
		if err != nil {
			return err
		}
		return tx.RefreshAppUser(ctx, app.ID, ada.ID)
	})
	assert.Equal(t, "none", scope())

	// A pushed group cannot be deleted.
	var m directory.PushMapping
	tx(func(tx *directory.Tx) error {
		var err error
		m, err = tx.CreatePushMapping(ctx, app.ID, g.ID, directory.PushActive)
		return err
	})
	assert.Regexp(t, `^gPm[A-Za-z0-9]{17}$`, m.ID)
	err = s.Update(ctx, func(tx *directory.Tx) error { return tx.DeleteGroup(ctx, g.ID) })
	assert.ErrorIs(t, err, directory.ErrConflict)
	tx(func(tx *directory.Tx) error { return tx.DeletePushMapping(ctx, m.ID) })
	tx(func(tx *directory.Tx) error { return tx.DeleteGroup(ctx, g.ID) })
	_, err = s.GroupByID(ctx, g.ID)
	assert.ErrorIs(t, err, directory.ErrNotFound)
}

func TestUserEventsAreStampedByTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	base, _ := openStore(t)
	s := base.WithClock(clk.Now)

	u, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "L", Status: directory.StatusStaged})
	require.NoError(t, err)
	ev, err := s.UserEvents(ctx, u.ID)
	require.NoError(t, err)
	assert.Nil(t, ev.Activated)
	assert.Nil(t, ev.StatusChanged)
	assert.Nil(t, ev.PasswordChanged)

	clk.Add(time.Hour)
	active, pw := directory.StatusActive, "Secret-1"
	_, err = s.UpdateUser(ctx, u.ID, directory.UserUpdate{Status: &active, Password: &pw})
	require.NoError(t, err)
	ev, err = s.UserEvents(ctx, u.ID)
	require.NoError(t, err)
	require.NotNil(t, ev.Activated)
	assert.Equal(t, clk.Now(), *ev.Activated)
	assert.Equal(t, clk.Now(), *ev.StatusChanged)
	assert.Equal(t, clk.Now(), *ev.PasswordChanged)
	synced, ok, err := s.SyncPassword(ctx, u.ID)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, pw, synced, "kept for Sync Password")

	clk.Add(time.Hour)
	_, _, err = s.CreateSession(ctx, u.ID, time.Hour)
	require.NoError(t, err)
	ev, err = s.UserEvents(ctx, u.ID)
	require.NoError(t, err)
	require.NotNil(t, ev.LastLogin)
	assert.Equal(t, clk.Now(), *ev.LastLogin)

	login := "augusta@acme.test"
	got, err := s.UpdateUser(ctx, u.ID, directory.UserUpdate{Login: &login})
	require.NoError(t, err)
	assert.Equal(t, login, got.Login)
	_, err = s.UserByLogin(ctx, "AUGUSTA@acme.test")
	require.NoError(t, err)
	other, err := s.CreateUser(ctx, directory.NewUser{Login: "bob@acme.test", FirstName: "Bob", LastName: "B"})
	require.NoError(t, err)
	_, err = s.UpdateUser(ctx, other.ID, directory.UserUpdate{Login: &login})
	assert.ErrorIs(t, err, directory.ErrConflict)
}

func TestResetEmptiesProvisioningState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _ := openStore(t)
	app, err := s.CreateApp(ctx, newCatalog("http://sp.test", "abc"))
	require.NoError(t, err)
	u, err := s.CreateUser(ctx, directory.NewUser{Login: "ada@acme.test", FirstName: "Ada", LastName: "L"})
	require.NoError(t, err)
	var task directory.Task
	require.NoError(t, s.Update(ctx, func(tx *directory.Tx) error {
		g, err := tx.CreateGroup(ctx, directory.NewGroup{Name: "G"})
		if err != nil {
			return err
		}
		if _, err := tx.CreatePushMapping(ctx, app.ID, g.ID, directory.PushActive); err != nil {
			return err
		}
		if _, err := tx.SaveProvisioning(ctx, directory.Provisioning{AppID: app.ID, Enabled: true, BaseURL: "http://sp.test/scim/v2", Token: "t"}); err != nil {
			return err
		}
		if err := tx.SaveLink(ctx, app.ID, u.ID, "scim-1", true); err != nil {
			return err
		}
		task, err = tx.CreateTask(ctx, directory.NewTask{AppID: app.ID, Action: "user.create", UserID: u.ID, Description: "x"})
		return err
	}))
	_, err = s.LogSCIMRequest(ctx, directory.SCIMRequest{AppID: app.ID, TaskID: task.ID, Method: "GET", URL: "http://sp.test/scim/v2/Users",
		RequestHeaders: http.Header{"Authorization": {"Bearer [REDACTED]"}}, Started: time.Now()})
	require.NoError(t, err)

	require.NoError(t, s.Reset(ctx))
	groups, err := s.ListGroups(ctx, "")
	require.NoError(t, err)
	assert.Empty(t, groups)
	tasks, err := s.ListTasks(ctx, directory.TaskFilter{})
	require.NoError(t, err)
	assert.Empty(t, tasks)
	reqs, err := s.ListSCIMRequests(ctx, directory.RequestFilter{})
	require.NoError(t, err)
	assert.Empty(t, reqs)
}

func TestProvisioningValidation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		in    directory.Provisioning
		field string
	}{
		{"enabled without URL", directory.Provisioning{Enabled: true, Token: "t"}, "baseUrl"},
		{"enabled without token", directory.Provisioning{Enabled: true, BaseURL: "http://a/scim"}, "token"},
		{"relative URL", directory.Provisioning{BaseURL: "/scim"}, "baseUrl"},
		{"unknown format", directory.Provisioning{UsernameFormat: "CUSTOM"}, "usernameFormat"},
		{"unknown mode", directory.Provisioning{Mode: "entra"}, "mode"},
		{"token with a newline", directory.Provisioning{Token: "a\nb"}, "token"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := directory.NormalizeProvisioning(tt.in)
			var fe *directory.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
		})
	}
	p, err := directory.NormalizeProvisioning(directory.Provisioning{BaseURL: " http://a/scim/v2/ "})
	require.NoError(t, err)
	assert.Equal(t, "http://a/scim/v2", p.BaseURL)
	assert.Equal(t, directory.UsernameOkta, p.UsernameFormat)
	assert.Equal(t, directory.ModeTemplate, p.Mode)
	assert.Equal(t, "ada", directory.UsernameEmailPrefix.Apply("x@y", "ada@acme.test"))
	assert.Equal(t, "${source.email}", directory.UsernameEmail.Template())
}
