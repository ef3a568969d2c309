package steps

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/ssoharness/ssoharness/steps/scimclient"
	"github.com/ssoharness/ssoharness/steps/target"
)

// Steps for the SCIM token and switch (SCIM-01..SCIM-03) and for the protocol
// behaviour Okta relies on (PROTO-01..PROTO-06). They speak SCIM over plain
// HTTP to the SCIM base URL and Bearer token the target showed when
// provisioning was turned on, so they hold for any SCIM server.
//
// Scenarios name people by email and groups by name; the steps send them with
// a suffix unique to the scenario ("ada@acme.test" becomes
// "ada+k3x9q2@acme.test", "Engineering" becomes "Engineering k3x9q2"), so
// scenarios stay independent on a server that all of them share. In request
// paths, bodies and filters, "{id of X}" and "{externalId of X}" stand for
// what the server and the client hold for user or group X.
func (w *world) registerSCIMProtocol(sc scenario) {
	p := &scimProtocol{
		w:          w,
		suffix:     w.names.suffix,
		users:      map[string]*protoUser{},
		groups:     map[string]*protoGroup{},
		groupNames: map[string]string{},
		localEmail: map[string]string{},
		localGroup: map[string]string{},
		tokens:     map[string][]string{},
	}
	w.proto = p
	// Remember every token each organization was given, whichever step
	// turned provisioning on or rotated the token.
	sc.StepContext().After(func(ctx context.Context, _ *godog.Step, _ godog.StepResultStatus, _ error) (context.Context, error) {
		p.noteTokens()
		// nil leaves the step's error as it is; godog would join an error
		// returned here to it, and every failure would read twice.
		return ctx, nil
	})

	// The Provisioning switch and the token (SCIM-01, SCIM-02).
	sc.Step(`^an organization "([^"]*)" whose Okta integration is (started but not configured|turned off)$`, p.orgWithIntegration)
	sc.Step(`^the admin of "([^"]*)" tries to turn provisioning on( again)?$`, p.triesToEnable)
	sc.Step(`^the service provider shows no SCIM token for "([^"]*)"$`, p.showsNoToken)
	sc.Step(`^the service provider does not show the SCIM token of "([^"]*)" again$`, p.doesNotShowAgain)
	sc.Step(`^the service provider keeps no readable copy of the SCIM token of "([^"]*)"$`, p.keepsNoCopy)
	sc.Step(`^the old SCIM token of "([^"]*)" is refused$`, p.oldTokenRefused)
	sc.Step(`^Okta's connection test with the SCIM token of "([^"]*)" succeeds$`, p.connectionTest)
	sc.Step(`^the users of "([^"]*)" are requested over SCIM (`+scimCredentialsRE+`)$`, p.requestWithCredentials)
	sc.Step(`^the answer asks for a Bearer token$`, p.asksForBearer)

	// Users and groups made over SCIM.
	sc.Step(`^"([^"]*)" is created over SCIM in "([^"]*)"$`, p.createUser)
	sc.Step(`^(\d+) users are created over SCIM in "([^"]*)"$`, p.createUsers)
	sc.Step(`^a group "([^"]*)" is created over SCIM in "([^"]*)"$`, p.createGroup)
	sc.Step(`^a group "([^"]*)" with the members? (.+) is created over SCIM in "([^"]*)"$`, p.createGroupWith)
	sc.Step(`^"([^"]*)" has been deactivated over SCIM in "([^"]*)"$`, p.deactivated)

	// Requests.
	// A path has no spaces but in its placeholders; a path before a doc
	// string ends with a colon.
	sc.Step(`^the SCIM client of "([^"]*)" sends (GET|POST|PUT|PATCH|DELETE) (`+scimPathRE+`*(?:[^\s{:]|`+scimPlaceholderPart+`))$`, p.send)
	sc.Step(`^the SCIM client of "([^"]*)" sends (GET|POST|PUT|PATCH|DELETE) (`+scimPathRE+`+) with the body (.+)$`, p.sendBody)
	sc.Step(`^the SCIM client of "([^"]*)" sends (POST|PUT|PATCH) (`+scimPathRE+`+):$`, p.sendDoc)
	sc.Step(`^the SCIM client of "([^"]*)" sends POST /Users with a body larger than 1 MiB$`, p.sendHuge)
	sc.Step(`^the SCIM client of "([^"]*)" lists (users|groups) with the filter (.+)$`, p.listFiltered)
	sc.Step(`^the SCIM client of "([^"]*)" (reads|replaces|deactivates|deletes) the user "([^"]*)"$`, p.actOnUser)
	sc.Step(`^the SCIM client of "([^"]*)" adds "([^"]*)" to the group "([^"]*)"$`, p.addToGroup)
	sc.Step(`^the SCIM client of "([^"]*)" reads all users (\d+) at a time$`, p.readAll)

	// What the server answered.
	sc.Step(`^the SCIM server answers (\d{3})$`, p.answers)
	sc.Step(`^the SCIM server refuses with (\d{3})(?:\s+(\S.*?))?\s*$`, p.refuses)
	sc.Step(`^the SCIM server refuses with a client error$`, p.refusesClientError)
	sc.Step(`^the SCIM server answers without failing$`, p.answersWithoutFailing)
	sc.Step(`^the SCIM server answers 200 with the (user|group), or 204$`, p.patched)
	sc.Step(`^the SCIM server answers 201 with the new (user|group) and its Location$`, p.created)
	sc.Step(`^the new (user|group) can be read back at its Location$`, p.readBack)
	sc.Step(`^the SCIM server answers 200 with the (user|group) "([^"]*)"$`, p.answersWith)
	sc.Step(`^the answer does not show the password$`, p.noPassword)
	sc.Step(`^the list holds exactly the (user|group) "([^"]*)"$`, p.listHoldsExactly)
	sc.Step(`^the list holds no (?:users|groups)$`, p.listHoldsNone)
	sc.Step(`^the answer is a ListResponse with totalResults (\d+), startIndex (\d+) and (\d+) resources?$`, p.isListResponse)
	sc.Step(`^the filter is refused with 400 invalidFilter or matches nobody$`, p.refusedOrNobody)
	sc.Step(`^the users came in (\d+) pages?$`, p.cameInPages)
	sc.Step(`^every user created over SCIM in "([^"]*)" was read exactly once$`, p.readExactlyOnce)
	sc.Step(`^reading all users of "([^"]*)" (\d+) at a time again gives the same order$`, p.sameOrderAgain)
	sc.Step(`^the SCIM client of "([^"]*)" does not find "([^"]*)" among all its users$`, p.doesNotFind)

	// The state the server shows.
	sc.Step(`^the SCIM user "([^"]*)" is (active|inactive)$`, p.userIs)
	sc.Step(`^the SCIM user "([^"]*)" is still active and unchanged$`, p.userUnchanged)
	sc.Step(`^the SCIM user "([^"]*)" has (\S+) equal to (.+)$`, p.userHas)
	sc.Step(`^the SCIM user "([^"]*)" has its email as userName$`, p.emailIsUserName)
	sc.Step(`^the service provider has an account for the SCIM user "([^"]*)"$`, p.hasAccount)
	sc.Step(`^the SCIM group "([^"]*)" has exactly the members? (.+)$`, p.groupHasMembers)
	sc.Step(`^the SCIM group "([^"]*)" has no members$`, p.groupHasNoMembers)
	sc.Step(`^the SCIM group "([^"]*)" is named "([^"]*)"$`, p.groupNamed)
	sc.Step(`^the SCIM group "([^"]*)" is gone$`, p.groupGone)

	// Discovery (PROTO-06).
	sc.Step(`^the answer has the schema "([^"]*)"$`, p.hasSchema)
	sc.Step(`^the configuration says PATCH and filtering are supported$`, p.configPatchFilter)
	sc.Step(`^the configuration names Bearer token authentication$`, p.configBearer)
	sc.Step(`^what the configuration says about bulk is true$`, p.configBulk)
	sc.Step(`^what the configuration says about ETags is true$`, p.configETags)
	sc.Step(`^the resource types include "([^"]*)" at "([^"]*)" and "([^"]*)" at "([^"]*)"$`, p.resourceTypes)
	sc.Step(`^the schemas describe the (User|Group) attributes (.+)$`, p.schemasDescribe)
	sc.Step(`^every attribute the server returns for "([^"]*)" is described in the schemas$`, p.attributesDescribed)
	sc.Step(`^the answer allows GET but not (GET|POST|PUT|PATCH|DELETE)$`, p.allowsGetOnly)
}

