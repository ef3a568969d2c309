//go:build ssoharness_broken_audience

package ssosaml

import "github.com/crewjam/saml"

// This file exists to prove that the conformance suite catches a real bug: a
// binary built with -tags ssoharness_broken_audience accepts assertions meant
// for any service provider, and the suite must fail on SSO-10 and nothing
// else. No flag or setting can turn it on; only a build made for that test.

// audienceCheck accepts every audience.
func audienceCheck() func(*saml.Assertion) error {
	return func(*saml.Assertion) error { return nil }
}

// Defects lists the defects built into this binary on purpose.
func Defects() []string {
	return []string{"the audience of SAML assertions is not checked (built with -tags ssoharness_broken_audience)"}
}
