package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// site imitates an IdP and an SP in one server: a sign-in form, a cookie, and a
// chain of auto-posting SAML forms ending on a signed-in page.
func site(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	html := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, body)
	}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		html(w, `<form method="post" action="/login"><input name="username"><input type="password" name="password">
<input type="hidden" name="fromURI" value="/launch"><input type="checkbox" name="remember"><input type="submit" name="go" value="Sign in"></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("username") != "ada" || r.FormValue("password") != "pw" || r.Form.Has("remember") || r.Form.Has("go") {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "idp", Value: "ok", Path: "/"})
		http.Redirect(w, r, r.FormValue("fromURI"), http.StatusFound)
	})
	mux.HandleFunc("GET /launch", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("idp"); err != nil || c.Value != "ok" {
			http.Redirect(w, r, "/login", http.StatusFound)
			return
		}
		html(w, `<form method="post" action="/acs"><input type="hidden" name="SAMLResponse" value="PHgvPg=="><input type="hidden" name="RelayState" value="/home"></form>`)
	})
	mux.HandleFunc("POST /acs", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("SAMLResponse") != "PHgvPg==" || r.Header.Get("Origin") == "" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sp", Value: "s", Path: "/"})
		http.Redirect(w, r, r.FormValue("RelayState"), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /home", func(w http.ResponseWriter, r *http.Request) {
		if _, err := r.Cookie("sp"); err != nil {
			w.WriteHeader(http.StatusForbidden)
		}
		html(w, `<p>Signed in</p><a href="/sign-out"> Sign out </a>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSignInAndAutoPost(t *testing.T) {
	srv := site(t)
	ctx := context.Background()
	b := New(nil)

	p, err := b.Get(ctx, srv.URL+"/launch")
	require.NoError(t, err)
	require.Equal(t, srv.URL+"/login", p.URL.String(), "redirected to the sign-in form")
	form, ok := p.FormWithField("password")
	require.True(t, ok)
	assert.Equal(t, "/launch", form.Fields.Get("fromURI"), "hidden fields are kept")

	p, err = b.Submit(ctx, form, map[string]string{"username": "ada", "password": "pw"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, p.Status)
	_, ok = p.FormWithField("SAMLResponse")
	require.True(t, ok, "the launch returns an auto-posting form")

	p, err = b.FollowAutoPost(ctx)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, p.Status)
	assert.Equal(t, "/home", p.URL.Path)
	l, ok := p.LinkWithText("Sign out")
	require.True(t, ok)
	assert.Equal(t, srv.URL+"/sign-out", l.Href.String())
}

func TestWrongPasswordIsVisible(t *testing.T) {
	srv := site(t)
	ctx := context.Background()
	b := New(nil)
	p, err := b.Get(ctx, srv.URL+"/login")
	require.NoError(t, err)
	form, _ := p.FormWithField("password")
	p, err = b.Submit(ctx, form, map[string]string{"username": "ada", "password": "nope"})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, p.Status)
	p, err = b.FollowAutoPost(ctx)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, p.Status, "no auto-post on a page without SAML fields")
}
