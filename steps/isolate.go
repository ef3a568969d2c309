package steps

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/scimclient"
	"github.com/ssoharness/ssoharness/steps/target"
)

// namer gives a scenario's people, groups and organizations names unique to the
// scenario, so that scenarios stay independent on a service provider they all
// share (a staging SP, run again and in parallel): "ada@acme.test" is sent as
// "ada+k3x9q2@acme.test", the group "Engineering" as "Engineering k3x9q2", the
// organization "Acme" as "Acme k3x9q2". The domain and the case of every letter
// stay as written, so pre-approved domains and case-insensitive matching mean
// what the scenario says. Steps speak the scenario's names; the fake Okta and
// the target see the sent ones. The namer remembers every name it sent, so
// that what the scenario made can be found and removed at its end.
type namer struct {
	suffix string

	mu     sync.Mutex
	emails map[string]bool // sent
	names  map[string]bool // sent
}

const suffixAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

func newNamer() *namer { return &namer{suffix: randomWord()} }

// randomWord is six random letters and digits that cannot be misread.
func randomWord() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand never fails
	for i := range b {
		b[i] = suffixAlphabet[int(b[i])%len(suffixAlphabet)]
	}
	return string(b)
}

// email is the address sent for the scenario's email. An address that already
// carries the suffix is returned as it is.
func (n *namer) email(e string) string {
	at := strings.LastIndex(e, "@")
	if at < 0 {
		return e
	}
	if !n.sentEmail(e) {
		e = e[:at] + "+" + n.suffix + e[at:]
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.emails == nil {
		n.emails = map[string]bool{}
	}
	n.emails[strings.ToLower(e)] = true
	return e
}

func (n *namer) sentEmail(e string) bool {
	at := strings.LastIndex(e, "@")
	return at >= 0 && strings.HasSuffix(strings.ToLower(e[:at]), "+"+n.suffix)
}

// localEmail is the scenario's email for an address that was sent; others
// (someone the scenario never named) are returned as they are.
func (n *namer) localEmail(e string) string {
	if !n.sentEmail(e) {
		return e
	}
	at := strings.LastIndex(e, "@")
	return e[:at-len(n.suffix)-1] + e[at:]
}

// name is the name sent for a group, team or organization.
func (n *namer) name(s string) string {
	if !strings.HasSuffix(s, " "+n.suffix) {
		s += " " + n.suffix
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.names == nil {
		n.names = map[string]bool{}
	}
	n.names[s] = true
	return s
}

// sent returns every email and every name sent so far.
func (n *namer) sent() (emails, names []string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for e := range n.emails {
		emails = append(emails, e)
	}
	for s := range n.names {
		names = append(names, s)
	}
	return emails, names
}

func (n *namer) localName(s string) string { return strings.TrimSuffix(s, " "+n.suffix) }

func (n *namer) localEmails(es []string) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = n.localEmail(e)
	}
	return out
}

// isolated is a target seen through the scenario's namer: what goes in gets the
// sent names, what comes out gets the scenario's names back.
type isolated struct {
	target.Target
	n *namer
}

func (t isolated) CreateOrganization(ctx context.Context, name string) (target.Org, error) {
	o, err := t.Target.CreateOrganization(ctx, t.n.name(name))
	o.Name = t.n.localName(o.Name)
	return o, err
}

func (t isolated) AddMember(ctx context.Context, org target.Org, m target.Member) error {
	m.Email = t.n.email(m.Email)
	return t.Target.AddMember(ctx, org, m)
}

func (t isolated) CreateTeam(ctx context.Context, org target.Org, name string) (target.Team, error) {
	tm, err := t.Target.CreateTeam(ctx, org, t.n.name(name))
	tm.Name = t.n.localName(tm.Name)
	return tm, err
}

func (t isolated) TeamMembers(ctx context.Context, org target.Org, team target.Team) ([]string, error) {
	es, err := t.Target.TeamMembers(ctx, org, team)
	return t.n.localEmails(es), err
}

func (t isolated) OrgMembers(ctx context.Context, org target.Org) ([]string, error) {
	es, err := t.Target.OrgMembers(ctx, org)
	return t.n.localEmails(es), err
}

func (t isolated) HasAccount(ctx context.Context, email string) (bool, error) {
	return t.Target.HasAccount(ctx, t.n.email(email))
}

func (t isolated) FindTeam(ctx context.Context, org target.Org, name string) (target.Team, bool, error) {
	tm, ok, err := t.Target.FindTeam(ctx, org, t.n.name(name))
	tm.Name = t.n.localName(tm.Name)
	return tm, ok, err
}

func (t isolated) Profile(ctx context.Context, email string) (target.Member, error) {
	m, err := t.Target.Profile(ctx, t.n.email(email))
	m.Email = t.n.localEmail(m.Email)
	return m, err
}

func (t isolated) PasswordSignIn(ctx context.Context, b *browser.Browser, email, password string) error {
	return t.Target.PasswordSignIn(ctx, b, t.n.email(email), password)
}

func (t isolated) SignedIn(ctx context.Context, jar http.CookieJar) (target.SignedIn, bool, error) {
	who, ok, err := t.Target.SignedIn(ctx, jar)
	who.Email, who.OrgName = t.n.localEmail(who.Email), t.n.localName(who.OrgName)
	return who, ok, err
}

// cleanUp removes what the scenario made at an SP that scenarios share: each
// organization it made, with everything in it; where the SP cannot delete an
// organization (SCIM-only, or a hook it does not offer), the groups and users
// that carry a name the scenario sent, over SCIM. It is best effort and fails
// nothing: a token the scenario rotated or switched off can remove nothing,
// and an SP without DELETE keeps what it has.
func (w *world) cleanUp() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	emails, names := w.names.sent()
	for _, t := range w.tenants {
		if t.org.ID != "" && w.sp.DeleteOrganization(ctx, t.org) == nil {
			continue
		}
		if t.scimURL == "" || t.scimToken == "" {
			continue
		}
		c := scimclient.New(t.scimURL, t.scimToken)
		for _, n := range names {
			deleteMatching(ctx, c, "/Groups", "displayName", n)
		}
		for _, e := range emails {
			deleteMatching(ctx, c, "/Users", "userName", e)
		}
	}
}

func deleteMatching(ctx context.Context, c *scimclient.Client, path, attr, value string) {
	q := url.Values{"filter": {fmt.Sprintf("%s eq %q", attr, value)}}
	res, err := c.Get(ctx, path+"?"+q.Encode())
	if err != nil || res.Status != http.StatusOK {
		return
	}
	var list struct {
		Resources []struct {
			ID string `json:"id"`
		}
	}
	if res.Decode(&list) != nil {
		return
	}
	for _, r := range list.Resources {
		_, _ = c.Delete(ctx, path+"/"+url.PathEscape(r.ID))
	}
}
