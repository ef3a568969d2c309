package target

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim/samlidp"
	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/scimclient"
)

// hooksToken is the reference SP's hooks token in these tests (refsp wants at
// least 32 characters).
const hooksToken = "test-hooks-token-0123456789abcdef"

// signedInPattern is the reference SP's home page line, as docs/target-file.md
// gives it.
const signedInPattern = `Signed in as <strong>(?P<email>[^<]+)</strong> — <strong>(?P<org>[^<]+)</strong>`

// refSP is the real reference SP with its hooks on, on an httptest server.
type refSP struct {
	srv *httptest.Server
	sp  *sp.Server
	st  store.Store
}

// startRefSP starts the reference SP; wrap, when not nil, wraps its handler.
func startRefSP(t *testing.T, wrap func(http.Handler) http.Handler) *refSP {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "refsp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	srv := httptest.NewUnstartedServer(nil)
	s, err := sp.New(sp.Config{
		BaseURL:      "http://" + srv.Listener.Addr().String(),
		Store:        st,
		HooksToken:   hooksToken,
		PasswordCost: bcrypt.MinCost,
	})
	require.NoError(t, err)
	var h http.Handler = s
	if wrap != nil {
		h = wrap(s)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &refSP{srv: srv, sp: s, st: st}
}

// file describes r in hooks mode, with every optional part filled in.
func (r *refSP) file() File {
	return File{
		SP: SPSection{
			BaseURL:        r.srv.URL,
			SignedIn:       &SignedInPage{URL: "/", Pattern: signedInPattern},
			PasswordSignIn: &PasswordForm{URL: "/users/sign-in"},
			SSO: SSOTemplates{
				ACSURL:    "/sso/okta/{id}/acs",
				EntityID:  r.srv.URL + "/sso/okta/{id}",
				SignInURL: "/users/sign-in/sso/okta/{id}",
			},
		},
		Hooks: &Endpoint{URL: r.srv.URL + "/api/hooks/v1", Token: hooksToken},
	}
}

// connected gives a new organization of r a connected integration with
// provisioning on, through the SP's Go API, and returns the SCIM token.
func (r *refSP) connected(t *testing.T, name string) (store.Organization, string) {
	t.Helper()
	ctx := context.Background()
	org, err := r.st.CreateOrganization(ctx, store.Organization{Name: name})
	require.NoError(t, err)
	in, err := r.sp.ConnectOkta(ctx, org.ID)
	require.NoError(t, err)
	_, err = r.sp.ConfigureManually(ctx, in.ID, "https://idp.test/sso", idpCert(t), "")
	require.NoError(t, err)
	_, err = r.sp.SetIntegrationStatus(ctx, in.ID, store.StatusConnected)
	require.NoError(t, err)
	token, err := r.sp.EnableProvisioning(ctx, in.ID)
	require.NoError(t, err)
	return org, token
}

// idpCert is a fresh IdP signing certificate, made as the fake Okta makes an
// app's.
func idpCert(t *testing.T) string {
	t.Helper()
	cred, err := samlidp.NewCredential("idp-test", time.Now())
	require.NoError(t, err)
	return cred.CertificatePEM
}

// createSCIMUser creates a user over SCIM as Okta would and returns its id.
func createSCIMUser(t *testing.T, c *scimclient.Client, email, given, family, password string) string {
	t.Helper()
	u := map[string]any{
		"schemas": []string{scimclient.UserSchema}, "userName": email, "active": true,
		"name":   map[string]any{"givenName": given, "familyName": family},
		"emails": []any{map[string]any{"primary": true, "value": email, "type": "work"}},
	}
	if password != "" {
		u["password"] = password
	}
	res, err := c.Post(context.Background(), "/Users", u)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.Status, res.String())
	doc, err := res.Object()
	require.NoError(t, err)
	return doc["id"].(string)
}

