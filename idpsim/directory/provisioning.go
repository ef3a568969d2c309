package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// UsernameFormat is the Provisioning tab's "Application username format":
// how the app username (SCIM userName) is made from the Okta user.
type UsernameFormat string

// The username formats Okta offers.
const (
	UsernameOkta        UsernameFormat = "OKTA_USERNAME"        // the Okta login
	UsernameOktaPrefix  UsernameFormat = "OKTA_USERNAME_PREFIX" // the login up to the @
	UsernameEmail       UsernameFormat = "EMAIL"                // the user's email
	UsernameEmailPrefix UsernameFormat = "EMAIL_PREFIX"         // the email up to the @
)

// Valid reports whether f is a known format.
func (f UsernameFormat) Valid() bool {
	switch f {
	case UsernameOkta, UsernameOktaPrefix, UsernameEmail, UsernameEmailPrefix:
		return true
	}
	return false
}

// Template is Okta's userNameTemplate expression for the format.
func (f UsernameFormat) Template() string {
	switch f {
	case UsernameOktaPrefix:
		return `${fn:substringBefore(source.login, "@")}`
	case UsernameEmail:
		return "${source.email}"
	case UsernameEmailPrefix:
		return `${fn:substringBefore(source.email, "@")}`
	}
	return "${source.login}"
}

// Apply returns the app username of a user with the login and email.
func (f UsernameFormat) Apply(login, email string) string {
	before := func(s string) string { b, _, _ := strings.Cut(s, "@"); return b }
	switch f {
	case UsernameOktaPrefix:
		return before(login)
	case UsernameEmail:
		return email
	case UsernameEmailPrefix:
		return before(email)
	}
	return login
}

// ProvisioningMode says which of Okta's two SCIM client behaviours an app
// gets.
type ProvisioningMode string

const (
	// ModeTemplate is an OIN (catalog template) app: profile updates by PUT;
	// activation, deactivation and password sync by PATCH; groups by PATCH.
	ModeTemplate ProvisioningMode = "template"
	// ModeCustom is an app made with the App Integration Wizard: every update
	// of a user or group is a PUT.
	ModeCustom ProvisioningMode = "custom"
)

// Provisioning is an app's Provisioning tab: the SCIM connection
// ("Integration") and the "To App" features. Push Groups is available
// whenever provisioning is enabled.
type Provisioning struct {
	AppID           string           `json:"appId"`
	Enabled         bool             `json:"enabled"`
	BaseURL         string           `json:"baseUrl"`
	Token           string           `json:"-"`
	UsernameFormat  UsernameFormat   `json:"usernameFormat"`
	CreateUsers     bool             `json:"createUsers"`
	UpdateUsers     bool             `json:"updateUsers"`
	DeactivateUsers bool             `json:"deactivateUsers"`
	SyncPassword    bool             `json:"syncPassword"`
	Mode            ProvisioningMode `json:"mode"`
	Created         time.Time        `json:"created"`
	LastUpdated     time.Time        `json:"lastUpdated"`
}

// DefaultProvisioning is an app's Provisioning tab before it is saved.
func DefaultProvisioning(appID string) Provisioning {
	return Provisioning{AppID: appID, UsernameFormat: UsernameOkta, Mode: ModeTemplate}
}

