// Package demo seeds the reference SP with a demo organization and wires it to a
// running fake Okta, so that `make run` gives a working "Sign in with Okta" at once.
//
// Seeding is idempotent: run it at every start and it reuses what an earlier run
// created.
package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/store"
)

// The demo's fixed names and credentials. They are printed at start; never use
// them outside a demo.
const (
	OrgName       = "Acme"
	AdminEmail    = "admin@acme.test"
	AdminPassword = "Demo-admin-1"
	// OktaUser and OktaPassword sign in at the fake Okta (from its own default
	// seed, which gives each of its users a password of their own).
	OktaUser     = "ada@acme.test"
	OktaPassword = "Okta-demo-1"
	TeamName     = "Engineering"
	ResourceKind = "monitor"
	ResourceName = "API uptime"
	AppLabel     = "Reference SP"
)

type person struct {
	email, given, family string
	role                 store.Role
}

// people returns the demo's people; the admin comes first.
func people() []person {
	return []person{
		{AdminEmail, "Alex", "Admin", store.RoleAdmin},
		{"ada@acme.test", "Ada", "Lovelace", store.RoleMember},
		{"grace@acme.test", "Grace", "Hopper", store.RoleMember},
	}
}

// Options configures Seed.
type Options struct {
	// OktaURL is the base URL of a running fake Okta, e.g. "http://127.0.0.1:8081".
	OktaURL string
	// HTTPClient talks to the fake Okta; nil means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Wait is how long to keep retrying while the fake Okta starts; 0 means 20 s.
	Wait time.Duration
	// RetryEvery is the pause between attempts; 0 means 500 ms.
	RetryEvery time.Duration
}

// App is the catalog app the fake Okta created for the SP.
type App struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Label         string `json:"label"`
	KeyID         string `json:"keyId"`
	EntityID      string `json:"entityId"`
	SSOURL        string `json:"ssoUrl"`
	MetadataURL   string `json:"metadataUrl"`
	EmbedLinkURL  string `json:"embedLinkUrl"`
	ACSURL        string `json:"acsUrl"`
	Audience      string `json:"audience"`
	IntegrationID string `json:"integrationId"`
}

// Result is what Seed set up.
type Result struct {
	SPURL            string
	OrgID            string
	IntegrationID    string
	SignInURL        string // SP-initiated sign-in
	AdminEmail       string
	AdminPassword    string
	OktaDashboardURL string
	OktaUser         string
	OktaPassword     string
	// Users are the people assigned to the app at the fake Okta.
	Users []string
	App   App
}

// WriteSummary prints how to use the demo.
func (r Result) WriteSummary(w io.Writer) {
	fmt.Fprintf(w, "Demo organization %q is ready.\n", OrgName)
	fmt.Fprintf(w, "  Reference SP:        %s\n", r.SPURL)
	fmt.Fprintf(w, "  SP admin sign-in:    %s / %s\n", r.AdminEmail, r.AdminPassword)
	fmt.Fprintf(w, "  Okta Integration ID: %s\n", r.IntegrationID)
	fmt.Fprintf(w, "  SP Sign-in URL:      %s\n", r.SignInURL)
	fmt.Fprintf(w, "  Fake Okta dashboard: %s\n", r.OktaDashboardURL)
	fmt.Fprintf(w, "  Fake Okta sign-in:   %s / %s (the fake Okta lists its other users when it starts)\n", r.OktaUser, r.OktaPassword)
	fmt.Fprintf(w, "  Assigned to the app: %s\n", strings.Join(r.Users, ", "))
}

// Seed creates (or finds) the demo organization in srv's store, registers the SP's
// catalog app at the fake Okta, configures the integration from the app's metadata
// link through the same code path an admin uses, and marks it connected.
func Seed(ctx context.Context, srv *sp.Server, opts Options) (Result, error) {
	okta := strings.TrimRight(strings.TrimSpace(opts.OktaURL), "/")
	if okta == "" {
		return Result{}, errors.New("demo: OktaURL is required")
	}
	orgID, err := SeedStore(ctx, srv.Store())
	if err != nil {
		return Result{}, err
	}

	in, err := srv.Store().GetIntegrationByOrg(ctx, orgID)
	if errors.Is(err, store.ErrNotFound) {
		in, err = srv.ConnectOkta(ctx, orgID)
	}
	if err != nil {
		return Result{}, fmt.Errorf("demo: okta integration: %w", err)
	}

	users := make([]string, 0, 3)
	for _, p := range people()[1:] {
		users = append(users, p.email)
	}
	users = append(users, AdminEmail)
	app, err := registerApp(ctx, opts, okta, srv.BaseURL(), in.ID, users)
	if err != nil {
		return Result{}, err
	}
	if _, err := srv.ConfigureFromMetadataURL(ctx, in.ID, app.MetadataURL); err != nil {
		return Result{}, fmt.Errorf("demo: configure from %s: %w", app.MetadataURL, err)
	}
	if _, err := srv.SetIntegrationStatus(ctx, in.ID, store.StatusConnected); err != nil {
		return Result{}, fmt.Errorf("demo: mark connected: %w", err)
	}
	return Result{
		SPURL:            srv.BaseURL() + "/",
		OrgID:            orgID,
		IntegrationID:    in.ID,
		SignInURL:        srv.URLs(in.ID).SignIn,
		AdminEmail:       AdminEmail,
		AdminPassword:    AdminPassword,
		OktaDashboardURL: okta + "/app/UserHome",
		OktaUser:         OktaUser,
		OktaPassword:     OktaPassword,
		Users:            users,
		App:              app,
	}, nil
}

