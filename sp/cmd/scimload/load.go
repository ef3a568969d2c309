package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// driver sends Okta's requests with a fixed pool of keep-alive connections.
type driver struct {
	base     string
	auth     string
	clients  int
	password bool // send a password with each create, as Okta does
	client   *http.Client
	runID    string
	seq      atomic.Int64
}

func newDriver(base, token string, clients int, password bool) *driver {
	tr := &http.Transport{
		Proxy:               nil, // loopback: never through a proxy
		MaxIdleConns:        clients,
		MaxIdleConnsPerHost: clients,
		MaxConnsPerHost:     clients,
		IdleConnTimeout:     time.Minute,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	}
	return &driver{
		base:     base,
		auth:     "Bearer " + token,
		clients:  clients,
		password: password,
		client:   &http.Client{Transport: tr, Timeout: 60 * time.Second}, // Okta's socket timeout
		runID:    strconv.FormatInt(time.Now().UnixNano(), 36),
	}
}

func (d *driver) close() { d.client.CloseIdleConnections() }

// report is what a run measured.
type report struct {
	clients        int
	creates        int
	createTime     time.Duration
	filters        []time.Duration
	filterTime     time.Duration
	errors         int
	firstError     string
	stoppedByLimit bool
}

func (r report) write(w io.Writer) {
	fmt.Fprintf(w, "clients: %d (keep-alive connections)\n", r.clients)
	if r.creates > 0 {
		fmt.Fprintf(w, "create sequences: %d in %s = %.0f/s\n", r.creates, r.createTime.Round(time.Millisecond), float64(r.creates)/r.createTime.Seconds())
	}
	if n := len(r.filters); n > 0 {
		lat := slices.Clone(r.filters)
		slices.Sort(lat)
		p := func(q float64) string {
			return fmt.Sprintf("%.2fms", float64(lat[int(q*float64(n-1))].Microseconds())/1000)
		}
		fmt.Fprintf(w, "userName filters: %d in %s = %.0f/s; latency p50 %s, p90 %s, p99 %s, max %s\n",
			n, r.filterTime.Round(time.Millisecond), float64(n)/r.filterTime.Seconds(), p(0.5), p(0.9), p(0.99), p(1))
	}
	if r.stoppedByLimit {
		fmt.Fprintln(w, "stopped by the time limit")
	}
	fmt.Fprintf(w, "errors: %d", r.errors)
	if r.firstError != "" {
		fmt.Fprintf(w, " (first: %s)", r.firstError)
	}
	fmt.Fprintln(w)
}

// run does the creates, then times the filters, each phase bounded by limit.
func (d *driver) run(ctx context.Context, creates, filters int, limit time.Duration) (report, error) {
	rep := report{clients: d.clients}
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		rep.errors++
		if rep.firstError == "" {
			rep.firstError = err.Error()
		}
	}

	created := make([]string, 0, creates)
	start := time.Now()
	done, stopped := d.parallel(ctx, rep.clients, creates, limit, func(ctx context.Context) {
		email := fmt.Sprintf("load-%s-%d@scimload.test", d.runID, d.seq.Add(1))
		if _, err := d.filter(ctx, email); err != nil {
			fail(err)
			return
		}
		if err := d.create(ctx, email); err != nil {
			fail(err)
			return
		}
		mu.Lock()
		created = append(created, email)
		mu.Unlock()
	})
	rep.creates, rep.createTime, rep.stoppedByLimit = done, time.Since(start), stopped

	if len(created) == 0 {
		// Nothing of ours to look up: time lookups that find nobody instead.
		created = append(created, "nobody-"+d.runID+"@scimload.test")
	}
	var i atomic.Int64
	start = time.Now()
	_, stopped = d.parallel(ctx, rep.clients, filters, limit, func(ctx context.Context) {
		email := created[int(i.Add(1))%len(created)]
		lat, err := d.filter(ctx, email)
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		rep.filters = append(rep.filters, lat)
		mu.Unlock()
	})
	rep.filterTime = time.Since(start)
	rep.stoppedByLimit = rep.stoppedByLimit || stopped
	if rep.errors > 0 {
		return rep, fmt.Errorf("%d requests failed", rep.errors)
	}
	return rep, nil
}

// parallel runs fn n times on clients goroutines, until done or limit.
func (d *driver) parallel(ctx context.Context, clients, n int, limit time.Duration, fn func(context.Context)) (int, bool) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for ctx.Err() == nil && next.Add(1) <= int64(n) {
				fn(ctx)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	return int(done.Load()), ctx.Err() != nil && done.Load() < int64(n)
}

