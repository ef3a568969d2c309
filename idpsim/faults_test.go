package idpsim_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim"
)

// replayCache is an SP's assertion replay cache.
type replayCache struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *replayCache) Consume(id string, _ time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if c.seen[id] {
		return saml.ErrAssertionReplayed
	}
	c.seen[id] = true
	return nil
}

// facts are what a response says, everything an SP may check, with the ids
// that differ between any two responses left out and the request answered
// reduced to "request" (the one being answered), "none" or "other".
type facts map[string]string

// responseFacts reads the facts of a sign-in: the posted form and the
// Response in it. requestID is the AuthnRequest answered ("" if
// IdP-initiated); appCert the app's published certificate.
func responseFacts(t *testing.T, p page, requestID string, appCert []byte) facts {
	t.Helper()
	relative := func(id string) string {
		switch {
		case id == "":
			return "none"
		case id == requestID:
			return "request"
		}
		return "other"
	}
	attr := func(el *etree.Element, name string) string {
		if el == nil {
			return "<missing>"
		}
		return el.SelectAttrValue(name, "<none>")
	}
	text := func(el *etree.Element) string {
		if el == nil {
			return "<missing>"
		}
		return el.Text()
	}
	resp := parseXML(t, p.samlResponse(t))
	a := resp.SelectElement("Assertion")
	require.NotNil(t, a)
	scd := a.FindElement("./Subject/SubjectConfirmation/SubjectConfirmationData")
	cond := a.SelectElement("Conditions")
	authn := a.SelectElement("AuthnStatement")
	f := facts{
		"form.action":             p.formAction(),
		"form.relayState":         p.inputs()["RelayState"],
		"response.destination":    attr(resp, "Destination"),
		"response.inResponseTo":   relative(resp.SelectAttrValue("InResponseTo", "")),
		"response.issueInstant":   attr(resp, "IssueInstant"),
		"response.issuer":         text(resp.SelectElement("Issuer")),
		"response.status":         attr(resp.FindElement("./Status/StatusCode"), "Value"),
		"response.signature":      signatureFact(t, resp, appCert),
		"assertion.issueInstant":  attr(a, "IssueInstant"),
		"assertion.issuer":        text(a.SelectElement("Issuer")),
		"assertion.signature":     signatureFact(t, a, appCert),
		"nameID":                  text(a.FindElement("./Subject/NameID")),
		"nameID.format":           attr(a.FindElement("./Subject/NameID"), "Format"),
		"scd.recipient":           attr(scd, "Recipient"),
		"scd.inResponseTo":        relative(scd.SelectAttrValue("InResponseTo", "")),
		"scd.notOnOrAfter":        attr(scd, "NotOnOrAfter"),
		"conditions.notBefore":    attr(cond, "NotBefore"),
		"conditions.notOnOrAfter": attr(cond, "NotOnOrAfter"),
		"audience":                text(a.FindElement("./Conditions/AudienceRestriction/Audience")),
		"authn.instant":           attr(authn, "AuthnInstant"),
		"authn.sessionIndex":      relative(attr(authn, "SessionIndex")),
		"authn.context":           text(a.FindElement("./AuthnStatement/AuthnContext/AuthnContextClassRef")),
	}
	if requestID == "" {
		// An IdP-initiated SessionIndex is made up afresh each time.
		f["authn.sessionIndex"] = "fresh"
	}
	for _, at := range a.FindElements("./AttributeStatement/Attribute") {
		f["attribute."+at.SelectAttrValue("Name", "")] = text(at.SelectElement("AttributeValue"))
	}
	return f
}