// scimProtocol is what the SCIM steps of one scenario remember.
type scimProtocol struct {
	w      *world
	suffix string

	users      map[string]*protoUser  // by the scenario's email, lower case
	groups     map[string]*protoGroup // by the scenario's name
	groupNames map[string]string      // scenario name → name sent
	localEmail map[string]string      // email sent, lower case → scenario's email
	localGroup map[string]string      // name sent → scenario's name

	// last is the latest answer, lastOrg the organization whose token the
	// request carried, sent its body (nil for none or for a body that is not
	// JSON).
	last    *scimclient.Response
	lastOrg string
	sent    any

	// attempt is the admin's latest try at turning provisioning on.
	attempt struct {
		done          bool
		before, token string
		err           error
	}
	// tokens lists the SCIM tokens each organization was given, oldest first.
	tokens map[string][]string
	// walk is the ids read by the latest page walk, in order.
	walk  []string
	pages int
	// config is the latest /ServiceProviderConfig read.
	config map[string]any
}

type protoUser struct {
	org, id, userName, externalID string
	created                       map[string]any // as the create answered it
}

type protoGroup struct {
	org, id, name string
}

// ---- names and placeholders ----

// email is the address sent for the scenario's email: the suffix goes into the
// local part, so the domain and the case of every letter stay as written.
func (p *scimProtocol) email(local string) string {
	at := strings.LastIndex(local, "@")
	if at < 0 {
		return local
	}
	sent := p.w.names.email(local)
	p.localEmail[strings.ToLower(sent)] = strings.ToLower(local)
	return sent
}

// groupName is the name sent for the scenario's group name.
func (p *scimProtocol) groupName(local string) string {
	if n, ok := p.groupNames[local]; ok {
		return n
	}
	n := p.w.names.name(local)
	p.groupNames[local] = n
	p.localGroup[n] = local
	return n
}

// Parts of a request path in a step: characters other than spaces and
// braces, or a placeholder such as {id of ada@acme.test}.
const (
	scimPlaceholderPart = `\{[^{}]*\}`
	scimPathRE          = `(?:[^\s{]|` + scimPlaceholderPart + `)`
)

var (
	scimEmailRE       = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)
	scimPlaceholderRE = regexp.MustCompile(`\{(id|externalId) of ([^{}"\\]+)\}`)
	scimDisplayNameRE = regexp.MustCompile(`(?i)(displayName\s+[a-z]{2}\s+)"([^"]*)"`)
)

// expand turns the scenario's words into what is sent: placeholders become ids,
// emails get the scenario's suffix.
func (p *scimProtocol) expand(s string) (string, error) {
	var err error
	s = scimPlaceholderRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := scimPlaceholderRE.FindStringSubmatch(m)
		what, name := sub[1], strings.TrimSpace(sub[2])
		if strings.Contains(name, "@") {
			u, e := p.user(name)
			if e != nil {
				err = e
				return m
			}
			if what == "externalId" {
				return u.externalID
			}
			return u.id
		}
		if what != "id" {
			err = errorf("a group has no %s placeholder: %s", what, m)
			return m
		}
		g, e := p.group(name)
		if e != nil {
			err = e
			return m
		}
		return g.id
	})
	if err != nil {
		return "", err
	}
	return scimEmailRE.ReplaceAllStringFunc(s, p.email), nil
}

