package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/idpsim/samlidp"
	"github.com/ssoharness/ssoharness/sp"
	"github.com/ssoharness/ssoharness/sp/store"
	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// TestSCIMOnlyTarget: a target file with only a SCIM URL and token runs what
// SCIM can judge and reports the rest as skipped, naming what is missing; the
// run passes when nothing failed.
func TestSCIMOnlyTarget(t *testing.T) {
	ctx := context.Background()
	scimURL, token := scimTenant(t, ctx)
	t.Setenv("CONFORM_TEST_SCIM_TOKEN", token)
	file := filepath.Join(t.TempDir(), "scim.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf("scim:\n  url: %s\n  token_env: CONFORM_TEST_SCIM_TOKEN\n", scimURL)), 0o600))

	var out, errOut bytes.Buffer
	code, err := run([]string{"-target", file, "-tags", "@PROTO-05,@SSO-07,@PROTO-02", "-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 0, code, out.String())
	assert.Regexp(t, `PROTO-05\s+PASS\s+15 passed, 0 failed, 0 skipped`, out.String())
	assert.Regexp(t, `SSO-07\s+SKIP\s+0 passed, 0 failed, 3 skipped`, out.String())
	assert.Contains(t, out.String(), "(the target file has no hooks)")
	assert.Regexp(t, `PROTO-02\s+PASS\s+1 passed, 0 failed, 5 skipped`, out.String(), "counting a shared tenant is skipped")
	assert.Contains(t, out.String(), "needs a SCIM tenant of its own")

	code, err = run([]string{"-target", file, "-tags", "@SSO-07", "-require-all", "-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 1, code, "-require-all fails a rule that nothing could check")
}

// TestBadTargetFile: a target file that cannot be used stops the run before
// any scenario, with exit code 2 and a sentence naming the problem.
func TestBadTargetFile(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"empty.yaml":   "sp:\n  base_url: http://127.0.0.1:1\n",
		"typo.yaml":    "scim:\n  url: http://127.0.0.1:1/scim/v2\n  tokn: x\n",
		"missing.yaml": "",
	} {
		path := filepath.Join(dir, name)
		if name != "missing.yaml" {
			require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		}
		var out, errOut bytes.Buffer
		code, err := run([]string{"-target", path}, &out, &errOut)
		assert.Equal(t, 2, code, name)
		require.Error(t, err, name)
		assert.NotEmpty(t, err.Error())
	}
}

// scimTenant starts the reference SP with one organization whose provisioning
// is on, and returns its SCIM base URL and token.
func scimTenant(t *testing.T, ctx context.Context) (string, string) {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "refsp.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	srv := httptest.NewUnstartedServer(nil)
	s, err := sp.New(sp.Config{BaseURL: "http://" + srv.Listener.Addr().String(), Store: st, PasswordCost: 4})
	require.NoError(t, err)
	srv.Config.Handler = s
	srv.Start()
	t.Cleanup(srv.Close)

	org, err := st.CreateOrganization(ctx, store.Organization{Name: "Staging"})
	require.NoError(t, err)
	in, err := s.ConnectOkta(ctx, org.ID)
	require.NoError(t, err)
	cred, err := samlidp.NewCredential("idp-test", time.Now())
	require.NoError(t, err)
	_, err = s.ConfigureManually(ctx, in.ID, "https://example.okta.com/app/x/exk1/sso/saml", cred.CertificatePEM, "")
	require.NoError(t, err)
	_, err = s.SetIntegrationStatus(ctx, in.ID, store.StatusConnected)
	require.NoError(t, err)
	token, err := s.EnableProvisioning(ctx, in.ID)
	require.NoError(t, err)
	return s.SCIMBaseURL(), token
}
