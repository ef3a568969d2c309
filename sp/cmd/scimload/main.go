// Command scimload drives a SCIM server the way Okta's provisioning does and
// reports what it sustains: the create sequence (filter by userName, then POST)
// per second, and the latency of userName filters. It speaks HTTP/1.1 over
// loopback with keep-alive, with a bounded number of requests and a time
// limit.
//
// Against a running reference SP (or any SCIM server):
//
//	scimload -url http://127.0.0.1:8080/scim/v2 -token ssoh_scim_… -creates 2000 -clients 4
//
// Without -url it starts a reference SP of its own (SQLite in a temporary
// directory) on a loopback port, turns provisioning on, and optionally seeds
// users through the store first:
//
//	scimload -seed 100000 -creates 5000 -filters 5000
//
// The token may also come from SCIMLOAD_TOKEN, which keeps it out of ps.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "scimload:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	url      string
	token    string
	creates  int
	filters  int
	clients  int
	seed     int
	password bool
	duration time.Duration
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("scimload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2; empty starts an in-process reference SP")
	fs.StringVar(&o.token, "token", "", "Bearer token for -url (env SCIMLOAD_TOKEN)")
	fs.IntVar(&o.creates, "creates", 2000, "create sequences to run (filter, then POST)")
	fs.IntVar(&o.filters, "filters", 2000, "userName filters to time after the creates")
	fs.IntVar(&o.clients, "clients", 4, "concurrent clients, each with its own keep-alive connection")
	fs.IntVar(&o.seed, "seed", 0, "users to create through the store before the run (in-process SP only)")
	fs.BoolVar(&o.password, "password", false, "send a password with each create, as Okta does (the SP then spends a bcrypt hash on each)")
	fs.DurationVar(&o.duration, "duration", time.Minute, "time limit for each phase")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if o.token == "" {
		o.token = getenv("SCIMLOAD_TOKEN")
	}
	switch {
	case o.creates < 0 || o.filters < 0 || o.seed < 0:
		return o, errors.New("-creates, -filters and -seed must not be negative")
	case o.clients < 1 || o.clients > 256:
		return o, errors.New("-clients must be between 1 and 256")
	case o.duration <= 0:
		return o, errors.New("-duration must be positive")
	case o.url != "" && o.token == "":
		return o, errors.New("-url needs -token (or SCIMLOAD_TOKEN)")
	case o.url != "" && o.seed > 0:
		return o, errors.New("-seed works with the in-process SP only")
	}
	return o, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	target := o.url
	token := o.token
	if target == "" {
		sp, err := startReferenceSP(ctx, o.seed)
		if err != nil {
			return err
		}
		defer sp.close()
		target, token = sp.scimURL, sp.token
		fmt.Fprintf(stdout, "in-process reference SP at %s (SQLite), %d users seeded in %s\n", target, o.seed, sp.seeded.Round(time.Millisecond))
	}
	d := newDriver(target, token, o.clients, o.password)
	defer d.close()
	rep, err := d.run(ctx, o.creates, o.filters, o.duration)
	rep.write(stdout)
	return err
}
