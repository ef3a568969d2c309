package idpsim_test

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// t0 is the fixed time most tests run at.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// env is a fake Okta on httptest, set up the way the conformance suite does
// it: the listener first, so the base URL is known before the Server.
type env struct {
	t    *testing.T
	srv  *idpsim.Server
	http *httptest.Server
	now  time.Time
}

func newEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	ctx := context.Background()
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	t.Cleanup(func() { dir.Close() })

	hs := httptest.NewUnstartedServer(nil)
	srv, err := idpsim.New(idpsim.Config{
		BaseURL:   "http://" + hs.Listener.Addr().String(),
		OrgName:   "acme-dev",
		Directory: dir,
		Clock:     func() time.Time { return now },
	})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return &env{t: t, srv: srv, http: hs, now: now}
}

// fixture is a catalog app with ada assigned and bob not.
type fixture struct {
	app      idpsim.App
	ada, bob idpsim.User
}

const adaPW, bobPW = "Ada-pw-1", "Bob-pw-1"

func (e *env) fixture() fixture {
	e.t.Helper()
	ctx := context.Background()
	res, err := e.srv.SeedYAML(ctx, []byte(`
users:
  - {login: ada@acme.test, firstName: Ada, lastName: Lovelace, password: "`+adaPW+`"}
  - {login: bob@acme.test, firstName: Bob, lastName: Builder, password: "`+bobPW+`"}
apps:
  - kind: catalog
    label: Reference SP
    spBaseURL: http://sp.test:8080
    integrationId: abc123
    assign: [ada@acme.test]
`))
	require.NoError(e.t, err)
	return fixture{app: res.Apps[0], ada: res.Users[0], bob: res.Users[1]}
}

// browser is a test browser: a cookie jar, redirects followed within the
// fake Okta only (so an open redirect shows up as a response, not a dial).
type browser struct {
	t *testing.T
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(e.t, err)
	host := e.http.Listener.Addr().String()
	c := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != host || len(via) > 10 {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: e.t, e: e, c: c}
}

// noRedirects returns a copy of the browser that does not follow redirects.
func (b *browser) noRedirects() *browser {
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: b.t, e: b.e, c: &c}
}

type page struct {
	status int
	url    *url.URL
	header http.Header
	body   string
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return page{status: resp.StatusCode, url: resp.Request.URL, header: resp.Header, body: string(body)}
}

func (b *browser) get(u string) page {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.e.srv.BaseURL() + u
	}
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

func (b *browser) post(u string, form url.Values) page {
	b.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.e.srv.BaseURL() + u
	}
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// signIn fills in and submits the sign-in form.
func (b *browser) signIn(login, password string) page {
	b.t.Helper()
	p := b.get("/login/login.htm")
	require.Equal(b.t, http.StatusOK, p.status)
	return b.submit(p, url.Values{"username": {login}, "password": {password}})
}

// submit posts the page's form with its inputs, overridden by values.
func (b *browser) submit(p page, values url.Values) page {
	b.t.Helper()
	form := url.Values{}
	for k, v := range p.inputs() {
		form.Set(k, v)
	}
	for k, v := range values {
		form[k] = v
	}
	action := p.formAction()
	require.NotEmpty(b.t, action, "page has no form:\n%s", p.body)
	target, err := p.url.Parse(action)
	require.NoError(b.t, err)
	return b.post(target.String(), form)
}

var (
	inputRE  = regexp.MustCompile(`<input\s[^>]*>`)
	attrRE   = regexp.MustCompile(`(\w+)="([^"]*)"`)
	actionRE = regexp.MustCompile(`<form\s[^>]*action="([^"]*)"`)
)

// inputs returns the named inputs of the page's form. The fake's pages are
// plain, so a regular expression is enough.
func (p page) inputs() map[string]string {
	out := map[string]string{}
	for _, in := range inputRE.FindAllString(p.body, -1) {
		attrs := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(in, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		if name, ok := attrs["name"]; ok {
			out[name] = attrs["value"]
		}
	}
	return out
}

func (p page) formAction() string {
	m := actionRE.FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// samlResponse returns the decoded SAMLResponse of an auto-post page.
func (p page) samlResponse(t *testing.T) []byte {
	t.Helper()
	v, ok := p.inputs()["SAMLResponse"]
	require.True(t, ok, "no SAMLResponse in page (status %d):\n%s", p.status, p.body)
	buf, err := base64.StdEncoding.DecodeString(v)
	require.NoError(t, err)
	return buf
}

// newSP is a crewjam ServiceProvider set up from the app's published
// metadata, as an SP would be, with its clock at the env's time.
func (e *env) newSP(app idpsim.App) *saml.ServiceProvider {
	e.t.Helper()
	resp, err := http.Get(app.MetadataURL)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	var ed saml.EntityDescriptor
	require.NoError(e.t, xml.Unmarshal(body, &ed))
	acs, err := url.Parse(app.ACSURL)
	require.NoError(e.t, err)
	return &saml.ServiceProvider{
		EntityID:          app.Audience,
		AcsURL:            *acs,
		IDPMetadata:       &ed,
		AllowIDPInitiated: true,
		Clock:             dsig.NewFakeClockAt(e.now),
	}
}

func parseXML(t *testing.T, buf []byte) *etree.Element {
	t.Helper()
	doc := etree.NewDocument()
	require.NoError(t, doc.ReadFromBytes(buf))
	return doc.Root()
}

func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
