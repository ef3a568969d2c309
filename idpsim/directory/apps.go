package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// AppKind says which kind of Okta app an app is.
type AppKind string

const (
	// KindCatalog is the reference SP's app from the (fake) Okta Integration
	// Network catalog: the admin types only the SP base URL and the
	// Integration ID, and the app derives the rest.
	KindCatalog AppKind = "catalog"
	// KindSAML is a generic "SAML 2.0" app made with the App Integration
	// Wizard, for any SP: every setting is typed by hand.
	KindSAML AppKind = "saml"
)

// CatalogAppName is Okta's appName of the reference SP's catalog app. Like
// every catalog app name it is shared by all instances of the app.
const CatalogAppName = "refsp"

// NameIDFormat is the format of the NameID an app sends, by Okta's short
// name.
type NameIDFormat string

// The NameID formats Okta offers for SAML apps.
const (
	NameIDUnspecified NameIDFormat = "unspecified"
	NameIDEmail       NameIDFormat = "emailAddress"
	NameIDPersistent  NameIDFormat = "persistent"
	NameIDTransient   NameIDFormat = "transient"
)

var nameIDFormatURIs = map[NameIDFormat]string{
	NameIDUnspecified: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
	NameIDEmail:       "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
	NameIDPersistent:  "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
	NameIDTransient:   "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
}

// URI returns the SAML URI of the format.
func (f NameIDFormat) URI() string { return nameIDFormatURIs[f] }

// ParseNameIDFormat accepts a short name ("emailAddress") or a SAML URI. An
// empty string is unspecified, Okta's default for new SAML apps.
func ParseNameIDFormat(s string) (NameIDFormat, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return NameIDUnspecified, nil
	}
	for f, uri := range nameIDFormatURIs {
		if strings.EqualFold(s, string(f)) || s == uri {
			return f, nil
		}
	}
	return "", fmt.Errorf("%w: unknown NameID format %q (want unspecified, emailAddress, persistent or transient)", ErrInvalid, s)
}

// Attribute name formats, by the short names Okta's app wizard shows.
const (
	AttrNameFormatUnspecified = "unspecified"
	AttrNameFormatURI         = "uri"
	AttrNameFormatBasic       = "basic"
)

var attrNameFormatURIs = map[string]string{
	AttrNameFormatUnspecified: "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
	AttrNameFormatURI:         "urn:oasis:names:tc:SAML:2.0:attrname-format:uri",
	AttrNameFormatBasic:       "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
}

// AttrNameFormatURIOf returns the SAML URI for a short attribute name format.
func AttrNameFormatURIOf(short string) string { return attrNameFormatURIs[short] }

// The user profile expressions an attribute statement can take its value
// from, in Okta Expression Language.
var attributeExpressions = map[string]bool{
	"user.email": true, "user.firstName": true, "user.lastName": true, "user.login": true,
}

// AttributeStatement is one SAML attribute an app sends: its Name and
// NameFormat, and an Okta expression for its value.
type AttributeStatement struct {
	Name       string `json:"name" yaml:"name"`
	NameFormat string `json:"nameFormat,omitempty" yaml:"nameFormat,omitempty"`
	Value      string `json:"value" yaml:"value"`
}

// Settings are the kind-specific settings of an app.
type Settings struct {
	// Catalog app: the SP's base URL and the Integration ID the SP showed.
	SPBaseURL     string `json:"spBaseURL,omitempty"`
	IntegrationID string `json:"integrationId,omitempty"`

	// Generic SAML app.
	ACSURL       string               `json:"acsURL,omitempty"`
	Audience     string               `json:"audience,omitempty"`
	NameIDFormat NameIDFormat         `json:"nameIDFormat,omitempty"`
	Attributes   []AttributeStatement `json:"attributes,omitempty"`
}

// Signature algorithms (Okta's settings.signOn.signatureAlgorithm values).
const (
	SignatureRSASHA256 = "RSA_SHA256"
	SignatureRSASHA1   = "RSA_SHA1" // still selectable in old orgs
)

// SignOn holds the sign-on options every SAML app has.
type SignOn struct {
	ResponseSigned     bool   `json:"responseSigned"`
	AssertionSigned    bool   `json:"assertionSigned"`
	SignatureAlgorithm string `json:"signatureAlgorithm"`
	DefaultRelayState  string `json:"defaultRelayState,omitempty"`
}

