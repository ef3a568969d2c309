package hooksapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOnlyTheHooksTokenIsLetIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	id, _ := f.connect(t, f.acme.ID)
	scimToken, err := f.srv.EnableProvisioning(ctx, id)
	require.NoError(t, err)
	adminToken, _, err := f.srv.CreateAdminToken(ctx, f.acme.ID)
	require.NoError(t, err)

	tests := []struct {
		name   string
		auth   string
		path   string
		status int
	}{
		{"the hooks token", bearer, "/orgs/" + f.acme.ID + "/members", http.StatusOK},
		{"scheme in lower case", "bearer " + hooksToken, "/orgs/" + f.acme.ID + "/members", http.StatusOK},
		{"no token", "", "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"wrong token", "Bearer " + strings.Repeat("x", len(hooksToken)), "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"the token with more after it", bearer + "x", "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"a prefix of the token", bearer[:len(bearer)-1], "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"the token as Basic", "Basic " + hooksToken, "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"the token without a scheme", hooksToken, "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"a SCIM token", "Bearer " + scimToken, "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"an admin API token", "Bearer " + adminToken, "/orgs/" + f.acme.ID + "/members", http.StatusUnauthorized},
		{"no token, unknown route", "", "/nowhere", http.StatusUnauthorized},
		{"no token, creating an org", "", "/orgs", http.StatusUnauthorized},
		{"the hooks token, unknown route", bearer, "/nowhere", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := f.do(t, call{method: http.MethodGet, path: tt.path, auth: tt.auth})
			assert.Equal(t, tt.status, r.status, r.raw)
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
			if tt.status == http.StatusOK {
				return
			}
			assert.NotEmpty(t, r.str("error"), "every error is a JSON sentence")
			if tt.status == http.StatusUnauthorized {
				assert.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
			}
		})
	}
}

// Without a hooks token the routes do not exist, whatever is presented, and
// refused sign-ins are not remembered for anybody.
func TestHooksOffMeansNoRoutes(t *testing.T) {
	t.Parallel()
	f := newFixtureWith(t, "")
	for _, c := range []call{
		{method: http.MethodGet, path: "/orgs/" + f.acme.ID + "/members", auth: bearer},
		{method: http.MethodPost, path: "/orgs", body: `{"name":"Evil"}`, auth: bearer},
		{method: http.MethodGet, path: "/refusals?integration=x", auth: "Bearer "},
		{method: http.MethodGet, path: "/orgs/" + f.acme.ID + "/audit"},
	} {
		r := f.do(t, c)
		assert.Equal(t, http.StatusNotFound, r.status, "%s %s", c.method, c.path)
	}
	orgs, err := f.st.ListOrganizations(context.Background())
	require.NoError(t, err)
	assert.Len(t, orgs, 2, "nothing was created")

	// The ACS still refuses, with no recorder behind it.
	r := f.do(t, call{method: http.MethodPost, path: "!/sso/okta/nope/acs", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "SAMLResponse=x"})
	assert.Equal(t, http.StatusNotFound, r.status)
}
