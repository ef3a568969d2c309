// Command refsp runs the reference service provider.
//
// Every flag has an environment fallback (flag beats environment beats default):
//
//	-addr              REFSP_ADDR              listen address (default 127.0.0.1:8080)
//	-base-url          REFSP_BASE_URL          external URL (default http://{addr})
//	-data              REFSP_DATA              data directory; SQLite file {data}/refsp.db (default ./data)
//	-db                REFSP_DB                postgres://… DSN to use PostgreSQL instead of SQLite
//	-demo-okta         REFSP_DEMO_OKTA         URL of a running fake Okta: seed demo data wired to it
//	-password-cost     REFSP_PASSWORD_COST     bcrypt cost of passwords synced over SCIM, 4..31 (default 10; tests use 4)
//	-hooks-token-file  REFSP_HOOKS_TOKEN_FILE  file holding the conformance hooks token
//
// A hooks token (from -hooks-token-file, else the token itself in
// REFSP_HOOKS_TOKEN; at least 32 characters) serves the conformance hooks API
// (docs/hooks-api.md) at {base}/api/hooks/v1. It is for test deployments only:
// the hooks create organizations and read every account. There is no flag for
// the token itself, so that it never shows in the process list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/demo"
	"github.com/ssoharness/ssoharness/sp/hooksapi"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/postgres"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "refsp:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, baseURL, data, db, demoOkta string
	passwordCost                      int
	hooksTokenFile                    string
	// hooksToken is the token read from hooksTokenFile or REFSP_HOOKS_TOKEN;
	// empty means no hooks.
	hooksToken string
}

// minHooksToken is the shortest hooks token accepted: the token is all that
// stands between the network and a test SP's every account, so it must be
// unguessable (32 hex digits are 128 bits).
const minHooksToken = 32

// parseFlags reads args; every flag not given falls back to its environment
// variable. The environment is applied after parsing, so -h shows the built-in
// defaults and never echoes a DSN (with its password) from the environment.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("refsp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address, host:port (env REFSP_ADDR)")
	fs.StringVar(&o.baseURL, "base-url", "", "external base URL every SAML URL is derived from (env REFSP_BASE_URL; default http://{addr})")
	fs.StringVar(&o.data, "data", "./data", "data directory; the SQLite database is {data}/refsp.db (env REFSP_DATA)")
	fs.StringVar(&o.db, "db", "", "a postgres://… DSN switches to PostgreSQL; empty means SQLite in -data (env REFSP_DB)")
	fs.StringVar(&o.demoOkta, "demo-okta", "", "URL of a running fake Okta; when set, seed the demo organization and connect it (env REFSP_DEMO_OKTA)")
	fs.IntVar(&o.passwordCost, "password-cost", bcrypt.DefaultCost, "bcrypt cost of the passwords Okta syncs over SCIM, 4..31; test deployments use 4 (env REFSP_PASSWORD_COST)")
	fs.StringVar(&o.hooksTokenFile, "hooks-token-file", "", "file holding the conformance hooks token (at least 32 characters): serves the test-only hooks API at {base}"+hooksapi.Prefix+"; never on production (env REFSP_HOOKS_TOKEN_FILE, or the token itself in REFSP_HOOKS_TOKEN)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: refsp [flags]\n\nRuns the reference service provider (Sign in with Okta over SAML).\nEvery flag falls back to its environment variable; a flag given beats it.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, fe := range []struct{ flag, env string }{
		{"addr", "REFSP_ADDR"}, {"base-url", "REFSP_BASE_URL"}, {"data", "REFSP_DATA"},
		{"db", "REFSP_DB"}, {"demo-okta", "REFSP_DEMO_OKTA"},
		{"password-cost", "REFSP_PASSWORD_COST"}, {"hooks-token-file", "REFSP_HOOKS_TOKEN_FILE"},
	} {
		if v := strings.TrimSpace(getenv(fe.env)); v != "" && !given[fe.flag] {
			if err := fs.Set(fe.flag, v); err != nil {
				return o, fmt.Errorf("%s: %w", fe.env, err)
			}
		}
	}
	if o.passwordCost < bcrypt.MinCost || o.passwordCost > bcrypt.MaxCost {
		return o, fmt.Errorf("-password-cost (or REFSP_PASSWORD_COST) must be %d..%d, not %d", bcrypt.MinCost, bcrypt.MaxCost, o.passwordCost)
	}
	var err error
	o.hooksToken, err = hooksToken(o.hooksTokenFile, getenv)
	return o, err
}

// hooksToken reads the conformance hooks token from file, else from
// REFSP_HOOKS_TOKEN; "" when neither is set. Errors never include the token.
func hooksToken(file string, getenv func(string) string) (string, error) {
	token, from := strings.TrimSpace(getenv("REFSP_HOOKS_TOKEN")), "REFSP_HOOKS_TOKEN"
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("-hooks-token-file: %w", err)
		}
		token, from = strings.TrimSpace(string(b)), "the hooks token file "+file
		if token == "" {
			return "", fmt.Errorf("%s is empty: put the conformance hooks token in it (at least %d characters, e.g. from openssl rand -hex 32)", from, minHooksToken)
		}
	}
	if token != "" && len(token) < minHooksToken {
		return "", fmt.Errorf("the conformance hooks token in %s is %d characters; it must be at least %d (e.g. openssl rand -hex 32)", from, len(token), minHooksToken)
	}
	return token, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	st, where, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()

	// Listen before deriving the base URL, so that -addr with port 0 works.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	base := o.baseURL
	if base == "" {
		base = "http://" + displayHost(ln.Addr().String())
	}
	srv, err := sp.New(sp.Config{BaseURL: base, Store: st, Logger: log, PasswordCost: o.passwordCost, HooksToken: o.hooksToken})
	if err != nil {
		_ = ln.Close()
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Reference SP listening on %s (%s)\n", srv.BaseURL()+"/", where)
	// A binary built broken on purpose, for the conformance suite's own
	// tests, says so where nobody can miss it.
	for _, d := range ssosaml.Defects() {
		fmt.Fprintf(stderr, "WARNING: this build is broken on purpose: %s\n", d)
	}
	if o.hooksToken != "" {
		fmt.Fprintf(stdout, "Conformance hooks enabled at %s (test deployments only)\n", srv.BaseURL()+hooksapi.Prefix)
	}

	if o.demoOkta != "" {
		res, err := demo.Seed(ctx, srv, demo.Options{OktaURL: o.demoOkta})
		if err != nil {
			_ = hs.Close()
			return err
		}
		res.WriteSummary(stdout)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Fprintln(stdout, "Shutting down")
	return hs.Shutdown(shutdownCtx)
}

// openStore opens PostgreSQL when -db is a postgres DSN, else SQLite in -data. It
// returns a description of where the data lives that is safe to print.
func openStore(ctx context.Context, o options) (store.Store, string, error) {
	if o.db != "" {
		if !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://") {
			return nil, "", errors.New("-db must be a postgres:// DSN (leave it empty for SQLite)")
		}
		st, err := postgres.Open(ctx, o.db)
		if err != nil {
			return nil, "", err
		}
		return st, "database: PostgreSQL", nil
	}
	if err := os.MkdirAll(o.data, 0o750); err != nil {
		return nil, "", err
	}
	path := filepath.Join(o.data, "refsp.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, "", err
	}
	return st, "data file: " + path, nil
}

// displayHost turns a listener address into one a browser can open: a wildcard
// host becomes localhost.
func displayHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
