package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/scimclient"
)

var _ Target = (*External)(nil)

// External is a service provider that runs elsewhere, reached over HTTP as a
// target file describes it. With hooks it can be set up and read like the
// in-process SP; without, it is one SCIM tenant judged over SCIM alone.
type External struct {
	f      File
	http   *http.Client
	signIn *regexp.Regexp // nil without sp.signed_in
	hooks  *hooksClient   // nil in SCIM-only mode
	scim   *scimclient.Client
	// scimPage is how many resources one SCIM list request asks for.
	scimPage int
	mu       sync.Mutex
	created  bool // SCIM-only: the one organization has been handed out
	enabled  bool // SCIM-only: the file's token has been handed out
}

// Option adjusts an External.
type Option func(*External)

// WithHTTPClient sends every request (hooks, SCIM, the signed-in page) through
// c's transport and timeout, so that scenarios share connections; redirects
// and cookies are set per use. nil keeps the default: a 30-second timeout.
func WithHTTPClient(c *http.Client) Option {
	return func(e *External) {
		if c != nil {
			e.http = c
		}
	}
}

// defaultHTTP bounds every request: a hung SP must fail a step, not stall the
// run.
var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// scimOrgID is the one organization of SCIM-only mode.
const scimOrgID = "scim"

// maxAnswer bounds what is read of one hook answer or page.
const maxAnswer = 4 << 20

// NewExternal returns a target for the SP the file describes. It does no I/O
// (the first step finds out whether the SP answers), so one per scenario is
// cheap; ctx is there so that conform starts either kind of target alike.
func NewExternal(ctx context.Context, f File, opts ...Option) (*External, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	e := &External{f: f, http: defaultHTTP, scimPage: scimPageSize}
	for _, o := range opts {
		o(e)
	}
	if f.SP.SignedIn != nil {
		e.signIn, _ = compilePattern(f.SP.SignedIn.Pattern) // Validate compiled it
	}
	if f.Hooks != nil {
		// Hooks never redirect; following one would resend the token elsewhere
		// and hide a misconfigured URL behind a sign-in page.
		c := *e.http
		c.Jar = nil
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		e.hooks = &hooksClient{base: strings.TrimRight(f.Hooks.URL, "/"), token: f.Hooks.Token, http: &c}
	} else {
		e.scim = scimclient.New(f.SCIM.URL, f.SCIM.Token)
		e.scim.HTTP = e.http
	}
	return e, nil
}

// unsupported names what the SP lacks, for the skipped step's message.
func unsupported(what string) error { return fmt.Errorf("%w: %s", ErrUnsupported, what) }

// noHooks is why SCIM-only mode cannot do something.
func noHooks(what string) error {
	return unsupported(what + " (the target file has no hooks)")
}

// BaseURL is sp.base_url. A SCIM-only file may leave it out; then it is the
// SCIM URL's scheme and host, since the app in Okta needs some address for
// the SP and SCIM is all that is sent to it.
func (e *External) BaseURL() string {
	if e.f.SP.BaseURL != "" || e.f.SCIM == nil {
		return strings.TrimRight(e.f.SP.BaseURL, "/")
	}
	u, _ := url.Parse(e.f.SCIM.URL) // Validate checked it
	return u.Scheme + "://" + u.Host
}

// Close releases nothing: the SP lives on, and the transport is shared.
func (e *External) Close() {}

func (e *External) CreateOrganization(ctx context.Context, name string) (Org, error) {
	if e.hooks == nil {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.created {
			return Org{}, unsupported("a second organization (the target file names one SCIM tenant)")
		}
		e.created = true
		return Org{ID: scimOrgID, Name: name}, nil
	}
	var out struct{ ID, Name string }
	err := e.hooks.do(ctx, http.MethodPost, "/orgs", nil, map[string]string{"name": name}, &out)
	if err != nil {
		return Org{}, err
	}
	if out.ID == "" {
		return Org{}, errors.New("the hook POST /orgs answered without an id")
	}
	if out.Name == "" {
		out.Name = name
	}
	return Org{ID: out.ID, Name: out.Name}, nil
}