// NormalizeProvisioning checks provisioning settings and returns them
// cleaned up. An enabled connection needs an absolute http(s) base URL and a
// token.
func NormalizeProvisioning(p Provisioning) (Provisioning, error) {
	p.BaseURL = strings.TrimRight(strings.TrimSpace(p.BaseURL), "/")
	p.Token = strings.TrimSpace(p.Token)
	if p.UsernameFormat == "" {
		p.UsernameFormat = UsernameOkta
	}
	if !p.UsernameFormat.Valid() {
		return Provisioning{}, fieldErr("usernameFormat", "unknown format %q (want OKTA_USERNAME, OKTA_USERNAME_PREFIX, EMAIL or EMAIL_PREFIX)", p.UsernameFormat)
	}
	if p.Mode == "" {
		p.Mode = ModeTemplate
	}
	if p.Mode != ModeTemplate && p.Mode != ModeCustom {
		return Provisioning{}, fieldErr("mode", "unknown mode %q (want template or custom)", p.Mode)
	}
	if p.BaseURL != "" {
		if err := checkHTTPURL("baseUrl", p.BaseURL); err != nil {
			return Provisioning{}, err
		}
		if u, _ := url.Parse(p.BaseURL); u.RawQuery != "" {
			return Provisioning{}, fieldErr("baseUrl", "%q must not have a query", p.BaseURL)
		}
	}
	if strings.ContainsAny(p.Token, "\r\n") {
		return Provisioning{}, fieldErr("token", "must be a single line")
	}
	if p.Enabled {
		if p.BaseURL == "" {
			return Provisioning{}, fieldErr("baseUrl", "is required to enable provisioning")
		}
		if p.Token == "" {
			return Provisioning{}, fieldErr("token", "is required to enable provisioning")
		}
	}
	return p, nil
}

const provisioningColumns = `app_id, enabled, base_url, token, username_format, create_users, update_users,
	deactivate_users, sync_password, mode, created, last_updated`

func scanProvisioning(row interface{ Scan(...any) error }) (Provisioning, error) {
	var p Provisioning
	var created, updated string
	err := row.Scan(&p.AppID, &p.Enabled, &p.BaseURL, &p.Token, &p.UsernameFormat, &p.CreateUsers, &p.UpdateUsers,
		&p.DeactivateUsers, &p.SyncPassword, &p.Mode, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Provisioning{}, ErrNotFound
	}
	if err != nil {
		return Provisioning{}, err
	}
	if p.Created, err = parseTime(created); err != nil {
		return Provisioning{}, err
	}
	if p.LastUpdated, err = parseTime(updated); err != nil {
		return Provisioning{}, err
	}
	return p, nil
}

func provisioningFor(ctx context.Context, q queryer, appID string) (Provisioning, error) {
	if _, err := getApp(ctx, q, `WHERE id = ?`, appID); err != nil {
		return Provisioning{}, notFound(err, "app", appID)
	}
	p, err := scanProvisioning(q.QueryRowContext(ctx, `SELECT `+provisioningColumns+` FROM app_provisioning WHERE app_id = ?`, appID))
	if errors.Is(err, ErrNotFound) {
		return DefaultProvisioning(appID), nil
	}
	return p, err
}

// ProvisioningFor returns the app's provisioning settings (the defaults if
// never saved), or ErrNotFound for an unknown app.
func (s *Store) ProvisioningFor(ctx context.Context, appID string) (Provisioning, error) {
	return provisioningFor(ctx, s.db, appID)
}

// ProvisioningFor returns the app's provisioning settings.
func (tx *Tx) ProvisioningFor(ctx context.Context, appID string) (Provisioning, error) {
	return provisioningFor(ctx, tx.tx, appID)
}

