package hooksapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/hooksapi"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

// postACS posts a SAMLResponse to the ACS of integration id, as a browser does.
func (f *fixture) postACS(t *testing.T, id, samlResponse string) {
	t.Helper()
	r := f.do(t, call{method: http.MethodPost, path: "!/sso/okta/" + id + "/acs",
		body:   url.Values{"SAMLResponse": {samlResponse}}.Encode(),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	require.GreaterOrEqual(t, r.status, 400, "the ACS refuses")
}

type refusal struct {
	Reason   string
	Problems []string
}

func (f *fixture) refusals(t *testing.T, id string) []refusal {
	t.Helper()
	r := f.do(t, call{method: http.MethodGet, path: "/refusals?integration=" + url.QueryEscape(id), auth: bearer})
	require.Equal(t, http.StatusOK, r.status, r.raw)
	list, ok := r.json["refusals"].([]any)
	require.True(t, ok, "refusals is a list: %s", r.raw)
	out := []refusal{}
	for _, v := range list {
		m := v.(map[string]any)
		ref := refusal{Reason: m["reason"].(string), Problems: []string{}}
		for _, p := range m["problems"].([]any) {
			ref.Problems = append(ref.Problems, p.(string))
		}
		out = append(out, ref)
	}
	return out
}

func TestRefusedSignInsAreListed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	connected, idp := f.connect(t, f.acme.ID)
	pending, err := f.srv.ConnectOkta(ctx, f.globex.ID)
	require.NoError(t, err)
	u := f.srv.URLs(connected)
	spOf := testidp.SP{EntityID: u.EntityID, ACS: u.ACS}

	f.postACS(t, pending.ID, "garbage")
	f.postACS(t, connected, idp.Response(t, spOf, testidp.Response{Email: "ada@acme.test", Unsigned: true}))
	f.postACS(t, connected, idp.Response(t, spOf, testidp.Response{Email: "ada@acme.test", Destination: baseURL + "/elsewhere"}))
	f.postACS(t, "not-an-integration", "garbage")

	assert.Equal(t, []refusal{{"integration_not_configured", []string{}}}, f.refusals(t, pending.ID))
	assert.Equal(t, []refusal{
		{"bad_signature", []string{"unsigned", "signed-by-other-key"}},
		{"wrong_destination", []string{"wrong-destination", "wrong-recipient"}},
	}, f.refusals(t, connected), "oldest first")
	assert.Equal(t, []refusal{{"unknown_integration", []string{"unknown-integration"}}}, f.refusals(t, "not-an-integration"))
	assert.Equal(t, []refusal{}, f.refusals(t, "another-integration"))

	// SP-initiated sign-in is refused through the same path.
	_, err = f.srv.SetIntegrationStatus(ctx, connected, store.StatusDisabled)
	require.NoError(t, err)
	r := f.do(t, call{method: http.MethodGet, path: "!/users/sign-in/sso/okta/" + connected})
	require.Equal(t, http.StatusForbidden, r.status)
	got := f.refusals(t, connected)
	require.Len(t, got, 3)
	assert.Equal(t, refusal{"integration_disabled", []string{"disabled"}}, got[2])
}

func TestRefusalsForgetTheOldest(t *testing.T) {
	t.Parallel()
	rs := hooksapi.NewRefusals(3)
	for i := range 5 {
		rs.RecordRefusal("a", ssosaml.Reason(fmt.Sprint(i)))
		rs.RecordRefusal("b", ssosaml.ReasonReplay)
	}
	assert.Equal(t, []hooksapi.Refusal{{IntegrationID: "a", Reason: "4"}}, rs.List("a"))
	assert.Len(t, rs.List("b"), 2)

	rs = hooksapi.NewRefusals(3)
	for i := range 4 {
		rs.RecordRefusal("a", ssosaml.Reason(fmt.Sprint(i)))
	}
	assert.Equal(t, []hooksapi.Refusal{{"a", "1"}, {"a", "2"}, {"a", "3"}}, rs.List("a"), "oldest first across the wrap")

	// An ID no integration can have is not kept: the path it comes from may
	// be long.
	long := strings.Repeat("x", 257)
	rs.RecordRefusal(long, ssosaml.ReasonUnknownIntegration)
	rs.RecordRefusal("", ssosaml.ReasonUnknownIntegration)
	assert.Empty(t, rs.List(long))
	assert.Len(t, rs.List("a"), 3)
	assert.Equal(t, hooksapi.DefaultRefusalCapacity, 10_000)
}

func TestRefusalsAreSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	rs := hooksapi.NewRefusals(100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 200 {
				rs.RecordRefusal(fmt.Sprint("i", g%2), ssosaml.ReasonExpired)
				_ = rs.List("i0")
			}
		})
	}
	wg.Wait()
	assert.Len(t, append(rs.List("i0"), rs.List("i1")...), 100)
}

func TestProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		reason ssosaml.Reason
		want   []string
	}{
		{ssosaml.ReasonSignature, []string{"unsigned", "signed-by-other-key"}},
		{ssosaml.ReasonUntrustedCert, []string{"signed-by-other-key"}},
		{ssosaml.ReasonExpired, []string{"expired"}},
		{ssosaml.ReasonNotYetValid, []string{"not-yet-valid"}},
		{ssosaml.ReasonAudience, []string{"wrong-audience"}},
		{ssosaml.ReasonDestination, []string{"wrong-destination", "wrong-recipient"}},
		{ssosaml.ReasonIssuer, []string{"wrong-issuer"}},
		{ssosaml.ReasonRequestID, []string{"in-response-to-other"}},
		{ssosaml.ReasonReplay, []string{"replay"}},
		{ssosaml.ReasonUnknownIntegration, []string{"unknown-integration"}},
		{ssosaml.ReasonNotConnected, []string{"not-connected"}},
		{ssosaml.ReasonDisabled, []string{"disabled"}},
		{ssosaml.ReasonNotAdmin, []string{"not-an-admin"}},
		{ssosaml.ReasonNotMember, []string{"domain-not-approved"}},
		{ssosaml.ReasonDeprovisioned, []string{"deprovisioned"}},
		{ssosaml.ReasonMalformed, []string{}},
		{ssosaml.ReasonNotConfigured, []string{}},
		{ssosaml.ReasonInternal, []string{}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, hooksapi.Problems(tt.reason), tt.reason)
	}
	// A caller changing the answer does not change the table.
	hooksapi.Problems(ssosaml.ReasonReplay)[0] = "changed"
	assert.Equal(t, []string{"replay"}, hooksapi.Problems(ssosaml.ReasonReplay))
}