func (e *External) DeleteOrganization(ctx context.Context, org Org) error {
	if e.hooks == nil {
		// The tenant is the SP admin's, not the scenario's.
		return noHooks("deleting the organization")
	}
	return e.hooks.do(ctx, http.MethodDelete, "/orgs/{org}", []string{org.ID}, nil, nil)
}

func (e *External) AddMember(ctx context.Context, org Org, m Member) error {
	if e.hooks == nil {
		return noHooks("adding a member")
	}
	body := struct {
		Email      string `json:"email"`
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
		Admin      bool   `json:"admin"`
	}{m.Email, m.GivenName, m.FamilyName, m.Admin}
	return e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/members", []string{org.ID}, body, nil)
}

func (e *External) ConnectOkta(ctx context.Context, org Org) (Integration, error) {
	if e.hooks == nil {
		return Integration{}, noHooks("Okta sign-in")
	}
	var out struct {
		ID        string `json:"id"`
		ACSURL    string `json:"acs_url"`
		EntityID  string `json:"entity_id"`
		SignInURL string `json:"sign_in_url"`
	}
	if err := e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/okta", []string{org.ID}, nil, &out); err != nil {
		return Integration{}, err
	}
	if out.ID == "" {
		return Integration{}, errors.New("the hook POST /orgs/{org}/okta answered without an id (the Integration ID)")
	}
	i := Integration{ID: out.ID}
	var err error
	sso := e.f.SP.SSO
	if i.ACSURL, err = e.ssoURL("acs_url", out.ACSURL, sso.ACSURL, out.ID, true); err != nil {
		return Integration{}, err
	}
	if i.EntityID, err = e.ssoURL("entity_id", out.EntityID, sso.EntityID, out.ID, true); err != nil {
		return Integration{}, err
	}
	// Without a sign-in URL only SP-initiated sign-in cannot be tried; the
	// scenarios that try it fail on the empty URL.
	if i.SignInURL, err = e.ssoURL("sign_in_url", out.SignInURL, sso.SignInURL, out.ID, false); err != nil {
		return Integration{}, err
	}
	return i, nil
}

// ssoURL picks an integration's URL from the Connect answer or the file's
// template. When both exist they must agree: a template that disagrees with the
// SP would make the suite test URLs the SP does not serve.
func (e *External) ssoURL(name, answered, tmpl, id string, required bool) (string, error) {
	var fromFile string
	if tmpl != "" {
		var err error
		if fromFile, err = e.f.expand("sp.sso."+name, tmpl, id); err != nil {
			return "", err
		}
	}
	switch {
	case answered != "" && fromFile != "" && answered != fromFile:
		return "", fmt.Errorf("the hook POST /orgs/{org}/okta answered %s %q, but the target file's sp.sso.%s gives %q", name, answered, name, fromFile)
	case answered != "":
		return answered, nil
	case fromFile != "":
		return fromFile, nil
	case required:
		return "", fmt.Errorf("the hook POST /orgs/{org}/okta answered no %s and the target file has no sp.sso.%s", name, name)
	}
	return "", nil
}

func (e *External) ConfigureFromMetadata(ctx context.Context, org Org, metadataURL string) error {
	if e.hooks == nil {
		return noHooks("configuring Okta sign-in")
	}
	return e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/okta/metadata", []string{org.ID},
		map[string]string{"metadata_url": metadataURL}, nil)
}

func (e *External) ConfigureManually(ctx context.Context, org Org, ssoURL, certPEM string) error {
	if e.hooks == nil {
		return noHooks("configuring Okta sign-in")
	}
	return e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/okta/manual", []string{org.ID},
		map[string]string{"sso_url": ssoURL, "cert_pem": certPEM}, nil)
}

func (e *External) Integration(ctx context.Context, org Org) (IntegrationState, error) {
	if e.hooks == nil {
		return IntegrationState{}, noHooks("reading the Okta sign-in settings")
	}
	var out struct {
		ID          string `json:"id"`
		Status      string `json:"status"`
		IdPEntityID string `json:"idp_entity_id"`
		SSOURL      string `json:"sso_url"`
		CertPEM     string `json:"cert_pem"`
	}
	if err := e.hooks.do(ctx, http.MethodGet, "/orgs/{org}/okta", []string{org.ID}, nil, &out); err != nil {
		return IntegrationState{}, err
	}
	return IntegrationState{ID: out.ID, Status: out.Status, IdPEntityID: out.IdPEntityID, SSOURL: out.SSOURL, CertPEM: out.CertPEM}, nil
}