// createSCIMGroup creates a group over SCIM with the given member ids.
func createSCIMGroup(t *testing.T, c *scimclient.Client, name string, memberIDs ...string) string {
	t.Helper()
	members := []any{}
	for _, id := range memberIDs {
		members = append(members, map[string]any{"value": id})
	}
	res, err := c.Post(context.Background(), "/Groups", map[string]any{
		"schemas": []string{scimclient.GroupSchema}, "displayName": name, "members": members,
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.Status, res.String())
	doc, err := res.Object()
	require.NoError(t, err)
	return doc["id"].(string)
}

// postGarbage posts a SAMLResponse that is no SAML to an ACS URL, as a
// browser would from Okta's form.
func postGarbage(t *testing.T, acs string) {
	t.Helper()
	res, err := http.PostForm(acs, url.Values{"SAMLResponse": {"bm90IFNBTUw="}})
	require.NoError(t, err)
	res.Body.Close()
}

// steps runs named steps in order, stopping at the first that fails: each
// builds on the state the ones before left.
func steps(t *testing.T, list []step) {
	t.Helper()
	for _, s := range list {
		if !t.Run(s.name, s.run) {
			t.FailNow()
		}
	}
}

type step struct {
	name string
	run  func(t *testing.T)
}

// TestExternalHooksEndToEnd drives every Target method through the real
// reference SP's hooks.
func TestExternalHooksEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := startRefSP(t, nil)
	e, err := NewExternal(ctx, r.file())
	require.NoError(t, err)
	defer e.Close()

	var (
		org            Org
		integ          Integration
		ssoURL         = "https://acme.okta.test/app/sso/saml"
		cert           = idpCert(t)
		scimURL, token string
		team           Team
		scim           *scimclient.Client
		userPassword   = "Okta-Synced-9"
	)
	steps(t, []step{
		{"base URL", func(t *testing.T) {
			assert.Equal(t, r.srv.URL, e.BaseURL())
		}},
		{"create an organization", func(t *testing.T) {
			org, err = e.CreateOrganization(ctx, "Acme")
			require.NoError(t, err)
			assert.NotEmpty(t, org.ID)
			assert.Equal(t, "Acme", org.Name)
		}},
		{"add members", func(t *testing.T) {
			require.NoError(t, e.AddMember(ctx, org, Member{Email: "admin@acme.test", GivenName: "Alan", FamilyName: "Admin", Admin: true}))
			require.NoError(t, e.AddMember(ctx, org, Member{Email: "ada@acme.test", GivenName: "Ada", FamilyName: "Lovelace"}))
			got, err := e.OrgMembers(ctx, org)
			require.NoError(t, err)
			assert.ElementsMatch(t, []string{"admin@acme.test", "ada@acme.test"}, got)
		}},
		{"accounts", func(t *testing.T) {
			for email, want := range map[string]bool{"ada@acme.test": true, "nobody@acme.test": false} {
				ok, err := e.HasAccount(ctx, email)
				require.NoError(t, err, email)
				assert.Equal(t, want, ok, email)
			}
			m, err := e.Profile(ctx, "ada@acme.test")
			require.NoError(t, err)
			assert.Equal(t, Member{Email: "ada@acme.test", GivenName: "Ada", FamilyName: "Lovelace"}, m)
			_, err = e.Profile(ctx, "nobody@acme.test")
			assert.ErrorContains(t, err, "no account nobody@acme.test")
		}},
		{"connect Okta", func(t *testing.T) {
			integ, err = e.ConnectOkta(ctx, org)
			require.NoError(t, err)
			u := r.sp.URLs(integ.ID)
			assert.Equal(t, Integration{ID: integ.ID, ACSURL: u.ACS, EntityID: u.EntityID, SignInURL: u.SignIn}, integ)
			st, err := e.Integration(ctx, org)
			require.NoError(t, err)
			assert.Equal(t, IntegrationState{ID: integ.ID, Status: "pending"}, st)
		}},
		{"a bad metadata link is refused with the SP's sentence", func(t *testing.T) {
			err := e.ConfigureFromMetadata(ctx, org, "not a link")
			var refused *RefusedError
			require.ErrorAs(t, err, &refused)
			assert.NotEmpty(t, strings.TrimSpace(err.Error()))
			assert.Equal(t, "POST /orgs/{org}/okta/metadata", refused.Hook)
		}},
		{"configure by hand", func(t *testing.T) {
			require.NoError(t, e.ConfigureManually(ctx, org, ssoURL, cert))
			st, err := e.Integration(ctx, org)
			require.NoError(t, err)
			assert.Equal(t, ssoURL, st.SSOURL)
			assert.Contains(t, st.CertPEM, "BEGIN CERTIFICATE")
			assert.Equal(t, "pending", st.Status)
		}},
		{"start the Connect round trip", func(t *testing.T) {
			u, err := e.StartConnect(ctx, org)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(u, ssoURL+"?SAMLRequest="), u)
		}},
		{"mark connected", func(t *testing.T) {
			require.NoError(t, e.MarkConnected(ctx, org))
			st, err := e.Integration(ctx, org)
			require.NoError(t, err)
			assert.Equal(t, "connected", st.Status)
		}},
		{"enable provisioning", func(t *testing.T) {
			scimURL, token, err = e.EnableProvisioning(ctx, org)
			require.NoError(t, err)
			assert.Equal(t, r.sp.SCIMBaseURL(), scimURL)
			scim = scimclient.New(scimURL, token)
			res, err := scim.Get(ctx, "/Users")
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, res.Status, res.String())
		}},
		{"a pushed group is a team with members", func(t *testing.T) {
			linus := createSCIMUser(t, scim, "linus@acme.test", "Linus", "Torvalds", userPassword)
			createSCIMGroup(t, scim, "Kernel", linus)
			var ok bool
			team, ok, err = e.FindTeam(ctx, org, "kernel")
			require.NoError(t, err)
			require.True(t, ok, "FindTeam matches names case-insensitively")
			assert.Equal(t, "Kernel", team.Name)
			got, err := e.TeamMembers(ctx, org, team)
			require.NoError(t, err)
			assert.Equal(t, []string{"linus@acme.test"}, got)
		}},
		{"rotate the SCIM token", func(t *testing.T) {
			newToken, err := e.RotateSCIMToken(ctx, org)
			require.NoError(t, err)
			assert.NotEqual(t, token, newToken)
			res, err := scim.Get(ctx, "/Users")
			require.NoError(t, err)
			assert.Equal(t, http.StatusUnauthorized, res.Status, "the old token stops working")
			scim = scimclient.New(scimURL, newToken)
		}},
		{"disable provisioning", func(t *testing.T) {
			require.NoError(t, e.DisableProvisioning(ctx, org))
			res, err := scim.Get(ctx, "/Users")
			require.NoError(t, err)
			assert.Equal(t, http.StatusUnauthorized, res.Status)
		}},
		{"teams, domains and resources", func(t *testing.T) {
			platform, err := e.CreateTeam(ctx, org, "Platform")
			require.NoError(t, err)
			assert.Equal(t, "Platform", platform.Name)
			require.NoError(t, e.AddTeamDomain(ctx, org, platform, "acme.test"))
			require.NoError(t, e.AddTeamResource(ctx, org, platform, "db-monitor"))
			names, err := e.TeamResources(ctx, org, platform)
			require.NoError(t, err)
			assert.Equal(t, []string{"db-monitor"}, names)
			members, err := e.TeamMembers(ctx, org, platform)
			require.NoError(t, err)
			assert.Empty(t, members)
			found, ok, err := e.FindTeam(ctx, org, "PLATFORM")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, platform, found)
			_, ok, err = e.FindTeam(ctx, org, "Nobody's")
			require.NoError(t, err)
			assert.False(t, ok)
		}},
		{"another status is an error naming the hook and the SP's words", func(t *testing.T) {
			err := e.AddTeamDomain(ctx, org, Team{ID: "no-such-team"}, "acme.test")
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrUnsupported)
			assert.Contains(t, err.Error(), "the hook POST /orgs/{org}/teams/{team}/domains answered 404 Not Found")
			assert.Contains(t, err.Error(), "There is no such team")
		}},
		{"audit", func(t *testing.T) {
			actions, err := e.AuditActions(ctx, org)
			require.NoError(t, err)
			joined := strings.Join(actions, "\n")
			for _, a := range []string{"scim.provisioning.enabled", "scim.token.rotated", "scim.provisioning.disabled", "scim.user.created"} {
				assert.Contains(t, joined, a)
			}
		}},
		{"password sign-in, then who is signed in", func(t *testing.T) {
			b := browser.New(nil)
			_, ok, err := e.SignedIn(ctx, b.Jar())
			require.NoError(t, err)
			assert.False(t, ok, "a fresh browser")
			require.NoError(t, e.PasswordSignIn(ctx, b, "linus@acme.test", userPassword))
			who, ok, err := e.SignedIn(ctx, b.Jar())
			require.NoError(t, err)
			require.True(t, ok)
			assert.Equal(t, SignedIn{Email: "linus@acme.test", OrgName: "Acme"}, who)

			other := browser.New(nil)
			assert.ErrorContains(t, e.PasswordSignIn(ctx, other, "linus@acme.test", "wrong"), "status 401")
			_, ok, err = e.SignedIn(ctx, other.Jar())
			require.NoError(t, err)
			assert.False(t, ok, "a wrong password signs no one in")
		}},
		{"disable Okta, then refusals", func(t *testing.T) {
			require.NoError(t, e.DisableOkta(ctx, org))
			st, err := e.Integration(ctx, org)
			require.NoError(t, err)
			assert.Equal(t, "disabled", st.Status)

			assert.ErrorContains(t, e.RefusalLogged(ctx, integ.ID, ProblemDisabled), "no refused sign-in")
			postGarbage(t, integ.ACSURL)
			assert.NoError(t, e.RefusalLogged(ctx, integ.ID, ProblemDisabled))
			err = e.RefusalLogged(ctx, integ.ID, ProblemExpired)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "integration_disabled [disabled]", "the error lists what was seen")

			postGarbage(t, r.sp.URLs("not"+integ.ID).ACS)
			assert.NoError(t, e.RefusalLogged(ctx, "not"+integ.ID, ProblemUnknownIntegration))
		}},
		{"storage cannot be inspected", func(t *testing.T) {
			_, err := e.HoldsSecret(ctx, token)
			assert.ErrorIs(t, err, ErrUnsupported)
			assert.ErrorContains(t, err, "inspecting the service provider's storage")
		}},
	})
}