// SeedStore creates the demo organization, people, team and resource if they are
// missing, in one transaction, and returns the organization's ID.
func SeedStore(ctx context.Context, st store.Store) (string, error) {
	// Hash outside the transaction: bcrypt is slow on purpose.
	adminHash, err := password.Hash(AdminPassword)
	if err != nil {
		return "", err
	}
	var orgID string
	err = st.InTx(ctx, func(tx store.Store) error {
		org, err := findOrCreateOrg(ctx, tx)
		if err != nil {
			return err
		}
		orgID = org.ID
		ids := map[string]string{}
		for _, p := range people() {
			u, err := tx.GetUserByEmail(ctx, p.email)
			if errors.Is(err, store.ErrNotFound) {
				u = store.User{Email: p.email, GivenName: p.given, FamilyName: p.family, DisplayName: p.given + " " + p.family}
				if p.role == store.RoleAdmin {
					u.PasswordHash = adminHash
				}
				u, err = tx.CreateUser(ctx, u)
			}
			if err != nil {
				return fmt.Errorf("user %s: %w", p.email, err)
			}
			ids[p.email] = u.ID
			_, err = tx.AddMembership(ctx, store.Membership{UserID: u.ID, OrgID: org.ID, Role: p.role, Source: store.SourceLocal})
			if err != nil && !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("membership of %s: %w", p.email, err)
			}
		}
		team, err := findOrCreateTeam(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		for _, p := range people()[1:] {
			if err := tx.AddTeamMember(ctx, team.ID, ids[p.email]); err != nil {
				return fmt.Errorf("team member %s: %w", p.email, err)
			}
		}
		rs, err := tx.ListResources(ctx, team.ID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Name == ResourceName {
				return nil
			}
		}
		_, err = tx.CreateResource(ctx, store.Resource{TeamID: team.ID, Kind: ResourceKind, Name: ResourceName})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("demo: seed store: %w", err)
	}
	return orgID, nil
}

func findOrCreateOrg(ctx context.Context, st store.Store) (store.Organization, error) {
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return store.Organization{}, err
	}
	for _, o := range orgs {
		if o.Name == OrgName {
			return o, nil
		}
	}
	return st.CreateOrganization(ctx, store.Organization{Name: OrgName})
}

func findOrCreateTeam(ctx context.Context, st store.Store, orgID string) (store.Team, error) {
	teams, err := st.ListTeams(ctx, orgID)
	if err != nil {
		return store.Team{}, err
	}
	for _, t := range teams {
		if strings.EqualFold(t.Name, TeamName) {
			return t, nil
		}
	}
	return st.CreateTeam(ctx, store.Team{OrgID: orgID, Name: TeamName})
}

type seedApp struct {
	Kind          string   `json:"kind"`
	Label         string   `json:"label"`
	SPBaseURL     string   `json:"spBaseURL"`
	IntegrationID string   `json:"integrationId"`
	Assign        []string `json:"assign"`
}

// registerApp adds the SP's catalog app at the fake Okta (POST /_admin/seed),
// retrying while the fake Okta is still starting.
func registerApp(ctx context.Context, opts Options, okta, spBase, integrationID string, assign []string) (App, error) {
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	wait, every := opts.Wait, opts.RetryEvery
	if wait == 0 {
		wait = 20 * time.Second
	}
	if every == 0 {
		every = 500 * time.Millisecond
	}
	body, err := json.Marshal(map[string][]seedApp{"apps": {{
		Kind: "catalog", Label: AppLabel, SPBaseURL: spBase, IntegrationID: integrationID, Assign: assign,
	}}})
	if err != nil {
		return App{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		app, retry, err := postSeed(ctx, client, okta+"/_admin/seed", body, integrationID)
		if err == nil {
			return app, nil
		}
		if !retry {
			return App{}, err
		}
		select {
		case <-ctx.Done():
			return App{}, fmt.Errorf("demo: fake Okta at %s did not answer within %s: %w", okta, wait, err)
		case <-time.After(every):
		}
	}
}

// postSeed makes one attempt; retry says whether another attempt may succeed.
func postSeed(ctx context.Context, client *http.Client, url string, body []byte, integrationID string) (App, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return App{}, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return App{}, true, fmt.Errorf("demo: seed fake Okta: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return App{}, true, fmt.Errorf("demo: seed fake Okta: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("demo: seed fake Okta: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(data)))
		return App{}, resp.StatusCode >= 500, err
	}
	var out struct {
		Apps []App `json:"apps"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return App{}, false, fmt.Errorf("demo: seed fake Okta: bad answer: %w", err)
	}
	for _, a := range out.Apps {
		if a.IntegrationID == integrationID || (a.IntegrationID == "" && len(out.Apps) == 1) {
			if a.MetadataURL == "" {
				return App{}, false, errors.New("demo: seed fake Okta: the app has no metadataUrl")
			}
			return a, false, nil
		}
	}
	return App{}, false, fmt.Errorf("demo: seed fake Okta: no app for integration %s in the answer", integrationID)
}
