package steps

import (
	"context"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/steps/browser"
	"github.com/ssoharness/ssoharness/steps/oktaremote"
	"github.com/ssoharness/ssoharness/steps/target"
)

// oktaPassword is every scenario person's password at the fake Okta; scenarios
// are about the SP, not about Okta's password rules.
const oktaPassword = "Okta-test-1"

// world is everything one scenario knows. Nothing in it is shared with another
// scenario.
type world struct {
	cfg Config

	tmp  string
	okta fakeOkta
	// oktaDir and oktaHTTP are the scenario's own fake Okta; both nil when
	// the scenario uses a running one (Config.OktaURL).
	oktaDir  *directory.Store
	oktaHTTP *httptest.Server
	sp       target.Target

	tenants map[string]*tenant // by organization name
	last    *tenant            // the organization whose app was added in Okta last: "the app"

	// lastActor is the person who acted last; attacker replays what others sent.
	lastActor *person
	attacker  *person
	// reqMark is the last SCIM request Okta had logged before the scenario's
	// latest action.
	reqMark int64
	// problem is what the scenario made wrong on purpose.
	problem target.Problem

	// lastErr is the SP's answer to the last thing an admin typed or pasted.
	lastErr error
	// docs serves documents that the scenario makes up (bad metadata, say).
	docs    *httptest.Server
	docsMux *http.ServeMux

	mu       sync.Mutex
	browsers map[string]*person // by email

	proto *scimProtocol // what the SCIM protocol steps remember

	// names turns the scenario's names into the ones sent to the fake Okta
	// and the SP, unique to the scenario.
	names *namer
}

// tenant is one organization at the SP and its app in Okta.
type tenant struct {
	org   target.Org
	integ target.Integration
	app   idpsim.App
	teams map[string]target.Team // by name
	// scimOnly: the target offers SCIM but not Okta sign-in for this
	// organization.
	scimOnly bool

	// SCIM: the base URL and the Bearer token the SP showed when provisioning
	// was turned on.
	scimURL, scimToken string
}

// person is someone in the scenario: their Okta account and their browser.
type person struct {
	email   string
	oktaID  string
	browser *browser.Browser
}

func (w *world) start(ctx context.Context) error {
	if w.cfg.OktaURL != "" {
		// A fake Okta that is already running, shared with other
		// scenarios: nothing to start, and nothing for close to stop.
		okta, err := oktaremote.New(w.cfg.OktaURL, w.cfg.OktaToken, w.cfg.OktaHTTP)
		if err != nil {
			return err
		}
		w.okta = okta
	} else if err := w.startOkta(ctx); err != nil {
		return err
	}
	sp, err := w.cfg.NewTarget(ctx)
	if err != nil {
		return err
	}
	w.sp = isolated{Target: sp, n: w.names}
	return nil
}

// startOkta starts the scenario's own fake Okta, in process.
func (w *world) startOkta(ctx context.Context) error {
	tmp, err := os.MkdirTemp("", "ssoharness-scenario-")
	if err != nil {
		return err
	}
	w.tmp = tmp
	// The lowest bcrypt cost: scenario passwords protect nothing, and hashing
	// them at the default cost would dominate the run.
	w.oktaDir, err = directory.Open(ctx, filepath.Join(tmp, "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	if err != nil {
		return err
	}
	w.oktaHTTP = httptest.NewUnstartedServer(nil)
	if w.cfg.OktaHost != "" {
		ln, err := net.Listen("tcp", net.JoinHostPort(w.cfg.OktaHost, "0"))
		if err != nil {
			return fmt.Errorf("the fake Okta cannot listen on %s: %w", w.cfg.OktaHost, err)
		}
		w.oktaHTTP.Listener.Close()
		w.oktaHTTP.Listener = ln
	}
	// The fake Okta calls itself by the host it was given (a name stays a
	// name), on the port it got.
	host := "127.0.0.1"
	if w.cfg.OktaHost != "" {
		host = w.cfg.OktaHost
	}
	_, port, _ := net.SplitHostPort(w.oktaHTTP.Listener.Addr().String())
	oktaBase := "http://" + net.JoinHostPort(host, port)
	var newKey func() (*rsa.PrivateKey, error)
	if w.cfg.Keys != nil {
		used := map[*rsa.PrivateKey]bool{}
		newKey = func() (*rsa.PrivateKey, error) { return w.cfg.Keys.Key(used) }
	}
	srv, err := idpsim.New(idpsim.Config{
		BaseURL:   oktaBase,
		OrgName:   "ssoharness-test",
		Directory: w.oktaDir,
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewKey:    newKey,
	})
	if err != nil {
		return err
	}
	w.okta = localOkta{srv}
	w.oktaHTTP.Config.Handler = srv
	w.oktaHTTP.Start()
	return nil
}

func (w *world) close() {
	if w.sp != nil {
		if w.cfg.CleanUp {
			w.cleanUp()
		}
		w.sp.Close()
	}
	if w.docs != nil {
		w.docs.Close()
	}
	if w.oktaHTTP != nil {
		w.oktaHTTP.Close()
	}
	if w.oktaDir != nil {
		w.oktaDir.Close()
	}
	if w.tmp != "" {
		os.RemoveAll(w.tmp)
	}
}

// person returns the scenario's person with this email, creating their Okta
// account on first mention: in Okta's world everyone has an account, whether or
// not they are assigned to the app.
func (w *world) person(ctx context.Context, email string) (*person, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p, ok := w.browsers[email]; ok {
		return p, nil
	}
	given, family := namesFromEmail(email)
	u, err := w.okta.CreateUser(ctx, idpsim.UserInput{Login: w.names.email(email), FirstName: given, LastName: family, Password: oktaPassword})
	if err != nil {
		return nil, err
	}
	p := &person{email: email, oktaID: u.ID, browser: browser.New(nil)}
	w.browsers[email] = p
	return p, nil
}

func (w *world) people() []*person {
	w.mu.Lock()
	defer w.mu.Unlock()
	ps := make([]*person, 0, len(w.browsers))
	for _, p := range w.browsers {
		ps = append(ps, p)
	}
	return ps
}