func TestExternalWrongHooksToken(t *testing.T) {
	t.Parallel()
	r := startRefSP(t, nil)
	f := r.file()
	f.Hooks.Token = "wrong"
	var sent atomic.Int32
	client := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		sent.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	e, err := NewExternal(context.Background(), f, WithHTTPClient(client))
	require.NoError(t, err)
	_, err = e.CreateOrganization(context.Background(), "Acme")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the hook POST /orgs answered 401 Unauthorized (the SP refused the hooks token")
	assert.Equal(t, int32(1), sent.Load(), "the request went through the given client")
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestExternalHook501 checks that a hook the SP does not offer makes the step
// unsupported, naming the hook.
func TestExternalHook501(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		method, suffix string // the route answering 501
		hook           string
		call           func(e *External, org Org) error
	}{
		{"POST", "/teams", "POST /orgs/{org}/teams", func(e *External, org Org) error {
			_, err := e.CreateTeam(ctx, org, "Platform")
			return err
		}},
		{"GET", "/audit", "GET /orgs/{org}/audit", func(e *External, org Org) error {
			_, err := e.AuditActions(ctx, org)
			return err
		}},
		{"GET", "/refusals", "GET /refusals", func(e *External, org Org) error {
			return e.RefusalLogged(ctx, "some-id", ProblemExpired)
		}},
		{"GET", "/accounts/ada@acme.test", "GET /accounts/{email}", func(e *External, org Org) error {
			_, err := e.HasAccount(ctx, "ada@acme.test")
			return err
		}},
		{"POST", "/okta/status", "POST /orgs/{org}/okta/status", func(e *External, org Org) error {
			return e.DisableOkta(ctx, org)
		}},
	} {
		t.Run(tc.hook, func(t *testing.T) {
			t.Parallel()
			r := startRefSP(t, func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
					if req.Method == tc.method && strings.HasPrefix(req.URL.Path, "/api/hooks/v1/") && strings.HasSuffix(req.URL.Path, tc.suffix) {
						w.Header().Set("Content-Type", "application/json")
						w.WriteHeader(http.StatusNotImplemented)
						fmt.Fprint(w, `{"error": "This service provider does not offer this hook."}`)
						return
					}
					h.ServeHTTP(w, req)
				})
			})
			e, err := NewExternal(ctx, r.file())
			require.NoError(t, err)
			org, err := e.CreateOrganization(ctx, "Acme")
			require.NoError(t, err)
			err = tc.call(e, org)
			require.ErrorIs(t, err, ErrUnsupported)
			assert.True(t, strings.HasSuffix(err.Error(), ": the hook "+tc.hook), err.Error())
		})
	}
}

