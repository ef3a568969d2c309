package scimapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

const (
	baseURL     = "https://sp.test"
	userSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	entSchema   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// env is one SCIM server on a fresh SQLite store, with one organization whose
// integration is connected and provisioned.
type env struct {
	t     testing.TB
	store store.Store
	srv   *scimapi.Server
	org   tenant
}

// tenant is an organization with provisioning on.
type tenant struct {
	org   store.Organization
	integ store.Integration
	token string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil, 0)
}

// newEnvWith uses st (nil: a fresh SQLite store) and caps pages at maxResults
// (0: the default).
func newEnvWith(t testing.TB, st store.Store, maxResults int) *env {
	t.Helper()
	if st == nil {
		sq, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "sp.db"))
		require.NoError(t, err)
		t.Cleanup(func() { _ = sq.Close() })
		st = sq
	}
	srv, err := scimapi.New(scimapi.Config{Store: st, BaseURL: baseURL, MaxResults: maxResults})
	require.NoError(t, err)
	e := &env{t: t, store: st, srv: srv}
	e.org = e.tenant("Acme")
	return e
}

// tenant creates an organization with a connected integration and turns
// provisioning on.
func (e *env) tenant(name string) tenant {
	e.t.Helper()
	ctx := e.t.Context()
	o, err := e.store.CreateOrganization(ctx, store.Organization{Name: name})
	require.NoError(e.t, err)
	in, err := e.store.CreateIntegration(ctx, store.Integration{OrgID: o.ID, Status: store.StatusConnected,
		SSOURL: "https://idp.test/sso", CertPEM: "-----BEGIN CERTIFICATE-----"})
	require.NoError(e.t, err)
	token, err := e.srv.EnableProvisioning(ctx, in.ID, "test")
	require.NoError(e.t, err)
	return tenant{org: o, integ: in, token: token}
}

// response is an answer, with its body decoded when it is JSON.
type response struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.status, r.raw) }

// str reads a string at a dotted path such as "name.givenName" or
// "Resources.0.id".
func (r response) get(path string) any {
	var cur any = r.json
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[part]
		case []any:
			var i int
			if _, err := fmt.Sscan(part, &i); err != nil || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

func (r response) str(path string) string { s, _ := r.get(path).(string); return s }

// do sends a request with org's token; body is JSON-encoded unless it is a
// string or []byte.
func (e *env) do(method, path string, body any, hdr ...string) response {
	return e.as(e.org, method, path, body, hdr...)
}

func (e *env) as(t tenant, method, path string, body any, hdr ...string) response {
	return e.send(method, path, body, append([]string{"Authorization", "Bearer " + t.token}, hdr...)...)
}

func (e *env) send(method, path string, body any, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, baseURL+scimapi.Prefix+path, rd)
	req.Header.Set("Content-Type", "application/scim+json; charset=utf-8")
	req.Header.Set("Accept", "application/scim+json")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), raw: rec.Body.Bytes()}
	if len(res.raw) > 0 {
		_ = json.Unmarshal(res.raw, &res.json)
	}
	return res
}

// oktaUser is the body Okta POSTs to create a user (OKTA.md).
func oktaUser(email, given, family string) map[string]any {
	return map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName":    email,
		"name":        map[string]any{"givenName": given, "familyName": family},
		"emails":      []any{map[string]any{"primary": true, "value": email, "type": "work"}},
		"displayName": given + " " + family,
		"locale":      "en-US",
		"externalId":  "00u" + strings.ReplaceAll(strings.Split(email, "@")[0], ".", ""),
		"groups":      []any{},
		"active":      true,
	}
}

// mustCreate POSTs an Okta user and returns its id.
func (e *env) mustCreate(email string) string {
	e.t.Helper()
	res := e.do(http.MethodPost, "/Users", oktaUser(email, "Ada", "Lovelace"))
	require.Equal(e.t, http.StatusCreated, res.status, res.String())
	return res.str("id")
}

func patchOp(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": list}
}

func op(name, path string, value any) map[string]any {
	m := map[string]any{"op": name}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

// requireSCIMError checks a SCIM error answer.
func requireSCIMError(t testing.TB, res response, status int, scimType string) {
	t.Helper()
	require.Equal(t, status, res.status, res.String())
	require.Contains(t, res.header.Get("Content-Type"), "application/scim+json", res.String())
	require.Equal(t, []any{"urn:ietf:params:scim:api:messages:2.0:Error"}, res.get("schemas"), res.String())
	require.Equal(t, fmt.Sprint(status), res.str("status"), res.String())
	require.NotEmpty(t, res.str("detail"), res.String())
	if scimType != "" {
		require.Equal(t, scimType, res.str("scimType"), res.String())
	}
}
