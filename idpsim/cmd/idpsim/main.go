// Command idpsim runs the fake Okta org: a SAML IdP with a sign-in page and
// a dashboard, stored in SQLite, seeded with demo users at every start.
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

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/seed"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "idpsim:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, baseURL, data, seedFile, org, apiToken string
}

// env returns the environment variable, or def when it is unset or empty.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("idpsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", env("IDPSIM_ADDR", "127.0.0.1:8081"), "listen address (env IDPSIM_ADDR)")
	fs.StringVar(&o.baseURL, "base-url", env("IDPSIM_BASE_URL", ""), "org base URL, as browsers and SPs reach it (env IDPSIM_BASE_URL; default http://{addr})")
	fs.StringVar(&o.data, "data", env("IDPSIM_DATA", "./data"), "data folder; the database is {data}/idpsim.db (env IDPSIM_DATA)")
	fs.StringVar(&o.seedFile, "seed", env("IDPSIM_SEED", ""), "YAML seed file applied at start instead of the built-in demo users (env IDPSIM_SEED)")
	fs.StringVar(&o.org, "org", env("IDPSIM_ORG", idpsim.DefaultOrgName), "org name, used in certificate CNs and page titles (env IDPSIM_ORG)")
	fs.StringVar(&o.apiToken, "api-token", env("IDPSIM_API_TOKEN", ""), "token of the management API (/api/v1), sent as \"Authorization: SSWS {token}\" (env IDPSIM_API_TOKEN; default: a random token, printed at start)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: idpsim [flags]\n\nRuns a fake Okta org (SAML IdP, sign-in page, dashboard) for testing \"Sign in with Okta\".\nThe seed is applied at every start; it only adds or updates.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.baseURL == "" {
		o.baseURL = "http://" + browsable(o.addr)
	}
	return o, nil
}

// browsable turns a listen address into one a browser can open: an empty
// or unspecified host becomes localhost.
func browsable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := os.MkdirAll(o.data, 0o755); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	dir, err := directory.Open(ctx, filepath.Join(o.data, "idpsim.db"))
	if err != nil {
		return err
	}
	defer dir.Close()

	srv, err := idpsim.New(idpsim.Config{BaseURL: o.baseURL, OrgName: o.org, Directory: dir, Logger: logger, APIToken: o.apiToken})
	if err != nil {
		return err
	}

	seedData := seed.Default()
	if o.seedFile != "" {
		if seedData, err = os.ReadFile(o.seedFile); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
	}
	doc, err := idpsim.ParseSeed(seedData)
	if err != nil {
		return err
	}
	res, err := srv.Seed(ctx, doc)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	printBanner(stdout, srv, doc, res)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

func printBanner(w io.Writer, srv *idpsim.Server, doc idpsim.Seed, res idpsim.SeedResult) {
	fmt.Fprintf(w, "Fake Okta org %q\n", srv.OrgName())
	fmt.Fprintf(w, "  Base URL:   %s\n", srv.BaseURL())
	fmt.Fprintf(w, "  Dashboard:  %s\n", srv.DashboardURL())
	fmt.Fprintf(w, "  Admin UI:   %s (users with admin: true in the seed)\n", srv.AdminURL())
	fmt.Fprintf(w, "  API token:  %s (Authorization: SSWS {token} on %s/api/v1/…)\n", srv.APIToken(), srv.BaseURL())
	if len(doc.Users) > 0 {
		fmt.Fprintln(w, "  Demo users (login / password):")
		for _, u := range doc.Users {
			pw := u.Password
			if pw == "" {
				pw = "(no password)"
			}
			fmt.Fprintf(w, "    %-24s %s\n", u.Login, pw)
		}
	}
	for _, a := range res.Apps {
		fmt.Fprintf(w, "  App %q: metadata %s\n", a.Label, a.MetadataURL)
	}
}
