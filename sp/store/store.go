// Package store defines the reference SP's data model and the Store interface that
// every storage backend implements. Backends live in sub-packages (sqlite, postgres)
// and all of them run the one conformance suite in storetest.
//
// Every method is atomic on its own. Work that must change several things at once
// (a JIT sign-up, a team deletion) runs inside InTx, so a failure part-way leaves
// nothing behind.
package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"strings"
	"time"
)

// Sentinel errors. Backends wrap driver errors into these so that protocol layers
// (web pages, SCIM, SAML) map them to their own error shapes in one place.
var (
	// ErrNotFound: the thing asked for does not exist (or has expired).
	ErrNotFound = errors.New("store: not found")
	// ErrConflict: a uniqueness rule was broken (email, team name, domain, replayed assertion…).
	ErrConflict = errors.New("store: conflict")
	// ErrInvalid: the caller passed a value the data model cannot hold (empty key, unknown enum).
	ErrInvalid = errors.New("store: invalid value")
)

// Role of a user in an organization.
type Role string

const (
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Source says how a membership came to be; SCIM and JIT rules depend on it.
type Source string

const (
	SourceLocal  Source = "local"  // created by an admin or the demo seed
	SourceInvite Source = "invite" // invited by an admin
	SourceJIT    Source = "jit"    // first SSO sign-in with a pre-approved domain
	SourceSCIM   Source = "scim"   // provisioned by the IdP over SCIM
)

// IntegrationStatus is the life cycle of an SSO integration (SSO-01, SSO-05).
type IntegrationStatus string

const (
	// StatusPending: created, possibly configured, not yet proven by a sign-in round trip.
	StatusPending IntegrationStatus = "pending"
	// StatusConnected: the Connect round trip succeeded; SSO sign-in is allowed.
	StatusConnected IntegrationStatus = "connected"
	// StatusDisabled: turned off by an admin; SSO sign-in is refused.
	StatusDisabled IntegrationStatus = "disabled"
)

// Organization is a tenant.
type Organization struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// User is a global account; one person may belong to several organizations.
// Email is unique case-insensitively across the whole store.
type User struct {
	ID           string
	Email        string
	GivenName    string
	FamilyName   string
	DisplayName  string
	Locale       string // e.g. "en-US", as the IdP sent it; may be empty
	PasswordHash string // empty: no local password (SSO only)
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Membership joins a user to an organization.
type Membership struct {
	UserID    string
	OrgID     string
	Role      Role
	Source    Source
	CreatedAt time.Time
}

// Team belongs to one organization. SCIMGroupID is set when the team was created by
// an Okta group push; deleting that group deletes the team and its resources.
type Team struct {
	ID          string
	OrgID       string
	Name        string // unique per organization, case-insensitively
	SCIMGroupID string // empty unless pushed from the IdP
	CreatedAt   time.Time
}

// TeamDomain is a pre-approved email domain for JIT provisioning into a team.
// A domain is unique per organization.
type TeamDomain struct {
	TeamID string
	OrgID  string
	Domain string // lowercase
}

// Resource is something a team owns (a monitor, say). It exists so that the data
// loss of a group deletion (SCIM-10) is visible.
type Resource struct {
	ID        string
	TeamID    string
	Kind      string
	Name      string
	CreatedAt time.Time
}

// Integration is one organization's Okta SSO integration. Its ID is the
// unguessable Integration ID the admin copies into Okta.
type Integration struct {
	ID          string
	OrgID       string
	Status      IntegrationStatus
	MetadataURL string // set when configured from an IdP metadata link
	IdPEntityID string
	SSOURL      string
	CertPEM     string // the IdP signing certificate
	// Provisioning (SCIM): only the hash of the Bearer token is kept.
	ProvisioningEnabled bool
	SCIMTokenID         string // public identifier of the current token, for audit records
	SCIMTokenHash       string
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Configured reports whether the IdP side is known (SSO URL and certificate).
func (i Integration) Configured() bool { return i.SSOURL != "" && i.CertPEM != "" }

// Session is a signed-in browser. Only the hash of the cookie value is stored.
type Session struct {
	IDHash    string
	UserID    string
	OrgID     string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// PendingRequest is an SP-initiated AuthnRequest awaiting its response; it is
// usable once.
type PendingRequest struct {
	ID            string // the AuthnRequest ID
	IntegrationID string
	RelayState    string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// AuditEvent records a change made on behalf of someone (an admin, a SCIM token).
type AuditEvent struct {
	ID     string
	OrgID  string
	Actor  string
	Action string
	Target string
	Detail string
	At     time.Time
}

// AdminToken lets a program use an organization's admin API. Only the hash of
// its secret is stored; the secret itself is shown once, when it is created.
type AdminToken struct {
	ID        string
	OrgID     string
	Hash      string // unique across the store
	CreatedAt time.Time
}

// Store is the reference SP's persistence. Implementations must be safe for
// concurrent use by many goroutines and by several processes sharing a database.
//
// Getters return ErrNotFound when nothing matches; creators return ErrConflict when
// a uniqueness rule is broken. IDs and CreatedAt/UpdatedAt are assigned by the
// store when left empty.
//
// Further rules, checked by storetest for every backend:
//   - A create that refers to something missing (an organization, a user, a team,
//     an integration) returns ErrNotFound. Empty keys and unknown enum values are
//     ErrInvalid.
//   - Update, Delete and Remove methods return ErrNotFound when there is nothing
//     to change. Updates keep the stored CreatedAt; UpdatedAt is stored as given,
//     or as the current time when zero. A non-empty OrgID on an update must be
//     the stored one (nothing moves between organizations), else ErrNotFound.
//   - Lists are in creation order (ListAudit excepted) and empty, not an error,
//     when nothing matches.
//   - Timestamps come back in UTC, to the microsecond.
type Store interface {
	// InTx runs fn in one transaction: every change fn makes through tx lands, or
	// none does. fn must use tx, not the outer store, and only from one goroutine.
	// Nested InTx calls on tx run inside the same transaction; a nested call that
	// returns an error undoes its own changes only, and the outer fn may carry on.
	// A store method that fails inside fn changes nothing and leaves tx usable.
	// If fn panics, the transaction is rolled back and the panic goes on.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Close releases the store; calling it again is harmless. Calls after Close
	// return errors.
	Close() error

	CreateOrganization(ctx context.Context, o Organization) (Organization, error)
	GetOrganization(ctx context.Context, id string) (Organization, error)
	ListOrganizations(ctx context.Context) ([]Organization, error)
	// DeleteOrganization deletes an organization with everything it owns (its
	// memberships, teams and their resources, its integration and SCIM data,
	// admin tokens, sessions in it) and the accounts that belonged to it and
	// to no other organization, all or nothing. Its audit events stay: the
	// record outlives what it records.
	DeleteOrganization(ctx context.Context, id string) error

	CreateUser(ctx context.Context, u User) (User, error)
	GetUser(ctx context.Context, id string) (User, error)
	GetUserByEmail(ctx context.Context, email string) (User, error) // case-insensitive
	UpdateUser(ctx context.Context, u User) (User, error)
	// DeleteUser removes the account with its memberships, team memberships and sessions.
	DeleteUser(ctx context.Context, id string) error

	// AddMembership returns ErrConflict if the user is already a member.
	AddMembership(ctx context.Context, m Membership) (Membership, error)
	GetMembership(ctx context.Context, orgID, userID string) (Membership, error)
	ListMemberships(ctx context.Context, orgID string) ([]Membership, error)
	ListUserMemberships(ctx context.Context, userID string) ([]Membership, error)
	// RemoveMembership detaches the user from the organization and from all of its
	// teams, and ends the user's sessions in that organization.
	RemoveMembership(ctx context.Context, orgID, userID string) error

	CreateTeam(ctx context.Context, t Team) (Team, error)
	GetTeam(ctx context.Context, id string) (Team, error)
	GetTeamBySCIMGroupID(ctx context.Context, orgID, groupID string) (Team, error)
	ListTeams(ctx context.Context, orgID string) ([]Team, error)
	UpdateTeam(ctx context.Context, t Team) (Team, error)
	// DeleteTeam deletes the team with its members, domains and resources.
	DeleteTeam(ctx context.Context, id string) error

	// AddTeamMember is idempotent. The user must be a member of the team's
	// organization: ErrNotFound otherwise, as for an unknown team or user.
	AddTeamMember(ctx context.Context, teamID, userID string) error
	RemoveTeamMember(ctx context.Context, teamID, userID string) error
	ListTeamMembers(ctx context.Context, teamID string) ([]User, error)
	ListUserTeams(ctx context.Context, orgID, userID string) ([]Team, error)

	// AddTeamDomain returns ErrConflict if the domain is already pre-approved by any
	// team of the same organization. The domain is stored in lowercase; one with an
	// "@" or a space is ErrInvalid. OrgID may be left empty: it is the team's.
	AddTeamDomain(ctx context.Context, d TeamDomain) error
	RemoveTeamDomain(ctx context.Context, teamID, domain string) error
	ListTeamDomains(ctx context.Context, orgID string) ([]TeamDomain, error)
	// FindTeamDomain returns the team of orgID that pre-approves domain.
	FindTeamDomain(ctx context.Context, orgID, domain string) (TeamDomain, error)

	CreateResource(ctx context.Context, r Resource) (Resource, error)
	ListResources(ctx context.Context, teamID string) ([]Resource, error)

	// CreateIntegration returns ErrConflict if the organization already has one.
	// An empty Status is StatusPending.
	CreateIntegration(ctx context.Context, i Integration) (Integration, error)
	GetIntegration(ctx context.Context, id string) (Integration, error)
	GetIntegrationByOrg(ctx context.Context, orgID string) (Integration, error)
	UpdateIntegration(ctx context.Context, i Integration) (Integration, error)

	// CreateSession: a session with an OrgID needs the user's membership there
	// (ErrNotFound otherwise) and ends with it; ExpiresAt is required.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns ErrNotFound for unknown or expired (at now) sessions.
	GetSession(ctx context.Context, idHash string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, idHash string) error

	// CreatePendingRequest purges expired requests (at p.CreatedAt) as a side
	// effect.
	CreatePendingRequest(ctx context.Context, p PendingRequest) error
	// TakePendingRequest returns and deletes the request in one step, so it is
	// usable once even across replicas. Unknown, expired (at now) or belonging to
	// another integration: ErrNotFound.
	TakePendingRequest(ctx context.Context, integrationID, id string, now time.Time) (PendingRequest, error)

	// RecordAssertion remembers an assertion ID until expiresAt. A second record of
	// the same (integration, ID) before then returns ErrConflict: a replay.
	// Expired entries are purged as a side effect.
	RecordAssertion(ctx context.Context, integrationID, assertionID string, expiresAt, now time.Time) error

	AppendAudit(ctx context.Context, e AuditEvent) (AuditEvent, error)
	// ListAudit returns the newest events first (by At, then by creation), at most
	// limit of them; limit must be positive.
	ListAudit(ctx context.Context, orgID string, limit int) ([]AuditEvent, error)

	// CreateAdminToken needs an OrgID and a Hash (ErrInvalid otherwise); a hash
	// that is already stored is ErrConflict.
	CreateAdminToken(ctx context.Context, t AdminToken) (AdminToken, error)
	// GetAdminTokenByHash finds the token whose secret hashes to hash.
	GetAdminTokenByHash(ctx context.Context, hash string) (AdminToken, error)
	ListAdminTokens(ctx context.Context, orgID string) ([]AdminToken, error)
	// DeleteAdminToken revokes a token of orgID; a token of another organization
	// is ErrNotFound.
	DeleteAdminToken(ctx context.Context, orgID, id string) error

	// SCIM provisioning: see scim.go.
	SCIMStore
}

// NewID returns a random identifier with the given prefix: 128 bits of crypto/rand,
// lowercase base32 without padding (26 characters after the prefix).
func NewID(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: crypto/rand failed: " + err.Error()) // never happens on a sane OS
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// NormalizeEmail is the form in which emails are compared.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