// TestExternalConnectURLs checks where ConnectOkta's URLs come from: the
// hook's answer, else the file's templates, and never both disagreeing.
func TestExternalConnectURLs(t *testing.T) {
	t.Parallel()
	const base = "https://sp.test"
	full := `{"id": "i1", "acs_url": "https://sp.test/saml/i1/acs", "entity_id": "https://sp.test/saml/i1", "sign_in_url": "https://sp.test/login/i1"}`
	templates := SSOTemplates{ACSURL: "/saml/{id}/acs", EntityID: "/saml/{id}", SignInURL: "/login/{id}"}
	want := Integration{ID: "i1", ACSURL: "https://sp.test/saml/i1/acs", EntityID: "https://sp.test/saml/i1", SignInURL: "https://sp.test/login/i1"}
	for _, tc := range []struct {
		name    string
		answer  string
		sso     SSOTemplates
		want    Integration
		wantErr string
	}{
		{"answer alone", full, SSOTemplates{}, want, ""},
		{"answer and templates agree", full, templates, want, ""},
		{"templates fill in", `{"id": "i1"}`, templates, want, ""},
		{"no sign-in URL anywhere", `{"id": "i1", "acs_url": "https://sp.test/saml/i1/acs", "entity_id": "https://sp.test/saml/i1"}`, SSOTemplates{},
			Integration{ID: "i1", ACSURL: "https://sp.test/saml/i1/acs", EntityID: "https://sp.test/saml/i1"}, ""},
		{"they disagree", full, SSOTemplates{ACSURL: "/sso/{id}/acs"}, Integration{},
			`answered acs_url "https://sp.test/saml/i1/acs", but the target file's sp.sso.acs_url gives "https://sp.test/sso/i1/acs"`},
		{"no ACS URL anywhere", `{"id": "i1", "entity_id": "https://sp.test/saml/i1"}`, SSOTemplates{}, Integration{},
			"answered no acs_url and the target file has no sp.sso.acs_url"},
		{"no id", `{}`, templates, Integration{}, "without an id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/orgs/o1/okta" || r.Header.Get("Authorization") != "Bearer tok" {
					http.Error(w, `{"error": "unexpected"}`, http.StatusBadRequest)
					return
				}
				w.WriteHeader(http.StatusCreated)
				fmt.Fprint(w, tc.answer)
			}))
			defer hooks.Close()
			e, err := NewExternal(context.Background(), File{
				SP:    SPSection{BaseURL: base, SSO: tc.sso},
				Hooks: &Endpoint{URL: hooks.URL, Token: "tok"},
			})
			require.NoError(t, err)
			got, err := e.ConnectOkta(context.Background(), Org{ID: "o1"})
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// TestExternalSCIMOnly judges the real reference SP's SCIM server with nothing
// but its URL and token.
func TestExternalSCIMOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := startRefSP(t, nil)
	_, token := r.connected(t, "Acme")
	scimURL := r.sp.SCIMBaseURL()
	scim := scimclient.New(scimURL, token)

	ada := createSCIMUser(t, scim, "ada@acme.test", "Ada", "Lovelace", "")
	grace := createSCIMUser(t, scim, "grace@acme.test", "Grace", "Hopper", "")
	linus := createSCIMUser(t, scim, "linus@acme.test", "Linus", "Torvalds", "Okta-Synced-9")
	bob := createSCIMUser(t, scim, "bob@acme.test", "Bob", "Gone", "")
	res, err := scim.Patch(ctx, "/Users/"+bob, map[string]any{
		"schemas":    []string{scimclient.PatchOpSchema},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}},
	})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.Status, res.String())
	kernel := createSCIMGroup(t, scim, "Kernel", ada, linus)
	createSCIMGroup(t, scim, "Ops <team> & co", grace)

	e, err := NewExternal(ctx, File{
		SP: SPSection{
			BaseURL:        r.srv.URL,
			SignedIn:       &SignedInPage{Pattern: signedInPattern},
			PasswordSignIn: &PasswordForm{URL: "/users/sign-in"},
		},
		SCIM: &Endpoint{URL: scimURL, Token: token},
	})
	require.NoError(t, err)
	e.scimPage = 2 // so that four users take three pages

	org, err := e.CreateOrganization(ctx, "Acme")
	require.NoError(t, err)
	assert.Equal(t, Org{ID: "scim", Name: "Acme"}, org)
	_, err = e.CreateOrganization(ctx, "Globex")
	require.ErrorIs(t, err, ErrUnsupported)
	assert.ErrorContains(t, err, "a second organization (the target file names one SCIM tenant)")

	gotURL, gotToken, err := e.EnableProvisioning(ctx, org)
	require.NoError(t, err)
	assert.Equal(t, []string{scimURL, token}, []string{gotURL, gotToken})

	members, err := e.OrgMembers(ctx, org)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"ada@acme.test", "grace@acme.test", "linus@acme.test"}, members, "bob is deactivated")

	team, ok, err := e.FindTeam(ctx, org, "kernel")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Team{ID: kernel, Name: "Kernel"}, team)
	_, ok, err = e.FindTeam(ctx, org, "OPS <team> & CO")
	require.NoError(t, err)
	assert.True(t, ok, "angle brackets and ampersands survive the filter")
	_, ok, err = e.FindTeam(ctx, org, "Nobody's")
	require.NoError(t, err)
	assert.False(t, ok)

	inTeam, err := e.TeamMembers(ctx, org, team)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"ada@acme.test", "linus@acme.test"}, inTeam)

	m, err := e.Profile(ctx, "grace@acme.test")
	require.NoError(t, err)
	assert.Equal(t, Member{Email: "grace@acme.test", GivenName: "Grace", FamilyName: "Hopper"}, m)
	_, err = e.Profile(ctx, "nobody@acme.test")
	assert.ErrorContains(t, err, "no user with userName nobody@acme.test")

	// The file has a sign-in form and a signed-in page: both work without hooks.
	b := browser.New(nil)
	require.NoError(t, e.PasswordSignIn(ctx, b, "linus@acme.test", "Okta-Synced-9"))
	who, ok, err := e.SignedIn(ctx, b.Jar())
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, SignedIn{Email: "linus@acme.test", OrgName: "Acme"}, who)

	assert.Equal(t, r.srv.URL, e.BaseURL())
}

