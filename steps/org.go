package steps

import (
	"context"
	"errors"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/steps/target"
)

// Steps that set up organizations and their Okta integration, following the
// guide: Connect at the SP, add the catalog app in Okta with the Integration ID,
// give the SP the app's metadata link.
func (w *world) registerOrg(sc scenario) {
	sc.Step(`^an organization "([^"]*)"$`, w.anOrganization)
	sc.Step(`^an organization "([^"]*)" whose Okta integration is connected$`, w.orgWithConnectedOkta)
	sc.Step(`^"([^"]*)" is a member of "([^"]*)"$`, w.isMemberOf)
	sc.Step(`^the admin of "([^"]*)" starts connecting Okta$`, w.startsConnecting)
	sc.Step(`^the app is added in Okta with the Integration ID of "([^"]*)"$`, w.addAppInOkta)
}

func (w *world) anOrganization(ctx context.Context, name string) error {
	if _, ok := w.tenants[name]; ok {
		return errorf("organization %q is already set up in this scenario", name)
	}
	org, err := w.sp.CreateOrganization(ctx, name)
	if err != nil {
		return err
	}
	w.tenants[name] = &tenant{org: org}
	return nil
}

func (w *world) startsConnecting(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	t.integ, err = w.sp.ConnectOkta(ctx, t.org)
	return err
}

func (w *world) addAppInOkta(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	if t.integ.ID == "" {
		return errorf("%q has no Integration ID yet", name)
	}
	t.app, err = w.okta.CreateCatalogApp(ctx, idpsim.CatalogAppInput{
		Label: "Reference SP", SPBaseURL: w.sp.BaseURL(), IntegrationID: t.integ.ID,
	})
	if err != nil {
		return err
	}
	w.last = t
	// SSO-02: nothing but the Integration ID was typed, yet both sides agree.
	if t.app.ACSURL != t.integ.ACSURL || t.app.Audience != t.integ.EntityID {
		return errorf("the app in Okta derived ACS %q and audience %q; the SP expects %q and %q",
			t.app.ACSURL, t.app.Audience, t.integ.ACSURL, t.integ.EntityID)
	}
	return nil
}

// orgWithConnectedOkta is the whole setup in one step, for scenarios about what
// happens after it.
func (w *world) orgWithConnectedOkta(ctx context.Context, name string) error {
	if err := w.anOrganization(ctx, name); err != nil {
		return err
	}
	if err := w.startsConnecting(ctx, name); errors.Is(err, target.ErrUnsupported) {
		return w.scimOnlyTenant(ctx, name)
	} else if err != nil {
		return err
	}
	if err := w.addAppInOkta(ctx, name); err != nil {
		return err
	}
	t := w.tenants[name]
	if err := w.sp.ConfigureFromMetadata(ctx, t.org, t.app.MetadataURL); err != nil {
		return err
	}
	return w.sp.MarkConnected(ctx, t.org)
}

// scimOnlyTenant stands in for a connected organization at a target that
// offers SCIM but not Okta sign-in: the app in Okta exists only to provision,
// and every step that would sign someone in is skipped.
func (w *world) scimOnlyTenant(ctx context.Context, name string) error {
	t := w.tenants[name]
	t.scimOnly = true
	var err error
	t.app, err = w.okta.CreateCatalogApp(ctx, idpsim.CatalogAppInput{
		Label: "SCIM only", SPBaseURL: w.sp.BaseURL(), IntegrationID: "scim-only",
	})
	if err != nil {
		return err
	}
	w.last = t
	return nil
}

func (w *world) isMemberOf(ctx context.Context, email, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	given, family := namesFromEmail(email)
	return w.sp.AddMember(ctx, t.org, target.Member{Email: email, GivenName: given, FamilyName: family})
}

// tenant returns the organization set up under name in this scenario.
func (w *world) tenant(name string) (*tenant, error) {
	t, ok := w.tenants[name]
	if !ok {
		return nil, errorf("organization %q is not set up in this scenario", name)
	}
	return t, nil
}

// app is "the app in Okta": the one of the organization set up last.
func (w *world) app() (idpsim.App, error) {
	if w.last == nil || w.last.app.ID == "" {
		return idpsim.App{}, errorf("no app has been added in Okta in this scenario")
	}
	return w.last.app, nil
}