func (e *External) MarkConnected(ctx context.Context, org Org) error {
	return e.setStatus(ctx, org, "connected")
}

func (e *External) DisableOkta(ctx context.Context, org Org) error {
	return e.setStatus(ctx, org, "disabled")
}

func (e *External) setStatus(ctx context.Context, org Org, status string) error {
	if e.hooks == nil {
		return noHooks("changing the Okta sign-in status")
	}
	return e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/okta/status", []string{org.ID},
		map[string]string{"status": status}, nil)
}

func (e *External) StartConnect(ctx context.Context, org Org) (string, error) {
	if e.hooks == nil {
		return "", noHooks("the admin's Connect round trip")
	}
	var out struct {
		URL string `json:"url"`
	}
	if err := e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/okta/start", []string{org.ID}, nil, &out); err != nil {
		return "", err
	}
	if out.URL == "" {
		return "", errors.New("the hook POST /orgs/{org}/okta/start answered without a url")
	}
	return out.URL, nil
}

func (e *External) CreateTeam(ctx context.Context, org Org, name string) (Team, error) {
	if e.hooks == nil {
		return Team{}, noHooks("creating a team")
	}
	var out struct{ ID, Name string }
	if err := e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/teams", []string{org.ID}, map[string]string{"name": name}, &out); err != nil {
		return Team{}, err
	}
	if out.ID == "" {
		return Team{}, errors.New("the hook POST /orgs/{org}/teams answered without an id")
	}
	if out.Name == "" {
		out.Name = name
	}
	return Team{ID: out.ID, Name: out.Name}, nil
}

func (e *External) AddTeamDomain(ctx context.Context, org Org, team Team, domain string) error {
	if e.hooks == nil {
		return noHooks("pre-approving a domain")
	}
	return e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/teams/{team}/domains", []string{org.ID, team.ID},
		map[string]string{"domain": domain}, nil)
}

func (e *External) TeamMembers(ctx context.Context, org Org, team Team) ([]string, error) {
	if e.hooks == nil {
		return e.scimGroupMembers(ctx, team)
	}
	var out struct{ Emails []string }
	err := e.hooks.do(ctx, http.MethodGet, "/orgs/{org}/teams/{team}/members", []string{org.ID, team.ID}, nil, &out)
	return out.Emails, err
}

func (e *External) OrgMembers(ctx context.Context, org Org) ([]string, error) {
	if e.hooks == nil {
		return e.scimActiveUsers(ctx)
	}
	var out struct{ Emails []string }
	err := e.hooks.do(ctx, http.MethodGet, "/orgs/{org}/members", []string{org.ID}, nil, &out)
	return out.Emails, err
}

// account is the answer of GET /accounts/{email}; found is false on 404.
func (e *External) account(ctx context.Context, email string) (m Member, found bool, err error) {
	var out struct {
		Email      string `json:"email"`
		GivenName  string `json:"given_name"`
		FamilyName string `json:"family_name"`
	}
	err = e.hooks.do(ctx, http.MethodGet, "/accounts/{email}", []string{email}, nil, &out)
	if he := (*hookStatusError)(nil); errors.As(err, &he) && he.Status == http.StatusNotFound {
		return Member{}, false, nil
	}
	if err != nil {
		return Member{}, false, err
	}
	if out.Email == "" {
		out.Email = email
	}
	return Member{Email: out.Email, GivenName: out.GivenName, FamilyName: out.FamilyName}, true, nil
}

func (e *External) HasAccount(ctx context.Context, email string) (bool, error) {
	if e.hooks == nil {
		// SCIM sees one tenant; the question is about every organization.
		return false, noHooks("looking up an account across every organization")
	}
	_, found, err := e.account(ctx, email)
	return found, err
}

func (e *External) Profile(ctx context.Context, email string) (Member, error) {
	if e.hooks == nil {
		return e.scimProfile(ctx, email)
	}
	m, found, err := e.account(ctx, email)
	if err == nil && !found {
		err = fmt.Errorf("the SP has no account %s (the hook GET /accounts/{email} answered 404)", email)
	}
	return m, err
}

