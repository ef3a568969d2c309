package ssosaml_test

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/internal/testidp"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// t0 is the tests' "now": far from the real clock, so a test that leaks the real
// clock fails.
var t0 = time.Date(2031, 3, 14, 9, 26, 53, 0, time.UTC)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "sp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

type env struct {
	svc   *ssosaml.Service
	st    store.Store
	org   store.Organization
	integ store.Integration
}

func newEnv(t *testing.T) env {
	t.Helper()
	ctx := context.Background()
	st := openStore(t)
	svc, err := ssosaml.New(ssosaml.Config{BaseURL: "https://sp.example/", Store: st, Clock: func() time.Time { return t0 }})
	require.NoError(t, err)
	org, err := st.CreateOrganization(ctx, store.Organization{Name: "Acme"})
	require.NoError(t, err)
	in, err := svc.ConnectOkta(ctx, org.ID)
	require.NoError(t, err)
	return env{svc: svc, st: st, org: org, integ: in}
}

func serve(t *testing.T, status int, contentType string, body []byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/app/exk1/sso/saml/metadata"
}

func TestURLsFollowTheConvention(t *testing.T) {
	t.Parallel()
	svc, err := ssosaml.New(ssosaml.Config{BaseURL: "https://sp.example:8443/", Store: openStore(t)})
	require.NoError(t, err)
	assert.Equal(t, ssosaml.URLs{
		EntityID:    "https://sp.example:8443/sso/okta/abc",
		ACS:         "https://sp.example:8443/sso/okta/abc/acs",
		Metadata:    "https://sp.example:8443/sso/okta/abc/metadata",
		SignIn:      "https://sp.example:8443/users/sign-in/sso/okta/abc",
		SettingsSSO: "https://sp.example:8443/settings/sso",
	}, svc.URLs("abc"))
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	st := openStore(t)
	tests := []struct {
		name string
		cfg  ssosaml.Config
	}{
		{"no base URL", ssosaml.Config{Store: st}},
		{"relative base URL", ssosaml.Config{BaseURL: "/sp", Store: st}},
		{"ftp base URL", ssosaml.Config{BaseURL: "ftp://sp.example", Store: st}},
		{"base URL with query", ssosaml.Config{BaseURL: "https://sp.example/?a=b", Store: st}},
		{"no store", ssosaml.Config{BaseURL: "https://sp.example"}},
		{"skew above crewjam's", ssosaml.Config{BaseURL: "https://sp.example", Store: st, ClockSkew: 10 * time.Minute}},
		{"negative skew", ssosaml.Config{BaseURL: "https://sp.example", Store: st, ClockSkew: -time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ssosaml.New(tt.cfg)
			assert.Error(t, err)
		})
	}
}

func TestConnectOkta(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	assert.Equal(t, store.StatusPending, e.integ.Status)
	assert.Equal(t, e.org.ID, e.integ.OrgID)
	assert.Len(t, e.integ.ID, 26, "128 random bits in base32")
	assert.False(t, e.integ.Configured())

	_, err := e.svc.ConnectOkta(ctx, e.org.ID)
	assert.ErrorIs(t, err, store.ErrConflict, "one integration per organization")

	_, err = e.svc.ConnectOkta(ctx, "no-such-org")
	assert.ErrorIs(t, err, store.ErrNotFound)

	other, err := e.st.CreateOrganization(ctx, store.Organization{Name: "Other"})
	require.NoError(t, err)
	in2, err := e.svc.ConnectOkta(ctx, other.ID)
	require.NoError(t, err)
	assert.NotEqual(t, e.integ.ID, in2.ID)
}

func TestConfigureFromMetadataURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	idp := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://acme.okta.test")
	link := serve(t, 200, "application/samlmetadata+xml", idp.MetadataXML(t))

	got, err := e.svc.ConfigureFromMetadataURL(ctx, e.integ.ID, link)
	require.NoError(t, err)
	assert.Equal(t, idp.EntityID, got.IdPEntityID)
	assert.Equal(t, idp.SSOURL, got.SSOURL)
	assert.Equal(t, idp.Cert.PEM, got.CertPEM)
	assert.Equal(t, link, got.MetadataURL)
	assert.Equal(t, store.StatusPending, got.Status)
	assert.True(t, got.Configured())

	stored, err := e.st.GetIntegration(ctx, e.integ.ID)
	require.NoError(t, err)
	assert.Equal(t, got.CertPEM, stored.CertPEM)

	_, err = e.svc.ConfigureFromMetadataURL(ctx, "no-such-integration", link)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func TestConfigureFromMetadataURLTakesAValidCertDuringRollover(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	expired := testidp.NewCert(t, testidp.CertOptions{Now: t0, NotBefore: t0.AddDate(-2, 0, 0), NotAfter: t0.AddDate(-1, 0, 0)})
	current := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	idp := testidp.New(current, "https://acme.okta.test")
	ed := idp.Metadata()
	old := testidp.New(expired, "https://acme.okta.test").Metadata().IDPSSODescriptors[0].KeyDescriptors[0]
	kds := &ed.IDPSSODescriptors[0].KeyDescriptors
	*kds = append([]saml.KeyDescriptor{old}, *kds...)

	got, err := e.svc.ConfigureFromMetadataURL(context.Background(), e.integ.ID, serve(t, 200, "text/xml", testidp.MarshalMetadata(t, ed)))
	require.NoError(t, err)
	assert.Equal(t, current.PEM, got.CertPEM)
}

