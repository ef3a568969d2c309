package scimapi_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/store"
)

func TestServiceProviderConfig(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodGet, "/ServiceProviderConfig", nil)
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.Contains(t, res.header.Get("Content-Type"), "application/scim+json")
	for path, want := range map[string]any{
		"patch.supported":              true,
		"bulk.supported":               false,
		"filter.supported":             true,
		"filter.maxResults":            float64(scimapi.DefaultMaxResults),
		"changePassword.supported":     true,
		"sort.supported":               false,
		"etag.supported":               true,
		"meta.resourceType":            "ServiceProviderConfig",
		"meta.location":                baseURL + "/scim/v2/ServiceProviderConfig",
		"authenticationSchemes.0.type": "oauthbearertoken",
	} {
		require.Equal(t, want, res.get(path), path)
	}
}

func TestDiscoveryEndpoints(t *testing.T) {
	e := newEnv(t)
	res := e.do(http.MethodGet, "/ResourceTypes", nil)
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.EqualValues(t, 2, res.get("totalResults"))
	require.EqualValues(t, 2, res.get("itemsPerPage"))
	require.Equal(t, "/Users", res.str("Resources.0.endpoint"))
	require.Equal(t, entSchema, res.str("Resources.0.schemaExtensions.0.schema"))
	require.Equal(t, "/Groups", res.str("Resources.1.endpoint"))
	require.Equal(t, http.StatusOK, e.do(http.MethodGet, "/ResourceTypes/User", nil).status)
	requireSCIMError(t, e.do(http.MethodGet, "/ResourceTypes/Device", nil), http.StatusNotFound, "")

	res = e.do(http.MethodGet, "/Schemas", nil)
	require.Equal(t, http.StatusOK, res.status, res.String())
	var ids []string
	list, _ := res.get("Resources").([]any)
	for _, s := range list {
		ids = append(ids, s.(map[string]any)["id"].(string))
	}
	require.Subset(t, ids, []string{userSchema, groupSchema, entSchema})
	user := e.do(http.MethodGet, "/Schemas/"+userSchema, nil)
	require.Equal(t, http.StatusOK, user.status)
	var attrs []string
	for _, a := range user.get("attributes").([]any) {
		attrs = append(attrs, a.(map[string]any)["name"].(string))
	}
	require.Contains(t, attrs, "password")
	require.Contains(t, attrs, "locale")
	require.NotContains(t, attrs, "groups", "not claimed: the server does not return it")
	requireSCIMError(t, e.do(http.MethodGet, "/Schemas/urn:nope", nil), http.StatusNotFound, "")
}

func TestMethodsAndEndpoints(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodPost, "/ServiceProviderConfig", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPut, "/ServiceProviderConfig", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPatch, "/ServiceProviderConfig", http.StatusMethodNotAllowed, "GET"},
		{http.MethodDelete, "/ServiceProviderConfig", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPost, "/Schemas", http.StatusMethodNotAllowed, "GET"},
		{http.MethodDelete, "/Schemas/" + userSchema, http.StatusMethodNotAllowed, "GET"},
		{http.MethodPut, "/ResourceTypes", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPost, "/ResourceTypes/User", http.StatusMethodNotAllowed, "GET"},
		{http.MethodPut, "/Users", http.StatusMethodNotAllowed, "GET, POST"},
		{http.MethodDelete, "/Groups", http.StatusMethodNotAllowed, "GET, POST"},
		{http.MethodPost, "/Users/" + id, http.StatusMethodNotAllowed, "GET, PUT, PATCH, DELETE"},
		{http.MethodHead, "/Users/" + id, http.StatusMethodNotAllowed, "GET, PUT, PATCH, DELETE"},
		{http.MethodGet, "/Users/.search", http.StatusMethodNotAllowed, "POST"},
		{http.MethodPost, "/Bulk", http.StatusNotImplemented, ""},
		{http.MethodGet, "/Me", http.StatusNotImplemented, ""},
		{http.MethodGet, "/", http.StatusNotFound, ""},
		{http.MethodGet, "", http.StatusNotFound, ""},
		{http.MethodGet, "/Devices", http.StatusNotFound, ""},
		{http.MethodGet, "/Users/" + id + "/extra", http.StatusNotFound, ""},
	} {
		res := e.do(tc.method, tc.path, nil)
		require.Equal(t, tc.status, res.status, "%s %s: %s", tc.method, tc.path, res)
		if tc.method != http.MethodHead {
			requireSCIMError(t, res, tc.status, "")
		}
		require.Equal(t, tc.allow, res.header.Get("Allow"), "%s %s", tc.method, tc.path)
	}
}