func (e *External) HoldsSecret(ctx context.Context, secret string) (bool, error) {
	return false, unsupported("inspecting the service provider's storage (impossible from outside)")
}

func (e *External) EnableProvisioning(ctx context.Context, org Org) (string, string, error) {
	if e.hooks == nil {
		// The SP's admin turned provisioning on and put the token in the file.
		if org.ID != scimOrgID {
			return "", "", fmt.Errorf("organization %q is not the target file's SCIM tenant", org.ID)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.enabled {
			// A second "turn it on" would show the same token again, which
			// says nothing about the SP: it never saw the request.
			return "", "", noHooks("turning provisioning on again")
		}
		e.enabled = true
		return e.f.SCIM.URL, e.f.SCIM.Token, nil
	}
	var out struct {
		SCIMURL string `json:"scim_url"`
		Token   string `json:"token"`
	}
	if err := e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/provisioning", []string{org.ID}, nil, &out); err != nil {
		return "", "", err
	}
	if out.SCIMURL == "" || out.Token == "" {
		return "", "", errors.New("the hook POST /orgs/{org}/provisioning answered without scim_url or token")
	}
	return out.SCIMURL, out.Token, nil
}

func (e *External) RotateSCIMToken(ctx context.Context, org Org) (string, error) {
	if e.hooks == nil {
		return "", noHooks("rotating the SCIM token")
	}
	var out struct{ Token string }
	if err := e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/provisioning/token", []string{org.ID}, nil, &out); err != nil {
		return "", err
	}
	if out.Token == "" {
		return "", errors.New("the hook POST /orgs/{org}/provisioning/token answered without a token")
	}
	return out.Token, nil
}

func (e *External) DisableProvisioning(ctx context.Context, org Org) error {
	if e.hooks == nil {
		return noHooks("turning provisioning off")
	}
	return e.hooks.do(ctx, http.MethodDelete, "/orgs/{org}/provisioning", []string{org.ID}, nil, nil)
}

func (e *External) FindTeam(ctx context.Context, org Org, name string) (Team, bool, error) {
	if e.hooks == nil {
		return e.scimFindGroup(ctx, name)
	}
	var out struct {
		Teams []struct{ ID, Name string }
	}
	if err := e.hooks.do(ctx, http.MethodGet, "/orgs/{org}/teams", []string{org.ID}, nil, &out); err != nil {
		return Team{}, false, err
	}
	for _, t := range out.Teams {
		if strings.EqualFold(t.Name, name) {
			return Team{ID: t.ID, Name: t.Name}, true, nil
		}
	}
	return Team{}, false, nil
}

func (e *External) AddTeamResource(ctx context.Context, org Org, team Team, name string) error {
	if e.hooks == nil {
		return noHooks("giving a team something it owns")
	}
	return e.hooks.do(ctx, http.MethodPost, "/orgs/{org}/teams/{team}/resources", []string{org.ID, team.ID},
		map[string]string{"name": name}, nil)
}

func (e *External) TeamResources(ctx context.Context, org Org, team Team) ([]string, error) {
	if e.hooks == nil {
		return nil, noHooks("reading what a team owns")
	}
	var out struct{ Names []string }
	err := e.hooks.do(ctx, http.MethodGet, "/orgs/{org}/teams/{team}/resources", []string{org.ID, team.ID}, nil, &out)
	return out.Names, err
}

func (e *External) AuditActions(ctx context.Context, org Org) ([]string, error) {
	if e.hooks == nil {
		return nil, noHooks("reading the audit log")
	}
	var out struct{ Actions []string }
	err := e.hooks.do(ctx, http.MethodGet, "/orgs/{org}/audit", []string{org.ID}, nil, &out)
	return out.Actions, err
}

