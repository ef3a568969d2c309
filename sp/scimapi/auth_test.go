package scimapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/store"
)

var tokenShape = regexp.MustCompile(`^ssoh_scim_[a-z2-7]{26}_[a-z2-7]{52}$`)

func TestTokenIsShownOnceAndStoredHashed(t *testing.T) {
	e := newEnv(t)
	require.Regexp(t, tokenShape, e.org.token, "recognisable prefix, 256-bit secret")
	in, err := e.store.GetIntegration(t.Context(), e.org.integ.ID)
	require.NoError(t, err)
	require.True(t, in.ProvisioningEnabled)
	sum := sha256.Sum256([]byte(e.org.token))
	require.Equal(t, hex.EncodeToString(sum[:]), in.SCIMTokenHash, "only the hash is stored")
	require.Equal(t, e.org.token[len("ssoh_scim_"):len("ssoh_scim_")+26], in.SCIMTokenID, "the public id")
	secret := e.org.token[len(e.org.token)-52:]
	for _, field := range []string{in.SCIMTokenID, in.SCIMTokenHash, in.SSOURL, in.CertPEM, in.MetadataURL} {
		require.NotContains(t, field, secret)
	}
	other := e.tenant("Globex")
	require.NotEqual(t, e.org.token, other.token)
}

func TestProvisioningSwitch(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()

	_, err := e.srv.EnableProvisioning(ctx, e.org.integ.ID, "test")
	require.ErrorIs(t, err, scimapi.ErrProvisioningOn, "a second enable shows no token")

	// SCIM-01: only a connected integration can provision.
	for _, status := range []store.IntegrationStatus{store.StatusPending, store.StatusDisabled} {
		o, err := e.store.CreateOrganization(ctx, store.Organization{Name: string(status)})
		require.NoError(t, err)
		in, err := e.store.CreateIntegration(ctx, store.Integration{OrgID: o.ID, Status: status})
		require.NoError(t, err)
		_, err = e.srv.EnableProvisioning(ctx, in.ID, "test")
		require.ErrorIs(t, err, scimapi.ErrNotConnected, status)
		_, err = e.srv.RotateToken(ctx, in.ID, "test")
		require.ErrorIs(t, err, scimapi.ErrProvisioningOff, status)
		got, err := e.store.GetIntegration(ctx, in.ID)
		require.NoError(t, err)
		require.False(t, got.ProvisioningEnabled)
		require.Empty(t, got.SCIMTokenHash)
	}
	_, err = e.srv.EnableProvisioning(ctx, "int_missing", "test")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Rotation: the old token fails at once, the new one works.
	old := e.org.token
	rotated, err := e.srv.RotateToken(ctx, e.org.integ.ID, "admin")
	require.NoError(t, err)
	require.NotEqual(t, old, rotated)
	requireSCIMError(t, e.send(http.MethodGet, "/Users", nil, "Authorization", "Bearer "+old), http.StatusUnauthorized, "")
	require.Equal(t, http.StatusOK, e.send(http.MethodGet, "/Users", nil, "Authorization", "Bearer "+rotated).status)

	// Disabling: the token fails at once; disabling again is harmless;
	// enabling again gives a new token.
	require.NoError(t, e.srv.DisableProvisioning(ctx, e.org.integ.ID, "admin"))
	require.NoError(t, e.srv.DisableProvisioning(ctx, e.org.integ.ID, "admin"))
	requireSCIMError(t, e.send(http.MethodGet, "/Users", nil, "Authorization", "Bearer "+rotated), http.StatusUnauthorized, "")
	in, err := e.store.GetIntegration(ctx, e.org.integ.ID)
	require.NoError(t, err)
	require.Empty(t, in.SCIMTokenID)
	require.Empty(t, in.SCIMTokenHash)
	again, err := e.srv.EnableProvisioning(ctx, e.org.integ.ID, "admin")
	require.NoError(t, err)
	require.NotEqual(t, rotated, again)
	require.Equal(t, http.StatusOK, e.send(http.MethodGet, "/Users", nil, "Authorization", "Bearer "+again).status)

	events, err := e.store.ListAudit(ctx, e.org.org.ID, 10)
	require.NoError(t, err)
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev.Action)
	}
	require.Equal(t, []string{"scim.provisioning.enabled", "scim.provisioning.disabled", "scim.token.rotated", "scim.provisioning.enabled"}, actions)
	require.NotContains(t, events[0].Detail, again[len(again)-52:], "the audit log never holds a secret")
}

