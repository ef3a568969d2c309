package idpsim

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

// User is a user of the org.
type User = directory.User

// AttributeStatement is a SAML attribute a generic SAML app sends: Name,
// NameFormat (unspecified, uri or basic) and Value, an expression among
// user.email, user.firstName, user.lastName and user.login.
type AttributeStatement = directory.AttributeStatement

// App is an app of the org as an SP (or a test) sees it: its ids and every
// URL needed to configure SAML on either side.
type App struct {
	ID                string `json:"id"`   // 0oa…
	Name              string `json:"name"` // Okta's appName
	Label             string `json:"label"`
	Kind              string `json:"kind"`         // catalog or saml
	KeyID             string `json:"keyId"`        // exk…
	EntityID          string `json:"entityId"`     // IdP entity ID and Issuer
	SSOURL            string `json:"ssoUrl"`       // IdP SSO URL
	MetadataURL       string `json:"metadataUrl"`  // IdP metadata URL
	EmbedLinkURL      string `json:"embedLinkUrl"` // IdP-initiated sign-in
	ACSURL            string `json:"acsUrl"`       // SP ACS URL (derived for catalog apps)
	Audience          string `json:"audience"`     // SP entity ID (derived for catalog apps)
	SPBaseURL         string `json:"spBaseUrl,omitempty"`
	IntegrationID     string `json:"integrationId,omitempty"`
	NameIDFormat      string `json:"nameIdFormat"`
	DefaultRelayState string `json:"defaultRelayState,omitempty"`
	ResponseSigned    bool   `json:"responseSigned"`
	AssertionSigned   bool   `json:"assertionSigned"`
	CertificatePEM    string `json:"certificatePem"`
}

// UserInput is the input of CreateUser. The login is the email address.
type UserInput struct {
	Login     string
	FirstName string
	LastName  string
	Password  string
}

// CatalogAppInput adds the reference SP's catalog app. As in Okta's
// catalog, only the SP base URL and the Integration ID are typed; the ACS
// URL and audience are derived from them.
type CatalogAppInput struct {
	Label             string // defaults to "Reference SP"
	SPBaseURL         string
	IntegrationID     string
	DefaultRelayState string
	ResponseSigned    *bool // nil: true
	AssertionSigned   *bool // nil: true
}

// SAMLAppInput adds a generic SAML 2.0 app, configured by hand.
type SAMLAppInput struct {
	Label              string
	ACSURL             string
	Audience           string
	NameIDFormat       string // unspecified (default), emailAddress, persistent or transient
	Attributes         []AttributeStatement
	DefaultRelayState  string
	ResponseSigned     *bool  // nil: true
	AssertionSigned    *bool  // nil: true
	SignatureAlgorithm string // RSA_SHA256 (default) or RSA_SHA1
}

// CreateUser adds an ACTIVE user whose login and email are in.Login.
func (s *Server) CreateUser(ctx context.Context, in UserInput) (User, error) {
	return s.dir.CreateUser(ctx, directory.NewUser{
		Login: in.Login, FirstName: in.FirstName, LastName: in.LastName, Password: in.Password,
	})
}

// SetUserStatus changes a user's lifecycle status. Only ACTIVE users can
// sign in or be sent to an app. Apps with provisioning get the change
// (deactivated, reactivated) as with Deactivate, Suspend and the others,
// but without Okta's rules on which moves are allowed.
func (s *Server) SetUserStatus(ctx context.Context, userID string, status directory.UserStatus) (User, error) {
	u, _, err := s.prov.SetStatus(ctx, userID, status)
	return u, err
}

// FindUserByLogin returns the user with the login (case-insensitively), or
// an error matching ErrNotFound.
func (s *Server) FindUserByLogin(ctx context.Context, login string) (User, error) {
	return s.dir.UserByLogin(ctx, login)
}

// CreateCatalogApp adds a reference SP catalog app with a fresh signing key.
func (s *Server) CreateCatalogApp(ctx context.Context, in CatalogAppInput) (App, error) {
	label := strings.TrimSpace(in.Label)
	if label == "" {
		label = "Reference SP"
	}
	settings := directory.Settings{SPBaseURL: in.SPBaseURL, IntegrationID: in.IntegrationID}
	if _, err := directory.NormalizeSettings(directory.KindCatalog, settings); err != nil {
		return App{}, err // before the (slow) key generation
	}
	signOn := applyToggles(directory.DefaultSignOn(), in.ResponseSigned, in.AssertionSigned, "", in.DefaultRelayState)
	return s.createApp(ctx, directory.KindCatalog, label, settings, signOn)
}

// CreateSAMLApp adds a generic SAML 2.0 app with a fresh signing key.
func (s *Server) CreateSAMLApp(ctx context.Context, in SAMLAppInput) (App, error) {
	settings := directory.Settings{
		ACSURL: in.ACSURL, Audience: in.Audience,
		NameIDFormat: directory.NameIDFormat(in.NameIDFormat), Attributes: in.Attributes,
	}
	if _, err := directory.NormalizeSettings(directory.KindSAML, settings); err != nil {
		return App{}, err
	}
	signOn := applyToggles(directory.DefaultSignOn(), in.ResponseSigned, in.AssertionSigned, in.SignatureAlgorithm, in.DefaultRelayState)
	if _, err := directory.NormalizeSignOn(signOn); err != nil {
		return App{}, err
	}
	return s.createApp(ctx, directory.KindSAML, in.Label, settings, signOn)
}

