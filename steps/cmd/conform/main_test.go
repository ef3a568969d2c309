package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestList(t *testing.T) {
	var out, errOut bytes.Buffer
	code, err := run([]string{"-list"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	assert.Contains(t, out.String(), "SSO-07 (implemented)")
	assert.Contains(t, out.String(), "An assigned user opens the app from the Okta dashboard")
}

func TestListWithTags(t *testing.T) {
	var out, errOut bytes.Buffer
	code, err := run([]string{"-list", "-tags", "@SSO-07,@PROTO-05"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 0, code)
	assert.Contains(t, out.String(), "SSO-07 (implemented)")
	assert.Contains(t, out.String(), "PROTO-05 (implemented)")
	assert.NotContains(t, out.String(), "SSO-08")
	assert.Contains(t, out.String(), "18 scenarios, 2 rules")

	out.Reset()
	_, err = run([]string{"-list", "-tags", "~@SSO-07"}, &out, &errOut)
	require.NoError(t, err)
	assert.NotContains(t, out.String(), "SSO-07 (")
	assert.Contains(t, out.String(), "179 scenarios, 31 rules")
}

func TestRunWritesJUnitAndSummary(t *testing.T) {
	report := filepath.Join(t.TempDir(), "report.xml")
	var out, errOut bytes.Buffer
	code, err := run([]string{"-tags", "@SSO-07", "-no-colors", "-format", "progress,junit:" + report}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 0, code, out.String())
	assert.Regexp(t, `SSO-07\s+PASS\s+3 passed`, out.String())

	suites := readJUnit(t, report)
	assert.Equal(t, 3, suites.Tests)
	assert.Zero(t, suites.Failures)
}

// TestOktaHost: the fake Okta listens on and calls itself by the host given, so
// that an SP elsewhere can fetch its metadata.
func TestOktaHost(t *testing.T) {
	var out, errOut bytes.Buffer
	code, err := run([]string{"-okta-host", "localhost", "-tags", "@SSO-03", "-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 0, code, out.String())
	assert.Regexp(t, `SSO-03\s+PASS`, out.String())

	code, err = run([]string{"-okta-host", "192.0.2.1", "-tags", "@SSO-03", "-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 1, code, "an address this machine does not have fails the run")
	assert.Contains(t, out.String(), "cannot listen on 192.0.2.1")
}

func TestFailingScenarioFailsTheRun(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken.feature"), []byte(`@SSO-07
Feature: broken
  Scenario: a step that checks something false
    Given an organization "Acme" whose Okta integration is connected
    And "ada@acme.test" is a member of "Acme"
    Then "ada@acme.test" is signed in to the service provider as a member of "Acme"
`), 0o644))
	var out, errOut bytes.Buffer
	code, err := run([]string{"-features", dir, "-tags", "@SSO-07", "-no-colors", "-format", "progress"}, &out, &errOut)
	require.NoError(t, err)
	assert.Equal(t, 1, code)
	assert.Regexp(t, `SSO-07\s+FAIL`, out.String())
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-concurrency", "0"}, {"extra"}, {"-nope"}} {
		var out, errOut bytes.Buffer
		code, _ := run(args, &out, &errOut)
		assert.Equal(t, 2, code, "%v", args)
	}
}

// junitSuites is the part of a JUnit report the tests read.
type junitSuites struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
}

func readJUnit(t *testing.T, path string) junitSuites {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var s junitSuites
	require.NoError(t, xml.Unmarshal(b, &s))
	return s
}
