package target

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
	"github.com/ssoharness/ssoharness/steps/browser"
)

// InProcess is the reference SP on an httptest server with its own SQLite
// store, one per scenario, so scenarios share nothing.
type InProcess struct {
	srv   *httptest.Server
	sp    *sp.Server
	store store.Store
	dir   string
	log   *logBuffer
}

// Breakage deliberately breaks the in-process reference SP, to prove that the
// suite catches real bugs. It exists only in the test harness: the SP itself
// has no switch for any of it.
type Breakage struct {
	// Handler wraps the SP's HTTP handler.
	Handler func(http.Handler) http.Handler
	// Store wraps the store the SP uses (the target's own checks read the
	// unwrapped store).
	Store func(store.Store) store.Store
}

// NewInProcess starts a fresh reference SP.
func NewInProcess(ctx context.Context) (*InProcess, error) {
	return NewBrokenInProcess(ctx, Breakage{})
}

// NewBrokenInProcess starts a fresh reference SP with a deliberate defect.
func NewBrokenInProcess(ctx context.Context, b Breakage) (*InProcess, error) {
	dir, err := os.MkdirTemp("", "ssoharness-sp-")
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "refsp.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	spStore := store.Store(st)
	if b.Store != nil {
		spStore = b.Store(st)
	}
	srv := httptest.NewUnstartedServer(nil)
	logs := &logBuffer{}
	s, err := sp.New(sp.Config{
		BaseURL: "http://" + srv.Listener.Addr().String(),
		Store:   spStore,
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
		// The lowest bcrypt cost: scenario passwords protect nothing, and
		// hashing Okta's random password on every create would dominate the run.
		PasswordCost: bcrypt.MinCost,
	})
	if err != nil {
		st.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	var h http.Handler = s
	if b.Handler != nil {
		h = b.Handler(s)
	}
	srv.Config.Handler = h
	srv.Start()
	return &InProcess{srv: srv, sp: s, store: st, dir: dir, log: logs}, nil
}

// integrationID is the organization's Okta Integration ID.
func (t *InProcess) integrationID(ctx context.Context, org Org) (string, error) {
	i, err := t.store.GetIntegrationByOrg(ctx, org.ID)
	return i.ID, err
}

func (t *InProcess) BaseURL() string { return t.srv.URL }

func (t *InProcess) CreateOrganization(ctx context.Context, name string) (Org, error) {
	o, err := t.store.CreateOrganization(ctx, store.Organization{Name: name})
	if err != nil {
		return Org{}, err
	}
	return Org{ID: o.ID, Name: o.Name}, nil
}

func (t *InProcess) DeleteOrganization(ctx context.Context, org Org) error {
	return t.store.DeleteOrganization(ctx, org.ID)
}

func (t *InProcess) AddMember(ctx context.Context, org Org, m Member) error {
	role := store.RoleMember
	if m.Admin {
		role = store.RoleAdmin
	}
	_, err := t.sp.AddMember(ctx, org.ID, admin.NewMember{Email: m.Email, GivenName: m.GivenName, FamilyName: m.FamilyName, Role: role})
	return err
}

func (t *InProcess) StartConnect(ctx context.Context, org Org) (string, error) {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return "", err
	}
	return t.sp.StartConnect(ctx, id)
}

func (t *InProcess) CreateTeam(ctx context.Context, org Org, name string) (Team, error) {
	team, err := t.sp.CreateTeam(ctx, org.ID, name)
	if err != nil {
		return Team{}, err
	}
	return Team{ID: team.ID, Name: team.Name}, nil
}

func (t *InProcess) AddTeamDomain(ctx context.Context, org Org, team Team, domain string) error {
	_, err := t.sp.AddTeamDomain(ctx, org.ID, team.ID, domain)
	return err
}