// Every refusal of SSO-03: a clear message, and the integration exactly as before.
func TestConfigureFromMetadataURLRefusals(t *testing.T) {
	t.Parallel()
	good := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://acme.okta.test")
	metadataWith := func(change func(*saml.EntityDescriptor)) []byte {
		ed := good.Metadata()
		change(ed)
		return testidp.MarshalMetadata(t, ed)
	}
	withCert := func(o testidp.CertOptions) []byte {
		o.Now = t0
		return testidp.New(testidp.NewCert(t, o), "https://acme.okta.test").MetadataXML(t)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	unreachable := closed.URL + "/metadata"
	closed.Close()
	spACS, _ := url.Parse("https://other-sp.example/acs")
	spMetadata := testidp.MarshalMetadata(t, (&saml.ServiceProvider{EntityID: "https://other-sp.example", AcsURL: *spACS}).Metadata())

	tests := []struct {
		name    string
		link    func(t *testing.T) string
		message string
	}{
		{"empty link", func(*testing.T) string { return "  " }, "Paste the metadata link"},
		{"malformed URL", func(*testing.T) string { return "http://[::1" }, "absolute http or https URL"},
		{"relative URL", func(*testing.T) string { return "/app/exk1/sso/saml/metadata" }, "absolute http or https URL"},
		{"ftp scheme", func(*testing.T) string { return "ftp://okta.test/metadata" }, "absolute http or https URL"},
		{"file scheme", func(*testing.T) string { return "file:///etc/passwd" }, "absolute http or https URL"},
		{"javascript scheme", func(*testing.T) string { return "javascript:alert(1)" }, "absolute http or https URL"},
		{"unreachable host", func(*testing.T) string { return unreachable }, "Could not reach"},
		{"404", func(t *testing.T) string { return serve(t, 404, "text/html", []byte("<h1>Not found</h1>")) }, "answered HTTP 404"},
		{"500", func(t *testing.T) string { return serve(t, 500, "text/plain", []byte("oops")) }, "answered HTTP 500"},
		{"html page", func(t *testing.T) string {
			return serve(t, 200, "text/html", []byte("<!doctype html><html><body><p>Sign in</p></body></html>"))
		}, "does not point to SAML IdP metadata"},
		{"json", func(t *testing.T) string { return serve(t, 200, "application/json", []byte(`{"entityId":"x"}`)) }, "does not point to SAML IdP metadata"},
		{"empty body", func(t *testing.T) string { return serve(t, 200, "text/xml", nil) }, "does not point to SAML IdP metadata"},
		{"other XML", func(t *testing.T) string {
			return serve(t, 200, "text/xml", []byte(`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>`))
		}, "does not point to SAML IdP metadata"},
		{"too large", func(t *testing.T) string {
			return serve(t, 200, "text/xml", []byte("<x>"+strings.Repeat("a", ssosaml.MaxMetadataSize)+"</x>"))
		}, "too large"},
		{"SP metadata, no IDPSSODescriptor", func(t *testing.T) string { return serve(t, 200, "text/xml", spMetadata) }, "no IDPSSODescriptor"},
		{"no SSO service", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) { ed.IDPSSODescriptors[0].SingleSignOnServices = nil }))
		}, "no single sign-on service"},
		{"SSO service with artifact binding only", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) {
				ed.IDPSSODescriptors[0].SingleSignOnServices = []saml.Endpoint{{Binding: saml.HTTPArtifactBinding, Location: "https://okta.test/sso"}}
			}))
		}, "no single sign-on service"},
		{"relative SSO URL", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) {
				ed.IDPSSODescriptors[0].SingleSignOnServices = []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: "/sso"}}
			}))
		}, "not valid SAML metadata"},
		{"no entity ID", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) { ed.EntityID = "" }))
		}, "no entity ID"},
		{"no signing certificate", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) { ed.IDPSSODescriptors[0].KeyDescriptors = nil }))
		}, "no signing certificate"},
		{"encryption certificate only", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) {
				kds := ed.IDPSSODescriptors[0].KeyDescriptors
				for i := range kds {
					kds[i].Use = "encryption"
				}
			}))
		}, "no signing certificate"},
		{"certificate not base64", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) {
				ed.IDPSSODescriptors[0].KeyDescriptors = []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
					X509Certificates: []saml.X509Certificate{{Data: "%%%not base64%%%"}},
				}}}}
			}))
		}, "cannot be read"},
		{"certificate garbage DER", func(t *testing.T) string {
			return serve(t, 200, "text/xml", metadataWith(func(ed *saml.EntityDescriptor) {
				ed.IDPSSODescriptors[0].KeyDescriptors = []saml.KeyDescriptor{{Use: "signing", KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{
					X509Certificates: []saml.X509Certificate{{Data: "aGVsbG8gd29ybGQ="}},
				}}}}
			}))
		}, "cannot be read"},
		{"expired certificate", func(t *testing.T) string {
			return serve(t, 200, "text/xml", withCert(testidp.CertOptions{NotBefore: t0.AddDate(-10, 0, 0), NotAfter: t0.Add(-time.Second)}))
		}, "expired on"},
		{"certificate not yet valid", func(t *testing.T) string {
			return serve(t, 200, "text/xml", withCert(testidp.CertOptions{NotBefore: t0.Add(time.Hour), NotAfter: t0.AddDate(10, 0, 0)}))
		}, "not valid before"},
		{"SHA-1 certificate", func(t *testing.T) string {
			return serve(t, 200, "text/xml", withCert(testidp.CertOptions{SignatureAlgorithm: x509.SHA1WithRSA}))
		}, "SHA-1 certificates are not accepted; use the SHA-2 certificate's metadata link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t)
			before, err := e.st.GetIntegration(ctx, e.integ.ID)
			require.NoError(t, err)

			_, err = e.svc.ConfigureFromMetadataURL(ctx, e.integ.ID, tt.link(t))
			var ce *ssosaml.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Message, tt.message, "cause: %v", ce.Err)
			assert.Equal(t, ssosaml.FieldMetadataURL, ce.Field)

			after, err := e.st.GetIntegration(ctx, e.integ.ID)
			require.NoError(t, err)
			assert.Equal(t, before, after, "nothing saved")
		})
	}
}

