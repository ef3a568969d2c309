package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestInProcessRun(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-seed", "200", "-creates", "60", "-filters", "60", "-clients", "3", "-duration", "30s"},
		func(string) string { return "" }, &out, io.Discard)
	require.NoError(t, err, out.String())
	text := out.String()
	require.Contains(t, text, "200 users seeded")
	require.Regexp(t, regexp.MustCompile(`create sequences: 60 in \S+ = \d+/s`), text)
	require.Regexp(t, regexp.MustCompile(`userName filters: 60 in \S+ = \d+/s; latency p50 [\d.]+ms, p90 [\d.]+ms, p99 [\d.]+ms`), text)
	require.Contains(t, text, "errors: 0")
}

func TestReportsFailures(t *testing.T) {
	// A server that refuses the token: every request fails, and the run says so.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"status":"401"}`))
	}))
	defer srv.Close()
	var out bytes.Buffer
	err := run(t.Context(), []string{"-url", srv.URL, "-creates", "5", "-filters", "5", "-clients", "2"},
		func(k string) string { return map[string]string{"SCIMLOAD_TOKEN": "t"}[k] }, &out, io.Discard)
	require.ErrorContains(t, err, "requests failed")
	require.Contains(t, out.String(), "HTTP 401")
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-url", "http://x"}, // no token
		{"-clients", "0"},    // no clients
		{"-creates", "-1"},   // negative
		{"-duration", "0s"},  // no time
		{"-url", "http://x", "-token", "t", "-seed", "5"}, // seeding needs the in-process SP
		{"extra"},
	} {
		_, err := parseFlags(args, func(string) string { return "" }, io.Discard)
		require.Error(t, err, strings.Join(args, " "))
	}
}