// DefaultSignOn is what a new app gets: both the Response and the Assertion
// signed with RSA-SHA256, no default RelayState.
func DefaultSignOn() SignOn {
	return SignOn{ResponseSigned: true, AssertionSigned: true, SignatureAlgorithm: SignatureRSASHA256}
}

// App is an Okta app instance with its own SAML signing key and certificate.
type App struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Label          string    `json:"label"`
	Kind           AppKind   `json:"kind"`
	Status         string    `json:"status"`
	Settings       Settings  `json:"settings"`
	SignOn         SignOn    `json:"signOn"`
	KeyID          string    `json:"keyId"`
	LinkID         string    `json:"linkId"`
	PrivateKeyPEM  string    `json:"-"`
	CertificatePEM string    `json:"certificatePem"`
	Created        time.Time `json:"created"`
	LastUpdated    time.Time `json:"lastUpdated"`
}

// CatalogACSURL is the ACS URL of the reference SP for an integration. The
// reference SP serves exactly this path; the two sides share the convention
// so that the admin types nothing but the Integration ID.
func CatalogACSURL(spBaseURL, integrationID string) string {
	return CatalogAudience(spBaseURL, integrationID) + "/acs"
}

// CatalogAudience is the reference SP's entity ID (the app's "Audience URI")
// for an integration.
func CatalogAudience(spBaseURL, integrationID string) string {
	return strings.TrimRight(spBaseURL, "/") + "/sso/okta/" + integrationID
}

// ACSURL is where the app's SAML responses are posted.
func (a App) ACSURL() string {
	if a.Kind == KindCatalog {
		return CatalogACSURL(a.Settings.SPBaseURL, a.Settings.IntegrationID)
	}
	return a.Settings.ACSURL
}

// Audience is the app's "Audience URI (SP Entity ID)".
func (a App) Audience() string {
	if a.Kind == KindCatalog {
		return CatalogAudience(a.Settings.SPBaseURL, a.Settings.IntegrationID)
	}
	return a.Settings.Audience
}

// NameIDFormat is the format of the NameID the app sends. The catalog app
// always sends the user's email as an emailAddress NameID.
func (a App) NameIDFormat() NameIDFormat {
	switch {
	case a.Kind == KindCatalog:
		return NameIDEmail
	case a.Settings.NameIDFormat == "":
		return NameIDUnspecified
	}
	return a.Settings.NameIDFormat
}

// AttributeStatements are the attributes the app sends. The catalog app
// sends email, firstName and lastName; a generic app what it was given.
func (a App) AttributeStatements() []AttributeStatement {
	if a.Kind == KindCatalog {
		return []AttributeStatement{
			{Name: "email", NameFormat: AttrNameFormatUnspecified, Value: "user.email"},
			{Name: "firstName", NameFormat: AttrNameFormatUnspecified, Value: "user.firstName"},
			{Name: "lastName", NameFormat: AttrNameFormatUnspecified, Value: "user.lastName"},
		}
	}
	return a.Settings.Attributes
}