func (e *External) RefusalLogged(ctx context.Context, integrationID string, problem Problem) error {
	if e.hooks == nil {
		return noHooks("reading the refused sign-ins")
	}
	var out struct {
		Refusals []struct {
			Reason   string   `json:"reason"`
			Problems []string `json:"problems"`
		} `json:"refusals"`
	}
	q := url.Values{"integration": {integrationID}}
	if err := e.hooks.doQuery(ctx, http.MethodGet, "/refusals", nil, q, nil, &out); err != nil {
		return err
	}
	var seen []string
	for _, r := range out.Refusals {
		if slices.Contains(r.Problems, string(problem)) {
			return nil
		}
		seen = append(seen, fmt.Sprintf("%s %v", r.Reason, r.Problems))
	}
	if len(seen) == 0 {
		return fmt.Errorf("the SP lists no refused sign-in at integration %s; want one for %s", integrationID, problem)
	}
	return fmt.Errorf("the SP lists refused sign-ins at integration %s as %s; none stands for %s",
		integrationID, strings.Join(seen, ", "), problem)
}

// PasswordSignIn fills in the SP's own sign-in form, where the file says it is.
func (e *External) PasswordSignIn(ctx context.Context, b *browser.Browser, email, password string) error {
	p := e.f.SP.PasswordSignIn
	if p == nil {
		return unsupported("password sign-in (the target file has no sp.password_sign_in)")
	}
	u, err := e.f.resolve("sp.password_sign_in.url", p.URL)
	if err != nil {
		return err
	}
	emailField, passwordField := p.fields()
	page, err := b.Get(ctx, u)
	if err != nil {
		return err
	}
	form, ok := page.FormWithField(passwordField)
	if !ok {
		return fmt.Errorf("%s has no form with a field %q (status %d)", u, passwordField, page.Status)
	}
	if _, ok := form.Fields[emailField]; !ok {
		return fmt.Errorf("the sign-in form at %s has no field %q (sp.password_sign_in.email_field)", u, emailField)
	}
	page, err = b.Submit(ctx, form, map[string]string{emailField: email, passwordField: password})
	if err != nil {
		return err
	}
	if page.Status >= 400 {
		return fmt.Errorf("password sign-in as %s: status %d", email, page.Status)
	}
	return nil
}

