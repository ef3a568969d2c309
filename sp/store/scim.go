package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrStale: an update named the version it read (SCIMUser.Version,
// SCIMGroup.Version) and the stored record has changed since. It is the
// optimistic-concurrency answer, distinct from ErrConflict (a uniqueness rule).
var ErrStale = errors.New("store: stale version")

// SCIMUser is a user as one organization's IdP provisioned it over SCIM. The
// record outlives deactivation (Active false, and UserID empty once the account
// itself is gone) so that the IdP can find it by id or userName and reactivate
// it instead of creating a duplicate (SCIM-13).
type SCIMUser struct {
	ID         string
	OrgID      string
	ExternalID string // the IdP's own id for the user; may be empty
	// UserName is unique per organization, case-insensitively (FoldKey).
	UserName string
	Active   bool
	// UserID is the global account this SCIM user is; empty while there is
	// none. An account is linked to at most one SCIM user per organization.
	UserID string
	// Emails are every address of the profile; an emails.value filter matches
	// any of them, case-insensitively.
	Emails []string
	// Profile is the last full SCIM representation the IdP sent (JSON object,
	// without password or server-assigned attributes), so that GET and PUT
	// round-trip whatever the IdP manages.
	Profile string
	// Version starts at 1 and grows by one with every update. An update that
	// carries a non-zero Version applies only if it is still the stored one
	// (ErrStale otherwise).
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// SCIMGroup is a group the IdP pushed; its members and name live on the team it
// created (Team.SCIMGroupID is the group's ID). Deleting the team deletes the
// group record with it.
type SCIMGroup struct {
	ID         string
	OrgID      string
	TeamID     string
	ExternalID string
	// DisplayName is the team's name: read-only here, renamed with UpdateTeam.
	DisplayName string
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SCIMGroupMember is a member of a pushed team as SCIM shows it: a team member
// whose account is a SCIM user of the organization.
type SCIMGroupMember struct {
	SCIMUserID  string
	UserID      string
	UserName    string
	DisplayName string // the account's display name
}

// SCIMAttr names an attribute a SCIMFilter can compare.
type SCIMAttr string

// Filterable attributes. Users accept ID, ExternalID, UserName and Email;
// groups accept ID, ExternalID and DisplayName. UserName, Email and DisplayName
// compare case-insensitively, the others exactly.
const (
	SCIMAttrID          SCIMAttr = "id"
	SCIMAttrExternalID  SCIMAttr = "externalId"
	SCIMAttrUserName    SCIMAttr = "userName"
	SCIMAttrEmail       SCIMAttr = "emails.value"
	SCIMAttrDisplayName SCIMAttr = "displayName"
)

// SCIMLogic joins two filters.
type SCIMLogic string

const (
	SCIMAnd SCIMLogic = "and"
	SCIMOr  SCIMLogic = "or"
)

// SCIMFilter is an equality filter: either a leaf (Attr equals Value) or, when
// Logic is set, Left Logic Right. An attribute the resource does not have, or a
// malformed tree, is ErrInvalid.
type SCIMFilter struct {
	Attr        SCIMAttr
	Value       string
	Logic       SCIMLogic
	Left, Right *SCIMFilter
}

// SCIMQuery selects one page of a list. Results are in creation order, which
// is stable across pages.
type SCIMQuery struct {
	Filter *SCIMFilter // nil: everything of the organization
	Offset int         // rows to skip (0-based)
	Limit  int         // rows to return at most; 0 returns none
}

// FoldKey is the case-folded form in which userNames and group names are
// compared (the same fold as NormalizeEmail).
func FoldKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// SCIMStore is the part of Store the SCIM server needs. Everything is scoped
// to one organization: an id of another organization is ErrNotFound.
type SCIMStore interface {
	// GetIntegrationBySCIMTokenID finds the integration whose current SCIM
	// token has this public id. An empty id is ErrNotFound.
	GetIntegrationBySCIMTokenID(ctx context.Context, tokenID string) (Integration, error)

	// CreateSCIMUser returns ErrConflict when the userName is taken in the
	// organization or the account is already linked to another SCIM user there;
	// ErrNotFound for an unknown organization or account. Version starts at 1.
	CreateSCIMUser(ctx context.Context, u SCIMUser) (SCIMUser, error)
	GetSCIMUser(ctx context.Context, orgID, id string) (SCIMUser, error)
	GetSCIMUserByUserName(ctx context.Context, orgID, userName string) (SCIMUser, error) // case-insensitive
	GetSCIMUserByAccount(ctx context.Context, orgID, userID string) (SCIMUser, error)
	// GetSCIMUsers returns those of ids that are SCIM users of orgID, in no
	// particular order; unknown ids are left out.
	GetSCIMUsers(ctx context.Context, orgID string, ids []string) ([]SCIMUser, error)
	ListSCIMUsers(ctx context.Context, orgID string, q SCIMQuery) ([]SCIMUser, error)
	CountSCIMUsers(ctx context.Context, orgID string, f *SCIMFilter) (int, error)
	// UpdateSCIMUser replaces every field but ID, OrgID and CreatedAt, and
	// increments the version (see SCIMUser.Version for ErrStale).
	UpdateSCIMUser(ctx context.Context, u SCIMUser) (SCIMUser, error)
	DeleteSCIMUser(ctx context.Context, orgID, id string) error

	// CreateSCIMGroup links a team of the organization (ErrNotFound otherwise)
	// to a group id; a team has at most one group (ErrConflict).
	CreateSCIMGroup(ctx context.Context, g SCIMGroup) (SCIMGroup, error)
	GetSCIMGroup(ctx context.Context, orgID, id string) (SCIMGroup, error)
	ListSCIMGroups(ctx context.Context, orgID string, q SCIMQuery) ([]SCIMGroup, error)
	CountSCIMGroups(ctx context.Context, orgID string, f *SCIMFilter) (int, error)
	// UpdateSCIMGroup stores ExternalID and UpdatedAt and increments the version
	// (ErrStale as for UpdateSCIMUser).
	UpdateSCIMGroup(ctx context.Context, g SCIMGroup) (SCIMGroup, error)
	// ListSCIMGroupMembers lists the team's members that are SCIM users of the
	// organization, in the order they joined the team.
	ListSCIMGroupMembers(ctx context.Context, orgID, groupID string) ([]SCIMGroupMember, error)

	// AddTeamMembers is AddTeamMember for many users at once: all are added or,
	// if any is not a member of the team's organization, none (ErrNotFound).
	AddTeamMembers(ctx context.Context, teamID string, userIDs []string) error
	// RemoveTeamMembers removes those of userIDs that are members of the team;
	// the others are ignored.
	RemoveTeamMembers(ctx context.Context, teamID string, userIDs []string) error
}
