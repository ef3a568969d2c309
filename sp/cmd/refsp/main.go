// Command refsp runs the reference service provider.
//
// Every flag has an environment fallback (flag beats environment beats default):
//
//	-addr       REFSP_ADDR       listen address (default 127.0.0.1:8080)
//	-base-url   REFSP_BASE_URL   external URL (default http://{addr})
//	-data       REFSP_DATA       data directory; SQLite file {data}/refsp.db (default ./data)
//	-db         REFSP_DB         postgres://… DSN to use PostgreSQL instead of SQLite
//	-demo-okta  REFSP_DEMO_OKTA  URL of a running fake Okta: seed demo data wired to it
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

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/demo"
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
}

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
	} {
		if v := strings.TrimSpace(getenv(fe.env)); v != "" && !given[fe.flag] {
			if err := fs.Set(fe.flag, v); err != nil {
				return o, fmt.Errorf("%s: %w", fe.env, err)
			}
		}
	}
	return o, nil
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
	srv, err := sp.New(sp.Config{BaseURL: base, Store: st, Logger: log})
	if err != nil {
		_ = ln.Close()
		return err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "Reference SP listening on %s (%s)\n", srv.BaseURL()+"/", where)

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