// TestExternalSCIMOnlyUnsupported checks that what SCIM cannot judge is
// unsupported, naming what is missing.
func TestExternalSCIMOnlyUnsupported(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e, err := NewExternal(ctx, File{SCIM: &Endpoint{URL: "https://sp.test/scim/v2", Token: "t"}})
	require.NoError(t, err)
	assert.Equal(t, "https://sp.test", e.BaseURL(), "without sp.base_url, the SCIM URL's origin")
	org, team := Org{ID: "scim"}, Team{ID: "g1"}
	for name, call := range map[string]func() error{
		"ConnectOkta":           func() error { _, err := e.ConnectOkta(ctx, org); return err },
		"ConfigureFromMetadata": func() error { return e.ConfigureFromMetadata(ctx, org, "https://idp.test/md") },
		"ConfigureManually":     func() error { return e.ConfigureManually(ctx, org, "https://idp.test/sso", "pem") },
		"Integration":           func() error { _, err := e.Integration(ctx, org); return err },
		"MarkConnected":         func() error { return e.MarkConnected(ctx, org) },
		"StartConnect":          func() error { _, err := e.StartConnect(ctx, org); return err },
		"DisableOkta":           func() error { return e.DisableOkta(ctx, org) },
		"RotateSCIMToken":       func() error { _, err := e.RotateSCIMToken(ctx, org); return err },
		"DisableProvisioning":   func() error { return e.DisableProvisioning(ctx, org) },
		"AddMember":             func() error { return e.AddMember(ctx, org, Member{Email: "a@b.test"}) },
		"CreateTeam":            func() error { _, err := e.CreateTeam(ctx, org, "T"); return err },
		"AddTeamDomain":         func() error { return e.AddTeamDomain(ctx, org, team, "b.test") },
		"AddTeamResource":       func() error { return e.AddTeamResource(ctx, org, team, "m") },
		"TeamResources":         func() error { _, err := e.TeamResources(ctx, org, team); return err },
		"HasAccount":            func() error { _, err := e.HasAccount(ctx, "a@b.test"); return err },
		"AuditActions":          func() error { _, err := e.AuditActions(ctx, org); return err },
		"RefusalLogged":         func() error { return e.RefusalLogged(ctx, "i1", ProblemExpired) },
		"DeleteOrganization":    func() error { return e.DeleteOrganization(ctx, org) },
	} {
		err := call()
		require.ErrorIs(t, err, ErrUnsupported, name)
		assert.Contains(t, err.Error(), "(the target file has no hooks)", name)
	}
	for name, tc := range map[string]struct {
		call func() error
		want string
	}{
		"HoldsSecret":    {func() error { _, err := e.HoldsSecret(ctx, "s"); return err }, "inspecting the service provider's storage"},
		"PasswordSignIn": {func() error { return e.PasswordSignIn(ctx, browser.New(nil), "a@b.test", "pw") }, "the target file has no sp.password_sign_in"},
		"SignedIn":       {func() error { _, _, err := e.SignedIn(ctx, nil); return err }, "the target file has no sp.signed_in"},
	} {
		err := tc.call()
		require.ErrorIs(t, err, ErrUnsupported, name)
		assert.Contains(t, err.Error(), tc.want, name)
	}
	_, _, err = e.EnableProvisioning(ctx, Org{ID: "other"})
	assert.ErrorContains(t, err, "not the target file's SCIM tenant")
}