// FieldError is an ErrInvalid that names the offending setting, with the
// setting names of the seed format (spBaseURL, acsURL, attributes[0].value…).
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes a FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// integrationIDPattern keeps Integration IDs to URL path-safe characters:
// they become a path segment of the ACS URL and the audience.
var integrationIDPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,128}$`)

// checkHTTPURL checks that s is an absolute http or https URL without a
// fragment.
func checkHTTPURL(field, s string) error {
	if s == "" {
		return fieldErr(field, "is required")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fieldErr(field, "%q is not an absolute http(s) URL", s)
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return fieldErr(field, "%q must not have a fragment", s)
	}
	return nil
}

// NormalizeSettings checks the settings of an app of the given kind and
// returns them cleaned up (trimmed, defaults filled in, settings of the
// other kind dropped).
func NormalizeSettings(kind AppKind, in Settings) (Settings, error) {
	switch kind {
	case KindCatalog:
		out := Settings{
			SPBaseURL:     strings.TrimRight(strings.TrimSpace(in.SPBaseURL), "/"),
			IntegrationID: strings.TrimSpace(in.IntegrationID),
		}
		if err := checkHTTPURL("spBaseURL", out.SPBaseURL); err != nil {
			return Settings{}, err
		}
		if u, _ := url.Parse(out.SPBaseURL); u.RawQuery != "" {
			return Settings{}, fieldErr("spBaseURL", "%q must not have a query", out.SPBaseURL)
		}
		if out.IntegrationID == "" {
			return Settings{}, fieldErr("integrationId", "is required")
		}
		if !integrationIDPattern.MatchString(out.IntegrationID) {
			return Settings{}, fieldErr("integrationId", "%q may only contain letters, digits and . _ ~ -", out.IntegrationID)
		}
		return out, nil
	case KindSAML:
		out := Settings{
			ACSURL:   strings.TrimSpace(in.ACSURL),
			Audience: strings.TrimSpace(in.Audience),
		}
		if err := checkHTTPURL("acsURL", out.ACSURL); err != nil {
			return Settings{}, err
		}
		if out.Audience == "" {
			return Settings{}, fieldErr("audience", "is required")
		}
		f, err := ParseNameIDFormat(string(in.NameIDFormat))
		if err != nil {
			return Settings{}, fieldErr("nameIDFormat", "unknown format %q (want unspecified, emailAddress, persistent or transient)", in.NameIDFormat)
		}
		out.NameIDFormat = f
		for i, a := range in.Attributes {
			field := "attributes[" + strconv.Itoa(i) + "]"
			a.Name = strings.TrimSpace(a.Name)
			a.Value = strings.TrimSpace(a.Value)
			a.NameFormat = strings.TrimSpace(a.NameFormat)
			if a.Name == "" {
				return Settings{}, fieldErr(field+".name", "is required")
			}
			if a.NameFormat == "" {
				a.NameFormat = AttrNameFormatUnspecified
			}
			if _, ok := attrNameFormatURIs[a.NameFormat]; !ok {
				// Accept the full URI too, and store the short name.
				found := false
				for short, uri := range attrNameFormatURIs {
					if a.NameFormat == uri {
						a.NameFormat, found = short, true
					}
				}
				if !found {
					return Settings{}, fieldErr(field+".nameFormat", "unknown name format %q (want unspecified, uri or basic)", a.NameFormat)
				}
			}
			if !attributeExpressions[a.Value] {
				return Settings{}, fieldErr(field+".value", "unsupported expression %q (want user.email, user.firstName, user.lastName or user.login)", a.Value)
			}
			out.Attributes = append(out.Attributes, a)
		}
		return out, nil
	default:
		return Settings{}, fieldErr("kind", "unknown app kind %q (want catalog or saml)", kind)
	}
}

// NormalizeSignOn checks sign-on options, filling in the default algorithm.
func NormalizeSignOn(in SignOn) (SignOn, error) {
	if in.SignatureAlgorithm == "" {
		in.SignatureAlgorithm = SignatureRSASHA256
	}
	if in.SignatureAlgorithm != SignatureRSASHA256 && in.SignatureAlgorithm != SignatureRSASHA1 {
		return SignOn{}, fieldErr("signatureAlgorithm", "unknown algorithm %q (want RSA_SHA256 or RSA_SHA1)", in.SignatureAlgorithm)
	}
	return in, nil
}

// NewApp is the input of CreateApp. The caller makes the signing key and
// certificate (they depend on the org, which the directory does not know).
type NewApp struct {
	Kind           AppKind
	Name           string // Okta appName; see NextAppName for generic apps
	Label          string
	Settings       Settings
	SignOn         *SignOn // nil: DefaultSignOn
	PrivateKeyPEM  string
	CertificatePEM string
}

// AppUpdate changes the fields that are set. Ids, name and key never change:
// an SP configured with the app's metadata stays valid.
type AppUpdate struct {
	Label    *string
	Settings *Settings
	SignOn   *SignOn
}

const appColumns = `id, name, label, kind, status, settings, key_id, link_id, private_key_pem, certificate_pem,
	response_signed, assertion_signed, signature_algorithm, default_relay_state, created, last_updated`

func scanApp(row interface{ Scan(...any) error }) (App, error) {
	var a App
	var settings, created, updated string
	err := row.Scan(&a.ID, &a.Name, &a.Label, &a.Kind, &a.Status, &settings, &a.KeyID, &a.LinkID,
		&a.PrivateKeyPEM, &a.CertificatePEM, &a.SignOn.ResponseSigned, &a.SignOn.AssertionSigned,
		&a.SignOn.SignatureAlgorithm, &a.SignOn.DefaultRelayState, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return App{}, ErrNotFound
	}
	if err != nil {
		return App{}, err
	}
	if err := json.Unmarshal([]byte(settings), &a.Settings); err != nil {
		return App{}, fmt.Errorf("directory: app %s settings: %w", a.ID, err)
	}
	if a.Created, err = parseTime(created); err != nil {
		return App{}, err
	}
	if a.LastUpdated, err = parseTime(updated); err != nil {
		return App{}, err
	}
	return a, nil
}

func getApp(ctx context.Context, q queryer, where string, args ...any) (App, error) {
	return scanApp(q.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps `+where, args...))
}