func TestUnauthorized(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	off := e.tenant("Off")
	require.NoError(t, e.srv.DisableProvisioning(ctx, off.integ.ID, "test"))
	disabled := e.tenant("Disabled")
	in, err := e.store.GetIntegration(ctx, disabled.integ.ID)
	require.NoError(t, err)
	in.Status = store.StatusDisabled
	_, err = e.store.UpdateIntegration(ctx, in)
	require.NoError(t, err)
	good := e.org.token
	wrongSecret := good[:len(good)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(good, "a")]

	for name, auth := range map[string]string{
		"no header":                  "",
		"Okta SPEC test's non-token": "non-token",
		"basic":                      "Basic YWRhOnNlY3JldA==",
		"bearer without token":       "Bearer ",
		"bearer garbage":             "Bearer not-a-token",
		"token without prefix":       "Bearer " + strings.TrimPrefix(good, "ssoh_scim_"),
		"token with extra character": "Bearer " + good + "x",
		"token upper-cased":          "Bearer " + strings.ToUpper(good),
		"right id, wrong secret":     "Bearer " + wrongSecret,
		"well-formed, unknown":       "Bearer ssoh_scim_" + strings.Repeat("a", 26) + "_" + strings.Repeat("b", 52),
		"provisioning turned off":    "Bearer " + off.token,
		"integration disabled":       "Bearer " + disabled.token,
	} {
		// A token in the query string is never looked at.
		for _, path := range []string{"/Users", "/Groups", "/ServiceProviderConfig", "/Schemas", "/Users/x", "/Nope"} {
			hdr := []string{}
			if auth != "" {
				hdr = []string{"Authorization", auth}
			}
			res := e.send(http.MethodGet, path+"?access_token="+good, nil, hdr...)
			requireSCIMError(t, res, http.StatusUnauthorized, "")
			require.Contains(t, res.header.Get("WWW-Authenticate"), "Bearer", name)
		}
	}
	res := e.send(http.MethodPost, "/Users", oktaUser("x@acme.test", "X", "Y"), "Authorization", "Bearer "+wrongSecret)
	requireSCIMError(t, res, http.StatusUnauthorized, "")
	n, err := e.store.CountSCIMUsers(ctx, e.org.org.ID, nil)
	require.NoError(t, err)
	require.Zero(t, n, "a refused request changes nothing")

	// The scheme is case-insensitive (RFC 7235).
	require.Equal(t, http.StatusOK, e.send(http.MethodGet, "/Users", nil, "Authorization", "bearer "+good).status)
}

// TestTenantIsolation: a token reaches its own organization's data only; the
// other organization's ids are unknown (404), never 200 or 403.
func TestTenantIsolation(t *testing.T) {
	e := newEnv(t)
	globex := e.tenant("Globex")
	adaID := e.mustCreate("ada@acme.test")
	group := e.do(http.MethodPost, "/Groups", map[string]any{"schemas": []string{groupSchema}, "displayName": "Acme Eng",
		"members": []any{map[string]any{"value": adaID}}})
	require.Equal(t, http.StatusCreated, group.status, group.String())
	groupID := group.str("id")

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/Users/" + adaID, nil},
		{http.MethodPut, "/Users/" + adaID, oktaUser("ada@acme.test", "Evil", "Eve")},
		{http.MethodPatch, "/Users/" + adaID, patchOp(op("replace", "", map[string]any{"active": false}))},
		{http.MethodDelete, "/Users/" + adaID, nil},
		{http.MethodGet, "/Groups/" + groupID, nil},
		{http.MethodPut, "/Groups/" + groupID, map[string]any{"schemas": []string{groupSchema}, "displayName": "Pwned"}},
		{http.MethodPatch, "/Groups/" + groupID, patchOp(op("replace", "members", []any{}))},
		{http.MethodDelete, "/Groups/" + groupID, nil},
	} {
		requireSCIMError(t, e.as(globex, tc.method, tc.path, tc.body), http.StatusNotFound, "")
	}
	for _, path := range []string{
		"/Users", `/Users?filter=userName eq "ada@acme.test"`, "/Users?filter=id eq \"" + adaID + "\"",
		"/Groups", `/Groups?filter=displayName eq "Acme Eng"`,
	} {
		res := e.as(globex, http.MethodGet, strings.ReplaceAll(path, " ", "%20"), nil)
		require.Equal(t, http.StatusOK, res.status, res.String())
		require.EqualValues(t, 0, res.get("totalResults"), path)
	}
	// A member id of another organization is as unknown as a made-up one.
	res := e.as(globex, http.MethodPost, "/Groups", map[string]any{"schemas": []string{groupSchema}, "displayName": "Globex Eng",
		"members": []any{map[string]any{"value": adaID}}})
	requireSCIMError(t, res, http.StatusBadRequest, "invalidValue")
	// The same userName is free in the other organization: the account is
	// attached, not duplicated.
	res = e.as(globex, http.MethodPost, "/Users", oktaUser("ada@acme.test", "Ada", "Lovelace"))
	require.Equal(t, http.StatusCreated, res.status, res.String())

	// Acme's data is untouched.
	res = e.do(http.MethodGet, "/Groups/"+groupID, nil)
	require.Equal(t, "Acme Eng", res.str("displayName"))
	require.Equal(t, adaID, res.str("members.0.value"))
	require.Equal(t, true, e.do(http.MethodGet, "/Users/"+adaID, nil).get("active"))
}