// expandBody expands a request body; in a body for /Groups, every displayName
// is a group name and gets the suffix too. A body that is not JSON is sent as
// written (after expansion), for the scenarios about malformed bodies.
func (p *scimProtocol) expandBody(path, body string) (string, any, error) {
	s, err := p.expand(body)
	if err != nil {
		return "", nil, err
	}
	var doc any
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	if d.Decode(&doc) != nil || d.More() {
		return s, nil, nil
	}
	if !strings.HasPrefix(path, "/Groups") {
		return s, doc, nil
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if n, ok := x.(string); ok && strings.EqualFold(k, "displayName") {
					v[k] = p.groupName(n)
					continue
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	out, err := json.Marshal(doc)
	if err != nil {
		return "", nil, err
	}
	return string(out), doc, nil
}

func (p *scimProtocol) user(local string) (*protoUser, error) {
	u, ok := p.users[strings.ToLower(local)]
	if !ok {
		return nil, errorf("no user %q was created over SCIM in this scenario", local)
	}
	return u, nil
}

func (p *scimProtocol) group(local string) (*protoGroup, error) {
	g, ok := p.groups[local]
	if !ok {
		return nil, errorf("no group %q was created over SCIM in this scenario", local)
	}
	return g, nil
}

// client is a SCIM client with the current token of the organization.
func (p *scimProtocol) client(org string) (*scimclient.Client, error) {
	t, err := p.w.tenant(org)
	if err != nil {
		return nil, err
	}
	if t.scimURL == "" {
		return nil, errorf("provisioning was not turned on for %q in this scenario", org)
	}
	return scimclient.New(t.scimURL, t.scimToken), nil
}

// do sends a request with org's token and keeps the answer as the last one.
func (p *scimProtocol) do(ctx context.Context, org, method, path string, body any) (*scimclient.Response, error) {
	c, err := p.client(org)
	if err != nil {
		return nil, err
	}
	p.lastOrg = org
	return p.doWith(ctx, c, method, path, body)
}

func (p *scimProtocol) doWith(ctx context.Context, c *scimclient.Client, method, path string, body any) (*scimclient.Response, error) {
	res, err := c.Do(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	p.last = res
	return res, nil
}

// lastAnswer is the latest answer, or an error when nothing was sent yet.
func (p *scimProtocol) lastAnswer() (*scimclient.Response, error) {
	if p.last == nil {
		return nil, errorf("no SCIM request was sent in this scenario")
	}
	return p.last, nil
}

// ---- the Provisioning switch and the token ----

func (p *scimProtocol) orgWithIntegration(ctx context.Context, name, state string) error {
	w := p.w
	if state == "turned off" {
		if err := w.orgWithConnectedOkta(ctx, name); err != nil {
			return err
		}
		t := w.tenants[name]
		return w.sp.DisableOkta(ctx, t.org)
	}
	if err := w.anOrganization(ctx, name); err != nil {
		return err
	}
	return w.startsConnecting(ctx, name)
}

// triesToEnable is the admin's click on the Provisioning toggle; a refusal is
// kept for the Then steps, not failed here.
func (p *scimProtocol) triesToEnable(ctx context.Context, name, again string) error {
	t, err := p.w.tenant(name)
	if err != nil {
		return err
	}
	if again != "" && t.scimToken == "" {
		return errorf("provisioning was not turned on for %q before", name)
	}
	u, token, err := p.w.sp.EnableProvisioning(ctx, t.org)
	p.attempt.done, p.attempt.before, p.attempt.token, p.attempt.err = true, t.scimToken, token, err
	p.w.lastErr = err
	if err == nil && t.scimToken == "" {
		t.scimURL, t.scimToken = u, token
	}
	return nil
}

func (p *scimProtocol) showsNoToken(ctx context.Context, name string) error {
	if !p.attempt.done {
		return errorf("the admin of %q did not try to turn provisioning on", name)
	}
	if p.attempt.token != "" {
		return errorf("the service provider showed a SCIM token although it refused: %q", p.attempt.token)
	}
	return nil
}

// doesNotShowAgain: a second try either is refused or shows a new token; the
// first token appears nowhere in the answer.
func (p *scimProtocol) doesNotShowAgain(ctx context.Context, name string) error {
	t, err := p.w.tenant(name)
	if err != nil {
		return err
	}
	a := p.attempt
	switch {
	case !a.done || a.before == "":
		return errorf("the admin of %q did not try to turn provisioning on a second time", name)
	case a.token == a.before:
		return errorf("the service provider showed the same SCIM token a second time")
	case a.err != nil && strings.Contains(a.err.Error(), a.before):
		return errorf("the refusal repeats the SCIM token: %v", a.err)
	}
	if a.err == nil && a.token != "" {
		// The second try issued a new token: that is the one in use now.
		t.scimToken = a.token
	}
	return nil
}

func (p *scimProtocol) keepsNoCopy(ctx context.Context, name string) error {
	t, err := p.w.tenant(name)
	if err != nil {
		return err
	}
	if t.scimToken == "" {
		return errorf("no SCIM token was shown for %q", name)
	}
	found, err := p.w.sp.HoldsSecret(ctx, t.scimToken)
	if err != nil {
		return err
	}
	if found {
		return errorf("the service provider keeps the SCIM token of %q as shown, not only a hash of it", name)
	}
	return nil
}

// noteTokens records each organization's current token if it is new.
func (p *scimProtocol) noteTokens() {
	for name, t := range p.w.tenants {
		seen := p.tokens[name]
		if t.scimToken != "" && !slices.Contains(seen, t.scimToken) {
			p.tokens[name] = append(seen, t.scimToken)
		}
	}
}

// oldTokenRefused: the first token the organization was given, after a
// rotation or with provisioning off, is refused at once.
func (p *scimProtocol) oldTokenRefused(ctx context.Context, name string) error {
	t, err := p.w.tenant(name)
	if err != nil {
		return err
	}
	p.noteTokens()
	seen := p.tokens[name]
	if len(seen) == 0 {
		return errorf("%q was never given a SCIM token", name)
	}
	c := scimclient.New(t.scimURL, seen[0])
	if _, err := p.doWith(ctx, c, http.MethodGet, "/Users?startIndex=1&count=2", nil); err != nil {
		return err
	}
	return p.refuses(ctx, "401", "")
}

// connectionTest is what Okta's "Test API Credentials" sends.
func (p *scimProtocol) connectionTest(ctx context.Context, name string) error {
	for _, path := range []string{"/Users?startIndex=1&count=2", "/Groups?startIndex=1&count=100"} {
		res, err := p.do(ctx, name, http.MethodGet, path, nil)
		if err != nil {
			return err
		}
		if res.Status != http.StatusOK {
			return errorf("Okta's connection test failed: %s", res)
		}
		if _, err := scimListResponse(res); err != nil {
			return err
		}
	}
	return nil
}

const scimCredentialsRE = `without a token|with an empty Bearer token|with a malformed token|with its SCIM token altered|` +
	`with its SCIM token under another name|with its SCIM token as a Basic password`

func (p *scimProtocol) requestWithCredentials(ctx context.Context, name, how string) error {
	c, err := p.client(name)
	if err != nil {
		return err
	}
	token := strings.TrimPrefix(c.Authorization, "Bearer ")
	var auth string
	switch how {
	case "without a token":
	case "with an empty Bearer token":
		auth = "Bearer "
	case "with a malformed token":
		auth = "Bearer not a token"
	case "with its SCIM token altered":
		last := token[len(token)-1]
		alt := byte('a')
		if last == 'a' {
			alt = 'b'
		}
		auth = "Bearer " + token[:len(token)-1] + string(alt)
	case "with its SCIM token under another name":
		auth = "Token " + token
	case "with its SCIM token as a Basic password":
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte("okta:"+token))
	}
	_, err = p.doWith(ctx, c.WithAuthorization(auth), http.MethodGet, "/Users?startIndex=1&count=2", nil)
	return err
}

func (p *scimProtocol) asksForBearer(ctx context.Context) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	h := strings.TrimSpace(res.Header.Get("WWW-Authenticate"))
	if len(h) < 6 || !strings.EqualFold(h[:6], "Bearer") {
		return errorf("WWW-Authenticate is %q, want a Bearer challenge (RFC 6750)", h)
	}
	return nil
}

// ---- users and groups made over SCIM ----

// oktaUser is the body Okta's SCIM client posts to create a user.
func (p *scimProtocol) oktaUser(local string) map[string]any {
	given, family := namesFromEmail(local)
	email := p.email(local)
	return map[string]any{
		"schemas":     []string{scimclient.UserSchema},
		"userName":    email,
		"name":        map[string]any{"givenName": given, "familyName": family},
		"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
		"displayName": given + " " + family,
		"locale":      "en-US",
		"externalId":  "00u" + randomWord() + randomWord() + randomWord()[:5],
		"groups":      []any{},
		"password":    "Okta-" + randomWord() + "-" + randomWord() + "-9",
		"active":      true,
	}
}

func (p *scimProtocol) createUser(ctx context.Context, local, org string) error {
	if _, ok := p.users[strings.ToLower(local)]; ok {
		return errorf("%q was already created over SCIM in this scenario", local)
	}
	body := p.oktaUser(local)
	doc, id, err := p.create(ctx, org, "/Users", body, local)
	if err != nil {
		return err
	}
	p.users[strings.ToLower(local)] = &protoUser{org: org, id: id, userName: body["userName"].(string),
		externalID: body["externalId"].(string), created: doc}
	return nil
}

// create POSTs a resource for a scenario's Given steps and wants a success with
// an id. It takes any 2xx: whether a create answers exactly 201 is PROTO-05's
// to judge, and a server that gets only that wrong must fail only there.
func (p *scimProtocol) create(ctx context.Context, org, path string, body map[string]any, what string) (map[string]any, string, error) {
	res, err := p.do(ctx, org, http.MethodPost, path, body)
	if err != nil {
		return nil, "", err
	}
	if res.Status/100 != 2 {
		return nil, "", errorf("creating %s: %s", what, res)
	}
	doc, err := res.Object()
	if err != nil {
		return nil, "", errorf("creating %s: %v: %s", what, err, res)
	}
	id, _ := doc["id"].(string)
	if id == "" {
		return nil, "", errorf("creating %s: the answer has no id: %s", what, res)
	}
	return doc, id, nil
}

func (p *scimProtocol) createUsers(ctx context.Context, n int, org string) error {
	domain := strings.ToLower(strings.Join(strings.Fields(org), "")) + ".test"
	for i := 1; i <= n; i++ {
		if err := p.createUser(ctx, fmt.Sprintf("user%d@%s", i, domain), org); err != nil {
			return err
		}
	}
	return nil
}

func (p *scimProtocol) createGroup(ctx context.Context, name, org string) error {
	return p.createGroupWith(ctx, name, "", org)
}

func (p *scimProtocol) createGroupWith(ctx context.Context, name, members, org string) error {
	if _, ok := p.groups[name]; ok {
		return errorf("a group %q was already created over SCIM in this scenario", name)
	}
	list := []any{}
	for _, m := range quoted(members) {
		u, err := p.user(m)
		if err != nil {
			return err
		}
		list = append(list, map[string]any{"value": u.id, "display": u.userName})
	}
	sent := p.groupName(name)
	_, id, err := p.create(ctx, org, "/Groups", map[string]any{
		"schemas": []string{scimclient.GroupSchema}, "displayName": sent, "members": list,
	}, "the group "+name)
	if err != nil {
		return err
	}
	p.groups[name] = &protoGroup{org: org, id: id, name: sent}
	return nil
}

func scimPatchOp(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{scimclient.PatchOpSchema}, "Operations": ops}
}

