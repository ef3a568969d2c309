package steps_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/features"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/steps"
	"github.com/ssoharness/ssoharness/steps/target"
)

// TestBrokenVariantsFailOnTheirRules runs the whole suite against copies of the
// reference SP with one deliberate defect each. A suite is only worth something
// if it catches real bugs: each variant must fail, and fail on exactly the
// rules its defect breaks, while every other rule still passes.
func TestBrokenVariantsFailOnTheirRules(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the broken variants each run the whole suite")
	}
	rules, err := features.Rules()
	require.NoError(t, err)
	keys := steps.NewKeyPool(16)

	variants := []struct {
		name   string
		defect target.Breakage
		want   []string // the rules that must fail, sorted
	}{
		{
			// PROTO-02 is the rule broken; the others fail because they read
			// lists too: Okta's connector test (SCIM-01), a filter that must
			// find nobody of another organization (SCIM-02), and odd paging
			// parameters that must still answer a ListResponse (PROTO-01).
			name:   "an empty SCIM list has Resources null",
			defect: target.Breakage{Handler: nullResources},
			want:   []string{"PROTO-01", "PROTO-02", "SCIM-01", "SCIM-02"},
		},
		{
			// Okta itself takes a 200 on create, so only the status-code rule
			// may notice.
			name:   "a SCIM create answers 200 instead of 201",
			defect: target.Breakage{Handler: createAnswers200},
			want:   []string{"PROTO-05"},
		},
		{
			name:   "deactivation deletes an account that another organization holds",
			defect: target.Breakage{Store: func(s store.Store) store.Store { return deletingStore{s} }},
			want:   []string{"SCIM-11", "SCIM-13"},
		},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			assertFailsExactly(t, rules, keys, func(ctx context.Context) (target.Target, error) {
				return target.NewBrokenInProcess(ctx, v.defect)
			}, v.want)
		})
	}
}

// assertFailsExactly runs the whole suite against the SPs newTarget starts and
// checks that it fails, on exactly the rules in want (sorted).
func assertFailsExactly(t *testing.T, rules []features.Rule, keys *steps.KeyPool, newTarget func(context.Context) (target.Target, error), want []string) {
	t.Helper()
	cov := steps.NewCoverage()
	opts := godog.Options{
		Output: io.Discard, Format: "progress", Concurrency: 4, Strict: true,
		FS: features.FS(), Paths: []string{"."},
	}
	status := steps.NewSuite(steps.Config{NewTarget: newTarget, Keys: keys}, &opts, cov).Run()
	assert.NotZero(t, status, "the suite passed against a broken SP")

	var failed []string
	for _, r := range rules {
		if cov.Tally(r.ID).Failed > 0 {
			failed = append(failed, r.ID)
		}
	}
	slices.Sort(failed)
	if !assert.Equal(t, want, failed, "rules that failed") {
		for _, id := range failed {
			if why := cov.Tally(id).Reasons; len(why) > 0 {
				t.Logf("%s: %.300s", id, why[0])
			}
		}
	}
}

// nullResources is an SP whose SCIM lists answer "Resources": null when
// nothing matches, where RFC 7644 clients (Okta among them) expect [].
func nullResources(next http.Handler) http.Handler {
	return rewriteSCIM(http.MethodGet, next, func(code int, body []byte) (int, []byte) {
		return code, bytes.ReplaceAll(body, []byte(`"Resources":[]`), []byte(`"Resources":null`))
	})
}

// createAnswers200 is an SP whose SCIM creates answer 200 OK instead of 201
// Created, with the same body and Location.
func createAnswers200(next http.Handler) http.Handler {
	return rewriteSCIM(http.MethodPost, next, func(code int, body []byte) (int, []byte) {
		if code == http.StatusCreated {
			code = http.StatusOK
		}
		return code, body
	})
}

// rewriteSCIM changes the SP's answers to SCIM requests of one method.
func rewriteSCIM(method string, next http.Handler, edit func(code int, body []byte) (int, []byte)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method || !strings.Contains(r.URL.Path, "/scim/v2/") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		code, body := edit(rec.Code, rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(code)
		w.Write(body)
	})
}

// deletingStore deletes the account whenever a membership ends, as an SP does
// that implements deactivation as deletion: a user of several organizations
// loses everything.
type deletingStore struct{ store.Store }

func (s deletingStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return s.Store.InTx(ctx, func(tx store.Store) error { return fn(deletingStore{tx}) })
}

func (s deletingStore) RemoveMembership(ctx context.Context, orgID, userID string) error {
	if err := s.Store.RemoveMembership(ctx, orgID, userID); err != nil {
		return err
	}
	return s.Store.DeleteUser(ctx, userID)
}
