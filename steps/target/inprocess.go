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
	"sync"
	"time"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
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

// NewInProcess starts a fresh reference SP.
func NewInProcess(ctx context.Context) (*InProcess, error) {
	dir, err := os.MkdirTemp("", "ssoharness-sp-")
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "refsp.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	srv := httptest.NewUnstartedServer(nil)
	logs := &logBuffer{}
	s, err := sp.New(sp.Config{
		BaseURL: "http://" + srv.Listener.Addr().String(),
		Store:   st,
		Logger:  slog.New(slog.NewJSONHandler(logs, nil)),
	})
	if err != nil {
		st.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	srv.Config.Handler = s
	srv.Start()
	return &InProcess{srv: srv, sp: s, store: st, dir: dir, log: logs}, nil
}

func (t *InProcess) BaseURL() string { return t.srv.URL }

func (t *InProcess) CreateOrganization(ctx context.Context, name string) (Org, error) {
	o, err := t.store.CreateOrganization(ctx, store.Organization{Name: name})
	if err != nil {
		return Org{}, err
	}
	return Org{ID: o.ID, Name: o.Name}, nil
}

func (t *InProcess) AddMember(ctx context.Context, org Org, m Member) error {
	return t.store.InTx(ctx, func(tx store.Store) error {
		u, err := tx.GetUserByEmail(ctx, m.Email)
		if errors.Is(err, store.ErrNotFound) {
			u, err = tx.CreateUser(ctx, store.User{Email: m.Email, GivenName: m.GivenName, FamilyName: m.FamilyName,
				DisplayName: m.GivenName + " " + m.FamilyName})
		}
		if err != nil {
			return err
		}
		_, err = tx.AddMembership(ctx, store.Membership{UserID: u.ID, OrgID: org.ID, Role: store.RoleMember, Source: store.SourceLocal})
		return err
	})
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
	i, err := t.store.GetIntegrationByOrg(ctx, org.ID)
	if err != nil {
		return err
	}
	_, err = t.sp.ConfigureFromMetadataURL(ctx, i.ID, metadataURL)
	return err
}

func (t *InProcess) ConfigureManually(ctx context.Context, org Org, ssoURL, certPEM string) error {
	i, err := t.store.GetIntegrationByOrg(ctx, org.ID)
	if err != nil {
		return err
	}
	_, err = t.sp.ConfigureManually(ctx, i.ID, ssoURL, certPEM, "")
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
	i, err := t.store.GetIntegrationByOrg(ctx, org.ID)
	if err != nil {
		return err
	}
	_, err = t.sp.SetIntegrationStatus(ctx, i.ID, store.StatusConnected)
	return err
}

func (t *InProcess) DisableOkta(ctx context.Context, org Org) error {
	i, err := t.store.GetIntegrationByOrg(ctx, org.ID)
	if err != nil {
		return err
	}
	_, err = t.sp.SetIntegrationStatus(ctx, i.ID, store.StatusDisabled)
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
	ProblemNotConnected:       {ssosaml.ReasonNotConfigured},
	ProblemDisabled:           {ssosaml.ReasonDisabled},
}

// RefusalLogged looks for the SP's one log line per refusal, with its reason.
func (t *InProcess) RefusalLogged(ctx context.Context, problem Problem) error {
	want, ok := refusalReasons[problem]
	if !ok {
		return fmt.Errorf("no reason known for problem %q", problem)
	}
	var seen []string
	for _, rec := range t.log.records() {
		if rec["msg"] != "saml sign-in refused" {
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
	return fmt.Errorf("the SP logged refusals %v, none with reason %v", seen, want)
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