// deactivated sends Okta's deactivation and checks that it took.
func (p *scimProtocol) deactivated(ctx context.Context, local, org string) error {
	u, err := p.user(local)
	if err != nil {
		return err
	}
	res, err := p.do(ctx, org, http.MethodPatch, "/Users/"+url.PathEscape(u.id),
		scimPatchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}))
	if err != nil {
		return err
	}
	if res.Status != http.StatusOK && res.Status != http.StatusNoContent {
		return errorf("deactivating %s: %s", local, res)
	}
	return p.userIs(ctx, local, "inactive")
}

// ---- requests ----

func (p *scimProtocol) send(ctx context.Context, org, method, path string) error {
	return p.sendText(ctx, org, method, path, nil)
}

func (p *scimProtocol) sendBody(ctx context.Context, org, method, path, body string) error {
	return p.sendText(ctx, org, method, path, &body)
}

func (p *scimProtocol) sendDoc(ctx context.Context, org, method, path string, doc *godog.DocString) error {
	return p.sendText(ctx, org, method, path, &doc.Content)
}

func (p *scimProtocol) sendText(ctx context.Context, org, method, path string, body *string) error {
	path, err := p.expand(path)
	if err != nil {
		return err
	}
	p.sent = nil
	var send any
	if body != nil {
		text, doc, err := p.expandBody(path, *body)
		if err != nil {
			return err
		}
		p.sent, send = doc, text
	}
	_, err = p.do(ctx, org, method, path, send)
	return err
}

func (p *scimProtocol) sendHuge(ctx context.Context, org string) error {
	body := p.oktaUser("huge@example.test")
	body["title"] = strings.Repeat("t", 1<<20+1024)
	_, err := p.do(ctx, org, http.MethodPost, "/Users", body)
	return err
}

// scimFilterQuery is a path with a filter, spaces encoded as %20 as Okta does.
func scimFilterQuery(resource, filter string) string {
	q := strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
	return "/" + resource + "?filter=" + q + "&startIndex=1&count=100"
}

func (p *scimProtocol) listFiltered(ctx context.Context, org, what, filter string) error {
	filter, err := p.expand(filter)
	if err != nil {
		return err
	}
	resource := "Users"
	if what == "groups" {
		resource = "Groups"
		filter = scimDisplayNameRE.ReplaceAllStringFunc(filter, func(m string) string {
			sub := scimDisplayNameRE.FindStringSubmatch(m)
			return sub[1] + strconv.Quote(p.groupName(sub[2]))
		})
	}
	_, err = p.do(ctx, org, http.MethodGet, scimFilterQuery(resource, filter), nil)
	return err
}

// actOnUser does what Okta would do to a user, with org's token: possibly a
// user of another organization.
func (p *scimProtocol) actOnUser(ctx context.Context, org, action, local string) error {
	u, err := p.user(local)
	if err != nil {
		return err
	}
	path := "/Users/" + url.PathEscape(u.id)
	switch action {
	case "reads":
		_, err = p.do(ctx, org, http.MethodGet, path, nil)
	case "replaces":
		body := p.oktaUser(local)
		delete(body, "password")
		body["userName"], body["externalId"] = u.userName, u.externalID
		body["name"] = map[string]any{"givenName": "Mallory", "familyName": "Changed"}
		body["emails"] = []any{map[string]any{"primary": true, "value": u.userName, "type": "work"}}
		body["id"] = u.id
		_, err = p.do(ctx, org, http.MethodPut, path, body)
	case "deactivates":
		_, err = p.do(ctx, org, http.MethodPatch, path, scimPatchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}))
	case "deletes":
		_, err = p.do(ctx, org, http.MethodDelete, path, nil)
	}
	return err
}

func (p *scimProtocol) addToGroup(ctx context.Context, org, local, group string) error {
	u, err := p.user(local)
	if err != nil {
		return err
	}
	g, err := p.group(group)
	if err != nil {
		return err
	}
	_, err = p.do(ctx, org, http.MethodPatch, "/Groups/"+url.PathEscape(g.id), scimPatchOp(map[string]any{
		"op": "add", "path": "members", "value": []any{map[string]any{"value": u.id, "display": u.userName}},
	}))
	return err
}

// scimMaxPages stops a page walk on a server that never reaches the end.
const scimMaxPages = 1000

// walkUsers reads every user of org, count at a time, the way Okta imports:
// from startIndex 1, moving on by the number of resources received.
func (p *scimProtocol) walkUsers(ctx context.Context, org string, count int) (ids []string, pages int, err error) {
	start := 1
	for pages < scimMaxPages {
		res, err := p.do(ctx, org, http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=%d", start, count), nil)
		if err != nil {
			return nil, 0, err
		}
		if res.Status != http.StatusOK {
			return nil, 0, errorf("reading page %d: %s", pages+1, res)
		}
		l, err := scimListResponse(res)
		if err != nil {
			return nil, 0, err
		}
		if l.startIndex != start {
			return nil, 0, errorf("asked for startIndex %d, the page says %d", start, l.startIndex)
		}
		if len(l.resources) > count {
			return nil, 0, errorf("asked for %d users, got %d", count, len(l.resources))
		}
		if len(l.resources) == 0 {
			break
		}
		pages++
		for _, r := range l.resources {
			id, _ := r["id"].(string)
			ids = append(ids, id)
		}
		start += len(l.resources)
		if start > l.totalResults {
			break
		}
	}
	return ids, pages, nil
}

func (p *scimProtocol) readAll(ctx context.Context, org string, count int) error {
	if err := p.needOwnTenant(org); err != nil {
		return err
	}
	ids, pages, err := p.walkUsers(ctx, org, count)
	p.walk, p.pages = ids, pages
	return err
}

// needOwnTenant is for the steps that count or order everything in an
// organization: they can be judged only where the scenario made everything
// there, never on the one SCIM tenant of a target that every scenario shares.
func (p *scimProtocol) needOwnTenant(org string) error {
	t, err := p.w.tenant(org)
	if err != nil {
		return err
	}
	if t.scimOnly {
		return fmt.Errorf("%w: a SCIM tenant of its own (counts and page order cannot be judged on a tenant that other scenarios share)", target.ErrUnsupported)
	}
	return nil
}

// ---- answers ----

func (p *scimProtocol) answers(ctx context.Context, status int) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	if res.Status != status {
		return errorf("want %d: %s", status, res)
	}
	if status == http.StatusNoContent && len(bytes.TrimSpace(res.Body)) > 0 {
		return errorf("a 204 answer has a body: %s", res)
	}
	return nil
}