func applyToggles(base directory.SignOn, response, assertion *bool, alg, relay string) directory.SignOn {
	if response != nil {
		base.ResponseSigned = *response
	}
	if assertion != nil {
		base.AssertionSigned = *assertion
	}
	if alg != "" {
		base.SignatureAlgorithm = alg
	}
	base.DefaultRelayState = relay
	return base
}

func (s *Server) createApp(ctx context.Context, kind directory.AppKind, label string, settings directory.Settings, signOn directory.SignOn) (App, error) {
	if strings.TrimSpace(label) == "" {
		return App{}, fmt.Errorf("%w: label: is required", directory.ErrInvalid)
	}
	// The key is made outside the transaction: RSA key generation is slow,
	// and the write lock should not wait for it.
	cred, err := s.newCredential()
	if err != nil {
		return App{}, err
	}
	var app directory.App
	err = s.dir.Update(ctx, func(tx *directory.Tx) error {
		app, err = s.insertApp(ctx, tx, kind, label, settings, signOn, cred)
		return err
	})
	if err != nil {
		return App{}, err
	}
	return s.appView(app), nil
}

func (s *Server) insertApp(ctx context.Context, tx *directory.Tx, kind directory.AppKind, label string,
	settings directory.Settings, signOn directory.SignOn, cred samlidp.Credential) (directory.App, error) {
	name := directory.CatalogAppName
	if kind == directory.KindSAML {
		var err error
		if name, err = tx.NextAppName(ctx, s.appNameBase(label)); err != nil {
			return directory.App{}, err
		}
	}
	return tx.CreateApp(ctx, directory.NewApp{
		Kind: kind, Name: name, Label: label, Settings: settings, SignOn: &signOn,
		PrivateKeyPEM: cred.PrivateKeyPEM, CertificatePEM: cred.CertificatePEM,
	})
}

var nonAlnum = regexp.MustCompile(`[^a-z0-9]+`)

// appNameBase is how Okta names apps made with its wizard: the org name and
// the label, lower case, letters and digits only ("ssoharness-dev" and
// "My SP" make "ssoharnessdev_mysp", and the app "ssoharnessdev_mysp_1").
func (s *Server) appNameBase(label string) string {
	org := nonAlnum.ReplaceAllString(strings.ToLower(s.org), "")
	l := nonAlnum.ReplaceAllString(strings.ToLower(label), "")
	if org == "" {
		org = "org"
	}
	if l == "" {
		l = "app"
	}
	return org + "_" + l
}

// Assign assigns the user to the app. Assigning twice is not an error. An
// app with provisioning gets the user (see AssignUser for the tasks).
func (s *Server) Assign(ctx context.Context, appID, userID string) error {
	_, err := s.prov.AssignUser(ctx, appID, userID)
	return err
}

// Unassign removes the user's assignment to the app, if there is one. An
// app with provisioning gets the user deactivated (see UnassignUser).
func (s *Server) Unassign(ctx context.Context, appID, userID string) error {
	_, err := s.prov.UnassignUser(ctx, appID, userID)
	return err
}

// GetApp returns the app with the 0oa… id, or an error matching ErrNotFound.
func (s *Server) GetApp(ctx context.Context, appID string) (App, error) {
	a, err := s.dir.AppByID(ctx, appID)
	if err != nil {
		return App{}, err
	}
	return s.appView(a), nil
}

// ListApps returns all apps, oldest first.
func (s *Server) ListApps(ctx context.Context) ([]App, error) {
	apps, err := s.dir.ListApps(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]App, len(apps))
	for i, a := range apps {
		out[i] = s.appView(a)
	}
	return out, nil
}

// Reset empties the org: users, apps, assignments and sessions, and the
// faults set on apps and the responses recorded for them, which belonged to
// apps that are gone.
func (s *Server) Reset(ctx context.Context) error {
	s.faults.reset(true)
	return s.dir.Reset(ctx)
}

// appView is the App as the outside world sees it, with the org's URLs.
func (s *Server) appView(a directory.App) App {
	return App{
		ID:                a.ID,
		Name:              a.Name,
		Label:             a.Label,
		Kind:              string(a.Kind),
		KeyID:             a.KeyID,
		EntityID:          samlidp.EntityID(a.KeyID),
		SSOURL:            samlidp.SSOURL(s.baseURL, a.Name, a.KeyID),
		MetadataURL:       samlidp.MetadataURL(s.baseURL, a.KeyID),
		EmbedLinkURL:      samlidp.EmbedLinkURL(s.baseURL, a.Name, a.ID, a.LinkID),
		ACSURL:            a.ACSURL(),
		Audience:          a.Audience(),
		SPBaseURL:         a.Settings.SPBaseURL,
		IntegrationID:     a.Settings.IntegrationID,
		NameIDFormat:      string(a.NameIDFormat()),
		DefaultRelayState: a.SignOn.DefaultRelayState,
		ResponseSigned:    a.SignOn.ResponseSigned,
		AssertionSigned:   a.SignOn.AssertionSigned,
		CertificatePEM:    a.CertificatePEM,
	}
}