// SignedIn opens the signed-in page with the browser's cookies and reads who
// it names.
func (e *External) SignedIn(ctx context.Context, jar http.CookieJar) (SignedIn, bool, error) {
	if e.signIn == nil {
		return SignedIn{}, false, unsupported("telling who is signed in (the target file has no sp.signed_in)")
	}
	u, err := e.f.resolve("sp.signed_in.url", e.f.SP.SignedIn.url())
	if err != nil {
		return SignedIn{}, false, err
	}
	start, _ := url.Parse(u) // resolve checked it
	c := &http.Client{
		Transport: e.http.Transport,
		Timeout:   e.http.Timeout,
		// Looking must not change what the browser holds: cookies the SP
		// sets on the way stay with this one look.
		Jar: &overlayJar{base: jar, scratch: newJar()},
		// A redirect to another host (Okta, say) means the SP wants a
		// sign-in: stop there rather than sign in at the IdP by accident.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != start.Host || len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return SignedIn{}, false, err
	}
	res, err := c.Do(req)
	if err != nil {
		return SignedIn{}, false, fmt.Errorf("the signed-in page: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return SignedIn{}, false, fmt.Errorf("the signed-in page %s: %w", u, err)
	}
	if res.StatusCode != http.StatusOK {
		return SignedIn{}, false, nil
	}
	m := e.signIn.FindSubmatch(body)
	if m == nil {
		return SignedIn{}, false, nil
	}
	var who SignedIn
	for i, name := range e.signIn.SubexpNames() {
		v := strings.TrimSpace(html.UnescapeString(string(m[i])))
		switch name {
		case "email":
			who.Email = v
		case "org":
			who.OrgName = v
		}
	}
	if who.Email == "" {
		return SignedIn{}, false, nil
	}
	return who, true, nil
}

func newJar() *cookiejar.Jar {
	j, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	return j
}

// overlayJar reads a browser's cookies and keeps new ones to itself.
type overlayJar struct {
	base    http.CookieJar
	scratch http.CookieJar
}

func (j *overlayJar) SetCookies(u *url.URL, cs []*http.Cookie) { j.scratch.SetCookies(u, cs) }

func (j *overlayJar) Cookies(u *url.URL) []*http.Cookie {
	out := j.scratch.Cookies(u)
	if j.base == nil {
		return out
	}
	for _, c := range j.base.Cookies(u) {
		if !slices.ContainsFunc(out, func(o *http.Cookie) bool { return o.Name == c.Name }) {
			out = append(out, c)
		}
	}
	return out
}

// hooksClient calls the conformance hooks API.
type hooksClient struct {
	base  string
	token string
	http  *http.Client
}

// hookStatusError is a hook's answer outside 2xx that is neither 422 nor 501.
type hookStatusError struct {
	Hook   string // "GET /accounts/{email}"
	Status int
	Body   string // the start of the body
}

func (e *hookStatusError) Error() string {
	msg := fmt.Sprintf("the hook %s answered %d %s", e.Hook, e.Status, http.StatusText(e.Status))
	if e.Status == http.StatusUnauthorized {
		msg += " (the SP refused the hooks token: check hooks.token_env or hooks.token)"
	}
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// RefusedError is a hook's 422: the SP refused what an admin typed or pasted.
// Its message is the SP's own sentence, verbatim (even empty), since the
// scenarios judge whether the SP explained the refusal.
type RefusedError struct {
	Hook     string
	Sentence string
}

func (e *RefusedError) Error() string { return e.Sentence }

func (c *hooksClient) do(ctx context.Context, method, pattern string, params []string, in, out any) error {
	return c.doQuery(ctx, method, pattern, params, nil, in, out)
}

// doQuery calls the hook method pattern, its {placeholders} filled in order
// with params (path-escaped). in is sent as JSON when not nil; a 2xx answer's
// JSON body is decoded into out when not nil.
func (c *hooksClient) doQuery(ctx context.Context, method, pattern string, params []string, q url.Values, in, out any) error {
	hook := method + " " + pattern
	path, err := fillPattern(pattern, params)
	if err != nil {
		return fmt.Errorf("the hook %s: %w", hook, err)
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("the hook %s: %w", hook, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("the hook %s: %w", hook, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("the hook %s: %w", hook, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return fmt.Errorf("the hook %s: read the answer: %w", hook, err)
	}
	switch {
	case res.StatusCode == http.StatusNotImplemented:
		return fmt.Errorf("%w: the hook %s", ErrUnsupported, hook)
	case res.StatusCode == http.StatusUnprocessableEntity:
		var e struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(data, &e) // no sentence is the SP's failing, shown as such
		return &RefusedError{Hook: hook, Sentence: e.Error}
	case res.StatusCode < 200 || res.StatusCode > 299:
		return &hookStatusError{Hook: hook, Status: res.StatusCode, Body: excerpt(data)}
	}
	if out == nil || len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the hook %s answered %d with a body that is not the JSON expected (%v): %s", hook, res.StatusCode, err, excerpt(data))
	}
	return nil
}

// fillPattern replaces a pattern's {placeholders}, in order, with params.
func fillPattern(pattern string, params []string) (string, error) {
	var sb strings.Builder
	rest := pattern
	for _, p := range params {
		open := strings.IndexByte(rest, '{')
		end := strings.IndexByte(rest, '}')
		if open < 0 || end < open {
			return "", fmt.Errorf("more parameters than placeholders in %s", pattern)
		}
		if p == "" {
			return "", fmt.Errorf("%s is empty", rest[open:end+1])
		}
		sb.WriteString(rest[:open])
		sb.WriteString(url.PathEscape(p))
		rest = rest[end+1:]
	}
	if strings.ContainsRune(rest, '{') {
		return "", fmt.Errorf("fewer parameters than placeholders in %s", pattern)
	}
	sb.WriteString(rest)
	return sb.String(), nil
}

// excerpt is the start of a body, on one line, for an error message.
func excerpt(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// SCIM-only mode: what the tenant's SCIM server shows.

// scimPageSize is how many resources one SCIM list request asks for: Okta
// asks for 100 too.
const scimPageSize = 100

// scimUser is the part of a SCIM user the target reads.
type scimUser struct {
	ID       string `json:"id"`
	UserName string `json:"userName"`
	Active   *bool  `json:"active"`
	Name     struct {
		GivenName  string `json:"givenName"`
		FamilyName string `json:"familyName"`
	} `json:"name"`
}

type scimList[T any] struct {
	TotalResults int `json:"totalResults"`
	Resources    []T `json:"Resources"`
}

// scimGet reads one SCIM answer into out; anything but 200 is an error.
func (e *External) scimGet(ctx context.Context, path string, out any) error {
	res, err := e.scim.Get(ctx, path)
	if err != nil {
		return err
	}
	if res.Status != http.StatusOK {
		return fmt.Errorf("SCIM: %s", res)
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return fmt.Errorf("SCIM: the answer is not the JSON expected (%v): %s", err, res)
	}
	return nil
}

// scimUsers lists every user of the tenant, page by page.
func (e *External) scimUsers(ctx context.Context) ([]scimUser, error) {
	var all []scimUser
	for start := 1; ; {
		var page scimList[scimUser]
		path := "/Users?startIndex=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(e.scimPage)
		if err := e.scimGet(ctx, path, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Resources...)
		start += len(page.Resources)
		// An empty page ends the list too, should totalResults overcount.
		if len(page.Resources) == 0 || start > page.TotalResults {
			return all, nil
		}
	}
}

// scimActiveUsers lists the userNames of the tenant's active users. A user
// without "active" counts: the attribute is optional, and a server that does
// not keep it deactivates no one.
func (e *External) scimActiveUsers(ctx context.Context) ([]string, error) {
	users, err := e.scimUsers(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, u := range users {
		if u.Active == nil || *u.Active {
			names = append(names, u.UserName)
		}
	}
	return names, nil
}

// scimGroupMembers lists a group's members by userName. Each member is read
// by id: on a shared staging tenant, listing every user to resolve a few
// members would cost far more.
func (e *External) scimGroupMembers(ctx context.Context, team Team) ([]string, error) {
	if team.ID == "" {
		return nil, fmt.Errorf("team %q has no SCIM id", team.Name)
	}
	var g struct {
		Members []struct {
			Value string `json:"value"`
			Type  string `json:"type"`
		} `json:"members"`
	}
	if err := e.scimGet(ctx, "/Groups/"+url.PathEscape(team.ID), &g); err != nil {
		return nil, err
	}
	var names []string
	for _, m := range g.Members {
		if m.Type != "" && !strings.EqualFold(m.Type, "User") {
			continue // a nested group is no person
		}
		if m.Value == "" {
			return nil, fmt.Errorf("SCIM group %s lists a member without a value (the user's id)", team.ID)
		}
		var u scimUser
		if err := e.scimGet(ctx, "/Users/"+url.PathEscape(m.Value), &u); err != nil {
			return nil, fmt.Errorf("SCIM group %s lists member %q: %w", team.ID, m.Value, err)
		}
		names = append(names, u.UserName)
	}
	return names, nil
}

// scimFindGroup finds a group by displayName. The match is checked here too,
// in case the server ignores the filter.
func (e *External) scimFindGroup(ctx context.Context, name string) (Team, bool, error) {
	var list scimList[struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}]
	if err := e.scimGet(ctx, "/Groups?filter="+url.QueryEscape(`displayName eq `+scimString(name)), &list); err != nil {
		return Team{}, false, err
	}
	for _, g := range list.Resources {
		if strings.EqualFold(g.DisplayName, name) {
			return Team{ID: g.ID, Name: g.DisplayName}, true, nil
		}
	}
	return Team{}, false, nil
}

// scimProfile reads a user's name by userName.
func (e *External) scimProfile(ctx context.Context, email string) (Member, error) {
	var list scimList[scimUser]
	if err := e.scimGet(ctx, "/Users?filter="+url.QueryEscape(`userName eq `+scimString(email)), &list); err != nil {
		return Member{}, err
	}
	for _, u := range list.Resources {
		if strings.EqualFold(u.UserName, email) {
			return Member{Email: u.UserName, GivenName: u.Name.GivenName, FamilyName: u.Name.FamilyName}, nil
		}
	}
	return Member{}, fmt.Errorf("the SCIM server has no user with userName %s", email)
}

// scimString quotes s for a SCIM filter (RFC 7644 §3.4.2.2: a JSON string).
// HTML escaping is off: \u003c is valid JSON, but not every filter parser
// reads escapes.
func scimString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
