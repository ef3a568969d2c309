package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store/sqlite"
)

// These tests are the proof that conform works on an SP it does not share a
// process with: they build the reference SP and conform as binaries, start the
// SP on loopback with its conformance hooks on, and run conform against it
// through a target file, as a team would against their own SP.

// TestConformAgainstSeparateRefSP: every rule must pass against the separately
// started reference SP (-require-all), and the only skipped scenarios are the
// ones that read the SP's storage, which no outside client can.
func TestConformAgainstSeparateRefSP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and starts the reference SP and runs the whole suite against it")
	}
	bins := buildBinaries(t, "")
	sp := startRefSP(t, bins.refsp)
	report := filepath.Join(t.TempDir(), "report.xml")

	// Two runs at once, one in random order: scenarios that share an SP must
	// not see each other's people, groups or organizations.
	other := make(chan string, 1)
	file := writeTarget(t, sp)
	go func() {
		out, code, err := conformProcess(bins.conform, file, sp.hooksToken, "-require-all", "-random", "-1", "-format", "progress")
		switch {
		case err != nil:
			other <- err.Error()
		case code != 0:
			other <- fmt.Sprintf("exit %d\n%s", code, tail(out, 6000))
		default:
			other <- ""
		}
	}()
	out, code := runConform(t, bins.conform, sp, "-require-all", "-format", "progress,junit:"+report)
	require.Equal(t, 0, code, "conform against the separate reference SP:\n%s", tail(out, 6000))
	require.Empty(t, <-other, "the second run at the same time")

	// Every scenario deleted the organizations it made: two runs left nothing.
	st, err := sqlite.Open(context.Background(), filepath.Join(sp.data, "refsp.db"))
	require.NoError(t, err)
	defer st.Close()
	orgs, err := st.ListOrganizations(context.Background())
	require.NoError(t, err)
	assert.Empty(t, orgs, "organizations left behind")

	assert.NotContains(t, out, " FAIL ")
	assert.NotContains(t, out, "not run")
	for _, m := range regexp.MustCompile(`skipped "[^"]*": (.*)`).FindAllStringSubmatch(out, -1) {
		assert.Equal(t, "needs inspecting the service provider's storage (impossible from outside)", m[1], "only storage checks may be skipped from outside")
	}
	suites := readJUnit(t, report)
	assert.Greater(t, suites.Tests, 150, "the JUnit report holds every scenario")
	assert.Zero(t, suites.Failures)
}

// TestConformAgainstSeparateRefSPOnPostgres: the same, with refsp on
// PostgreSQL (a database of its own, dropped afterwards), when the PostgreSQL
// tests run (SP_TEST_POSTGRES_DSN; CI sets it).
func TestConformAgainstSeparateRefSPOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and starts the reference SP and runs the whole suite against it")
	}
	dsn := os.Getenv("SP_TEST_POSTGRES_DSN")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but SP_TEST_POSTGRES_DSN is not set")
		}
		t.Skip("SP_TEST_POSTGRES_DSN is not set: refsp on PostgreSQL is not tried")
	}
	bins := buildBinaries(t, "")
	sp := startRefSP(t, bins.refsp, "-db", scratchDatabase(t, dsn))
	out, code := runConform(t, bins.conform, sp, "-require-all", "-random", "-1", "-format", "progress")
	require.Equal(t, 0, code, "conform against refsp on PostgreSQL:\n%s", tail(out, 6000))
	assert.NotContains(t, out, " FAIL ")
}

// scratchDatabase creates a database for one test on the server dsn names,
// drops it when the test ends, and returns its DSN.
func scratchDatabase(t *testing.T, dsn string) string {
	t.Helper()
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close() })
	name := "conform_" + randomToken(t)[:16]
	_, err = admin.ExecContext(ctx, "CREATE DATABASE "+name)
	require.NoError(t, err, "creating a scratch database")
	t.Cleanup(func() {
		// FORCE: refsp may still hold connections while it shuts down.
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dropping %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Path = "/" + name
	return u.String()
}

// TestConformCatchesBrokenAudienceInRefSP: the reference SP built with the
// broken audience check must fail SSO-10, and only SSO-10.
func TestConformCatchesBrokenAudienceInRefSP(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds and starts a broken reference SP")
	}
	bins := buildBinaries(t, "ssoharness_broken_audience")
	sp := startRefSP(t, bins.refsp)
	out, code := runConform(t, bins.conform, sp, "-tags", "@SSO-10,@SSO-07,@SSO-02", "-format", "progress")
	assert.Equal(t, 1, code, tail(out, 4000))
	assert.Contains(t, out, "failed rules: SSO-10\n")
	assert.Regexp(t, `SSO-07\s+PASS`, out)
	assert.Regexp(t, `SSO-02\s+PASS`, out)
}

