package scimclient_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/steps/scimclient"
)

// seen is what the test server received.
type seen struct {
	method, path, rawQuery string
	header                 http.Header
	body                   string
}

// server records each request and answers with the given status, content type
// and body.
func server(t *testing.T, status int, contentType, body string) (*httptest.Server, *seen) {
	t.Helper()
	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = seen{method: r.Method, path: r.URL.Path, rawQuery: r.URL.RawQuery, header: r.Header.Clone(), body: string(b)}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Header().Set("Location", "http://"+r.Host+"/scim/v2/Users/1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func TestRequests(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		base     string // appended to the server's URL
		auth     *string
		send     func(c *scimclient.Client) (*scimclient.Response, error)
		method   string
		path     string
		query    string
		body     string
		wantAuth string
		wantCT   string
	}{
		{
			name: "get with token", base: "/scim/v2",
			send: func(c *scimclient.Client) (*scimclient.Response, error) {
				return c.Get(ctx, "/Users?startIndex=1&count=2")
			},
			method: http.MethodGet, path: "/scim/v2/Users", query: "startIndex=1&count=2",
			wantAuth: "Bearer tok",
		},
		{
			name: "base with a trailing slash, path without a leading one", base: "/scim/v2/",
			send:   func(c *scimclient.Client) (*scimclient.Response, error) { return c.Delete(ctx, "Groups/g1") },
			method: http.MethodDelete, path: "/scim/v2/Groups/g1", wantAuth: "Bearer tok",
		},
		{
			name: "post encodes a value as JSON", base: "/scim/v2",
			send: func(c *scimclient.Client) (*scimclient.Response, error) {
				return c.Post(ctx, "/Users", map[string]any{"userName": "ada@acme.test"})
			},
			method: http.MethodPost, path: "/scim/v2/Users", body: `{"userName":"ada@acme.test"}`,
			wantAuth: "Bearer tok", wantCT: scimclient.ContentType,
		},
		{
			name: "put sends a string as is, malformed or not", base: "/scim/v2",
			send: func(c *scimclient.Client) (*scimclient.Response, error) {
				return c.Put(ctx, "/Users/1", `{"userName":`)
			},
			method: http.MethodPut, path: "/scim/v2/Users/1", body: `{"userName":`,
			wantAuth: "Bearer tok", wantCT: scimclient.ContentType,
		},
		{
			name: "patch sends bytes as is", base: "/scim/v2",
			send: func(c *scimclient.Client) (*scimclient.Response, error) {
				return c.Patch(ctx, "/Users/1", []byte(`{"Operations":[]}`))
			},
			method: http.MethodPatch, path: "/scim/v2/Users/1", body: `{"Operations":[]}`,
			wantAuth: "Bearer tok", wantCT: scimclient.ContentType,
		},
		{
			name: "no authorization header", base: "/scim/v2", auth: new(""),
			send:   func(c *scimclient.Client) (*scimclient.Response, error) { return c.Get(ctx, "/Users") },
			method: http.MethodGet, path: "/scim/v2/Users",
		},
		{
			name: "another scheme", base: "/scim/v2", auth: new("Basic dG9r"),
			send:   func(c *scimclient.Client) (*scimclient.Response, error) { return c.Get(ctx, "/Groups") },
			method: http.MethodGet, path: "/scim/v2/Groups", wantAuth: "Basic dG9r",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := server(t, http.StatusOK, scimclient.ContentType, `{"id":"1"}`)
			c := scimclient.New(srv.URL+tc.base, "tok")
			if tc.auth != nil {
				c = c.WithAuthorization(*tc.auth)
			}
			res, err := tc.send(c)
			require.NoError(t, err)
			assert.Equal(t, tc.method, got.method)
			assert.Equal(t, tc.path, got.path)
			assert.Equal(t, tc.query, got.rawQuery)
			assert.Equal(t, tc.body, got.body)
			assert.Equal(t, tc.wantAuth, got.header.Get("Authorization"))
			assert.Equal(t, tc.wantCT, got.header.Get("Content-Type"))
			assert.Equal(t, scimclient.MediaType, got.header.Get("Accept"))
			assert.Equal(t, scimclient.UserAgent, got.header.Get("User-Agent"))
			assert.Same(t, res, c.Last())
			assert.Equal(t, tc.method, res.Method)
		})
	}
}

func TestAbsoluteURL(t *testing.T) {
	srv, got := server(t, http.StatusOK, scimclient.MediaType, `{}`)
	c := scimclient.New("http://elsewhere.invalid/scim/v2", "tok")
	_, err := c.Get(context.Background(), srv.URL+"/scim/v2/Users/1")
	require.NoError(t, err)
	assert.Equal(t, "/scim/v2/Users/1", got.path)
}

func TestAnswers(t *testing.T) {
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		scimJSON    bool
		wantObject  map[string]any
		wantErr     bool
	}{
		{name: "scim json", status: 200, contentType: "application/scim+json; charset=utf-8", body: `{"totalResults":2}`,
			scimJSON: true, wantObject: map[string]any{"totalResults": json.Number("2")}},
		{name: "plain json is allowed", status: 404, contentType: "application/json", body: `{"status":"404"}`,
			scimJSON: true, wantObject: map[string]any{"status": "404"}},
		{name: "html", status: 500, contentType: "text/html", body: `<h1>oops</h1>`, wantErr: true},
		{name: "plain text", status: 401, contentType: "text/plain", body: `Unauthorized`, wantErr: true},
		{name: "empty", status: 204, wantErr: true},
		{name: "null", status: 200, contentType: "application/scim+json", body: `null`, scimJSON: true, wantErr: true},
		{name: "array", status: 200, contentType: "application/scim+json", body: `[]`, scimJSON: true, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := server(t, tc.status, tc.contentType, tc.body)
			res, err := scimclient.New(srv.URL, "tok").Get(context.Background(), "/Users")
			require.NoError(t, err)
			assert.Equal(t, tc.status, res.Status)
			assert.Equal(t, tc.body, string(res.Body))
			assert.Equal(t, tc.scimJSON, res.IsSCIMJSON())
			assert.NotEmpty(t, res.Header.Get("Location"))
			assert.Contains(t, res.String(), "GET ")
			obj, err := res.Object()
			if tc.wantErr {
				require.ErrorIs(t, err, scimclient.ErrNoJSON)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantObject, obj)
		})
	}
}

func TestNoAnswer(t *testing.T) {
	srv, _ := server(t, 200, "", "")
	url := srv.URL
	srv.Close()
	c := scimclient.New(url, "tok")
	_, err := c.Get(context.Background(), "/Users")
	require.Error(t, err)
	assert.Nil(t, c.Last())
}

func TestLookup(t *testing.T) {
	var doc any
	require.NoError(t, json.Unmarshal([]byte(`{"name":{"familyName":"Lovelace"},"emails":[{"value":"ada@acme.test"}],"active":false}`), &doc))
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"name.familyName", "Lovelace", true},
		{"Name.FamilyName", "Lovelace", true},
		{"emails.0.value", "ada@acme.test", true},
		{"active", false, true},
		{"emails.1.value", nil, false},
		{"emails.x", nil, false},
		{"name.givenName", nil, false},
		{"active.x", nil, false},
	}
	for _, tc := range tests {
		got, ok := scimclient.Lookup(doc, tc.path)
		assert.Equal(t, tc.ok, ok, tc.path)
		assert.Equal(t, tc.want, got, tc.path)
	}
}
