package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/target"
)

func (w *world) registerSSO(sc scenario) {
	sc.Step(`^"([^"]*)" is assigned to the app in Okta$`, w.isAssignedInOkta)
	sc.Step(`^"([^"]*)" opens the app from the Okta dashboard$`, w.opensFromDashboard)
	sc.Step(`^"([^"]*)" opens the app's embed link$`, w.opensEmbedLink)
	sc.Step(`^"([^"]*)" is signed in to the service provider as a member of "([^"]*)"$`, w.isSignedInAs)
	sc.Step(`^nobody is signed in to the service provider$`, w.nobodySignedIn)
}

func (w *world) isAssignedInOkta(ctx context.Context, email string) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	return w.okta.Assign(ctx, app.ID, p.oktaID)
}

func (w *world) opensFromDashboard(ctx context.Context, email string) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	p, err := w.signedInAtOkta(ctx, email, w.okta.DashboardURL())
	if err != nil {
		return err
	}
	tile, ok := p.browser.Last.LinkWithText(app.Label)
	if !ok {
		return errorf("the Okta dashboard of %s shows no tile %q", email, app.Label)
	}
	if _, err := p.browser.Get(ctx, tile.Href.String()); err != nil {
		return err
	}
	_, err = p.browser.FollowAutoPost(ctx)
	return err
}

func (w *world) opensEmbedLink(ctx context.Context, email string) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	p, err := w.signedInAtOkta(ctx, email, app.EmbedLinkURL)
	if err != nil {
		return err
	}
	_, err = p.browser.FollowAutoPost(ctx)
	return err
}

// signedInAtOkta opens url in the person's browser and, when Okta asks, signs in
// with their Okta password, as a person would.
func (w *world) signedInAtOkta(ctx context.Context, email, url string) (*person, error) {
	if w.last != nil && w.last.scimOnly {
		return nil, fmt.Errorf("%w: Okta sign-in (the target offers SCIM only)", target.ErrUnsupported)
	}
	p, err := w.person(ctx, email)
	if err != nil {
		return nil, err
	}
	w.lastActor = p
	page, err := p.browser.Get(ctx, url)
	if err != nil {
		return nil, err
	}
	if form, ok := page.FormWithField("password"); ok {
		if _, err := p.browser.Submit(ctx, form, map[string]string{"username": w.names.email(email), "password": oktaPassword}); err != nil {
			return nil, err
		}
		// What Okta shows next (the app, or a refusal) is for later steps to judge;
		// only a sign-in form shown again means the sign-in itself failed.
		if _, again := p.browser.Last.FormWithField("password"); again {
			return nil, errorf("signing in to Okta as %s failed: status %d", email, p.browser.Last.Status)
		}
	}
	return p, nil
}

func (w *world) isSignedInAs(ctx context.Context, email, orgName string) error {
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	who, ok, err := w.sp.SignedIn(ctx, p.browser.Jar())
	if err != nil {
		return err
	}
	if !ok {
		return errorf("%s is not signed in to the service provider (last page %s, status %d)", email, lastURL(p.browser), lastStatus(p.browser))
	}
	if !strings.EqualFold(who.Email, email) || who.OrgName != orgName {
		return errorf("signed in as %s in %q, want %s in %q", who.Email, who.OrgName, email, orgName)
	}
	return nil
}

func (w *world) oktaRefusesUnassigned(ctx context.Context) error {
	for _, p := range w.people() {
		last := p.browser.Last
		if last == nil {
			continue
		}
		if last.Status != http.StatusForbidden || !strings.Contains(last.Body, "not assigned") {
			return errorf("Okta answered %d at %s, want its not-assigned refusal", last.Status, last.URL)
		}
		if _, ok := last.FormWithField("SAMLResponse"); ok {
			return errorf("Okta's refusal page carries a SAMLResponse")
		}
		return nil
	}
	return errorf("nobody opened anything in Okta")
}

func (w *world) nobodySignedIn(ctx context.Context) error {
	for _, p := range w.people() {
		who, ok, err := w.sp.SignedIn(ctx, p.browser.Jar())
		if err != nil {
			return err
		}
		if ok {
			return errorf("%s's browser is signed in to the service provider as %s", p.email, who.Email)
		}
	}
	return nil
}

func lastURL(b *browser.Browser) string {
	if b.Last == nil {
		return "(none)"
	}
	return b.Last.URL.String()
}

func lastStatus(b *browser.Browser) int {
	if b.Last == nil {
		return 0
	}
	return b.Last.Status
}
