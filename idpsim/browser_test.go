package idpsim_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	e.fixture()

	tests := []struct {
		name, login, password string
		status                int
	}{
		{"right password", "ada@acme.test", adaPW, http.StatusOK},
		{"login is case-insensitive", "ADA@acme.test", adaPW, http.StatusOK},
		{"wrong password", "ada@acme.test", "nope", http.StatusUnauthorized},
		{"empty password", "ada@acme.test", "", http.StatusUnauthorized},
		{"unknown user", "eve@acme.test", adaPW, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.browser().signIn(tt.login, tt.password)
			assert.Equal(t, tt.status, p.status)
			if tt.status == http.StatusOK {
				assert.Equal(t, "/app/UserHome", p.url.Path)
				assert.Contains(t, p.body, "My Apps")
			} else {
				assert.Contains(t, p.body, "Unable to sign in")
				assert.Equal(t, tt.login, p.inputs()["username"], "the username is kept")
				assert.Empty(t, p.inputs()["password"])
			}
		})
	}
}

func TestFromURIIsNeverAnOpenRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	embedPath := f.app.EmbedLinkURL[len(e.srv.BaseURL()):]

	tests := []struct {
		fromURI, want string
	}{
		{"//evil.test", "/app/UserHome"},
		{"https://evil.test", "/app/UserHome"},
		{"http://evil.test/app/UserHome", "/app/UserHome"},
		{"javascript:alert(1)", "/app/UserHome"},
		{`/\evil.test`, "/app/UserHome"},
		{"/%2F/evil.test", "/app/UserHome"},
		{"/login/signout", "/app/UserHome"},
		{"/app/../login/signout", "/app/UserHome"},
		{"", "/app/UserHome"},
		{embedPath, embedPath},
		{e.srv.BaseURL() + embedPath, embedPath},
		{"/app/UserHome", "/app/UserHome"},
		{"/admin/apps", "/admin/apps"},
		{"/admin/../login/signout", "/app/UserHome"},
	}
	for _, tt := range tests {
		t.Run(tt.fromURI, func(t *testing.T) {
			b := e.browser()
			// The page carries only a safe fromURI…
			p := b.get("/login/login.htm?fromURI=" + url.QueryEscape(tt.fromURI))
			require.Equal(t, http.StatusOK, p.status)
			assert.Equal(t, tt.want, p.inputs()["fromURI"])

			// …and a forged form is not followed either.
			p = b.noRedirects().post("/login/login.htm", url.Values{
				"username": {"ada@acme.test"}, "password": {adaPW}, "fromURI": {tt.fromURI},
			})
			require.Equal(t, http.StatusFound, p.status)
			assert.Equal(t, tt.want, p.header.Get("Location"))

			// Signed in, the sign-in page forwards the same way.
			p = b.noRedirects().get("/login/login.htm?fromURI=" + url.QueryEscape(tt.fromURI))
			require.Equal(t, http.StatusFound, p.status)
			assert.Equal(t, tt.want, p.header.Get("Location"))
		})
	}
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	e.fixture()
	p := e.browser().noRedirects().post("/login/login.htm", url.Values{"username": {"ada@acme.test"}, "password": {adaPW}})
	require.Equal(t, http.StatusFound, p.status)
	resp := http.Response{Header: p.header}
	cookies := resp.Cookies()
	require.Len(t, cookies, 1)
	c := cookies[0]
	assert.Equal(t, "sid", c.Name)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, "/", c.Path)
	assert.GreaterOrEqual(t, len(c.Value), 40, "a long random value")
}

func TestDashboardAndSignOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()

	t.Run("signed out goes to sign in", func(t *testing.T) {
		p := e.browser().get("/app/UserHome")
		assert.Equal(t, "/login/login.htm", p.url.Path)
		assert.Equal(t, "/app/UserHome", p.inputs()["fromURI"])
		p = e.browser().get("/")
		assert.Equal(t, "/login/login.htm", p.url.Path)
	})

	t.Run("a tile per assigned app", func(t *testing.T) {
		b := e.browser()
		p := b.signIn("ada@acme.test", adaPW)
		assert.Contains(t, p.body, `href="`+f.app.EmbedLinkURL+`"`)
		assert.Contains(t, p.body, "Reference SP")
		assert.Contains(t, p.body, "Ada Lovelace")
	})

	t.Run("no tiles for an unassigned user", func(t *testing.T) {
		p := e.browser().signIn("bob@acme.test", bobPW)
		assert.NotContains(t, p.body, f.app.EmbedLinkURL)
		assert.Contains(t, p.body, "No apps are assigned to you")
	})

	t.Run("sign out ends the session", func(t *testing.T) {
		b := e.browser()
		b.signIn("ada@acme.test", adaPW)
		p := b.get("/login/signout")
		assert.Equal(t, "/login/login.htm", p.url.Path)
		p = b.get("/app/UserHome")
		assert.Equal(t, "/login/login.htm", p.url.Path)
	})

	t.Run("unknown pages are 404", func(t *testing.T) {
		p := e.browser().get("/no/such/page")
		assert.Equal(t, http.StatusNotFound, p.status)
	})
}