// scimErrorType checks that res is a SCIM error message for its status (RFC 7644
// §3.12) and returns its scimType.
func scimErrorType(res *scimclient.Response) (string, error) {
	if !res.IsSCIMJSON() {
		return "", errorf("the error is not SCIM JSON (Content-Type %q): %s", res.Header.Get("Content-Type"), res)
	}
	doc, err := res.Object()
	if err != nil {
		return "", errorf("the error body is not a JSON object: %s", res)
	}
	if !scimHasString(doc["schemas"], scimclient.ErrorSchema) {
		return "", errorf("the error's schemas lack %s: %s", scimclient.ErrorSchema, res)
	}
	switch st := doc["status"].(type) {
	case string:
		if st != strconv.Itoa(res.Status) {
			return "", errorf("the error's status %q differs from the HTTP status %d", st, res.Status)
		}
	default:
		return "", errorf("the error's status is %v, want the HTTP status as a JSON string: %s", doc["status"], res)
	}
	if d, _ := doc["detail"].(string); strings.TrimSpace(d) == "" {
		return "", errorf("the error has no detail for the admin to read: %s", res)
	}
	typ, _ := doc["scimType"].(string)
	return typ, nil
}

// refuses checks the status and the error message; types lists the scimType
// values accepted ("invalidValue or invalidSyntax"), empty for any.
func (p *scimProtocol) refuses(ctx context.Context, status, types string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	want, _ := strconv.Atoi(status)
	if res.Status != want {
		return errorf("want %d: %s", want, res)
	}
	typ, err := scimErrorType(res)
	if err != nil {
		return err
	}
	if types = strings.TrimSpace(types); types != "" {
		ok := strings.Split(types, " or ")
		if !slices.Contains(ok, typ) {
			return errorf("scimType %q, want %s: %s", typ, types, res)
		}
	}
	return nil
}

func (p *scimProtocol) refusesClientError(ctx context.Context) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	if res.Status < 400 || res.Status > 499 {
		return errorf("want a 4xx refusal: %s", res)
	}
	_, err = scimErrorType(res)
	return err
}

// answersWithoutFailing: bad input is never a server failure. A refusal is a
// SCIM error; an answer is a proper list.
func (p *scimProtocol) answersWithoutFailing(ctx context.Context) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	switch {
	case res.Status >= 500:
		return errorf("the server failed on bad input: %s", res)
	case res.Status >= 400:
		_, err = scimErrorType(res)
		return err
	case res.Status == http.StatusOK:
		_, err = scimListResponse(res)
		return err
	}
	return errorf("want a list or a SCIM error: %s", res)
}

// scimResource checks that res carries one resource of the kind.
func scimResource(res *scimclient.Response, kind string) (map[string]any, error) {
	doc, err := res.Object()
	if err != nil {
		return nil, errorf("the answer is not a JSON object: %s", res)
	}
	if !res.IsSCIMJSON() {
		return nil, errorf("the answer is not SCIM JSON (Content-Type %q)", res.Header.Get("Content-Type"))
	}
	schema := scimclient.UserSchema
	if kind == "group" {
		schema = scimclient.GroupSchema
	}
	if !scimHasString(doc["schemas"], schema) {
		return nil, errorf("the %s's schemas lack %s: %s", kind, schema, res)
	}
	if id, _ := doc["id"].(string); id == "" {
		return nil, errorf("the %s has no id: %s", kind, res)
	}
	return doc, nil
}

// patched: 200 with the resource the request named, or 204 without a body.
func (p *scimProtocol) patched(ctx context.Context, kind string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	switch res.Status {
	case http.StatusNoContent:
		return nil
	case http.StatusOK:
		doc, err := scimResource(res, kind)
		if err != nil {
			return err
		}
		u, _ := url.Parse(res.URL)
		want := u.Path[strings.LastIndex(u.Path, "/")+1:]
		if doc["id"] != want {
			return errorf("the answer is %s %v, the request was for %s", kind, doc["id"], want)
		}
		return nil
	}
	return errorf("want 200 with the %s, or 204: %s", kind, res)
}

// created: 201, the whole resource with what was sent, and a Location that is
// the resource's meta.location. The new resource joins the scenario under the
// name it was sent with.
func (p *scimProtocol) created(ctx context.Context, kind string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	if res.Status != http.StatusCreated {
		return errorf("want 201: %s", res)
	}
	doc, err := scimResource(res, kind)
	if err != nil {
		return err
	}
	id := doc["id"].(string)
	loc := res.Header.Get("Location")
	plural := "/Users/"
	if kind == "group" {
		plural = "/Groups/"
	}
	if !strings.HasSuffix(loc, plural+id) && !strings.HasSuffix(loc, plural+url.PathEscape(id)) {
		return errorf("Location is %q, want the URL of %s%s", loc, plural, id)
	}
	if ml, ok := scimclient.Lookup(doc, "meta.location"); ok && ml != loc {
		return errorf("Location %q and meta.location %q differ", loc, ml)
	}
	if rt, ok := scimclient.Lookup(doc, "meta.resourceType"); ok && !strings.EqualFold(fmt.Sprint(rt), kind) {
		return errorf("meta.resourceType is %v, want %s", rt, kind)
	}
	sent, _ := p.sent.(map[string]any)
	paths := []string{"userName", "externalId", "displayName", "locale", "active", "name.givenName", "name.familyName", "emails.0.value"}
	if kind == "group" {
		paths = []string{"displayName", "externalId"}
	}
	for _, path := range paths {
		want, ok := scimclient.Lookup(sent, path)
		if !ok {
			continue
		}
		got, ok := scimclient.Lookup(doc, path)
		if !ok || !scimSameJSON(got, want) {
			return errorf("the new %s's %s is %v, the request sent %v", kind, path, got, want)
		}
	}
	if kind == "group" {
		if m, ok := doc["members"]; ok {
			if _, isList := m.([]any); !isList {
				return errorf("the new group's members are %v, not a list", m)
			}
		}
		name, _ := doc["displayName"].(string)
		local := name
		if l, ok := p.localGroup[name]; ok {
			local = l
		}
		p.groups[local] = &protoGroup{org: p.lastOrg, id: id, name: name}
		return nil
	}
	userName, _ := doc["userName"].(string)
	local, ok := p.localEmail[strings.ToLower(userName)]
	if !ok {
		local = strings.ToLower(userName)
	}
	ext, _ := doc["externalId"].(string)
	p.users[local] = &protoUser{org: p.lastOrg, id: id, userName: userName, externalID: ext, created: doc}
	return nil
}

func (p *scimProtocol) readBack(ctx context.Context, kind string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	loc := res.Header.Get("Location")
	doc, err := res.Object()
	if err != nil || loc == "" {
		return errorf("the last answer has no new %s with a Location: %s", kind, res)
	}
	org := p.lastOrg
	again, err := p.do(ctx, org, http.MethodGet, loc, nil)
	if err != nil {
		return err
	}
	if again.Status != http.StatusOK {
		return errorf("reading the new %s at its Location: %s", kind, again)
	}
	got, err := scimResource(again, kind)
	if err != nil {
		return err
	}
	if got["id"] != doc["id"] {
		return errorf("the Location gives %s %v, the create gave %v", kind, got["id"], doc["id"])
	}
	return nil
}

func (p *scimProtocol) answersWith(ctx context.Context, kind, local string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	if res.Status != http.StatusOK {
		return errorf("want 200: %s", res)
	}
	doc, err := scimResource(res, kind)
	if err != nil {
		return err
	}
	if kind == "user" {
		u, err := p.user(local)
		if err != nil {
			return err
		}
		if doc["id"] != u.id || !strings.EqualFold(fmt.Sprint(doc["userName"]), u.userName) {
			return errorf("want the user %s (%s): %s", u.id, u.userName, res)
		}
		return nil
	}
	g, err := p.group(local)
	if err != nil {
		return err
	}
	if doc["id"] != g.id || doc["displayName"] != g.name {
		return errorf("want the group %s (%s): %s", g.id, g.name, res)
	}
	return nil
}