func (t *InProcess) TeamMembers(ctx context.Context, org Org, team Team) ([]string, error) {
	users, err := t.store.ListTeamMembers(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	emails := make([]string, len(users))
	for i, u := range users {
		emails[i] = u.Email
	}
	return emails, nil
}

func (t *InProcess) OrgMembers(ctx context.Context, org Org) ([]string, error) {
	ms, err := t.store.ListMemberships(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	var emails []string
	for _, m := range ms {
		u, err := t.store.GetUser(ctx, m.UserID)
		if err != nil {
			return nil, err
		}
		emails = append(emails, u.Email)
	}
	return emails, nil
}

func (t *InProcess) HasAccount(ctx context.Context, email string) (bool, error) {
	_, err := t.store.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// HoldsSecret reads every file of the SP's store (the database and its
// write-ahead log) and its log lines, looking for secret as written.
func (t *InProcess) HoldsSecret(ctx context.Context, secret string) (bool, error) {
	if secret == "" {
		return false, errors.New("no secret to look for")
	}
	entries, err := os.ReadDir(t.dir)
	if err != nil {
		return false, err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(t.dir, e.Name()))
		if err != nil {
			return false, err
		}
		if bytes.Contains(b, []byte(secret)) {
			return true, nil
		}
	}
	t.log.mu.Lock()
	defer t.log.mu.Unlock()
	return bytes.Contains(t.log.buf.Bytes(), []byte(secret)), nil
}

func (t *InProcess) ConnectOkta(ctx context.Context, org Org) (Integration, error) {
	i, err := t.sp.ConnectOkta(ctx, org.ID)
	if err != nil {
		return Integration{}, err
	}
	return t.integration(i.ID), nil
}

func (t *InProcess) integration(id string) Integration {
	u := t.sp.URLs(id)
	return Integration{ID: id, ACSURL: u.ACS, EntityID: u.EntityID, SignInURL: u.SignIn}
}

func (t *InProcess) ConfigureFromMetadata(ctx context.Context, org Org, metadataURL string) error {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return err
	}
	_, err = t.sp.ConfigureFromMetadataURL(ctx, id, metadataURL)
	return err
}

func (t *InProcess) ConfigureManually(ctx context.Context, org Org, ssoURL, certPEM string) error {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return err
	}
	_, err = t.sp.ConfigureManually(ctx, id, ssoURL, certPEM, "")
	return err
}

func (t *InProcess) Integration(ctx context.Context, org Org) (IntegrationState, error) {
	i, err := t.store.GetIntegrationByOrg(ctx, org.ID)
	if err != nil {
		return IntegrationState{}, err
	}
	return IntegrationState{ID: i.ID, Status: string(i.Status), IdPEntityID: i.IdPEntityID, SSOURL: i.SSOURL, CertPEM: i.CertPEM}, nil
}

func (t *InProcess) MarkConnected(ctx context.Context, org Org) error {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return err
	}
	_, err = t.sp.SetIntegrationStatus(ctx, id, store.StatusConnected)
	return err
}

func (t *InProcess) EnableProvisioning(ctx context.Context, org Org) (string, string, error) {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return "", "", err
	}
	token, err := t.sp.EnableProvisioning(ctx, id)
	return t.sp.SCIMBaseURL(), token, err
}

func (t *InProcess) RotateSCIMToken(ctx context.Context, org Org) (string, error) {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return "", err
	}
	return t.sp.RotateSCIMToken(ctx, id)
}

func (t *InProcess) DisableProvisioning(ctx context.Context, org Org) error {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return err
	}
	return t.sp.DisableProvisioning(ctx, id)
}

func (t *InProcess) FindTeam(ctx context.Context, org Org, name string) (Team, bool, error) {
	teams, err := t.store.ListTeams(ctx, org.ID)
	if err != nil {
		return Team{}, false, err
	}
	for _, tm := range teams {
		if strings.EqualFold(tm.Name, name) {
			return Team{ID: tm.ID, Name: tm.Name}, true, nil
		}
	}
	return Team{}, false, nil
}

func (t *InProcess) AddTeamResource(ctx context.Context, org Org, team Team, name string) error {
	_, err := t.store.CreateResource(ctx, store.Resource{TeamID: team.ID, Kind: "monitor", Name: name})
	return err
}

func (t *InProcess) TeamResources(ctx context.Context, org Org, team Team) ([]string, error) {
	rs, err := t.store.ListResources(ctx, team.ID)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = r.Name
	}
	return names, nil
}

func (t *InProcess) Profile(ctx context.Context, email string) (Member, error) {
	u, err := t.store.GetUserByEmail(ctx, email)
	if err != nil {
		return Member{}, err
	}
	return Member{Email: u.Email, GivenName: u.GivenName, FamilyName: u.FamilyName}, nil
}

// PasswordSignIn fills in the SP's own sign-in form.
func (t *InProcess) PasswordSignIn(ctx context.Context, b *browser.Browser, email, password string) error {
	page, err := b.Get(ctx, t.srv.URL+"/users/sign-in")
	if err != nil {
		return err
	}
	form, ok := page.FormWithField("password")
	if !ok {
		return fmt.Errorf("the sign-in page has no password form (status %d)", page.Status)
	}
	page, err = b.Submit(ctx, form, map[string]string{"email": email, "password": password})
	if err != nil {
		return err
	}
	if page.Status >= 400 {
		return fmt.Errorf("password sign-in as %s: status %d", email, page.Status)
	}
	return nil
}

