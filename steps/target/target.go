// Package target is how the conformance suite reaches a service provider. Steps
// never touch an SP's internals: they set it up and read its state through the
// Target interface. The in-process target runs the reference SP on httptest; an
// external target speaks to any SP over HTTP.
package target

import (
	"context"
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/steps/browser"
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
	ProblemNotAdmin           Problem = "not-an-admin"
	ProblemNotApproved        Problem = "domain-not-approved"
	ProblemDeprovisioned      Problem = "deprovisioned"
)

// Member is a person to create at the SP.
type Member struct {
	Email      string
	GivenName  string
	FamilyName string
	Admin      bool
}

// Team is a team of an organization.
type Team struct {
	ID   string
	Name string
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
	// DeleteOrganization removes an organization a scenario made, with what it
	// owns and the accounts it alone had, so that runs leave nothing behind.
	DeleteOrganization(ctx context.Context, org Org) error
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
	// StartConnect is the admin's "Connect" button: the URL it sends the
	// admin's browser to (the IdP, with an AuthnRequest).
	StartConnect(ctx context.Context, org Org) (string, error)
	// CreateTeam creates a team; AddTeamDomain pre-approves an email domain
	// for just-in-time provisioning into it.
	CreateTeam(ctx context.Context, org Org, name string) (Team, error)
	AddTeamDomain(ctx context.Context, org Org, team Team, domain string) error
	// TeamMembers lists the emails of a team's members.
	TeamMembers(ctx context.Context, org Org, team Team) ([]string, error)
	// OrgMembers lists the emails of an organization's members.
	OrgMembers(ctx context.Context, org Org) ([]string, error)
	// HasAccount tells whether any account with this email exists at the SP.
	HasAccount(ctx context.Context, email string) (bool, error)
	// HoldsSecret tells whether secret appears as written in what the SP
	// stores (its database files) or logs: a SCIM token must be kept only as
	// a hash. ErrUnsupported when the target cannot look.
	HoldsSecret(ctx context.Context, secret string) (bool, error)
	// EnableProvisioning turns SCIM provisioning on and returns the SCIM base
	// URL and the Bearer token the SP shows once.
	EnableProvisioning(ctx context.Context, org Org) (scimURL, token string, err error)
	// RotateSCIMToken replaces the Bearer token and returns the new one.
	RotateSCIMToken(ctx context.Context, org Org) (string, error)
	// DisableProvisioning turns SCIM provisioning off.
	DisableProvisioning(ctx context.Context, org Org) error
	// FindTeam finds a team of org by name; ok is false when there is none.
	FindTeam(ctx context.Context, org Org, name string) (team Team, ok bool, err error)
	// AddTeamResource gives a team something it owns (a monitor).
	AddTeamResource(ctx context.Context, org Org, team Team, name string) error
	// TeamResources lists the names of what a team owns; a deleted team owns
	// nothing.
	TeamResources(ctx context.Context, org Org, team Team) ([]string, error)
	// Profile reads an account's name as the SP shows it.
	Profile(ctx context.Context, email string) (Member, error)
	// PasswordSignIn signs the browser in with a local password, through the
	// SP's sign-in form.
	PasswordSignIn(ctx context.Context, b *browser.Browser, email, password string) error
	// AuditActions lists the actions recorded in org's audit log, newest first.
	AuditActions(ctx context.Context, org Org) ([]string, error)
	// DisableOkta turns the organization's Okta sign-in off.
	DisableOkta(ctx context.Context, org Org) error
	// RefusalLogged checks that the SP logged a refused sign-in for the given
	// problem, one of the Problem constants, at the ACS URL of integrationID
	// (the Integration ID the app in Okta names, known to the SP or not).
	// ErrUnsupported when the SP's log cannot be read.
	RefusalLogged(ctx context.Context, integrationID string, problem Problem) error
	// SignedIn reports who the browser holding jar is signed in as; ok is false
	// when it holds no session.
	SignedIn(ctx context.Context, jar http.CookieJar) (who SignedIn, ok bool, err error)
	// Close releases what the target started.
	Close()
}