// EnabledProvisioning returns the settings of every app with provisioning
// enabled.
func (tx *Tx) EnabledProvisioning(ctx context.Context) ([]Provisioning, error) {
	rows, err := tx.tx.QueryContext(ctx, `SELECT `+provisioningColumns+` FROM app_provisioning WHERE enabled = 1 ORDER BY app_id`)
	if err != nil {
		return nil, fmt.Errorf("directory: provisioning: %w", err)
	}
	defer rows.Close()
	var out []Provisioning
	for rows.Next() {
		p, err := scanProvisioning(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// SaveProvisioning stores an app's provisioning settings.
func (tx *Tx) SaveProvisioning(ctx context.Context, p Provisioning) (Provisioning, error) {
	p, err := NormalizeProvisioning(p)
	if err != nil {
		return Provisioning{}, err
	}
	if _, err := getApp(ctx, tx.tx, `WHERE id = ?`, p.AppID); err != nil {
		return Provisioning{}, notFound(err, "app", p.AppID)
	}
	now := fmtTime(tx.s.now())
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO app_provisioning (`+provisioningColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (app_id) DO UPDATE SET enabled = excluded.enabled, base_url = excluded.base_url, token = excluded.token,
			username_format = excluded.username_format, create_users = excluded.create_users,
			update_users = excluded.update_users, deactivate_users = excluded.deactivate_users,
			sync_password = excluded.sync_password, mode = excluded.mode, last_updated = excluded.last_updated`,
		p.AppID, boolInt(p.Enabled), p.BaseURL, p.Token, string(p.UsernameFormat), boolInt(p.CreateUsers),
		boolInt(p.UpdateUsers), boolInt(p.DeactivateUsers), boolInt(p.SyncPassword), string(p.Mode), now, now)
	if err != nil {
		return Provisioning{}, fmt.Errorf("directory: save provisioning: %w", err)
	}
	return provisioningFor(ctx, tx.tx, p.AppID)
}

// Link is a user's account in an app as the SCIM server knows it: the id
// the server gave it (Okta's app user externalId) and whether it is active
// there.
type Link struct {
	AppID      string    `json:"appId"`
	UserID     string    `json:"userId"`
	ExternalID string    `json:"externalId"`
	Active     bool      `json:"active"`
	LastSync   time.Time `json:"lastSync"`
	Created    time.Time `json:"created"`
}

func linkFor(ctx context.Context, q queryer, appID, userID string) (Link, error) {
	var l Link
	var sync, created string
	err := q.QueryRowContext(ctx, `SELECT app_id, user_id, external_id, active, last_sync, created FROM app_user_links
		WHERE app_id = ? AND user_id = ?`, appID, userID).Scan(&l.AppID, &l.UserID, &l.ExternalID, &l.Active, &sync, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Link{}, ErrNotFound
	}
	if err != nil {
		return Link{}, fmt.Errorf("directory: link: %w", err)
	}
	if l.LastSync, err = parseTime(sync); err != nil {
		return Link{}, err
	}
	if l.Created, err = parseTime(created); err != nil {
		return Link{}, err
	}
	return l, nil
}

// LinkFor returns the user's link to the app, or ErrNotFound.
func (s *Store) LinkFor(ctx context.Context, appID, userID string) (Link, error) {
	return linkFor(ctx, s.db, appID, userID)
}

// LinkFor returns the user's link to the app, or ErrNotFound.
func (tx *Tx) LinkFor(ctx context.Context, appID, userID string) (Link, error) {
	return linkFor(ctx, tx.tx, appID, userID)
}

// SaveLink stores the user's link to the app, stamping lastSync.
func (tx *Tx) SaveLink(ctx context.Context, appID, userID, externalID string, active bool) error {
	now := fmtTime(tx.s.now())
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO app_user_links (app_id, user_id, external_id, active, last_sync, created)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (app_id, user_id) DO UPDATE SET external_id = excluded.external_id,
		active = excluded.active, last_sync = excluded.last_sync`, appID, userID, externalID, boolInt(active), now, now)
	if err != nil {
		return fmt.Errorf("directory: save link: %w", err)
	}
	return nil
}

// DeleteLink forgets the user's link to the app.
func (tx *Tx) DeleteLink(ctx context.Context, appID, userID string) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM app_user_links WHERE app_id = ? AND user_id = ?`, appID, userID); err != nil {
		return fmt.Errorf("directory: delete link: %w", err)
	}
	return nil
}

// PushStatus is the status of a group push mapping.
type PushStatus string

// Group push mapping statuses.
const (
	PushActive   PushStatus = "ACTIVE"
	PushInactive PushStatus = "INACTIVE"
	PushError    PushStatus = "ERROR"
)

// PrefixPushMapping starts the ids of group push mappings.
const PrefixPushMapping = "gPm"

// PushMapping is a group pushed to an app.
type PushMapping struct {
	ID           string     `json:"id"`
	AppID        string     `json:"appId"`
	GroupID      string     `json:"groupId"`
	Status       PushStatus `json:"status"`
	TargetID     string     `json:"targetId"`     // the group's SCIM id in the app, once created or linked
	TargetName   string     `json:"targetName"`   // the name last pushed
	ErrorSummary string     `json:"errorSummary"` // why the last push failed
	LastPush     time.Time  `json:"lastPush"`     // zero if never pushed
	Created      time.Time  `json:"created"`
	LastUpdated  time.Time  `json:"lastUpdated"`
}

const pushColumns = `id, app_id, group_id, status, target_id, target_name, error_summary, last_push, created, last_updated`

func scanPush(row interface{ Scan(...any) error }) (PushMapping, error) {
	var m PushMapping
	var last, created, updated string
	err := row.Scan(&m.ID, &m.AppID, &m.GroupID, &m.Status, &m.TargetID, &m.TargetName, &m.ErrorSummary, &last, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return PushMapping{}, ErrNotFound
	}
	if err != nil {
		return PushMapping{}, err
	}
	if last != "" {
		if m.LastPush, err = parseTime(last); err != nil {
			return PushMapping{}, err
		}
	}
	if m.Created, err = parseTime(created); err != nil {
		return PushMapping{}, err
	}
	if m.LastUpdated, err = parseTime(updated); err != nil {
		return PushMapping{}, err
	}
	return m, nil
}

func listPush(ctx context.Context, q queryer, where string, args ...any) ([]PushMapping, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+pushColumns+` FROM group_push_mappings `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: push mappings: %w", err)
	}
	defer rows.Close()
	out := []PushMapping{}
	for rows.Next() {
		m, err := scanPush(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CreatePushMapping pushes the group to the app (status ACTIVE or
// INACTIVE). A group is pushed to an app at most once (ErrConflict).
func (tx *Tx) CreatePushMapping(ctx context.Context, appID, groupID string, status PushStatus) (PushMapping, error) {
	if _, err := getApp(ctx, tx.tx, `WHERE id = ?`, appID); err != nil {
		return PushMapping{}, notFound(err, "app", appID)
	}
	if _, err := getGroup(ctx, tx.tx, `WHERE id = ?`, groupID); err != nil {
		return PushMapping{}, notFound(err, "group", groupID)
	}
	if status != PushActive && status != PushInactive {
		return PushMapping{}, fieldErr("status", "must be ACTIVE or INACTIVE")
	}
	now := tx.s.now().Truncate(time.Millisecond)
	m := PushMapping{ID: NewID(PrefixPushMapping), AppID: appID, GroupID: groupID, Status: status, Created: now, LastUpdated: now}
	_, err := tx.tx.ExecContext(ctx, `INSERT INTO group_push_mappings (id, app_id, group_id, status, created, last_updated)
		VALUES (?, ?, ?, ?, ?, ?)`, m.ID, appID, groupID, string(status), fmtTime(now), fmtTime(now))
	if isUniqueViolation(err) {
		return PushMapping{}, fmt.Errorf("%w: the group is already pushed to this app", ErrConflict)
	}
	if err != nil {
		return PushMapping{}, fmt.Errorf("directory: create push mapping: %w", err)
	}
	return m, nil
}

// SavePushMapping stores a mapping's status, target and push results.
func (tx *Tx) SavePushMapping(ctx context.Context, m PushMapping) error {
	last := ""
	if !m.LastPush.IsZero() {
		last = fmtTime(m.LastPush)
	}
	res, err := tx.tx.ExecContext(ctx, `UPDATE group_push_mappings SET status = ?, target_id = ?, target_name = ?,
		error_summary = ?, last_push = ?, last_updated = ? WHERE id = ?`,
		string(m.Status), m.TargetID, m.TargetName, m.ErrorSummary, last, fmtTime(tx.s.now()), m.ID)
	if err != nil {
		return fmt.Errorf("directory: save push mapping: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeletePushMapping deletes a mapping (the group stays in Okta).
func (tx *Tx) DeletePushMapping(ctx context.Context, id string) error {
	res, err := tx.tx.ExecContext(ctx, `DELETE FROM group_push_mappings WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("directory: delete push mapping: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// PushMappingByID returns a mapping, or ErrNotFound.
func (s *Store) PushMappingByID(ctx context.Context, id string) (PushMapping, error) {
	return scanPush(s.db.QueryRowContext(ctx, `SELECT `+pushColumns+` FROM group_push_mappings WHERE id = ?`, id))
}

// PushMappingByID returns a mapping, or ErrNotFound.
func (tx *Tx) PushMappingByID(ctx context.Context, id string) (PushMapping, error) {
	return scanPush(tx.tx.QueryRowContext(ctx, `SELECT `+pushColumns+` FROM group_push_mappings WHERE id = ?`, id))
}

// PushMappingFor returns the mapping of the group to the app, or
// ErrNotFound.
func (s *Store) PushMappingFor(ctx context.Context, appID, groupID string) (PushMapping, error) {
	return scanPush(s.db.QueryRowContext(ctx, `SELECT `+pushColumns+` FROM group_push_mappings WHERE app_id = ? AND group_id = ?`, appID, groupID))
}

// ListPushMappings returns the app's mappings, oldest first.
func (s *Store) ListPushMappings(ctx context.Context, appID string) ([]PushMapping, error) {
	return listPush(ctx, s.db, `WHERE app_id = ? ORDER BY created, id`, appID)
}

// PushMappingsForGroup returns the mappings of the group, to any app.
func (tx *Tx) PushMappingsForGroup(ctx context.Context, groupID string) ([]PushMapping, error) {
	return listPush(ctx, tx.tx, `WHERE group_id = ? ORDER BY created, id`, groupID)
}

// PushMappingsForUser returns the app's mappings that are not INACTIVE and
// whose group has the user as a member.
func (tx *Tx) PushMappingsForUser(ctx context.Context, appID, userID string) ([]PushMapping, error) {
	return listPush(ctx, tx.tx, `WHERE app_id = ? AND status <> 'INACTIVE'
		AND group_id IN (SELECT group_id FROM group_members WHERE user_id = ?) ORDER BY created, id`, appID, userID)
}

// PushedMember is a member of the app's copy of a pushed group.
type PushedMember struct {
	UserID     string `json:"userId"`
	ExternalID string `json:"externalId"`
	Display    string `json:"display"`
}

// PushedMembers returns the members last pushed for the mapping.
func (s *Store) PushedMembers(ctx context.Context, mappingID string) ([]PushedMember, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, external_id, display FROM group_push_members
		WHERE mapping_id = ? ORDER BY display, user_id`, mappingID)
	if err != nil {
		return nil, fmt.Errorf("directory: pushed members: %w", err)
	}
	defer rows.Close()
	out := []PushedMember{}
	for rows.Next() {
		var m PushedMember
		if err := rows.Scan(&m.UserID, &m.ExternalID, &m.Display); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SetPushedMembers replaces the members last pushed for the mapping.
func (tx *Tx) SetPushedMembers(ctx context.Context, mappingID string, members []PushedMember) error {
	if _, err := tx.tx.ExecContext(ctx, `DELETE FROM group_push_members WHERE mapping_id = ?`, mappingID); err != nil {
		return fmt.Errorf("directory: set pushed members: %w", err)
	}
	for _, m := range members {
		if _, err := tx.tx.ExecContext(ctx, `INSERT INTO group_push_members (mapping_id, user_id, external_id, display)
			VALUES (?, ?, ?, ?)`, mappingID, m.UserID, m.ExternalID, m.Display); err != nil {
			return fmt.Errorf("directory: set pushed members: %w", err)
		}
	}
	return nil
}
