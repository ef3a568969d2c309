package provision

import (
	"context"
	"fmt"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// SettingsInput changes an app's Provisioning tab. Nil fields keep their
// value; so does an empty Token (the token is never shown back, so a form
// cannot send it again).
type SettingsInput struct {
	// Integration: "Enable API integration", the SCIM base URL, the Bearer
	// token.
	Enabled *bool
	BaseURL *string
	Token   *string
	// To App.
	UsernameFormat  *string
	CreateUsers     *bool
	UpdateUsers     *bool
	DeactivateUsers *bool
	SyncPassword    *bool
	// Mode is template (OIN app, the default) or custom (App Integration
	// Wizard app).
	Mode *string
	// SkipConnectorTest saves a new connection without testing it. Okta
	// tests the connection when it is saved; seeds skip the test because
	// the SCIM server may not be up yet.
	SkipConnectorTest bool
}

// ConfigureProvisioning saves an app's provisioning settings. When the
// connection is enabled or its URL or token change, Okta's connector test
// runs first (unless skipped); if it fails, nothing is saved and the error
// matches ErrConnector.
func (e *Engine) ConfigureProvisioning(ctx context.Context, appID string, in SettingsInput) (directory.Provisioning, error) {
	cur, err := e.dir.ProvisioningFor(ctx, appID)
	if err != nil {
		return directory.Provisioning{}, err
	}
	next := cur
	setB := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	setB(&next.Enabled, in.Enabled)
	setB(&next.CreateUsers, in.CreateUsers)
	setB(&next.UpdateUsers, in.UpdateUsers)
	setB(&next.DeactivateUsers, in.DeactivateUsers)
	setB(&next.SyncPassword, in.SyncPassword)
	if in.BaseURL != nil {
		next.BaseURL = *in.BaseURL
	}
	if in.Token != nil && *in.Token != "" {
		next.Token = *in.Token
	}
	if in.UsernameFormat != nil {
		next.UsernameFormat = directory.UsernameFormat(*in.UsernameFormat)
	}
	if in.Mode != nil {
		next.Mode = directory.ProvisioningMode(*in.Mode)
	}
	if next, err = directory.NormalizeProvisioning(next); err != nil {
		return directory.Provisioning{}, err
	}
	connectionChanged := next.Enabled && (!cur.Enabled || cur.BaseURL != next.BaseURL || cur.Token != next.Token)
	if connectionChanged && !in.SkipConnectorTest {
		if err := e.testConnector(ctx, next); err != nil {
			return directory.Provisioning{}, err
		}
	}
	var saved directory.Provisioning
	err = e.dir.Update(ctx, func(tx *directory.Tx) error {
		var err error
		saved, err = tx.SaveProvisioning(ctx, next)
		return err
	})
	if err == nil {
		e.log.Info("provisioning settings saved", "app", appID, "enabled", saved.Enabled, "mode", saved.Mode)
	}
	return saved, err
}

// TestConnector runs Okta's "Test Connector Configuration" with the saved
// settings: GET /Users?startIndex=1&count=2, then
// GET /Groups?startIndex=1&count=100. The error matches ErrConnector.
func (e *Engine) TestConnector(ctx context.Context, appID string) error {
	p, err := e.dir.ProvisioningFor(ctx, appID)
	if err != nil {
		return err
	}
	if p.BaseURL == "" || p.Token == "" {
		return fmt.Errorf("%w: set the SCIM connector base URL and the Bearer token first", ErrConnector)
	}
	return e.testConnector(ctx, p)
}

func (e *Engine) testConnector(ctx context.Context, p directory.Provisioning) error {
	c := e.client(p, "")
	if err := c.ListUsers(ctx, 1, 2); err != nil {
		return fmt.Errorf("%w: Error authenticating: %v", ErrConnector, err)
	}
	if err := c.ListGroups(ctx, 1, 100); err != nil {
		return fmt.Errorf("%w: Error while fetching groups: %v", ErrConnector, err)
	}
	return nil
}
