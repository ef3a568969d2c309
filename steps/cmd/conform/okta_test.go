package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
)

const fakeOktaToken = "00conform-test-token"

// startFakeOkta runs a fake Okta the way the idpsim command does (one org,
// its own keys), on httptest. async provisions in the background; the
// command does not (a change returns once its SCIM requests are sent).
func startFakeOkta(t *testing.T, async bool) *idpsim.Server {
	t.Helper()
	ctx := context.Background()
	// The lowest bcrypt cost only makes the test faster: passwords here
	// protect nothing.
	dir, err := directory.Open(ctx, filepath.Join(t.TempDir(), "idpsim.db"), directory.WithBcryptCost(bcrypt.MinCost))
	require.NoError(t, err)
	hs := httptest.NewUnstartedServer(nil)
	srv, err := idpsim.New(idpsim.Config{
		BaseURL: "http://" + hs.Listener.Addr().String(), Directory: dir, APIToken: fakeOktaToken,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		AsyncProvisioning: async,
	})
	require.NoError(t, err)
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(func() { dir.Close() })
	t.Cleanup(hs.Close)
	t.Cleanup(func() { _ = srv.WaitForProvisioning(context.Background()) })
	return srv
}

// TestRunningFakeOkta: with -okta every scenario uses the one fake Okta that
// is already running, at the same time as the others, and passes as with a
// fake Okta of its own, except the one that would move the shared clock:
// that one is skipped, naming why.
func TestRunningFakeOkta(t *testing.T) {
	okta := startFakeOkta(t, false) // as cmd/idpsim
	t.Setenv("IDPSIM_API_TOKEN", fakeOktaToken)
	var out, errOut bytes.Buffer
	// SSO-10's expired and not-yet-valid responses are faults, set per app:
	// they run. SSO-03 makes an app with an expired certificate by moving
	// the clock back eleven years: skipped.
	code, err := run([]string{"-okta", okta.BaseURL(), "-tags", "@SSO-07,@SSO-10,@SCIM-04,@SCIM-09,@SSO-03",
		"-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, 0, code, out.String())
	assert.Regexp(t, `SSO-07\s+PASS\s+3 passed, 0 failed, 0 skipped`, out.String())
	assert.Regexp(t, `SSO-10\s+PASS\s+12 passed, 0 failed, 0 skipped`, out.String())
	assert.Regexp(t, `SCIM-04\s+PASS\s+5 passed, 0 failed, 0 skipped`, out.String())
	assert.Regexp(t, `SCIM-09\s+PASS\s+5 passed, 0 failed, 0 skipped`, out.String())
	assert.Regexp(t, `SSO-03\s+PASS\s+5 passed, 0 failed, 1 skipped`, out.String())
	assert.Contains(t, out.String(), `skipped "A link that cannot be trusted is refused and nothing is saved": needs moving the fake Okta's clock (the fake Okta is shared: -okta)`)
	assert.Equal(t, idpsim.ClockReal, okta.ClockState().Mode, "the clock was never moved")

	// They all ran in this fake Okta: an app each at least.
	apps, err := okta.ListApps(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(apps), 31)
}

// TestOktaFlagErrors: a fake Okta that cannot be used stops the run before
// any scenario, with exit code 2 and a sentence naming the problem.
func TestOktaFlagErrors(t *testing.T) {
	okta := startFakeOkta(t, false)
	for _, tt := range []struct {
		name, token string
		args        []string
		want        string
	}{
		{"with -okta-host", fakeOktaToken, []string{"-okta", okta.BaseURL(), "-okta-host", "localhost"}, "cannot be used together"},
		{"no token", "", []string{"-okta", okta.BaseURL()}, "needs the fake Okta's API token in $IDPSIM_API_TOKEN"},
		{"token in another variable, unset", fakeOktaToken, []string{"-okta", okta.BaseURL(), "-okta-token-env", "CONFORM_TEST_NO_SUCH_VAR"}, "$CONFORM_TEST_NO_SUCH_VAR"},
		{"wrong token", "00wrong", []string{"-okta", okta.BaseURL()}, "Invalid token provided"},
		{"not a base URL", fakeOktaToken, []string{"-okta", okta.BaseURL() + "/app/UserHome"}, "must have no path"},
		{"another name for it", fakeOktaToken, []string{"-okta", strings.Replace(okta.BaseURL(), "127.0.0.1", "localhost", 1)}, "calls itself " + okta.BaseURL()},
		{"nothing there", fakeOktaToken, []string{"-okta", "http://127.0.0.1:1"}, "connection refused"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("IDPSIM_API_TOKEN", tt.token)
			var out, errOut bytes.Buffer
			code, err := run(append(tt.args, "-tags", "@SSO-07"), &out, &errOut)
			assert.Equal(t, 2, code)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, out.String(), "Rule coverage", "no scenario ran")
		})
	}
}

// TestWholeSuiteWithRunningFakeOkta: the whole suite, in random order, on one
// fake Okta that provisions in the background (idpsim.Config's
// AsyncProvisioning): every step that changes Okta returns only once its SCIM
// requests are sent, so nothing fails, and only the scenario that would move
// the shared clock is skipped.
func TestWholeSuiteWithRunningFakeOkta(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the whole suite")
	}
	okta := startFakeOkta(t, true)
	t.Setenv("IDPSIM_API_TOKEN", fakeOktaToken)
	var out, errOut bytes.Buffer
	code, err := run([]string{"-okta", okta.BaseURL(), "-random", "-1", "-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	require.Equal(t, 0, code, out.String())
	assert.NotRegexp(t, `\s(FAIL|SKIP)\s`, out.String())
	assert.Regexp(t, `SSO-03\s+PASS\s+5 passed, 0 failed, 1 skipped`, out.String())
	assert.Equal(t, 1, strings.Count(out.String(), "          skipped "), "one skipped scenario in all:\n%s", out.String())
	assert.Contains(t, out.String(), "needs moving the fake Okta's clock (the fake Okta is shared: -okta)")
}
