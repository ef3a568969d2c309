package steps

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/ssoharness/ssoharness/steps/target"
)

// Steps for SP-initiated sign-in (SSO-08, SSO-09), the Connect round trip
// (SSO-05, SSO-06) and just-in-time provisioning (JIT-01, JIT-02).
func (w *world) registerSignIn(sc scenario) {
	sc.Step(`^"([^"]*)" is an admin of "([^"]*)"$`, w.isAdminOf)
	sc.Step(`^"([^"]*)" is a member but not an admin of "([^"]*)"$`, w.isMemberNotAdmin)
	sc.Step(`^no team of "([^"]*)" pre-approves the domain "([^"]*)"$`, w.noTeamApproves)
	sc.Step(`^an organization "([^"]*)" whose Okta integration is configured but not connected$`, w.orgConfiguredNotConnected)
	sc.Step(`^"([^"]*)" clicks Connect in the SSO settings of "([^"]*)" and signs in at Okta$`, w.clicksConnect)
	sc.Step(`^"([^"]*)" signs in with the Sign-in URL of "([^"]*)" asking for "([^"]*)"$`, w.signsInSPInitiated)
	sc.Step(`^"([^"]*)" signs in with the Sign-in URL of "([^"]*)"$`, w.signsInSPInitiatedHome)
	sc.Step(`^"([^"]*)" lands on "([^"]*)" at the service provider$`, w.landsOn)
	sc.Step(`^a team "([^"]*)" in "([^"]*)" with the pre-approved domain "([^"]*)"$`, w.teamWithDomain)
	sc.Step(`^"([^"]*)" is a member of the team "([^"]*)" of "([^"]*)"$`, w.isTeamMember)
	sc.Step(`^"([^"]*)" is (?:still )?one member of "([^"]*)"$`, w.isOneMember)
	sc.Step(`^"([^"]*)" has no account at the service provider$`, w.hasNoAccount)
	sc.Step(`^the refusal tells "([^"]*)" to ask their administrator$`, w.refusalSaysAskAdmin)
	sc.Step(`^Okta refuses because the user is not assigned to the app$`, w.oktaRefusesUnassigned)
}

func (w *world) isAdminOf(ctx context.Context, email, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	given, family := namesFromEmail(email)
	return w.sp.AddMember(ctx, t.org, target.Member{Email: email, GivenName: given, FamilyName: family, Admin: true})
}

func (w *world) isMemberNotAdmin(ctx context.Context, email, orgName string) error {
	w.problem = target.ProblemNotAdmin
	return w.isMemberOf(ctx, email, orgName)
}

// noTeamApproves states the precondition of JIT-02; the organization's teams
// are all set up by the scenario, so there is nothing to change.
func (w *world) noTeamApproves(ctx context.Context, orgName, domain string) error {
	if _, err := w.tenant(orgName); err != nil {
		return err
	}
	w.problem = target.ProblemNotApproved
	return nil
}

func (w *world) orgConfiguredNotConnected(ctx context.Context, name string) error {
	if err := w.anOrganization(ctx, name); err != nil {
		return err
	}
	if err := w.startsConnecting(ctx, name); err != nil {
		return err
	}
	if err := w.addAppInOkta(ctx, name); err != nil {
		return err
	}
	t := w.tenants[name]
	w.problem = target.ProblemNotConnected
	return w.sp.ConfigureFromMetadata(ctx, t.org, t.app.MetadataURL)
}

// clicksConnect is the guide's last step: "Click Connect. You will be
// redirected to Okta to sign in."
func (w *world) clicksConnect(ctx context.Context, email, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	start, err := w.sp.StartConnect(ctx, t.org)
	if err != nil {
		return err
	}
	p, err := w.signedInAtOkta(ctx, email, start)
	if err != nil {
		return err
	}
	_, err = p.browser.FollowAutoPost(ctx)
	return err
}

func (w *world) signsInSPInitiatedHome(ctx context.Context, email, orgName string) error {
	return w.signsInSPInitiated(ctx, email, orgName, "")
}

// signsInSPInitiated opens the SP's Sign-in URL, as a bookmark or the SP's own
// "Sign in with Okta" button would, signs in at Okta when asked, and follows
// the response back.
func (w *world) signsInSPInitiated(ctx context.Context, email, orgName, page string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	start := t.integ.SignInURL
	if page != "" {
		start += "?return_to=" + url.QueryEscape(page)
	}
	p, err := w.signedInAtOkta(ctx, email, start)
	if err != nil {
		return err
	}
	_, err = p.browser.FollowAutoPost(ctx)
	return err
}

func (w *world) landsOn(ctx context.Context, email, page string) error {
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	last := p.browser.Last
	if last == nil || !sameHost(last.URL, w.sp.BaseURL()) {
		return errorf("%s is at %s, not at the service provider", email, lastURL(p.browser))
	}
	if got := last.URL.RequestURI(); got != page {
		return errorf("%s landed on %q, want %q", email, got, page)
	}
	return nil
}

func (w *world) teamWithDomain(ctx context.Context, team, orgName, domain string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	tm, err := w.sp.CreateTeam(ctx, t.org, team)
	if err != nil {
		return err
	}
	if t.teams == nil {
		t.teams = map[string]target.Team{}
	}
	t.teams[team] = tm
	return w.sp.AddTeamDomain(ctx, t.org, tm, domain)
}

func (w *world) isTeamMember(ctx context.Context, email, team, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	tm, ok := t.teams[team]
	if !ok {
		return errorf("team %q of %q is not set up in this scenario", team, orgName)
	}
	emails, err := w.sp.TeamMembers(ctx, t.org, tm)
	if err != nil {
		return err
	}
	if !containsFold(emails, email) {
		return errorf("team %q has members %v, not %s", team, emails, email)
	}
	return nil
}

func (w *world) isOneMember(ctx context.Context, email, orgName string) error {
	t, err := w.tenant(orgName)
	if err != nil {
		return err
	}
	emails, err := w.sp.OrgMembers(ctx, t.org)
	if err != nil {
		return err
	}
	n := 0
	for _, e := range emails {
		if strings.EqualFold(e, email) {
			n++
		}
	}
	if n != 1 {
		return errorf("%s is a member of %q %d times", email, orgName, n)
	}
	return nil
}

func (w *world) hasNoAccount(ctx context.Context, email string) error {
	ok, err := w.sp.HasAccount(ctx, email)
	if err != nil {
		return err
	}
	if ok {
		return errorf("the service provider created an account for %s", email)
	}
	return nil
}

func (w *world) refusalSaysAskAdmin(ctx context.Context, email string) error {
	p, err := w.person(ctx, email)
	if err != nil {
		return err
	}
	if p.browser.Last == nil || !strings.Contains(strings.ToLower(p.browser.Last.Text()), "administrator") {
		return errorf("the refusal page does not tell %s to ask their administrator", email)
	}
	return nil
}

func containsFold(list []string, s string) bool {
	return slices.ContainsFunc(list, func(e string) bool { return strings.EqualFold(e, s) })
}
