package sp_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/session"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/postgres"
)

const postgresDSNEnv = "SP_TEST_POSTGRES_DSN"

// openPostgres returns a store in a fresh schema of its own on the test
// database, and the DSN that reaches that schema. Without a database it skips,
// except in CI, where a skipped replica test would pass unnoticed.
func openPostgres(t *testing.T) (store.Store, string) {
	t.Helper()
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	dsn := os.Getenv(postgresDSNEnv)
	if dsn == "" {
		if ci {
			t.Fatalf("%s not set: CI needs a PostgreSQL database for the replica tests", postgresDSNEnv)
		}
		t.Skipf("%s not set: set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the replica tests", postgresDSNEnv)
	}
	cfg, err := pgx.ParseConfig(dsn)
	require.NoError(t, err, postgresDSNEnv)
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { _ = db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("%s is set but the database is unreachable: %v", postgresDSNEnv, err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "sptest_" + hex.EncodeToString(b[:])
	_, err = db.ExecContext(ctx, `CREATE SCHEMA `+schema)
	require.NoError(t, err)
	t.Cleanup(func() { dropSchema(t, db, schema) })
	u, err := url.Parse(dsn)
	require.NoError(t, err, "%s must be a postgres:// URL", postgresDSNEnv)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st, u.String()
}

func dropSchema(t *testing.T, db *sql.DB, schema string) {
	_, err := db.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	assert.NoError(t, err)
}

// replica is one SP process: its own Server, store connection pool and
// listener, on the shared database.
type replica struct {
	srv  *sp.Server
	http *httptest.Server
	logs *logBuffer
	// client is a browser that shows each redirect instead of following it.
	client *http.Client
}

func newReplica(t *testing.T, dsn, base string, c *clock) *replica {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	logs := &logBuffer{}
	srv, err := sp.New(sp.Config{BaseURL: base, Store: st, Clock: c.Now, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &replica{srv: srv, http: hs, logs: logs, client: client}
}

func (r *replica) get(t *testing.T, path string, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.http.URL+path, nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := r.client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

// postACS posts to this replica's ACS the way the browser does from Okta.
func (r *replica) postACS(t *testing.T, integrationID string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.http.URL+"/sso/okta/"+integrationID+"/acs", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	res, err := r.client.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { _ = res.Body.Close() })
	return res
}

// Two SP replicas behind one address share the database: a sign-in started on
// one finishes on the other, the session works on both, and a replay of the
// same response to the first is refused (SSO-09).
func TestReplicasShareSignInState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, dsn := openPostgres(t)
	c := &clock{now: t0}
	// One BaseURL for both, as behind a load balancer; each test request goes to
	// one listener directly.
	const base = "http://sp.replicas.test"
	a := newReplica(t, dsn, base, c)
	b := newReplica(t, dsn, base, c)

	org, err := st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	ada, err := st.CreateUser(ctx, store.User{Email: "ada@acme.test", GivenName: "Ada"})
	require.NoError(t, err)
	_, err = st.AddMembership(ctx, store.Membership{UserID: ada.ID, OrgID: org.ID, Role: store.RoleMember, Source: store.SourceLocal})
	require.NoError(t, err)
	idp := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://acme.okta.test")
	in, err := a.srv.ConnectOkta(ctx, org.ID)
	require.NoError(t, err)
	_, err = a.srv.ConfigureManually(ctx, in.ID, idp.SSOURL, idp.Cert.PEM, idp.EntityID)
	require.NoError(t, err)
	_, err = b.srv.SetIntegrationStatus(ctx, in.ID, store.StatusConnected)
	require.NoError(t, err)

	// Started on A…
	res := a.get(t, "/users/sign-in/sso/okta/"+in.ID+"?return_to="+url.QueryEscape("/?from=replica-a"))
	require.Equal(t, http.StatusFound, res.StatusCode)
	req := testidp.ParseRedirect(t, res.Header.Get("Location"))
	answer := url.Values{
		"SAMLResponse": {idp.Answer(t, req, testidp.Response{Email: "ada@acme.test", Now: t0})},
		"RelayState":   {req.RelayState},
	}

	// …finished on B.
	res = b.postACS(t, in.ID, answer)
	require.Equal(t, http.StatusSeeOther, res.StatusCode, readAll(t, res))
	assert.Equal(t, "/?from=replica-a", res.Header.Get("Location"))
	var cookie *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == session.CookieName && ck.Value != "" {
			cookie = ck
		}
	}
	require.NotNil(t, cookie)
	for name, r := range map[string]*replica{"A": a, "B": b} {
		page := readAll(t, r.get(t, "/", cookie))
		assert.Contains(t, page, "Signed in as <strong>ada@acme.test</strong>", "the session works on %s", name)
	}

	// The same response again, to A: refused, no session.
	c.Set(t0.Add(20 * time.Second))
	res = a.postACS(t, in.ID, answer)
	page := readAll(t, res)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, page, string(ssosaml.ReasonReplay))
	for _, ck := range res.Cookies() {
		assert.False(t, ck.Name == session.CookieName && ck.Value != "", "no session")
	}
	refusals := 0
	for _, l := range a.logs.lines(t) {
		if l["msg"] == "saml sign-in refused" {
			refusals++
			assert.Equal(t, string(ssosaml.ReasonReplay), l["reason"])
			assert.Equal(t, in.ID, l["integration_id"])
		}
	}
	assert.Equal(t, 1, refusals)

	// A second answer to the same request (a fresh assertion) is refused too:
	// B used the request up.
	fresh := url.Values{"SAMLResponse": {idp.Answer(t, req, testidp.Response{Email: "ada@acme.test", Now: c.Now()})}}
	res = a.postACS(t, in.ID, fresh)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Contains(t, readAll(t, res), string(ssosaml.ReasonRequestID))
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return string(b)
}