type binaries struct{ refsp, conform string }

// buildBinaries builds refsp (with the given build tags) and conform.
func buildBinaries(t *testing.T, tags string) binaries {
	t.Helper()
	dir := t.TempDir()
	b := binaries{refsp: filepath.Join(dir, "refsp"), conform: filepath.Join(dir, "conform")}
	for _, build := range []struct{ out, pkg, tags string }{
		{b.refsp, "github.com/ssoharness/ssoharness/sp/cmd/refsp", tags},
		{b.conform, "github.com/ssoharness/ssoharness/steps/cmd/conform", ""},
	} {
		args := []string{"build", "-o", build.out}
		if build.tags != "" {
			args = append(args, "-tags", build.tags)
		}
		cmd := exec.Command("go", append(args, build.pkg)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", build.pkg, err, out)
		}
	}
	return b
}

// refSP is a running reference SP and what a target file needs of it.
type refSP struct {
	base, hooksToken string
	data             string // the -data folder (SQLite: refsp.db)
}

// startRefSP starts refsp on a free loopback port with a fresh SQLite
// database and a hooks token, and stops it when the test ends.
func startRefSP(t *testing.T, bin string, extra ...string) refSP {
	t.Helper()
	dir := t.TempDir()
	token := randomToken(t)
	tokenFile := filepath.Join(dir, "hooks-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(token+"\n"), 0o600))

	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "data"),
		"-hooks-token-file", tokenFile, "-password-cost", "4"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "REFSP_HOOKS_TOKEN=", "REFSP_DB=")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("refsp log (last part):\n%s", tail(logs.String(), 4000))
		}
	})

	listening := regexp.MustCompile(`^Reference SP listening on (http://\S+?)/? `)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case base := <-found:
		return refSP{base: base, hooksToken: token, data: filepath.Join(dir, "data")}
	case <-time.After(30 * time.Second):
		t.Fatalf("refsp did not say where it listens within 30 s; log:\n%s", logs.String())
	}
	return refSP{}
}

// runConform writes a target file for sp and runs the conform binary with it.
func runConform(t *testing.T, bin string, sp refSP, args ...string) (string, int) {
	t.Helper()
	out, code, err := conformProcess(bin, writeTarget(t, sp), sp.hooksToken, args...)
	require.NoError(t, err, out)
	return out, code
}

func writeTarget(t *testing.T, sp refSP) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "refsp.yaml")
	require.NoError(t, os.WriteFile(file, []byte(fmt.Sprintf(refSPTarget, sp.base, sp.base)), 0o600))
	return file
}

// conformProcess runs the conform binary against a target file; it is safe
// to call from any goroutine.
func conformProcess(bin, file, hooksToken string, args ...string) (string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"-target", file, "-no-colors", "-concurrency", "4"}, args...)...)
	cmd.Env = append(os.Environ(), "CONFORM_HOOKS_TOKEN="+hooksToken)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0, nil
	case errors.As(err, &exit):
		return string(out), exit.ExitCode(), nil
	}
	return string(out), -1, fmt.Errorf("running conform: %w", err)
}

// refSPTarget is the reference SP's target file, as README shows it.
const refSPTarget = `sp:
  base_url: %s
  signed_in:
    url: /
    pattern: 'Signed in as <strong>(?P<email>[^<]+)</strong> — <strong>(?P<org>[^<]+)</strong>'
  password_sign_in:
    url: /users/sign-in
hooks:
  url: %s/api/hooks/v1
  token_env: CONFORM_HOOKS_TOKEN
`

func randomToken(t *testing.T) string {
	b := make([]byte, 24)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