func (p *scimProtocol) noPassword(ctx context.Context) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	if res.Status == http.StatusNoContent {
		return nil
	}
	doc, err := res.Object()
	if err != nil {
		return errorf("the answer is not a JSON object: %s", res)
	}
	if _, ok := scimclient.Lookup(doc, "password"); ok {
		return errorf("the answer returns the password (RFC 7643: returned \"never\"): %s", res)
	}
	if pw, ok := p.sentPassword(); ok && bytes.Contains(res.Body, []byte(pw)) {
		return errorf("the answer contains the password that was sent")
	}
	return nil
}

// sentPassword finds the password in the latest request body, top-level or in
// a PATCH operation's value.
func (p *scimProtocol) sentPassword() (string, bool) {
	if pw, ok := scimclient.Lookup(p.sent, "password"); ok {
		s, _ := pw.(string)
		return s, s != ""
	}
	ops, _ := scimclient.Lookup(p.sent, "Operations")
	list, _ := ops.([]any)
	for _, op := range list {
		if pw, ok := scimclient.Lookup(op, "value.password"); ok {
			s, _ := pw.(string)
			return s, s != ""
		}
	}
	return "", false
}

// scimList is a decoded ListResponse.
type scimList struct {
	totalResults, startIndex, itemsPerPage int
	resources                              []map[string]any
}

// scimListResponse checks the shape of a ListResponse (RFC 7644 §3.4.2): its
// schema, integer totalResults, startIndex and itemsPerPage, and Resources as
// an array, also when empty.
func scimListResponse(res *scimclient.Response) (scimList, error) {
	var l scimList
	if !res.IsSCIMJSON() {
		return l, errorf("the list is not SCIM JSON (Content-Type %q): %s", res.Header.Get("Content-Type"), res)
	}
	doc, err := res.Object()
	if err != nil {
		return l, errorf("the list is not a JSON object: %s", res)
	}
	if !scimHasString(doc["schemas"], scimclient.ListResponseSchema) {
		return l, errorf("the list's schemas lack %s: %s", scimclient.ListResponseSchema, res)
	}
	for key, dst := range map[string]*int{"totalResults": &l.totalResults, "startIndex": &l.startIndex, "itemsPerPage": &l.itemsPerPage} {
		n, ok := doc[key].(json.Number)
		if !ok {
			return l, errorf("%s is %v, want an integer: %s", key, doc[key], res)
		}
		i, err := strconv.Atoi(n.String())
		if err != nil {
			return l, errorf("%s is %s, want an integer", key, n)
		}
		*dst = i
	}
	raw, ok := doc["Resources"]
	if !ok {
		return l, errorf("the list has no Resources array: %s", res)
	}
	items, ok := raw.([]any)
	if !ok {
		return l, errorf("Resources is %v, want an array ([] when empty)", raw)
	}
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return l, errorf("a resource of the list is %v, not an object", it)
		}
		l.resources = append(l.resources, m)
	}
	if l.itemsPerPage != len(l.resources) {
		return l, errorf("itemsPerPage is %d for a page of %d resources", l.itemsPerPage, len(l.resources))
	}
	if l.startIndex < 1 {
		return l, errorf("startIndex is %d; it counts from 1", l.startIndex)
	}
	return l, nil
}

func (p *scimProtocol) lastList() (scimList, error) {
	res, err := p.lastAnswer()
	if err != nil {
		return scimList{}, err
	}
	if res.Status != http.StatusOK {
		return scimList{}, errorf("want 200 with a list: %s", res)
	}
	return scimListResponse(res)
}

func (p *scimProtocol) listHoldsExactly(ctx context.Context, kind, local string) error {
	l, err := p.lastList()
	if err != nil {
		return err
	}
	var id string
	if kind == "user" {
		u, err := p.user(local)
		if err != nil {
			return err
		}
		id = u.id
	} else {
		g, err := p.group(local)
		if err != nil {
			return err
		}
		id = g.id
	}
	if l.totalResults != 1 || len(l.resources) != 1 || l.resources[0]["id"] != id {
		return errorf("want exactly the %s %s (%s), got totalResults %d: %s", kind, local, id, l.totalResults, p.last)
	}
	return nil
}

func (p *scimProtocol) listHoldsNone(ctx context.Context) error {
	l, err := p.lastList()
	if err != nil {
		return err
	}
	if l.totalResults != 0 || len(l.resources) != 0 {
		return errorf("want an empty list: %s", p.last)
	}
	return nil
}

func (p *scimProtocol) isListResponse(ctx context.Context, total, start, n int) error {
	l, err := p.lastList()
	if err != nil {
		return err
	}
	if !strings.Contains(p.last.URL, "filter=") {
		if err := p.needOwnTenant(p.lastOrg); err != nil {
			return err
		}
	}
	if l.totalResults != total || l.startIndex != start || len(l.resources) != n {
		return errorf("want totalResults %d, startIndex %d and %d resources; got %d, %d and %d",
			total, start, n, l.totalResults, l.startIndex, len(l.resources))
	}
	return nil
}

func (p *scimProtocol) refusedOrNobody(ctx context.Context) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	if res.Status == http.StatusBadRequest {
		return p.refuses(ctx, "400", "invalidFilter")
	}
	if res.Status != http.StatusOK {
		return errorf("want 400 invalidFilter or 200 with nobody: %s", res)
	}
	l, err := scimListResponse(res)
	if err != nil {
		return err
	}
	if l.totalResults != 0 || len(l.resources) != 0 {
		return errorf("the filter matches nobody, yet the server listed %d users: was it ignored?", l.totalResults)
	}
	return nil
}

func (p *scimProtocol) cameInPages(ctx context.Context, n int) error {
	if p.pages != n {
		return errorf("the users came in %d pages, want %d", p.pages, n)
	}
	return nil
}

// createdIn lists the ids of the users the scenario created in org.
func (p *scimProtocol) createdIn(org string) []string {
	var ids []string
	for _, u := range p.users {
		if u.org == org {
			ids = append(ids, u.id)
		}
	}
	return ids
}

func (p *scimProtocol) readExactlyOnce(ctx context.Context, org string) error {
	created := p.createdIn(org)
	seen := map[string]int{}
	for _, id := range p.walk {
		seen[id]++
	}
	for id, n := range seen {
		if n > 1 {
			return errorf("user %s was read %d times", id, n)
		}
		if !slices.Contains(created, id) {
			return errorf("user %s was read but not created in %q", id, org)
		}
	}
	for _, id := range created {
		if seen[id] == 0 {
			return errorf("user %s was never read (read %v)", id, p.walk)
		}
	}
	return nil
}

func (p *scimProtocol) sameOrderAgain(ctx context.Context, org string, count int) error {
	first := p.walk
	if len(first) == 0 {
		return errorf("no users were read page by page before")
	}
	again, _, err := p.walkUsers(ctx, org, count)
	if err != nil {
		return err
	}
	if !slices.Equal(first, again) {
		return errorf("the order changed: %v, then %v", first, again)
	}
	return nil
}

