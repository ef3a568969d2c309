package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFlagsAndEnvironment(t *testing.T) {
	// t.Setenv forbids t.Parallel: the environment is process-wide.
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want options
	}{
		{"defaults", nil, nil,
			options{addr: "127.0.0.1:8081", baseURL: "http://127.0.0.1:8081", data: "./data", org: "ssoharness-dev"}},
		{"environment", map[string]string{"IDPSIM_ADDR": ":9000", "IDPSIM_DATA": "/tmp/x", "IDPSIM_SEED": "s.yaml", "IDPSIM_ORG": "acme"}, nil,
			options{addr: ":9000", baseURL: "http://localhost:9000", data: "/tmp/x", seedFile: "s.yaml", org: "acme"}},
		{"flags win", map[string]string{"IDPSIM_ADDR": ":9000", "IDPSIM_BASE_URL": "http://env"},
			[]string{"-addr", "0.0.0.0:7000", "-base-url", "https://okta.test"},
			options{addr: "0.0.0.0:7000", baseURL: "https://okta.test", data: "./data", org: "ssoharness-dev"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"IDPSIM_ADDR", "IDPSIM_BASE_URL", "IDPSIM_DATA", "IDPSIM_SEED", "IDPSIM_ORG", "IDPSIM_API_TOKEN"} {
				t.Setenv(k, tt.env[k])
			}
			got, err := parseFlags(tt.args, &bytes.Buffer{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var out bytes.Buffer
	_, err := parseFlags([]string{"-h"}, &out)
	require.True(t, errors.Is(err, flag.ErrHelp))
	for _, s := range []string{"-addr", "IDPSIM_ADDR", "-base-url", "IDPSIM_BASE_URL", "-data", "IDPSIM_DATA", "-seed", "IDPSIM_SEED", "-org", "IDPSIM_ORG", "-api-token", "IDPSIM_API_TOKEN"} {
		assert.True(t, strings.Contains(out.String(), s), s)
	}
	_, err = parseFlags([]string{"extra"}, &out)
	assert.Error(t, err)
}
