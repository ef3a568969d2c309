package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func noEnv(string) string { return "" }

func TestHelpDocumentsEveryFlag(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	_, err := parseFlags([]string{"-h"}, noEnv, &stderr)
	require.True(t, errors.Is(err, flag.ErrHelp))
	for _, want := range []string{
		"-addr", "REFSP_ADDR", "127.0.0.1:8080",
		"-base-url", "REFSP_BASE_URL", "http://{addr}",
		"-data", "REFSP_DATA", "./data", "refsp.db",
		"-db", "REFSP_DB", "postgres://",
		"-demo-okta", "REFSP_DEMO_OKTA",
		"-password-cost", "REFSP_PASSWORD_COST", "4..31",
		"-hooks-token-file", "REFSP_HOOKS_TOKEN_FILE", "REFSP_HOOKS_TOKEN", "/api/hooks/v1", "never on production",
	} {
		assert.Contains(t, stderr.String(), want)
	}

	// The environment never shows up in the help (a DSN carries a password).
	stderr.Reset()
	_, err = parseFlags([]string{"-h"}, func(string) string { return "postgres://u:secret@db/x" }, &stderr)
	require.True(t, errors.Is(err, flag.ErrHelp))
	assert.NotContains(t, stderr.String(), "secret")
}

func TestFlagsFallBackToTheEnvironment(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"REFSP_ADDR": "0.0.0.0:9000", "REFSP_BASE_URL": "https://sp.example", "REFSP_DATA": "/var/lib/refsp",
		"REFSP_DB": "postgres://u@db/refsp", "REFSP_DEMO_OKTA": "http://okta:8081", "REFSP_PASSWORD_COST": "4",
	}
	getenv := func(k string) string { return env[k] }

	o, err := parseFlags(nil, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{addr: "0.0.0.0:9000", baseURL: "https://sp.example", data: "/var/lib/refsp", db: "postgres://u@db/refsp", demoOkta: "http://okta:8081", passwordCost: 4}, o)

	o, err = parseFlags([]string{"-addr", "127.0.0.1:1", "-data", "d"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", o.addr, "a flag beats the environment")
	assert.Equal(t, "d", o.data)

	o, err = parseFlags(nil, noEnv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{addr: "127.0.0.1:8080", data: "./data", passwordCost: 10}, o)

	_, err = parseFlags([]string{"extra"}, noEnv, io.Discard)
	assert.Error(t, err)
}

func TestDisplayHost(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "localhost:8080", displayHost("0.0.0.0:8080"))
	assert.Equal(t, "localhost:8080", displayHost("[::]:8080"))
	assert.Equal(t, "127.0.0.1:8080", displayHost("127.0.0.1:8080"))
}

func TestRefusesANonPostgresDSN(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"-db", "mysql://x"}, noEnv, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "postgres://")
}

// syncBuffer is written by run's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", data}, noEnv, &stdout, io.Discard) }()

	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)/ \(data file: (.+)\)`)
	var m []string
	require.Eventually(t, func() bool { m = re.FindStringSubmatch(stdout.String()); return m != nil }, 10*time.Second, 10*time.Millisecond)
	assert.Equal(t, filepath.Join(data, "refsp.db"), m[2])
	_, err := os.Stat(m[2])
	assert.NoError(t, err)

	res, err := http.Get(m[1] + "/users/sign-in")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	// Without a token, no hooks: neither the line nor the routes.
	assert.NotContains(t, stdout.String(), "Conformance hooks")
	res, err = http.Get(m[1] + "/api/hooks/v1/refusals?integration=x")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusNotFound, res.StatusCode)

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestPasswordCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want int
		err  string
	}{
		{"default", nil, nil, 10, ""},
		{"flag", []string{"-password-cost", "4"}, nil, 4, ""},
		{"environment", nil, map[string]string{"REFSP_PASSWORD_COST": "12"}, 12, ""},
		{"flag beats environment", []string{"-password-cost", "5"}, map[string]string{"REFSP_PASSWORD_COST": "12"}, 5, ""},
		{"highest", []string{"-password-cost", "31"}, nil, 31, ""},
		{"too low", []string{"-password-cost", "3"}, nil, 0, "must be 4..31, not 3"},
		{"too high", nil, map[string]string{"REFSP_PASSWORD_COST": "32"}, 0, "must be 4..31, not 32"},
		{"not a number", nil, map[string]string{"REFSP_PASSWORD_COST": "fast"}, 0, "REFSP_PASSWORD_COST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.passwordCost)
		})
	}
}

func TestHooksToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	good := write("good", "  "+token+"\n")
	other := write("other", token+"-from-the-env-file")
	blank := write("blank", " \n\t")
	short := write("short", "0123456789abcdef0123456789abcde") // 31

	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
		err  string
	}{
		{"none", nil, nil, "", ""},
		{"file, trimmed", []string{"-hooks-token-file", good}, nil, token, ""},
		{"file from the environment", nil, map[string]string{"REFSP_HOOKS_TOKEN_FILE": good}, token, ""},
		{"flag beats the environment's file", []string{"-hooks-token-file", good}, map[string]string{"REFSP_HOOKS_TOKEN_FILE": other}, token, ""},
		{"token from the environment", nil, map[string]string{"REFSP_HOOKS_TOKEN": " " + token + " "}, token, ""},
		{"a file beats the token in the environment", nil, map[string]string{"REFSP_HOOKS_TOKEN_FILE": other, "REFSP_HOOKS_TOKEN": token}, token + "-from-the-env-file", ""},
		{"missing file", []string{"-hooks-token-file", filepath.Join(dir, "nope")}, nil, "", "-hooks-token-file"},
		{"empty file", []string{"-hooks-token-file", blank}, nil, "", "is empty"},
		{"short file", []string{"-hooks-token-file", short}, nil, "", "is 31 characters; it must be at least 32"},
		{"short environment token", nil, map[string]string{"REFSP_HOOKS_TOKEN": "secret"}, "", "REFSP_HOOKS_TOKEN is 6 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				assert.NotContains(t, err.Error(), "0123456789abcde", "the token is never shown")
				assert.NotContains(t, err.Error(), "secret", "the token is never shown")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.hooksToken)
		})
	}
}

func TestRunServesTheHooksWithAToken(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout syncBuffer
	env := map[string]string{"REFSP_HOOKS_TOKEN": token, "REFSP_PASSWORD_COST": "4"}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data", t.TempDir()}, func(k string) string { return env[k] }, &stdout, io.Discard)
	}()

	re := regexp.MustCompile(`(?m)^Conformance hooks enabled at (http://127\.0\.0\.1:\d+/api/hooks/v1) \(test deployments only\)$`)
	var m []string
	require.Eventually(t, func() bool { m = re.FindStringSubmatch(stdout.String()); return m != nil }, 10*time.Second, 10*time.Millisecond)
	assert.NotContains(t, stdout.String(), token)

	for _, tt := range []struct {
		auth   string
		status int
	}{
		{"", http.StatusUnauthorized},
		{"Bearer " + token, http.StatusOK},
	} {
		req, err := http.NewRequest(http.MethodGet, m[1]+"/refusals?integration=x", nil)
		require.NoError(t, err)
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, tt.status, res.StatusCode)
	}

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
}

func TestRunRefusesAShortHooksToken(t *testing.T) {
	t.Parallel()
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data", t.TempDir()}, func(k string) string {
		if k == "REFSP_HOOKS_TOKEN" {
			return "short"
		}
		return ""
	}, io.Discard, io.Discard)
	assert.ErrorContains(t, err, "at least 32")
}
