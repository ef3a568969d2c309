package scimapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/store"
)

// The benchmarks measure the SCIM server's hot paths at the handler, without
// a network (the load driver in sp/cmd/scimload adds HTTP over loopback):
//
//	go test -run '^$' -bench . -benchtime 1x ./sp/scimapi/      # all, once
//	SCIMBENCH_USERS=10000 go test -run '^$' -bench . ./sp/scimapi/
//
// Each backend is seeded once with SCIMBENCH_USERS SCIM users (default
// 100,000), in one transaction through the store, as Okta would have created
// them. PostgreSQL runs too when SP_TEST_POSTGRES_DSN is set.
func BenchmarkSCIM(b *testing.B) {
	users := 100_000
	if v := os.Getenv("SCIMBENCH_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("SCIMBENCH_USERS=%q: want a number of at least 1000", v)
		}
		users = n
	}
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			// A fresh store for the create sequence with no users at all.
			b.Run("CreateSequence/users=0", func(b *testing.B) {
				createSequence(b, newBench(b, be.open(b)), false)
			})

			st := be.open(b)
			e := newBench(b, st)
			start := time.Now()
			ids := seedUsers(b, e, users, be)
			b.Logf("%s: seeded %d users in %s", be.name, users, time.Since(start).Round(time.Millisecond))
			settle(b, st)
			label := fmt.Sprintf("users=%d", users)

			b.Run("GetUser/"+label, func(b *testing.B) {
				e := e.on(b)
				i := 0
				for b.Loop() {
					i++
					e.mustServe(http.MethodGet, "/Users/"+ids[(i*7919)%len(ids)], nil, http.StatusOK)
				}
			})
			b.Run("FilterUserName/"+label, func(b *testing.B) {
				e := e.on(b)
				var lat []time.Duration
				i := 0
				for b.Loop() {
					i++
					q := "/Users?filter=" + queryEscape(fmt.Sprintf(`userName eq "USER%06d@bench.test"`, (i*7919)%users)) + "&startIndex=1&count=100"
					t0 := time.Now()
					e.mustServe(http.MethodGet, q, nil, http.StatusOK)
					lat = append(lat, time.Since(t0))
				}
				reportPercentiles(b, lat)
			})
			b.Run("Import/count=100/"+label, func(b *testing.B) {
				e := e.on(b)
				for b.Loop() {
					seen := 0
					for startIndex := 1; ; startIndex += 100 {
						var page struct {
							TotalResults int               `json:"totalResults"`
							Resources    []json.RawMessage `json:"Resources"`
						}
						raw := e.mustServe(http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=100", startIndex), nil, http.StatusOK)
						if err := json.Unmarshal(raw, &page); err != nil {
							b.Fatal(err)
						}
						seen += len(page.Resources)
						if startIndex+100 > page.TotalResults {
							break
						}
					}
					if seen != users {
						b.Fatalf("imported %d users, want %d", seen, users)
					}
				}
				b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/import")
			})
			b.Run("GroupPatchAdd1000/"+label, func(b *testing.B) {
				e := e.on(b)
				members := make([]any, 0, 1000)
				for _, id := range ids[:1000] {
					members = append(members, map[string]any{"value": id, "display": id})
				}
				body, err := json.Marshal(patchOp(op("add", "members", members)))
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					raw := e.mustServe(http.MethodPost, "/Groups", group(fmt.Sprintf("Group %d-%d", b.N, i)), http.StatusCreated)
					var g struct{ ID string }
					if err := json.Unmarshal(raw, &g); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					e.mustServe(http.MethodPatch, "/Groups/"+g.ID, body, http.StatusOK)
				}
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/patch")
			})
			b.Run("CreateSequence/"+label, func(b *testing.B) { createSequence(b, e.on(b), false) })
			b.Run("CreateSequenceParallel/"+label, func(b *testing.B) { createSequence(b, e.on(b), true) })
			b.Run("CreateSequenceWithPassword/"+label, func(b *testing.B) {
				e := e.on(b)
				e.password = "Okta-Random-Password-1"
				createSequence(b, e, true)
			})
		})
	}
}

