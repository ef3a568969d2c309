package steps

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/target"
)

// Steps for refused sign-ins (SSO-09, SSO-10): the fake Okta is told to send
// one wrong thing, and the SP must refuse with a page, a log line and no session.
func (w *world) registerRefusals(sc scenario) {
	sc.Step(`^Okta will send responses (.+)$`, w.oktaWillSend)
	sc.Step(`^the service provider refuses the sign-in with a page saying why$`, w.refusedWithPage)
	sc.Step(`^the service provider logs why it refused the sign-in$`, w.refusalLogged)
	sc.Step(`^"([^"]*)" has signed in from the Okta dashboard$`, w.hasSignedIn)
	sc.Step(`^someone else posts the response Okta sent for "([^"]*)" again$`, w.replaysResponse)
	sc.Step(`^the replayed response signs nobody in$`, w.replaySignsNobodyIn)
	sc.Step(`^the app in Okta names an Integration ID the service provider does not know$`, w.appWithUnknownIntegration)
	sc.Step(`^the admin of "([^"]*)" turns Okta sign-in off$`, w.turnsSSOOff)
}

// faultPhrases are the Gherkin phrases for the fake Okta's faults.
var faultPhrases = map[string]target.Problem{
	"without a signature":                                 target.ProblemUnsigned,
	"signed by a key that is not the app's":               target.ProblemWrongKey,
	"that have expired":                                   target.ProblemExpired,
	"that are not yet valid":                              target.ProblemNotYetValid,
	"for another audience":                                target.ProblemWrongAudience,
	"addressed to another destination":                    target.ProblemWrongDestination,
	"for another recipient":                               target.ProblemWrongRecipient,
	"from another issuer":                                 target.ProblemWrongIssuer,
	"answering a request the service provider never made": target.ProblemUnknownRequest,
}

func (w *world) oktaWillSend(ctx context.Context, phrase string) error {
	problem, ok := faultPhrases[phrase]
	if !ok {
		return errorf("no fault is known as %q", phrase)
	}
	app, err := w.app()
	if err != nil {
		return err
	}
	fault, err := idpsim.ParseFault(string(problem))
	if err != nil {
		return err
	}
	w.problem = problem
	return w.okta.SetFault(ctx, app.ID, fault)
}

// refusedWithPage checks the page the last person landed on: the SP's, a 4xx
// status, words for a person, and no session.
func (w *world) refusedWithPage(ctx context.Context) error {
	p := w.lastActor
	if p == nil || p.browser.Last == nil {
		return errorf("nobody has done anything yet")
	}
	page := p.browser.Last
	if !sameHost(page.URL, w.sp.BaseURL()) {
		return errorf("%s ended at %s, not at the service provider", p.email, page.URL)
	}
	if page.Status < 400 || page.Status > 499 {
		return errorf("the service provider answered %d at %s, want a 4xx refusal", page.Status, page.URL)
	}
	if strings.TrimSpace(page.Text()) == "" {
		return errorf("the refusal page says nothing")
	}
	who, ok, err := w.sp.SignedIn(ctx, p.browser.Jar())
	if err != nil {
		return err
	}
	if ok {
		return errorf("%s was refused but holds a session as %s", p.email, who.Email)
	}
	return nil
}

func (w *world) refusalLogged(ctx context.Context) error {
	if w.problem == "" {
		return errorf("the scenario set up no problem to refuse")
	}
	app, err := w.app()
	if err != nil {
		return err
	}
	return w.sp.RefusalLogged(ctx, app.IntegrationID, w.problem)
}

func (w *world) hasSignedIn(ctx context.Context, email string) error {
	if err := w.opensFromDashboard(ctx, email); err != nil {
		return err
	}
	t := w.last
	return w.isSignedInAs(ctx, email, t.org.Name)
}

// replaysResponse posts the exact SAMLResponse that Okta sent for email from a
// fresh browser, as someone who captured it would.
func (w *world) replaysResponse(ctx context.Context, email string) error {
	app, err := w.app()
	if err != nil {
		return err
	}
	sent, ok, err := w.okta.LastResponse(ctx, app.ID)
	if err != nil {
		return err
	}
	if !ok {
		return errorf("Okta has sent no response for the app yet")
	}
	attacker := &person{email: "someone else", browser: browser.New(nil)}
	form := browser.Form{Method: http.MethodPost, Fields: url.Values{"SAMLResponse": {sent.SAMLResponse}}}
	if sent.RelayState != "" {
		form.Fields.Set("RelayState", sent.RelayState)
	}
	if form.Action, err = url.Parse(sent.ACSURL); err != nil {
		return err
	}
	if _, err := attacker.browser.Submit(ctx, form, nil); err != nil {
		return err
	}
	w.attacker, w.lastActor, w.problem = attacker, attacker, target.ProblemReplay
	return nil
}

func (w *world) replaySignsNobodyIn(ctx context.Context) error {
	if w.attacker == nil {
		return errorf("nothing was replayed")
	}
	if who, ok, err := w.sp.SignedIn(ctx, w.attacker.browser.Jar()); err != nil || ok {
		return errorf("the replayed response signed someone in as %q (err %v)", who.Email, err)
	}
	return nil
}

// appWithUnknownIntegration adds a second catalog app whose Integration ID the
// SP never issued, and makes it "the app".
func (w *world) appWithUnknownIntegration(ctx context.Context) error {
	if w.last == nil {
		return errorf("no organization is set up")
	}
	app, err := w.okta.CreateCatalogApp(ctx, idpsim.CatalogAppInput{
		Label: "Reference SP (mistyped)", SPBaseURL: w.sp.BaseURL(), IntegrationID: "not" + w.last.integ.ID,
	})
	if err != nil {
		return err
	}
	w.last = &tenant{org: w.last.org, integ: w.last.integ, app: app}
	w.problem = target.ProblemUnknownIntegration
	return nil
}

func (w *world) turnsSSOOff(ctx context.Context, name string) error {
	t, err := w.tenant(name)
	if err != nil {
		return err
	}
	w.problem = target.ProblemDisabled
	return w.sp.DisableOkta(ctx, t.org)
}

func sameHost(u *url.URL, base string) bool {
	b, err := url.Parse(base)
	return err == nil && u != nil && u.Host == b.Host
}