func listApps(ctx context.Context, q queryer, query string, args ...any) ([]App, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: list apps: %w", err)
	}
	defer rows.Close()
	var out []App
	for rows.Next() {
		a, err := scanApp(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CreateApp adds an app with fresh 0oa…, exk… and aln… ids.
func (tx *Tx) CreateApp(ctx context.Context, in NewApp) (App, error) {
	settings, err := NormalizeSettings(in.Kind, in.Settings)
	if err != nil {
		return App{}, err
	}
	signOn := DefaultSignOn()
	if in.SignOn != nil {
		signOn = *in.SignOn
	}
	if signOn, err = NormalizeSignOn(signOn); err != nil {
		return App{}, err
	}
	label := strings.TrimSpace(in.Label)
	if label == "" {
		return App{}, fieldErr("label", "is required")
	}
	if strings.TrimSpace(in.Name) == "" {
		return App{}, fieldErr("name", "is required")
	}
	if in.PrivateKeyPEM == "" || in.CertificatePEM == "" {
		return App{}, fmt.Errorf("%w: an app needs a signing key and certificate", ErrInvalid)
	}
	settingsJSON, err := json.Marshal(settings)
	if err != nil {
		return App{}, err
	}
	now := tx.s.now()
	a := App{
		ID: NewID(PrefixApp), Name: in.Name, Label: label, Kind: in.Kind, Status: "ACTIVE",
		Settings: settings, SignOn: signOn,
		KeyID: NewID(PrefixAppKey), LinkID: NewID(PrefixAppLink),
		PrivateKeyPEM: in.PrivateKeyPEM, CertificatePEM: in.CertificatePEM,
		Created: now.Truncate(time.Millisecond), LastUpdated: now.Truncate(time.Millisecond),
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO apps (`+appColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Name, a.Label, string(a.Kind), a.Status, string(settingsJSON), a.KeyID, a.LinkID,
		a.PrivateKeyPEM, a.CertificatePEM, boolInt(signOn.ResponseSigned), boolInt(signOn.AssertionSigned),
		signOn.SignatureAlgorithm, signOn.DefaultRelayState, fmtTime(now), fmtTime(now))
	if err != nil {
		return App{}, fmt.Errorf("directory: create app: %w", err)
	}
	return a, nil
}

// UpdateApp changes the label, settings or sign-on options of an app.
func (tx *Tx) UpdateApp(ctx context.Context, id string, upd AppUpdate) (App, error) {
	a, err := getApp(ctx, tx.tx, `WHERE id = ?`, id)
	if err != nil {
		return App{}, err
	}
	if upd.Label != nil {
		if strings.TrimSpace(*upd.Label) == "" {
			return App{}, fieldErr("label", "is required")
		}
		a.Label = strings.TrimSpace(*upd.Label)
	}
	if upd.Settings != nil {
		if a.Settings, err = NormalizeSettings(a.Kind, *upd.Settings); err != nil {
			return App{}, err
		}
	}
	if upd.SignOn != nil {
		if a.SignOn, err = NormalizeSignOn(*upd.SignOn); err != nil {
			return App{}, err
		}
	}
	settingsJSON, err := json.Marshal(a.Settings)
	if err != nil {
		return App{}, err
	}
	_, err = tx.tx.ExecContext(ctx, `UPDATE apps SET label = ?, settings = ?, response_signed = ?, assertion_signed = ?,
		signature_algorithm = ?, default_relay_state = ?, last_updated = ? WHERE id = ?`,
		a.Label, string(settingsJSON), boolInt(a.SignOn.ResponseSigned), boolInt(a.SignOn.AssertionSigned),
		a.SignOn.SignatureAlgorithm, a.SignOn.DefaultRelayState, fmtTime(tx.s.now()), id)
	if err != nil {
		return App{}, fmt.Errorf("directory: update app: %w", err)
	}
	return getApp(ctx, tx.tx, `WHERE id = ?`, id)
}

// NextAppName returns base_N for the smallest N ≥ 1 not yet used, the way
// Okta names the apps made with its wizard ("dev-123456_mysp_1").
func (tx *Tx) NextAppName(ctx context.Context, base string) (string, error) {
	for n := 1; ; n++ {
		name := base + "_" + strconv.Itoa(n)
		var count int
		if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM apps WHERE name = ?`, name).Scan(&count); err != nil {
			return "", fmt.Errorf("directory: app name: %w", err)
		}
		if count == 0 {
			return name, nil
		}
	}
}

// AppByID returns the app with the 0oa… id, or ErrNotFound.
func (tx *Tx) AppByID(ctx context.Context, id string) (App, error) {
	return getApp(ctx, tx.tx, `WHERE id = ?`, id)
}

// FindCatalogApp returns the catalog app for an SP base URL and Integration
// ID, or ErrNotFound. Both must match: two SPs may use the same Integration
// ID (a seeded one, say) and must not share an app.
func (tx *Tx) FindCatalogApp(ctx context.Context, spBaseURL, integrationID string) (App, error) {
	return getApp(ctx, tx.tx, `WHERE kind = 'catalog'
		AND json_extract(settings, '$.integrationId') = ?
		AND json_extract(settings, '$.spBaseURL') = ?
		ORDER BY created, id LIMIT 1`,
		strings.TrimSpace(integrationID), strings.TrimRight(strings.TrimSpace(spBaseURL), "/"))
}

// FindSAMLAppByLabel returns the oldest generic SAML app with the label, or
// ErrNotFound.
func (tx *Tx) FindSAMLAppByLabel(ctx context.Context, label string) (App, error) {
	return getApp(ctx, tx.tx, `WHERE kind = 'saml' AND label = ? ORDER BY created, id LIMIT 1`, strings.TrimSpace(label))
}

// CreateApp adds an app; see Tx.CreateApp.
func (s *Store) CreateApp(ctx context.Context, in NewApp) (a App, err error) {
	err = s.Update(ctx, func(tx *Tx) error { a, err = tx.CreateApp(ctx, in); return err })
	return a, err
}

// UpdateApp changes an app; see Tx.UpdateApp.
func (s *Store) UpdateApp(ctx context.Context, id string, upd AppUpdate) (a App, err error) {
	err = s.Update(ctx, func(tx *Tx) error { a, err = tx.UpdateApp(ctx, id, upd); return err })
	return a, err
}

// AppByID returns the app with the 0oa… id, or ErrNotFound.
func (s *Store) AppByID(ctx context.Context, id string) (App, error) {
	return getApp(ctx, s.db, `WHERE id = ?`, id)
}

// AppByKeyID returns the app whose SAML key is the exk… id, or ErrNotFound.
func (s *Store) AppByKeyID(ctx context.Context, keyID string) (App, error) {
	return getApp(ctx, s.db, `WHERE key_id = ?`, keyID)
}

// ListApps returns all apps, oldest first.
func (s *Store) ListApps(ctx context.Context) ([]App, error) {
	return listApps(ctx, s.db, `SELECT `+appColumns+` FROM apps ORDER BY created, id`)
}

// ListAppsForUser returns the apps assigned to a user, by label.
func (s *Store) ListAppsForUser(ctx context.Context, userID string) ([]App, error) {
	return listApps(ctx, s.db, `SELECT `+prefixed("a.", appColumns)+` FROM apps a
		JOIN app_assignments x ON x.app_id = a.id
		WHERE x.user_id = ? ORDER BY a.label, a.id`, userID)
}

// prefixed qualifies a comma-separated column list with a table alias.
func prefixed(alias, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