// bench is an env without the test helpers' response decoding, so that the
// numbers are the server's.
type bench struct {
	tb       testing.TB
	srv      *scimapi.Server
	store    store.Store
	org      tenant
	auth     string
	seq      *atomic.Int64 // numbers created users across sub-benchmarks
	password string        // sent with created users when set
}

func newBench(tb testing.TB, st store.Store) *bench {
	e := newEnvWith(tb, st, 0)
	return &bench{tb: tb, srv: e.srv, store: st, org: e.org, auth: "Bearer " + e.org.token, seq: &atomic.Int64{}}
}

func (e *bench) on(tb testing.TB) *bench { c := *e; c.tb = tb; return &c }

// mustServe sends one request and returns the body; the wrong status fails.
func (e *bench) mustServe(method, path string, body any, want int) []byte {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			e.tb.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, baseURL+scimapi.Prefix+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", e.auth)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != want {
		e.tb.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// createSequence is Okta's create: filter by userName, then POST.
func createSequence(b *testing.B, e *bench, parallel bool) {
	one := func() {
		n := e.seq.Add(1)
		email := fmt.Sprintf("new%07d@bench.test", n)
		e.mustServe(http.MethodGet, "/Users?filter="+queryEscape(`userName eq "`+email+`"`)+"&startIndex=1&count=100", nil, http.StatusOK)
		u := oktaUser(email, "New", strconv.FormatInt(n, 10))
		if e.password != "" {
			u["password"] = e.password
		}
		e.mustServe(http.MethodPost, "/Users", u, http.StatusCreated)
	}
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				one()
			}
		})
	} else {
		for b.Loop() {
			one()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seq/s")
}

// seedUsers creates n SCIM users with accounts and memberships, as Okta's
// creates leave them, and returns their SCIM ids in creation order. SQLite
// takes them in one transaction (there is one writer at a time anyway).
// PostgreSQL takes them in transactions of a thousand on two connections:
// the store runs each statement of a transaction under a savepoint there, and
// a transaction with a million subtransactions slows every statement down.
func seedUsers(tb testing.TB, e *bench, n int, be backend) []string {
	ctx := context.Background()
	chunk := n
	if be.seedChunk > 0 {
		chunk = be.seedChunk
	}
	var ranges [][2]int
	for lo := 0; lo < n; lo += chunk {
		ranges = append(ranges, [2]int{lo, min(n, lo+chunk)})
	}
	ids := make([][]string, len(ranges))
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, len(ranges))
	for range max(1, be.seedWorkers) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(ranges); i = int(next.Add(1)) - 1 {
				var err error
				if ids[i], err = seedRange(ctx, e, ranges[i][0], ranges[i][1]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
	return slices.Concat(ids...)
}

func seedRange(ctx context.Context, e *bench, lo, hi int) ([]string, error) {
	ids := make([]string, 0, hi-lo)
	err := e.store.InTx(ctx, func(tx store.Store) error {
		now := time.Now()
		for i := lo; i < hi; i++ {
			email := fmt.Sprintf("user%06d@bench.test", i)
			given, family := "Given", fmt.Sprintf("Family%06d", i)
			u, err := tx.CreateUser(ctx, store.User{Email: email, GivenName: given, FamilyName: family,
				DisplayName: given + " " + family, Locale: "en-US", CreatedAt: now})
			if err != nil {
				return err
			}
			if _, err := tx.AddMembership(ctx, store.Membership{OrgID: e.org.org.ID, UserID: u.ID, Role: store.RoleMember,
				Source: store.SourceSCIM, CreatedAt: now}); err != nil {
				return err
			}
			profile, err := json.Marshal(map[string]any{
				"name":        map[string]any{"givenName": given, "familyName": family},
				"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
				"displayName": given + " " + family, "locale": "en-US",
			})
			if err != nil {
				return err
			}
			su, err := tx.CreateSCIMUser(ctx, store.SCIMUser{OrgID: e.org.org.ID, UserName: email, ExternalID: fmt.Sprintf("00u%017d", i),
				Active: true, UserID: u.ID, Emails: []string{email}, Profile: string(profile), CreatedAt: now})
			if err != nil {
				return err
			}
			ids = append(ids, su.ID)
		}
		return nil
	})
	return ids, err
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}
