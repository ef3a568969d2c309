//go:build ssoharness_broken_audience

package steps_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/features"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/steps"
	"github.com/ssoharness/ssoharness/steps/target"
)

// TestBrokenAudienceFailsSSO10 runs the suite against a reference SP built to
// skip the audience check (go test -tags ssoharness_broken_audience -run
// TestBrokenAudience ./steps; `make variants` does it). Only SSO-10, which
// sends an assertion meant for another service provider, may fail.
func TestBrokenAudienceFailsSSO10(t *testing.T) {
	require.NotEmpty(t, ssosaml.Defects(), "this test needs the SP built with the broken audience check")
	rules, err := features.Rules()
	require.NoError(t, err)
	assertFailsExactly(t, rules, steps.NewKeyPool(16), func(ctx context.Context) (target.Target, error) {
		return target.NewInProcess(ctx)
	}, []string{"SSO-10"})
}
