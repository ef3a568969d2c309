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
		"REFSP_DB": "postgres://u@db/refsp", "REFSP_DEMO_OKTA": "http://okta:8081",
	}
	getenv := func(k string) string { return env[k] }

	o, err := parseFlags(nil, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{addr: "0.0.0.0:9000", baseURL: "https://sp.example", data: "/var/lib/refsp", db: "postgres://u@db/refsp", demoOkta: "http://okta:8081"}, o)

	o, err = parseFlags([]string{"-addr", "127.0.0.1:1", "-data", "d"}, getenv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:1", o.addr, "a flag beats the environment")
	assert.Equal(t, "d", o.data)

	o, err = parseFlags(nil, noEnv, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{addr: "127.0.0.1:8080", data: "./data"}, o)

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

	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
}