func (p *scimProtocol) doesNotFind(ctx context.Context, org, local string) error {
	u, err := p.user(local)
	if err != nil {
		return err
	}
	ids, _, err := p.walkUsers(ctx, org, 100)
	if err != nil {
		return err
	}
	if slices.Contains(ids, u.id) {
		return errorf("the SCIM client of %q lists %s, a user of %q", org, local, u.org)
	}
	for _, f := range []string{`externalId eq "` + u.externalID + `"`, `id eq "` + u.id + `"`} {
		res, err := p.do(ctx, org, http.MethodGet, scimFilterQuery("Users", f), nil)
		if err != nil {
			return err
		}
		if res.Status == http.StatusBadRequest {
			continue // a filter the server does not support finds nobody either
		}
		l, err := scimListResponse(res)
		if err != nil {
			return err
		}
		if l.totalResults != 0 || len(l.resources) != 0 {
			return errorf("the filter %s of %q finds a user of %q: %s", f, org, u.org, res)
		}
	}
	return nil
}

// ---- state the server shows ----

// read GETs a user with the token of the organization that created it.
func (p *scimProtocol) readUser(ctx context.Context, local string) (*protoUser, map[string]any, error) {
	u, err := p.user(local)
	if err != nil {
		return nil, nil, err
	}
	res, err := p.do(ctx, u.org, http.MethodGet, "/Users/"+url.PathEscape(u.id), nil)
	if err != nil {
		return nil, nil, err
	}
	if res.Status != http.StatusOK {
		return nil, nil, errorf("reading %s: %s", local, res)
	}
	doc, err := scimResource(res, "user")
	return u, doc, err
}

func (p *scimProtocol) userIs(ctx context.Context, local, state string) error {
	_, doc, err := p.readUser(ctx, local)
	if err != nil {
		return err
	}
	if active, ok := doc["active"].(bool); !ok || active != (state == "active") {
		return errorf("%s has active %v, want %s", local, doc["active"], state)
	}
	return nil
}

func (p *scimProtocol) userUnchanged(ctx context.Context, local string) error {
	u, doc, err := p.readUser(ctx, local)
	if err != nil {
		return err
	}
	if doc["active"] != true {
		return errorf("%s has active %v, want true", local, doc["active"])
	}
	for _, path := range []string{"userName", "name", "emails", "displayName", "externalId"} {
		was, _ := scimclient.Lookup(u.created, path)
		now, _ := scimclient.Lookup(doc, path)
		if !scimSameJSON(was, now) {
			return errorf("%s's %s changed from %v to %v", local, path, was, now)
		}
	}
	return nil
}

func (p *scimProtocol) userHas(ctx context.Context, local, path, value string) error {
	value, err := p.expand(value)
	if err != nil {
		return err
	}
	var want any
	d := json.NewDecoder(strings.NewReader(value))
	d.UseNumber()
	if err := d.Decode(&want); err != nil {
		return errorf("the expected value %s is not JSON: %v", value, err)
	}
	_, doc, err := p.readUser(ctx, local)
	if err != nil {
		return err
	}
	got, ok := scimclient.Lookup(doc, path)
	if !ok || !scimSameJSON(got, want) {
		return errorf("%s has %s %v, want %v", local, path, got, want)
	}
	return nil
}

func (p *scimProtocol) emailIsUserName(ctx context.Context, local string) error {
	u, doc, err := p.readUser(ctx, local)
	if err != nil {
		return err
	}
	userName, _ := doc["userName"].(string)
	if !strings.EqualFold(userName, u.userName) {
		return errorf("%s has userName %q, want its email %q", local, userName, u.userName)
	}
	emails, _ := doc["emails"].([]any)
	var primary, first string
	for _, e := range emails {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		if first == "" {
			first = v
		}
		if m["primary"] == true {
			primary = v
		}
	}
	if primary == "" {
		primary = first
	}
	if !strings.EqualFold(primary, userName) {
		return errorf("%s has userName %q but primary email %q", local, userName, primary)
	}
	return nil
}

func (p *scimProtocol) hasAccount(ctx context.Context, local string) error {
	u, err := p.user(local)
	if err != nil {
		return err
	}
	ok, err := p.w.sp.HasAccount(ctx, u.userName)
	if err != nil {
		return err
	}
	if !ok {
		return errorf("the service provider has no account with the email %s", u.userName)
	}
	return nil
}

// groupMembers GETs a group and returns its member ids.
func (p *scimProtocol) groupMembers(ctx context.Context, local string) (*protoGroup, map[string]any, []string, error) {
	g, err := p.group(local)
	if err != nil {
		return nil, nil, nil, err
	}
	res, err := p.do(ctx, g.org, http.MethodGet, "/Groups/"+url.PathEscape(g.id), nil)
	if err != nil {
		return nil, nil, nil, err
	}
	if res.Status != http.StatusOK {
		return nil, nil, nil, errorf("reading the group %s: %s", local, res)
	}
	doc, err := scimResource(res, "group")
	if err != nil {
		return nil, nil, nil, err
	}
	var ids []string
	raw, _ := doc["members"].([]any)
	for _, m := range raw {
		mm, _ := m.(map[string]any)
		id, _ := mm["value"].(string)
		ids = append(ids, id)
	}
	return g, doc, ids, nil
}

func (p *scimProtocol) groupHasMembers(ctx context.Context, local, members string) error {
	_, _, got, err := p.groupMembers(ctx, local)
	if err != nil {
		return err
	}
	var want []string
	for _, m := range quoted(members) {
		u, err := p.user(m)
		if err != nil {
			return err
		}
		want = append(want, u.id)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return errorf("the group %s has the members %v, want %v (%s)", local, got, want, members)
	}
	return nil
}

func (p *scimProtocol) groupHasNoMembers(ctx context.Context, local string) error {
	_, _, got, err := p.groupMembers(ctx, local)
	if err != nil {
		return err
	}
	if len(got) > 0 {
		return errorf("the group %s has the members %v, want none", local, got)
	}
	return nil
}

func (p *scimProtocol) groupNamed(ctx context.Context, local, name string) error {
	g, doc, _, err := p.groupMembers(ctx, local)
	if err != nil {
		return err
	}
	want := p.groupName(name)
	if doc["displayName"] != want {
		return errorf("the group %s is named %v, want %q", local, doc["displayName"], want)
	}
	g.name = want
	return nil
}

func (p *scimProtocol) groupGone(ctx context.Context, local string) error {
	g, err := p.group(local)
	if err != nil {
		return err
	}
	res, err := p.do(ctx, g.org, http.MethodGet, "/Groups/"+url.PathEscape(g.id), nil)
	if err != nil {
		return err
	}
	if res.Status != http.StatusNotFound {
		return errorf("the deleted group %s can still be read: %s", local, res)
	}
	_, err = scimErrorType(res)
	return err
}

// ---- discovery ----

func (p *scimProtocol) hasSchema(ctx context.Context, schema string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	doc, err := res.Object()
	if err != nil {
		return errorf("the answer is not a JSON object: %s", res)
	}
	if !scimHasString(doc["schemas"], schema) {
		return errorf("the answer's schemas lack %s: %s", schema, res)
	}
	if strings.HasSuffix(schema, ":ServiceProviderConfig") {
		p.config = doc
	}
	return nil
}

func (p *scimProtocol) configuration() (map[string]any, error) {
	if p.config == nil {
		return nil, errorf("no service provider configuration was read")
	}
	return p.config, nil
}

func (p *scimProtocol) configPatchFilter(ctx context.Context) error {
	c, err := p.configuration()
	if err != nil {
		return err
	}
	for _, path := range []string{"patch.supported", "filter.supported"} {
		if v, _ := scimclient.Lookup(c, path); v != true {
			return errorf("%s is %v; Okta needs it", path, v)
		}
	}
	n, _ := scimclient.Lookup(c, "filter.maxResults")
	if i, err := strconv.Atoi(fmt.Sprint(n)); err != nil || i < 1 {
		return errorf("filter.maxResults is %v, want a positive integer", n)
	}
	return nil
}