// signatureFact says who signed el, if anyone: "app" or "other" by the
// certificate in KeyInfo, and whether the signature is valid for that
// certificate, so that a faulted signature is known to be a real one.
func signatureFact(t *testing.T, el *etree.Element, appCert []byte) string {
	t.Helper()
	var sig *etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" {
			sig = c
		}
	}
	if sig == nil {
		return "none"
	}
	certEl := sig.FindElement("./KeyInfo/X509Data/X509Certificate")
	require.NotNil(t, certEl)
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(certEl.Text()), ""))
	require.NoError(t, err)
	who := "other"
	if bytes.Equal(der, appCert) {
		who = "app"
	}
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	vctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
	vctx.Clock = dsig.NewFakeClockAt(t0)
	if _, err := vctx.Validate(el); err != nil {
		return who + " (invalid: " + err.Error() + ")"
	}
	return who + " (valid)"
}

// diff returns the facts that differ.
func diff(a, b facts) []string {
	var out []string
	for k := range a {
		if a[k] != b[k] {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func certDER(t *testing.T, app idpsim.App) []byte {
	t.Helper()
	block, _ := pem.Decode([]byte(app.CertificatePEM))
	require.NotNil(t, block)
	return block.Bytes
}

// signInOnce runs one sign-in to app in the signed-in browser b:
// SP-initiated (HTTP-Redirect, RelayState "rs") or IdP-initiated from the
// embed link. It returns the page with the posted form and the request id
// answered.
func signInOnce(t *testing.T, e *env, b *browser, sp *saml.ServiceProvider, app idpsim.App, spInitiated bool) (page, string) {
	t.Helper()
	if !spInitiated {
		return b.get(app.EmbedLinkURL), ""
	}
	req := e.authnRequest(sp, app)
	return b.send(app, redirectBinding, requestXML(t, req), "rs"), req.ID
}

// parse has the SP check the response of a sign-in as its ACS would.
func parse(t *testing.T, sp *saml.ServiceProvider, p page, requestID string) error {
	t.Helper()
	var ids []string
	if requestID != "" {
		ids = []string{requestID}
	}
	_, err := sp.ParseXMLResponse(p.samlResponse(t), ids, sp.AcsURL)
	return err
}

func TestFaultsChangeOnlyTheirAspect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	ctx := context.Background()

	tests := []struct {
		fault idpsim.Fault
		// changed are the facts the fault changes, and only those.
		changed []string
		// cause is the crewjam error value of the SP's refusal, and
		// message a part of its message, naming what is wrong.
		cause   error
		message string
		// idpInitiated: run the sign-in from the embed link.
		idpInitiated bool
	}{
		{fault: idpsim.FaultUnsigned, changed: []string{"assertion.signature", "response.signature"}, message: "signature element not present"},
		{fault: idpsim.FaultSignedByOtherKey, changed: []string{"assertion.signature", "response.signature"}, cause: saml.ErrUntrustedCertificate, message: "certificate"},
		{fault: idpsim.FaultExpired, changed: []string{
			"assertion.issueInstant", "authn.instant", "conditions.notBefore", "conditions.notOnOrAfter",
			"response.issueInstant", "scd.notOnOrAfter",
		}, cause: saml.ErrExpired, message: "expired"},
		{fault: idpsim.FaultNotYetValid, changed: []string{"conditions.notBefore", "conditions.notOnOrAfter"}, cause: saml.ErrNotYetValid, message: "Conditions is not yet valid"},
		{fault: idpsim.FaultWrongAudience, changed: []string{"audience"}, cause: saml.ErrAudienceMismatch, message: "AudienceRestriction"},
		{fault: idpsim.FaultWrongDestination, changed: []string{"response.destination"}, cause: saml.ErrDestinationMismatch, message: "Destination"},
		{fault: idpsim.FaultWrongRecipient, changed: []string{"scd.recipient"}, cause: saml.ErrDestinationMismatch, message: "Recipient"},
		{fault: idpsim.FaultWrongIssuer, changed: []string{"assertion.issuer", "response.issuer"}, cause: saml.ErrIssuerMismatch, message: "Issuer"},
		{fault: idpsim.FaultInResponseToOther, changed: []string{"response.inResponseTo", "scd.inResponseTo"}, cause: saml.ErrRequestIDMismatch, message: "InResponseTo"},
		{fault: idpsim.FaultInResponseToOther, idpInitiated: true, changed: []string{"response.inResponseTo", "scd.inResponseTo"}, cause: saml.ErrRequestIDMismatch, message: "InResponseTo"},
	}
	for _, tt := range tests {
		name := string(tt.fault)
		if tt.idpInitiated {
			name += "/IdP-initiated"
		}
		t.Run(name, func(t *testing.T) {
			sp := e.newSP(f.app)
			appCert := certDER(t, f.app)
			b := e.browser()
			b.signIn("ada@acme.test", adaPW)
			spInit := !tt.idpInitiated

			good, goodID := signInOnce(t, e, b, sp, f.app, spInit)
			require.NoError(t, parse(t, sp, good, goodID), "a good response first")
			goodFacts := responseFacts(t, good, goodID, appCert)
			assert.Equal(t, "app (valid)", goodFacts["response.signature"])
			assert.Equal(t, "app (valid)", goodFacts["assertion.signature"])

			require.NoError(t, e.srv.SetFault(ctx, f.app.ID, tt.fault))
			bad, badID := signInOnce(t, e, b, sp, f.app, spInit)
			badFacts := responseFacts(t, bad, badID, appCert)
			assert.Equal(t, tt.changed, diff(goodFacts, badFacts), "only the faulted aspect differs:\n good %v\n bad  %v", goodFacts, badFacts)
			for _, k := range []string{"response.signature", "assertion.signature"} {
				if !slices.Contains(tt.changed, k) {
					assert.Equal(t, "app (valid)", badFacts[k], "still properly signed by the app's key")
				}
			}
			if tt.fault == idpsim.FaultSignedByOtherKey {
				assert.Equal(t, "other (valid)", badFacts["response.signature"], "a real signature, by another key")
				assert.Equal(t, "other (valid)", badFacts["assertion.signature"])
			}

			err := parse(t, sp, bad, badID)
			var ire *saml.InvalidResponseError
			require.ErrorAs(t, err, &ire, "the SP refuses")
			t.Logf("the SP refuses: %v", ire.PrivateErr)
			if tt.cause != nil {
				assert.ErrorIs(t, ire.PrivateErr, tt.cause, "%v", ire.PrivateErr)
			}
			assert.Contains(t, ire.PrivateErr.Error(), tt.message)

			last, ok := e.srv.LastResponse(f.app.ID)
			require.True(t, ok)
			assert.Equal(t, bad.inputs()["SAMLResponse"], last.SAMLResponse)
			assert.Equal(t, []idpsim.Fault{tt.fault}, last.Faults)

			e.srv.ClearFaults(f.app.ID)
			again, againID := signInOnce(t, e, b, sp, f.app, spInit)
			assert.NoError(t, parse(t, sp, again, againID), "cleared: the same SP accepts")
			assert.Empty(t, diff(goodFacts, responseFacts(t, again, againID, appCert)))
		})
	}
}

func TestReplayFault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	ctx := context.Background()
	sp := e.newSP(f.app)
	sp.ReplayCache = &replayCache{}
	b := e.browser()
	b.signIn("ada@acme.test", adaPW)

	// Set before any response: it waits for one to replay.
	require.NoError(t, e.srv.SetFaultOnce(ctx, f.app.ID, idpsim.FaultReplay))
	first := b.get(f.app.EmbedLinkURL + "?RelayState=one")
	require.NoError(t, parse(t, sp, first, ""))
	assert.Equal(t, []idpsim.FaultSetting{{AppID: f.app.ID, Fault: idpsim.FaultReplay, Once: true}}, e.srv.Faults(), "not used up by the first response")

	second := b.get(f.app.EmbedLinkURL + "?RelayState=two")
	assert.Equal(t, first.inputs()["SAMLResponse"], second.inputs()["SAMLResponse"], "the same bytes again")
	assert.Equal(t, "two", second.inputs()["RelayState"], "with this sign-in's RelayState")
	err := parse(t, sp, second, "")
	var ire *saml.InvalidResponseError
	require.ErrorAs(t, err, &ire)
	assert.ErrorIs(t, ire.PrivateErr, saml.ErrAssertionReplayed)
	assert.Empty(t, e.srv.Faults(), "a one-shot fault is used up")

	third := b.get(f.app.EmbedLinkURL)
	assert.NotEqual(t, first.inputs()["SAMLResponse"], third.inputs()["SAMLResponse"])
	assert.NoError(t, parse(t, sp, third, ""))

	t.Run("LastResponse lets a test replay it itself", func(t *testing.T) {
		last, ok := e.srv.LastResponse(f.app.ID)
		require.True(t, ok)
		assert.Equal(t, third.inputs()["SAMLResponse"], last.SAMLResponse)
		assert.Equal(t, f.app.ACSURL, last.ACSURL)
		assert.Equal(t, t0, last.SentAt)
		assert.Empty(t, last.InResponseTo)
		raw, err := base64.StdEncoding.DecodeString(last.SAMLResponse)
		require.NoError(t, err)
		_, err = sp.ParseXMLResponse(raw, nil, sp.AcsURL)
		assert.ErrorIs(t, err, saml.ErrAssertionReplayed)
	})
}

func TestFaultLifetimes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	ctx := context.Background()
	other, err := e.srv.CreateCatalogApp(ctx, idpsim.CatalogAppInput{SPBaseURL: "http://sp2.test", IntegrationID: "other"})
	require.NoError(t, err)
	require.NoError(t, e.srv.Assign(ctx, other.ID, f.ada.ID))
	b := e.browser()
	b.signIn("ada@acme.test", adaPW)
	audience := func(app idpsim.App) string {
		return parseXML(t, b.get(app.EmbedLinkURL).samlResponse(t)).FindElement("./Assertion/Conditions/AudienceRestriction/Audience").Text()
	}

	t.Run("until cleared, on its app only", func(t *testing.T) {
		require.NoError(t, e.srv.SetFault(ctx, f.app.ID, idpsim.FaultWrongAudience))
		for range 2 {
			assert.Equal(t, "https://wrong-audience.invalid/sp", audience(f.app))
		}
		assert.Equal(t, other.Audience, audience(other), "another app is not faulted")
		e.srv.ClearFault(f.app.ID, idpsim.FaultWrongAudience)
		assert.Equal(t, f.app.Audience, audience(f.app))
	})

	t.Run("once", func(t *testing.T) {
		require.NoError(t, e.srv.SetFaultOnce(ctx, f.app.ID, idpsim.FaultWrongAudience))
		assert.Equal(t, "https://wrong-audience.invalid/sp", audience(f.app))
		assert.Equal(t, f.app.Audience, audience(f.app))
	})

	t.Run("a HEAD request makes no response", func(t *testing.T) {
		require.NoError(t, e.srv.SetFaultOnce(ctx, f.app.ID, idpsim.FaultWrongAudience))
		for _, u := range []string{f.app.EmbedLinkURL, f.app.SSOURL} {
			req, err := http.NewRequest(http.MethodHead, u, nil)
			require.NoError(t, err)
			resp, err := b.c.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
		}
		assert.Equal(t, "https://wrong-audience.invalid/sp", audience(f.app), "the one-shot fault is still there")
	})

	t.Run("faults add up", func(t *testing.T) {
		require.NoError(t, e.srv.SetFault(ctx, f.app.ID, idpsim.FaultWrongAudience))
		require.NoError(t, e.srv.SetFault(ctx, f.app.ID, idpsim.FaultUnsigned))
		resp := parseXML(t, b.get(f.app.EmbedLinkURL).samlResponse(t))
		assert.Empty(t, resp.FindElements("//Signature"))
		assert.Equal(t, "https://wrong-audience.invalid/sp", resp.FindElement("./Assertion/Conditions/AudienceRestriction/Audience").Text())
		last, ok := e.srv.LastResponse(f.app.ID)
		require.True(t, ok)
		assert.Equal(t, []idpsim.Fault{idpsim.FaultUnsigned, idpsim.FaultWrongAudience}, last.Faults)
		e.srv.ClearFaults(f.app.ID)
		assert.Empty(t, e.srv.Faults())
	})

	t.Run("unknown app or fault", func(t *testing.T) {
		assert.ErrorIs(t, e.srv.SetFault(ctx, "0oaNOPE", idpsim.FaultExpired), idpsim.ErrNotFound)
		assert.ErrorIs(t, e.srv.SetFault(ctx, f.app.ID, idpsim.Fault("late")), idpsim.ErrUnknownFault)
		assert.Empty(t, e.srv.Faults())
	})

	t.Run("reset forgets faults and responses", func(t *testing.T) {
		require.NoError(t, e.srv.SetFault(ctx, other.ID, idpsim.FaultExpired))
		_, ok := e.srv.LastResponse(other.ID)
		require.True(t, ok)
		require.NoError(t, e.srv.Reset(ctx))
		assert.Empty(t, e.srv.Faults())
		_, ok = e.srv.LastResponse(other.ID)
		assert.False(t, ok)
	})
}