// filter is Okta's lookup before a create; it returns the request's latency.
func (d *driver) filter(ctx context.Context, email string) (time.Duration, error) {
	q := url.Values{"filter": {`userName eq "` + email + `"`}, "startIndex": {"1"}, "count": {"100"}}
	start := time.Now()
	_, err := d.do(ctx, http.MethodGet, "/Users?"+q.Encode(), nil, http.StatusOK)
	return time.Since(start), err
}

// create is Okta's POST of a new user.
func (d *driver) create(ctx context.Context, email string) error {
	user := map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    email,
		"name":        map[string]any{"givenName": "Load", "familyName": "Test"},
		"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
		"displayName": "Load Test", "locale": "en-US", "externalId": "00u" + d.runID, "groups": []any{}, "active": true,
	}
	if d.password {
		user["password"] = "Okta-random-" + d.runID
	}
	body, err := json.Marshal(user)
	if err != nil {
		return err
	}
	_, err = d.do(ctx, http.MethodPost, "/Users", body, http.StatusCreated)
	return err
}

func (d *driver) do(ctx context.Context, method, path string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", d.auth)
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	req.Header.Set("User-Agent", "Okta SCIM Client 1.0.0 (scimload)")
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	// Read to the end, so that the connection is kept alive.
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: HTTP %d: %.200s", method, path, resp.StatusCode, raw)
	}
	return raw, nil
}

// inProcess is a reference SP started for the run.
type inProcess struct {
	scimURL string
	token   string
	seeded  time.Duration
	close   func()
}

// startReferenceSP serves a fresh reference SP on a loopback port, with one
// organization whose integration is connected and provisioned.
func startReferenceSP(ctx context.Context, seed int) (*inProcess, error) {
	dir, err := os.MkdirTemp("", "scimload-")
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "refsp.db"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = st.Close()
		_ = os.RemoveAll(dir)
		return nil, err
	}
	cleanup := func() {
		_ = ln.Close()
		_ = st.Close()
		_ = os.RemoveAll(dir)
	}
	srv, err := sp.New(sp.Config{BaseURL: "http://" + ln.Addr().String(), Store: st})
	if err != nil {
		cleanup()
		return nil, err
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	stop := func() {
		_ = hs.Close()
		cleanup()
	}

	org, err := st.CreateOrganization(ctx, store.Organization{Name: "Load"})
	if err == nil {
		// The SAML side is never used here: SCIM only needs a connected
		// integration, so the IdP details are placeholders.
		var in store.Integration
		in, err = st.CreateIntegration(ctx, store.Integration{OrgID: org.ID, Status: store.StatusConnected,
			SSOURL: "https://idp.invalid/sso", CertPEM: "placeholder"})
		if err == nil {
			var token string
			if token, err = srv.EnableProvisioning(ctx, in.ID); err == nil {
				start := time.Now()
				if err = seedUsers(ctx, st, org.ID, seed); err == nil {
					return &inProcess{scimURL: srv.SCIMBaseURL(), token: token, seeded: time.Since(start), close: stop}, nil
				}
			}
		}
	}
	stop()
	return nil, fmt.Errorf("set up the in-process SP: %w", err)
}

// seedUsers creates n SCIM users with accounts and memberships, as Okta's
// creates leave them, in one transaction.
func seedUsers(ctx context.Context, st store.Store, orgID string, n int) error {
	if n == 0 {
		return nil
	}
	return st.InTx(ctx, func(tx store.Store) error {
		now := time.Now()
		for i := range n {
			email := fmt.Sprintf("seed%07d@scimload.test", i)
			u, err := tx.CreateUser(ctx, store.User{Email: email, GivenName: "Seed", FamilyName: strconv.Itoa(i),
				DisplayName: "Seed " + strconv.Itoa(i), Locale: "en-US", CreatedAt: now})
			if err != nil {
				return err
			}
			if _, err := tx.AddMembership(ctx, store.Membership{OrgID: orgID, UserID: u.ID, Role: store.RoleMember,
				Source: store.SourceSCIM, CreatedAt: now}); err != nil {
				return err
			}
			profile, err := json.Marshal(map[string]any{
				"name":        map[string]any{"givenName": "Seed", "familyName": strconv.Itoa(i)},
				"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
				"displayName": "Seed " + strconv.Itoa(i), "locale": "en-US",
			})
			if err != nil {
				return err
			}
			if _, err := tx.CreateSCIMUser(ctx, store.SCIMUser{OrgID: orgID, UserName: email, Active: true, UserID: u.ID,
				Emails: []string{email}, Profile: string(profile), CreatedAt: now}); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return errors.Join(errors.New("seeding interrupted"), err)
			}
		}
		return nil
	})
}