func (p *scimProtocol) configBearer(ctx context.Context) error {
	c, err := p.configuration()
	if err != nil {
		return err
	}
	schemes, _ := c["authenticationSchemes"].([]any)
	for _, s := range schemes {
		m, _ := s.(map[string]any)
		if strings.EqualFold(fmt.Sprint(m["type"]), "oauthbearertoken") {
			return nil
		}
	}
	return errorf("authenticationSchemes %v name no oauthbearertoken", c["authenticationSchemes"])
}

// configBulk: a server that says it has no bulk refuses a bulk request; one
// that says it has bulk answers an empty one.
func (p *scimProtocol) configBulk(ctx context.Context) error {
	c, err := p.configuration()
	if err != nil {
		return err
	}
	supported, ok := scimclient.Lookup(c, "bulk.supported")
	if _, isBool := supported.(bool); !ok || !isBool {
		return errorf("bulk.supported is %v, want true or false", supported)
	}
	res, err := p.do(ctx, p.lastOrg, http.MethodPost, "/Bulk", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:BulkRequest"}, "Operations": []any{},
	})
	if err != nil {
		return err
	}
	if supported == true {
		if res.Status != http.StatusOK {
			return errorf("the configuration says bulk is supported, but: %s", res)
		}
		return nil
	}
	if res.Status < 400 || (res.Status >= 500 && res.Status != http.StatusNotImplemented) {
		return errorf("the configuration says bulk is not supported; want a 4xx or 501 refusal: %s", res)
	}
	_, err = scimErrorType(res)
	return err
}

// configETags: a server that says it supports ETags sends one with a user.
func (p *scimProtocol) configETags(ctx context.Context) error {
	c, err := p.configuration()
	if err != nil {
		return err
	}
	supported, _ := scimclient.Lookup(c, "etag.supported")
	if supported != true {
		return nil
	}
	for local := range p.users {
		u := p.users[local]
		res, err := p.do(ctx, u.org, http.MethodGet, "/Users/"+url.PathEscape(u.id), nil)
		if err != nil {
			return err
		}
		if res.Header.Get("ETag") == "" {
			return errorf("the configuration says ETags are supported, but a user comes without one: %s", res)
		}
		return nil
	}
	return errorf("no user was created to read an ETag from")
}

// resources returns the items of a discovery answer: a ListResponse's
// Resources, or a bare array as in RFC 7643's examples.
func scimDiscoveryItems(res *scimclient.Response) ([]map[string]any, error) {
	var raw any
	if err := res.Decode(&raw); err != nil {
		return nil, errorf("the answer is not JSON: %s", res)
	}
	if m, ok := raw.(map[string]any); ok {
		raw = m["Resources"]
	}
	items, ok := raw.([]any)
	if !ok {
		return nil, errorf("the answer lists nothing: %s", res)
	}
	var out []map[string]any
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func (p *scimProtocol) resourceTypes(ctx context.Context, n1, e1, n2, e2 string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	items, err := scimDiscoveryItems(res)
	if err != nil {
		return err
	}
	want := map[string][2]string{
		n1: {e1, scimclient.UserSchema},
		n2: {e2, scimclient.GroupSchema},
	}
	for name, w := range want {
		found := false
		for _, it := range items {
			if it["name"] == name {
				found = true
				if it["endpoint"] != w[0] || it["schema"] != w[1] {
					return errorf("the resource type %s has endpoint %v and schema %v, want %s and %s", name, it["endpoint"], it["schema"], w[0], w[1])
				}
			}
		}
		if !found {
			return errorf("no resource type %s: %s", name, res)
		}
	}
	return nil
}

// scimSchemaAttrs returns the attribute names of a schema in a /Schemas answer.
func scimSchemaAttrs(items []map[string]any, id string) (map[string]bool, bool) {
	for _, it := range items {
		if it["id"] != id {
			continue
		}
		names := map[string]bool{}
		attrs, _ := it["attributes"].([]any)
		for _, a := range attrs {
			m, _ := a.(map[string]any)
			if n, ok := m["name"].(string); ok {
				names[strings.ToLower(n)] = true
			}
		}
		return names, true
	}
	return nil, false
}

var scimListWordsRE = regexp.MustCompile(`\s*(?:,|\band\b)\s*`)

func (p *scimProtocol) schemasDescribe(ctx context.Context, kind, attrs string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	items, err := scimDiscoveryItems(res)
	if err != nil {
		return err
	}
	id := scimclient.UserSchema
	if kind == "Group" {
		id = scimclient.GroupSchema
	}
	names, ok := scimSchemaAttrs(items, id)
	if !ok {
		return errorf("no schema %s: %s", id, res)
	}
	for _, a := range scimListWordsRE.Split(attrs, -1) {
		if a = strings.TrimSpace(a); a != "" && !names[strings.ToLower(a)] {
			return errorf("the %s schema does not describe %s", kind, a)
		}
	}
	return nil
}

// attributesDescribed: every attribute in a user the server returns is in the
// User schema, in an extension the answer names, or common to all resources.
func (p *scimProtocol) attributesDescribed(ctx context.Context, local string) error {
	u, err := p.user(local)
	if err != nil {
		return err
	}
	res, err := p.do(ctx, u.org, http.MethodGet, "/Schemas", nil)
	if err != nil {
		return err
	}
	items, err := scimDiscoveryItems(res)
	if err != nil {
		return err
	}
	core, ok := scimSchemaAttrs(items, scimclient.UserSchema)
	if !ok {
		return errorf("no schema %s: %s", scimclient.UserSchema, res)
	}
	_, doc, err := p.readUser(ctx, local)
	if err != nil {
		return err
	}
	common := []string{"schemas", "id", "externalid", "meta"}
	for k, v := range doc {
		switch {
		case slices.Contains(common, strings.ToLower(k)), core[strings.ToLower(k)]:
			continue
		case strings.HasPrefix(k, "urn:"):
			ext, ok := scimSchemaAttrs(items, k)
			if !ok {
				return errorf("the user has the extension %s, which /Schemas does not describe", k)
			}
			m, _ := v.(map[string]any)
			for a := range m {
				if !ext[strings.ToLower(a)] {
					return errorf("the user has %s:%s, which its schema does not describe", k, a)
				}
			}
		default:
			return errorf("the user has %q, which the User schema does not describe", k)
		}
	}
	return nil
}

func (p *scimProtocol) allowsGetOnly(ctx context.Context, method string) error {
	res, err := p.lastAnswer()
	if err != nil {
		return err
	}
	var allow []string
	for _, h := range res.Header.Values("Allow") {
		for _, m := range strings.Split(h, ",") {
			allow = append(allow, strings.ToUpper(strings.TrimSpace(m)))
		}
	}
	if !slices.Contains(allow, http.MethodGet) || slices.Contains(allow, method) {
		return errorf("Allow is %q, want GET without %s (RFC 9110 §15.5.6)", strings.Join(allow, ", "), method)
	}
	return nil
}

// ---- JSON helpers ----

func scimHasString(v any, s string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// scimSameJSON compares decoded JSON values, numbers by value.
func scimSameJSON(a, b any) bool {
	na, errA := json.Marshal(a)
	nb, errB := json.Marshal(b)
	if errA != nil || errB != nil {
		return reflect.DeepEqual(a, b)
	}
	var x, y any
	_ = json.Unmarshal(na, &x)
	_ = json.Unmarshal(nb, &y)
	return reflect.DeepEqual(x, y)
}