func TestFaultsAreNotShared(t *testing.T) {
	t.Parallel()
	// Two servers in one process: a fault on one is not seen by the other.
	e1, e2 := newEnv(t, t0), newEnv(t, t0)
	f1, f2 := e1.fixture(), e2.fixture()
	require.NoError(t, e1.srv.SetFault(context.Background(), f1.app.ID, idpsim.FaultUnsigned))
	assert.Empty(t, e2.srv.Faults())
	b := e2.browser()
	b.signIn("ada@acme.test", adaPW)
	assert.Len(t, parseXML(t, b.get(f2.app.EmbedLinkURL).samlResponse(t)).FindElements("//Signature"), 2)
}

// adminJSON calls an /_admin route and decodes the JSON answer.
func (e *env) adminJSON(method, path, body string) (int, map[string]any) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.BaseURL()+path, strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	assert.Equal(e.t, "application/json", resp.Header.Get("Content-Type"))
	buf, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	var out map[string]any
	require.NoError(e.t, json.Unmarshal(buf, &out), string(buf))
	return resp.StatusCode, out
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, t0)
	f := e.fixture()
	app := f.app.ID

	status, doc := e.adminJSON("GET", "/_admin/faults", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, doc["faults"])
	available := doc["available"].([]any)
	require.Len(t, available, len(idpsim.AllFaults()))
	for i, a := range available {
		m := a.(map[string]any)
		assert.Equal(t, string(idpsim.AllFaults()[i]), m["fault"])
		assert.NotEmpty(t, m["description"])
	}
	var names []string
	for _, f := range idpsim.AllFaults() {
		names = append(names, string(f))
	}
	assert.Subset(t, names, []string{"unsigned", "signed-by-other-key", "expired", "not-yet-valid", "wrong-audience",
		"wrong-destination", "wrong-recipient", "replay", "in-response-to-other"})

	status, doc = e.adminJSON("POST", "/_admin/faults", fmt.Sprintf(`{"appId": %q, "fault": "expired", "once": false}`, app))
	require.Equal(t, http.StatusOK, status, doc)
	status, doc = e.adminJSON("POST", "/_admin/faults", fmt.Sprintf(`{"appId": %q, "fault": "wrong-audience", "once": true}`, app))
	require.Equal(t, http.StatusOK, status, doc)
	assert.Equal(t, []any{
		map[string]any{"appId": app, "fault": "expired", "once": false},
		map[string]any{"appId": app, "fault": "wrong-audience", "once": true},
	}, doc["faults"])
	assert.Equal(t, []idpsim.FaultSetting{
		{AppID: app, Fault: idpsim.FaultExpired},
		{AppID: app, Fault: idpsim.FaultWrongAudience, Once: true},
	}, e.srv.Faults(), "the Go API sees the same faults")

	bad := []struct {
		name, method, path, body, want string
	}{
		{"unknown fault", "POST", "/_admin/faults", fmt.Sprintf(`{"appId": %q, "fault": "slow"}`, app), `unknown fault "slow": known faults are unsigned, signed-by-other-key`},
		{"unknown app", "POST", "/_admin/faults", `{"appId": "0oaNOPE", "fault": "expired"}`, `unknown app "0oaNOPE"`},
		{"no app", "POST", "/_admin/faults", `{"fault": "expired"}`, `"appId" and "fault" are required`},
		{"no fault", "POST", "/_admin/faults", fmt.Sprintf(`{"appId": %q}`, app), `"appId" and "fault" are required`},
		{"unknown field", "POST", "/_admin/faults", fmt.Sprintf(`{"appId": %q, "fault": "expired", "onse": true}`, app), `unknown field "onse"`},
		{"not JSON", "POST", "/_admin/faults", `fault=expired`, "body must be JSON"},
		{"clear on an unknown app", "DELETE", "/_admin/faults?appId=0oaNOPE", "", `unknown app "0oaNOPE"`},
		{"clear an unknown fault", "DELETE", "/_admin/faults?appId=" + app + "&fault=slow", "", `unknown fault "slow"`},
		{"clear a fault of no app", "DELETE", "/_admin/faults?fault=expired", "", `"fault" needs "appId"`},
		{"last response of no app", "GET", "/_admin/last-response", "", `"appId" is required`},
		{"last response of an unknown app", "GET", "/_admin/last-response?appId=0oaNOPE", "", `unknown app "0oaNOPE"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			status, doc := e.adminJSON(tt.method, tt.path, tt.body)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Contains(t, doc["error"], tt.want)
		})
	}
	assert.Len(t, e.srv.Faults(), 2, "nothing changed by the refused requests")

	status, doc = e.adminJSON("GET", "/_admin/last-response?appId="+app, "")
	assert.Equal(t, http.StatusNotFound, status)
	assert.Contains(t, doc["error"], "has had no response yet")

	// A sign-in gets both faults, and the once fault is used up.
	b := e.browser()
	b.signIn("ada@acme.test", adaPW)
	p := b.get(f.app.EmbedLinkURL)
	status, doc = e.adminJSON("GET", "/_admin/last-response?appId="+app, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, p.inputs()["SAMLResponse"], doc["samlResponse"])
	assert.Equal(t, f.app.ACSURL, doc["acsUrl"])
	assert.Equal(t, []any{"expired", "wrong-audience"}, doc["faults"])
	status, doc = e.adminJSON("GET", "/_admin/faults", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{map[string]any{"appId": app, "fault": "expired", "once": false}}, doc["faults"])

	status, doc = e.adminJSON("DELETE", "/_admin/faults?appId="+app+"&fault=expired", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, doc["faults"])

	for _, fault := range []string{"unsigned", "replay"} {
		status, _ = e.adminJSON("POST", "/_admin/faults", fmt.Sprintf(`{"appId": %q, "fault": %q}`, app, fault))
		require.Equal(t, http.StatusOK, status)
	}
	status, doc = e.adminJSON("DELETE", "/_admin/faults?appId="+app, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, doc["faults"])

	require.NoError(t, e.srv.SetFault(context.Background(), app, idpsim.FaultExpired))
	status, doc = e.adminJSON("DELETE", "/_admin/faults", "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, []any{}, doc["faults"])
	assert.Empty(t, e.srv.Faults())
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	for _, f := range idpsim.AllFaults() {
		got, err := idpsim.ParseFault(" " + string(f) + " ")
		require.NoError(t, err)
		assert.Equal(t, f, got)
		assert.NotEmpty(t, f.Description())
	}
	_, err := idpsim.ParseFault("Expired")
	assert.ErrorIs(t, err, idpsim.ErrUnknownFault)
	assert.Len(t, idpsim.AllFaults(), 10)
}
