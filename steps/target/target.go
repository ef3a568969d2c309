// Package target is how the conformance suite reaches a service provider. Steps
// never touch an SP's internals: they set it up and read its state through the
// Target interface. The in-process target runs the reference SP on httptest; an
// external target speaks to any SP over HTTP.
package target

import (
	"context"
	"errors"
	"net/http"
)

// ErrUnsupported is returned by a target that cannot offer a capability; the
// step that needs it reports the scenario as skipped with the reason.
var ErrUnsupported = errors.New("target: not supported by this service provider")

// Org is an organization (tenant) at the SP.
type Org struct {
	ID   string
	Name string
}

// Integration is an organization's Okta SSO integration as the SP shows it to
// the admin.
type Integration struct {
	ID        string // the Integration ID the admin copies into Okta
	ACSURL    string
	EntityID  string
	SignInURL string // SP-initiated sign-in
}

// IntegrationState is what the SP's SSO settings show about an integration.
type IntegrationState struct {
	ID          string
	Status      string // pending, connected or disabled
	IdPEntityID string
	SSOURL      string
	CertPEM     string
}

// Problem names why a sign-in must be refused, in the suite's words; each
// target maps it to its own log vocabulary.
type Problem string

// The problems of SSO-09 and SSO-10.
const (
	ProblemUnsigned           Problem = "unsigned"
	ProblemWrongKey           Problem = "signed-by-other-key"
	ProblemExpired            Problem = "expired"
	ProblemNotYetValid        Problem = "not-yet-valid"
	ProblemWrongAudience      Problem = "wrong-audience"
	ProblemWrongDestination   Problem = "wrong-destination"
	ProblemWrongRecipient     Problem = "wrong-recipient"
	ProblemWrongIssuer        Problem = "wrong-issuer"
	ProblemUnknownRequest     Problem = "in-response-to-other"
	ProblemReplay             Problem = "replay"
	ProblemUnknownIntegration Problem = "unknown-integration"
	ProblemNotConnected       Problem = "not-connected"
	ProblemDisabled           Problem = "disabled"
)

// Member is a person to create at the SP.
type Member struct {
	Email      string
	GivenName  string
	FamilyName string
}

// SignedIn is who a browser is signed in as at the SP.
type SignedIn struct {
	Email   string
	OrgName string
}

// Target is a service provider under test.
type Target interface {
	// BaseURL is the SP's own URL, as the catalog app in Okta knows it.
	BaseURL() string
	CreateOrganization(ctx context.Context, name string) (Org, error)
	AddMember(ctx context.Context, org Org, m Member) error
	// ConnectOkta starts an Okta integration for org (the "Connect" button).
	ConnectOkta(ctx context.Context, org Org) (Integration, error)
	// ConfigureFromMetadata gives the SP the IdP metadata link.
	ConfigureFromMetadata(ctx context.Context, org Org, metadataURL string) error
	// ConfigureManually gives the SP the IdP SSO URL and certificate typed by hand.
	ConfigureManually(ctx context.Context, org Org, ssoURL, certPEM string) error
	// Integration reads the organization's integration as its settings show it.
	Integration(ctx context.Context, org Org) (IntegrationState, error)
	// MarkConnected finishes the setup without the browser round trip, for
	// scenarios about what happens after setup.
	MarkConnected(ctx context.Context, org Org) error
	// DisableOkta turns the organization's Okta sign-in off.
	DisableOkta(ctx context.Context, org Org) error
	// RefusalLogged checks that the SP logged a refused sign-in for the given
	// problem, one of the Problem constants. ErrUnsupported when the SP's log
	// cannot be read.
	RefusalLogged(ctx context.Context, problem Problem) error
	// SignedIn reports who the browser holding jar is signed in as; ok is false
	// when it holds no session.
	SignedIn(ctx context.Context, jar http.CookieJar) (who SignedIn, ok bool, err error)
	// Close releases what the target started.
	Close()
}