func TestSearch(t *testing.T) {
	e := newEnv(t)
	e.mustCreate("ada@acme.test")
	bob := e.mustCreate("bob@acme.test")
	res := e.do(http.MethodPost, "/Users/.search", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
		"filter":  `userName eq "BOB@acme.test"`, "startIndex": 1, "count": 10,
	})
	require.Equal(t, http.StatusOK, res.status, res.String())
	require.EqualValues(t, 1, res.get("totalResults"))
	require.EqualValues(t, 1, res.get("itemsPerPage"))
	require.Equal(t, bob, res.str("Resources.0.id"))
	res = e.do(http.MethodPost, "/Users/.search", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"}, "filter": `nickName co "x"`,
	})
	requireSCIMError(t, res, http.StatusBadRequest, "invalidFilter")
}

// faultyStore breaks on purpose: a panic in one method, an error carrying
// internals in another.
type faultyStore struct {
	store.Store
	authFails bool
}

const secretText = "pq: relation scim_users: password=hunter2 at 10.0.0.7"

func (f faultyStore) InTx(ctx context.Context, fn func(tx store.Store) error) error {
	return f.Store.InTx(ctx, func(tx store.Store) error { return fn(faultyStore{Store: tx}) })
}

func (f faultyStore) GetSCIMUser(context.Context, string, string) (store.SCIMUser, error) {
	panic(secretText)
}

func (f faultyStore) ListSCIMUsers(context.Context, string, store.SCIMQuery) ([]store.SCIMUser, error) {
	return nil, errors.New(secretText)
}

func (f faultyStore) ListSCIMGroups(context.Context, string, store.SCIMQuery) ([]store.SCIMGroup, error) {
	return nil, context.Canceled
}

func (f faultyStore) GetIntegrationBySCIMTokenID(ctx context.Context, id string) (store.Integration, error) {
	if f.authFails {
		return store.Integration{}, errors.New(secretText)
	}
	return f.Store.GetIntegrationBySCIMTokenID(ctx, id)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestInternalsNeverLeak: a store failure or a panic is a SCIM 500 with a
// generic detail; the real cause goes to the log only.
func TestInternalsNeverLeak(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	logs := &syncBuffer{}
	srv, err := scimapi.New(scimapi.Config{Store: faultyStore{Store: e.store}, BaseURL: baseURL,
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	require.NoError(t, err)
	faulty := &env{t: t, store: e.store, srv: srv, org: e.org}

	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/Users/" + id},   // panics
		{http.MethodPatch, "/Users/" + id}, // panics inside a transaction
		{http.MethodGet, "/Users"},         // fails with internals
		{http.MethodGet, "/Groups"},        // cancelled
	} {
		var body any
		if tc.method == http.MethodPatch {
			body = patchOp(op("replace", "active", false))
		}
		res := faulty.do(tc.method, tc.path, body)
		requireSCIMError(t, res, http.StatusInternalServerError, "")
		for _, leak := range []string{"hunter2", "relation", "panic", "goroutine", ".go:", "store:"} {
			require.NotContains(t, string(res.raw), leak, "%s %s", tc.method, tc.path)
		}
	}
	require.Contains(t, logs.String(), "hunter2", "the cause is logged")
	require.Contains(t, logs.String(), "panic serving scim request")
	require.Equal(t, true, e.do(http.MethodGet, "/Users/"+id, nil).get("active"), "the PATCH that panicked was rolled back")

	// A store failure while checking the token is a 500, not a 401.
	srv, err = scimapi.New(scimapi.Config{Store: faultyStore{Store: e.store, authFails: true}, BaseURL: baseURL})
	require.NoError(t, err)
	faulty = &env{t: t, store: e.store, srv: srv, org: e.org}
	res := faulty.do(http.MethodGet, "/Users", nil)
	requireSCIMError(t, res, http.StatusInternalServerError, "")
	require.NotContains(t, string(res.raw), "hunter2")
}

func TestNewRefusesBadConfig(t *testing.T) {
	e := newEnv(t)
	for name, cfg := range map[string]scimapi.Config{
		"no store":         {BaseURL: baseURL},
		"relative base":    {Store: e.store, BaseURL: "/sp"},
		"negative maximum": {Store: e.store, BaseURL: baseURL, MaxResults: -1},
	} {
		_, err := scimapi.New(cfg)
		require.Error(t, err, name)
	}
	srv, err := scimapi.New(scimapi.Config{Store: e.store, BaseURL: "https://sp.test/"})
	require.NoError(t, err)
	require.Equal(t, "https://sp.test/scim/v2", srv.BaseURL())
}

func TestOversizedBodies(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	big := `{"schemas":["` + userSchema + `"],"userName":"x@acme.test","title":"` + strings.Repeat("t", scimapi.MaxBodyBytes) + `"}`
	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/Users"}, {http.MethodPut, "/Users/" + id}, {http.MethodPatch, "/Users/" + id}, {http.MethodPost, "/Groups"},
	} {
		requireSCIMError(t, e.do(tc.method, tc.path, big), http.StatusRequestEntityTooLarge, "")
	}
	// Just under the limit is fine.
	ok := `{"schemas":["` + userSchema + `"],"userName":"x@acme.test","title":"` + strings.Repeat("t", scimapi.MaxBodyBytes-200) + `"}`
	require.Equal(t, http.StatusCreated, e.do(http.MethodPost, "/Users", ok).status)
}
