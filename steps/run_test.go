package steps

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/features"
)

func TestListScenarios(t *testing.T) {
	fsys := fstest.MapFS{"a.feature": {Data: []byte(`@SSO-01
Feature: F
  Scenario: plain
    Given x

  @JIT-02
  Scenario Outline: outline <n>
    Given <n>
    Examples:
      | n |
      | 1 |
      | 2 |
`)}}
	got, err := ListScenarios(fsys)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, ScenarioInfo{Rules: []string{"SSO-01"}, Tags: []string{"@SSO-01"}, Feature: "F", Name: "plain", Location: "a.feature:3"}, got[0])
	assert.Equal(t, []string{"SSO-01", "JIT-02"}, got[1].Rules)
	assert.Equal(t, "a.feature:11", got[1].Location, "an example row points at its row")
	assert.Equal(t, "outline 2", got[2].Name)
}

func TestEmbeddedFeaturesList(t *testing.T) {
	got, err := ListScenarios(features.FS())
	require.NoError(t, err)
	require.NotEmpty(t, got)
	for _, s := range got {
		assert.NotEmpty(t, s.Rules, "%s (%s) names no rule", s.Name, s.Location)
	}
}