// TestExternalDeleteOrganization: an organization a scenario made goes, with
// the accounts it alone had.
func TestExternalDeleteOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := startRefSP(t, nil)
	e, err := NewExternal(ctx, r.file())
	require.NoError(t, err)
	org, err := e.CreateOrganization(ctx, "Doomed")
	require.NoError(t, err)
	require.NoError(t, e.AddMember(ctx, org, Member{Email: "solo@doomed.test"}))

	require.NoError(t, e.DeleteOrganization(ctx, org))
	has, err := e.HasAccount(ctx, "solo@doomed.test")
	require.NoError(t, err)
	assert.False(t, has, "the account belonged to that organization alone")
	_, err = e.OrgMembers(ctx, org)
	assert.ErrorContains(t, err, "404")
	assert.Error(t, e.DeleteOrganization(ctx, org), "deleting it twice")
}

// TestExternalSignedInPage checks how the signed-in page is read: status,
// pattern, HTML escapes, redirects and the browser's cookies.
func TestExternalSignedInPage(t *testing.T) {
	t.Parallel()
	var idpHits atomic.Int32
	idp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		idpHits.Add(1)
		fmt.Fprint(w, `Signed in as <strong>idp@okta.test</strong> — <strong>Okta</strong>`)
	}))
	defer idp.Close()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if c, err := r.Cookie("sid"); err != nil || c.Value != "ada" {
				http.Redirect(w, r, "/sign-in", http.StatusFound)
				return
			}
			http.SetCookie(w, &http.Cookie{Name: "seen", Value: "1", Path: "/"})
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/home", page(`<p>Signed in as <strong>ada&#43;x@acme.test</strong> — <strong>Acme &amp; Co</strong></p>`))
	mux.HandleFunc("/no-org", page(`<p>Signed in as <strong>ada@acme.test</strong></p>`))
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/home", http.StatusFound) })
	mux.HandleFunc("/to-idp", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, idp.URL+"/", http.StatusFound) })
	mux.HandleFunc("/sign-in", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `<form>Sign in</form>`) })
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `Signed in as <strong>ada@acme.test</strong> — <strong>Acme</strong>`, http.StatusInternalServerError)
	})
	site := httptest.NewServer(mux)
	defer site.Close()
	siteURL, _ := url.Parse(site.URL)

	for _, tc := range []struct {
		name, url, pattern string
		signedIn           bool
		want               SignedIn
		wantOK             bool
	}{
		{"signed in, escapes undone", "/home", signedInPattern, true, SignedIn{Email: "ada+x@acme.test", OrgName: "Acme & Co"}, true},
		{"no org group", "/no-org", `Signed in as <strong>(?P<email>[^<]+)</strong>`, true, SignedIn{Email: "ada@acme.test"}, true},
		{"same-host redirect followed", "/moved", signedInPattern, true, SignedIn{Email: "ada+x@acme.test", OrgName: "Acme & Co"}, true},
		{"no session", "/home", signedInPattern, false, SignedIn{}, false},
		{"other-host redirect not followed", "/to-idp", signedInPattern, true, SignedIn{}, false},
		{"not 200", "/error", signedInPattern, true, SignedIn{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := NewExternal(context.Background(), File{
				SP:    SPSection{BaseURL: site.URL, SignedIn: &SignedInPage{URL: tc.url, Pattern: tc.pattern}},
				Hooks: &Endpoint{URL: site.URL + "/hooks", Token: "t"},
			})
			require.NoError(t, err)
			jar := newJar()
			if tc.signedIn {
				jar.SetCookies(siteURL, []*http.Cookie{{Name: "sid", Value: "ada", Path: "/"}})
			}
			who, ok, err := e.SignedIn(context.Background(), jar)
			require.NoError(t, err)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, who)
			for _, c := range jar.Cookies(siteURL) {
				assert.NotEqual(t, "seen", c.Name, "looking sets no cookie in the browser")
			}
		})
	}
	assert.Zero(t, idpHits.Load(), "the IdP was never asked")

	// A page that cannot be reached is an error, not "signed out".
	e, err := NewExternal(context.Background(), File{
		SP:    SPSection{BaseURL: "http://127.0.0.1:1", SignedIn: &SignedInPage{Pattern: signedInPattern}},
		Hooks: &Endpoint{URL: "http://127.0.0.1:1/hooks", Token: "t"},
	})
	require.NoError(t, err)
	_, _, err = e.SignedIn(context.Background(), newJar())
	assert.Error(t, err)
}