// A configured integration keeps its IdP when a later metadata link is refused.
func TestRefusedMetadataKeepsThePreviousConfiguration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	idp := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0}), "https://acme.okta.test")
	before, err := e.svc.ConfigureFromMetadataURL(ctx, e.integ.ID, serve(t, 200, "text/xml", idp.MetadataXML(t)))
	require.NoError(t, err)

	sha1 := testidp.New(testidp.NewCert(t, testidp.CertOptions{Now: t0, SignatureAlgorithm: x509.SHA1WithRSA}), "https://acme.okta.test")
	_, err = e.svc.ConfigureFromMetadataURL(ctx, e.integ.ID, serve(t, 200, "text/xml", sha1.MetadataXML(t)))
	require.Error(t, err)

	after, err := e.st.GetIntegration(ctx, e.integ.ID)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestConfigureManually(t *testing.T) {
	t.Parallel()
	cert := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	bare := strings.Join(strings.Split(strings.TrimSpace(cert.PEM), "\n")[1:len(strings.Split(strings.TrimSpace(cert.PEM), "\n"))-1], "\n")
	tests := []struct {
		name, ssoURL, certText, entityID string
	}{
		{"PEM with entity ID", "https://acme.okta.test/app/x/exk1/sso/saml", cert.PEM, "http://www.okta.com/exk1"},
		{"PEM without entity ID", "https://acme.okta.test/app/x/exk1/sso/saml", cert.PEM, ""},
		{"PEM with surrounding space", "  https://acme.okta.test/sso  ", "\n\n" + cert.PEM + "\n  ", ""},
		{"bare base64", "http://127.0.0.1:8081/app/x/exk1/sso/saml", bare, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			got, err := e.svc.ConfigureManually(context.Background(), e.integ.ID, tt.ssoURL, tt.certText, tt.entityID)
			require.NoError(t, err)
			assert.Equal(t, strings.TrimSpace(tt.ssoURL), got.SSOURL)
			assert.Equal(t, cert.PEM, got.CertPEM)
			assert.Equal(t, tt.entityID, got.IdPEntityID)
			assert.Empty(t, got.MetadataURL)
			assert.True(t, got.Configured())
		})
	}
}