func (t *InProcess) AuditActions(ctx context.Context, org Org) ([]string, error) {
	es, err := t.store.ListAudit(ctx, org.ID, 1000)
	if err != nil {
		return nil, err
	}
	actions := make([]string, len(es))
	for i, e := range es {
		actions[i] = e.Action + " " + e.Target
	}
	return actions, nil
}

func (t *InProcess) DisableOkta(ctx context.Context, org Org) error {
	id, err := t.integrationID(ctx, org)
	if err != nil {
		return err
	}
	_, err = t.sp.SetIntegrationStatus(ctx, id, store.StatusDisabled)
	return err
}

// refusalReasons maps the suite's problems to the reference SP's log reasons.
var refusalReasons = map[Problem][]ssosaml.Reason{
	ProblemUnsigned:           {ssosaml.ReasonSignature},
	ProblemWrongKey:           {ssosaml.ReasonUntrustedCert, ssosaml.ReasonSignature},
	ProblemExpired:            {ssosaml.ReasonExpired},
	ProblemNotYetValid:        {ssosaml.ReasonNotYetValid},
	ProblemWrongAudience:      {ssosaml.ReasonAudience},
	ProblemWrongDestination:   {ssosaml.ReasonDestination},
	ProblemWrongRecipient:     {ssosaml.ReasonDestination},
	ProblemWrongIssuer:        {ssosaml.ReasonIssuer},
	ProblemUnknownRequest:     {ssosaml.ReasonRequestID},
	ProblemReplay:             {ssosaml.ReasonReplay},
	ProblemUnknownIntegration: {ssosaml.ReasonUnknownIntegration},
	ProblemNotConnected:       {ssosaml.ReasonNotConnected},
	ProblemDisabled:           {ssosaml.ReasonDisabled},
	ProblemNotAdmin:           {ssosaml.ReasonNotAdmin},
	ProblemNotApproved:        {ssosaml.ReasonNotMember},
	ProblemDeprovisioned:      {ssosaml.ReasonDeprovisioned},
}

// RefusalLogged looks for the SP's one log line per refusal, with its reason.
func (t *InProcess) RefusalLogged(ctx context.Context, integrationID string, problem Problem) error {
	want, ok := refusalReasons[problem]
	if !ok {
		return fmt.Errorf("no reason known for problem %q", problem)
	}
	var seen []string
	for _, rec := range t.log.records() {
		if rec["msg"] != "saml sign-in refused" || rec["integration_id"] != integrationID {
			continue
		}
		reason, _ := rec["reason"].(string)
		seen = append(seen, reason)
		for _, w := range want {
			if reason == string(w) {
				return nil
			}
		}
	}
	return fmt.Errorf("the SP logged refusals %v at integration %s, none with reason %v", seen, integrationID, want)
}

// SignedIn reads the SP's session cookie from the jar and looks the session up
// in the store: the SP's own record of who is signed in.
func (t *InProcess) SignedIn(ctx context.Context, jar http.CookieJar) (SignedIn, bool, error) {
	u, _ := url.Parse(t.srv.URL)
	for _, c := range jar.Cookies(u) {
		if c.Name != session.CookieName {
			continue
		}
		s, err := t.store.GetSession(ctx, session.Hash(c.Value), t.now())
		if errors.Is(err, store.ErrNotFound) {
			return SignedIn{}, false, nil
		}
		if err != nil {
			return SignedIn{}, false, err
		}
		user, err := t.store.GetUser(ctx, s.UserID)
		if err != nil {
			return SignedIn{}, false, err
		}
		org, err := t.store.GetOrganization(ctx, s.OrgID)
		if err != nil {
			return SignedIn{}, false, err
		}
		return SignedIn{Email: user.Email, OrgName: org.Name}, true, nil
	}
	return SignedIn{}, false, nil
}

func (t *InProcess) Close() {
	t.srv.Close()
	t.store.Close()
	os.RemoveAll(t.dir)
}

func (t *InProcess) now() time.Time { return time.Now() }

// logBuffer keeps the SP's JSON log lines for the scenario's checks.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) records() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(b.buf.Bytes(), []byte("\n")) {
		var rec map[string]any
		if json.Unmarshal(line, &rec) == nil {
			out = append(out, rec)
		}
	}
	return out
}