func TestSCIMString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `"Ops <team> & \\ \"co\""`, scimString(`Ops <team> & \ "co"`))
}

func TestFillPattern(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern string
		params  []string
		want    string
		wantErr string
	}{
		{"/orgs/{org}/teams/{team}/members", []string{"o 1", "t/2"}, "/orgs/o%201/teams/t%2F2/members", ""},
		{"/accounts/{email}", []string{"ada+x@acme.test"}, "/accounts/ada+x@acme.test", ""},
		{"/orgs", nil, "/orgs", ""},
		{"/orgs/{org}", nil, "", "fewer parameters"},
		{"/orgs", []string{"x"}, "", "more parameters"},
		{"/orgs/{org}", []string{""}, "", "{org} is empty"},
	} {
		got, err := fillPattern(tc.pattern, tc.params)
		if tc.wantErr != "" {
			assert.ErrorContains(t, err, tc.wantErr, tc.pattern)
			continue
		}
		require.NoError(t, err, tc.pattern)
		assert.Equal(t, tc.want, got)
	}
}

// TestExternalRefusesBadFile checks that NewExternal validates a File built
// in Go as ParseFile would.
func TestExternalRefusesBadFile(t *testing.T) {
	t.Parallel()
	_, err := NewExternal(context.Background(), File{SP: SPSection{BaseURL: "http://sp.test"}})
	assert.ErrorContains(t, err, "nothing to test")
	_, err = NewExternal(context.Background(), File{Hooks: &Endpoint{URL: "http://sp.test/h", Token: "t"}})
	assert.ErrorContains(t, err, "sp.base_url: required with hooks")
	assert.False(t, errors.Is(err, ErrUnsupported))
}