// Every refusal of SSO-04: a clear message on the right field, nothing saved.
func TestConfigureManuallyRefusals(t *testing.T) {
	t.Parallel()
	good := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	expired := testidp.NewCert(t, testidp.CertOptions{Now: t0, NotBefore: t0.AddDate(-3, 0, 0), NotAfter: t0.AddDate(0, 0, -1)})
	future := testidp.NewCert(t, testidp.CertOptions{Now: t0, NotBefore: t0.AddDate(0, 0, 1), NotAfter: t0.AddDate(3, 0, 0)})
	sha1 := testidp.NewCert(t, testidp.CertOptions{Now: t0, SignatureAlgorithm: x509.SHA1WithRSA})
	const sso = "https://acme.okta.test/app/x/exk1/sso/saml"
	tests := []struct {
		name, ssoURL, cert, entityID string
		field, message               string
	}{
		{"no SSO URL", "", good.PEM, "", ssosaml.FieldSSOURL, "Enter the Identity Provider Single Sign-On URL"},
		{"relative SSO URL", "/app/sso", good.PEM, "", ssosaml.FieldSSOURL, "absolute http or https URL"},
		{"SSO URL without host", "https:///sso", good.PEM, "", ssosaml.FieldSSOURL, "absolute http or https URL"},
		{"javascript SSO URL", "javascript:alert(1)", good.PEM, "", ssosaml.FieldSSOURL, "absolute http or https URL"},
		{"malformed SSO URL", "http://[::1", good.PEM, "", ssosaml.FieldSSOURL, "absolute http or https URL"},
		{"no certificate", sso, "   ", "", ssosaml.FieldCertificate, "Paste the X.509 certificate"},
		{"not a certificate", sso, "hello, world", "", ssosaml.FieldCertificate, "not PEM"},
		{"PEM of a key", sso, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "", ssosaml.FieldCertificate, "not a PEM \"CERTIFICATE\" block"},
		{"broken PEM", sso, "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n", "", ssosaml.FieldCertificate, "not a PEM \"CERTIFICATE\" block"},
		{"PEM with garbage DER", sso, "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n", "", ssosaml.FieldCertificate, "cannot be read as X.509"},
		{"two certificates", sso, good.PEM + expired.PEM, "", ssosaml.FieldCertificate, "exactly one certificate"},
		{"expired certificate", sso, expired.PEM, "", ssosaml.FieldCertificate, "expired on"},
		{"certificate not yet valid", sso, future.PEM, "", ssosaml.FieldCertificate, "not valid before"},
		{"SHA-1 certificate", sso, sha1.PEM, "", ssosaml.FieldCertificate, "SHA-1 certificates are not accepted; use the SHA-2 certificate"},
		{"entity ID too long", sso, good.PEM, strings.Repeat("x", 2000), ssosaml.FieldEntityID, "too long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := newEnv(t)
			before, err := e.st.GetIntegration(ctx, e.integ.ID)
			require.NoError(t, err)

			_, err = e.svc.ConfigureManually(ctx, e.integ.ID, tt.ssoURL, tt.cert, tt.entityID)
			var ce *ssosaml.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field)
			assert.Contains(t, ce.Message, tt.message)

			after, err := e.st.GetIntegration(ctx, e.integ.ID)
			require.NoError(t, err)
			assert.Equal(t, before, after, "nothing saved")
		})
	}
}

func TestSetStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)

	_, err := e.svc.SetStatus(ctx, e.integ.ID, store.StatusConnected)
	assert.ErrorIs(t, err, store.ErrInvalid, "an unconfigured integration cannot be connected")
	_, err = e.svc.SetStatus(ctx, e.integ.ID, "bogus")
	assert.ErrorIs(t, err, store.ErrInvalid)

	cert := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	_, err = e.svc.ConfigureManually(ctx, e.integ.ID, "https://okta.test/sso", cert.PEM, "http://www.okta.com/exk1")
	require.NoError(t, err)
	in, err := e.svc.SetStatus(ctx, e.integ.ID, store.StatusConnected)
	require.NoError(t, err)
	assert.Equal(t, store.StatusConnected, in.Status)

	// The same IdP again keeps the status; another IdP must prove itself again.
	in, err = e.svc.ConfigureManually(ctx, e.integ.ID, "https://okta.test/sso", cert.PEM, "http://www.okta.com/exk1")
	require.NoError(t, err)
	assert.Equal(t, store.StatusConnected, in.Status)
	other := testidp.NewCert(t, testidp.CertOptions{Now: t0})
	in, err = e.svc.ConfigureManually(ctx, e.integ.ID, "https://okta.test/sso", other.PEM, "http://www.okta.com/exk1")
	require.NoError(t, err)
	assert.Equal(t, store.StatusPending, in.Status)
}

func TestMetadataXML(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	xml, err := e.svc.MetadataXML(ctx, e.integ.ID)
	require.NoError(t, err)
	u := e.svc.URLs(e.integ.ID)
	s := string(xml)
	assert.Contains(t, s, `entityID="`+u.EntityID+`"`)
	assert.Contains(t, s, `Location="`+u.ACS+`"`)
	assert.Contains(t, s, saml.HTTPPostBinding)
	assert.NotContains(t, s, saml.HTTPArtifactBinding)

	_, err = e.svc.MetadataXML(ctx, "nope")
	assert.ErrorIs(t, err, store.ErrNotFound)
}
