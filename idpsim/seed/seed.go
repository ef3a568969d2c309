// Package seed is the seed document format of the fake Okta: the users and
// apps an org starts with, and who is assigned to what.
//
// A seed is YAML; JSON is valid YAML, so the same parser reads both. Field
// names are part of the contract with the tools and tests that write seeds:
//
//	users:
//	  - login: ada@acme.test
//	    firstName: Ada
//	    lastName: Lovelace
//	    password: "Okta-demo-1"
//	apps:
//	  - kind: catalog          # the reference SP's app
//	    label: Reference SP
//	    spBaseURL: http://127.0.0.1:8080
//	    integrationId: abc123
//	    assign: [ada@acme.test]
//	  - kind: saml             # a generic SAML 2.0 app
//	    label: My SP
//	    acsURL: https://sp.example/acs
//	    audience: https://sp.example
//	    nameIDFormat: emailAddress
//	    attributes: [{name: email, value: user.email}]
//	    assign: [ada@acme.test]
//
// Optional fields: user status (ACTIVE by default); app defaultRelayState,
// responseSigned and assertionSigned (true by default), signatureAlgorithm
// (RSA_SHA256 by default, or RSA_SHA1); attribute nameFormat (unspecified,
// uri or basic). Unknown fields are errors, so a typo does not pass
// silently.
//
// Groups, admins and provisioning are optional too:
//
//	users:
//	  - {login: admin@acme.test, firstName: Alex, lastName: Admin, admin: true}  # SUPER_ADMIN: the admin UI
//	groups:
//	  - name: Engineering
//	    description: Builds things
//	    members: [ada@acme.test]
//	apps:
//	  - kind: catalog
//	    …
//	    assignGroups: [Engineering]
//	    provisioning:                        # the app's Provisioning tab
//	      baseURL: http://127.0.0.1:8080/scim/v2
//	      token: the-bearer-token
//	      usernameFormat: EMAIL              # OKTA_USERNAME (default), EMAIL, …
//	      createUsers: true
//	      updateUsers: true
//	      deactivateUsers: true
//	      syncPassword: false
//	      mode: template                     # or custom
//
// A seed sends nothing to SCIM servers: it stores the provisioning settings
// (without Okta's connector test) and the assignments as they are.
// Group members and group assignments are added, never removed.
package seed

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

//go:embed default.yaml
var defaultSeed []byte

// Default returns the embedded default seed: three demo users, no apps.
func Default() []byte { return bytes.Clone(defaultSeed) }

// Document is a seed.
type Document struct {
	Users  []User  `yaml:"users" json:"users"`
	Groups []Group `yaml:"groups,omitempty" json:"groups,omitempty"`
	Apps   []App   `yaml:"apps" json:"apps"`
}

// Group is a group to create or update, matched by name.
type Group struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	Members     []string `yaml:"members,omitempty" json:"members,omitempty"`
}

// Provisioning is an app's Provisioning tab. The block enables provisioning
// unless enabled is false.
type Provisioning struct {
	Enabled         *bool  `yaml:"enabled,omitempty" json:"enabled,omitempty"`
	BaseURL         string `yaml:"baseURL" json:"baseURL"`
	Token           string `yaml:"token" json:"token"`
	UsernameFormat  string `yaml:"usernameFormat,omitempty" json:"usernameFormat,omitempty"`
	CreateUsers     bool   `yaml:"createUsers,omitempty" json:"createUsers,omitempty"`
	UpdateUsers     bool   `yaml:"updateUsers,omitempty" json:"updateUsers,omitempty"`
	DeactivateUsers bool   `yaml:"deactivateUsers,omitempty" json:"deactivateUsers,omitempty"`
	SyncPassword    bool   `yaml:"syncPassword,omitempty" json:"syncPassword,omitempty"`
	Mode            string `yaml:"mode,omitempty" json:"mode,omitempty"`
}

// Settings returns the directory's provisioning settings for the app.
func (p Provisioning) Settings(appID string) directory.Provisioning {
	enabled := p.Enabled == nil || *p.Enabled
	return directory.Provisioning{
		AppID: appID, Enabled: enabled, BaseURL: p.BaseURL, Token: p.Token,
		UsernameFormat: directory.UsernameFormat(p.UsernameFormat), CreateUsers: p.CreateUsers,
		UpdateUsers: p.UpdateUsers, DeactivateUsers: p.DeactivateUsers, SyncPassword: p.SyncPassword,
		Mode: directory.ProvisioningMode(p.Mode),
	}
}

// User is a user to create or update, matched by login.
type User struct {
	Login     string `yaml:"login" json:"login"`
	FirstName string `yaml:"firstName" json:"firstName"`
	LastName  string `yaml:"lastName" json:"lastName"`
	Password  string `yaml:"password,omitempty" json:"password,omitempty"`
	Status    string `yaml:"status,omitempty" json:"status,omitempty"`
	// Admin gives the user the SUPER_ADMIN role (never taken away by a
	// seed): the admin UI is for signed-in admins.
	Admin bool `yaml:"admin,omitempty" json:"admin,omitempty"`
}

// App is an app to create or update. Catalog apps are matched by
// integrationId and spBaseURL, generic SAML apps by label.
type App struct {
	Kind  string `yaml:"kind" json:"kind"`
	Label string `yaml:"label" json:"label"`

	// kind: catalog
	SPBaseURL     string `yaml:"spBaseURL,omitempty" json:"spBaseURL,omitempty"`
	IntegrationID string `yaml:"integrationId,omitempty" json:"integrationId,omitempty"`

	// kind: saml
	ACSURL       string                         `yaml:"acsURL,omitempty" json:"acsURL,omitempty"`
	Audience     string                         `yaml:"audience,omitempty" json:"audience,omitempty"`
	NameIDFormat string                         `yaml:"nameIDFormat,omitempty" json:"nameIDFormat,omitempty"`
	Attributes   []directory.AttributeStatement `yaml:"attributes,omitempty" json:"attributes,omitempty"`

	// either kind
	DefaultRelayState  string   `yaml:"defaultRelayState,omitempty" json:"defaultRelayState,omitempty"`
	ResponseSigned     *bool    `yaml:"responseSigned,omitempty" json:"responseSigned,omitempty"`
	AssertionSigned    *bool    `yaml:"assertionSigned,omitempty" json:"assertionSigned,omitempty"`
	SignatureAlgorithm string   `yaml:"signatureAlgorithm,omitempty" json:"signatureAlgorithm,omitempty"`
	Assign             []string `yaml:"assign,omitempty" json:"assign,omitempty"`
	// AssignGroups names groups (of this document or already in the org)
	// to assign to the app.
	AssignGroups []string      `yaml:"assignGroups,omitempty" json:"assignGroups,omitempty"`
	Provisioning *Provisioning `yaml:"provisioning,omitempty" json:"provisioning,omitempty"`
}

// Error is a seed document that cannot be used. Field names the offending
// field as a path ("apps[1].acsURL"), or is empty for a syntax error.
type Error struct {
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return "seed: " + e.Message
	}
	return "seed: " + e.Field + ": " + e.Message
}

func errf(field, format string, args ...any) *Error {
	return &Error{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Parse reads a YAML (or JSON) seed document and validates it.
func Parse(data []byte) (Document, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Document{}, errf("", "empty document")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc Document
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return Document{}, errf("", "empty document")
		}
		return Document{}, errf("", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return Document{}, errf("", "more than one YAML document; put everything in one")
	}
	if err := doc.Validate(); err != nil {
		return Document{}, err
	}
	return doc, nil
}

// Validate checks everything that can be checked without the directory:
// required fields, formats, settings, and duplicates within the document.
// Whether assigned logins exist is checked when the seed is applied.
func (d Document) Validate() error {
	logins := map[string]bool{}
	for i, u := range d.Users {
		f := fmt.Sprintf("users[%d]", i)
		login, err := directory.ValidateLogin(u.Login)
		if err != nil {
			return errf(f+".login", "%s", trimInvalid(err))
		}
		if logins[strings.ToLower(login)] {
			return errf(f+".login", "%q appears twice", login)
		}
		logins[strings.ToLower(login)] = true
		if strings.TrimSpace(u.FirstName) == "" {
			return errf(f+".firstName", "is required")
		}
		if strings.TrimSpace(u.LastName) == "" {
			return errf(f+".lastName", "is required")
		}
		if len(u.Password) > 72 {
			return errf(f+".password", "is longer than 72 bytes")
		}
		if u.Status != "" && !directory.UserStatus(u.Status).Valid() {
			return errf(f+".status", "unknown status %q (want ACTIVE, STAGED, SUSPENDED or DEPROVISIONED)", u.Status)
		}
	}
	if err := d.validateGroups(); err != nil {
		return err
	}
	catalog := map[string]bool{}
	labels := map[string]bool{}
	for i, a := range d.Apps {
		f := fmt.Sprintf("apps[%d]", i)
		kind := directory.AppKind(a.Kind)
		if a.Kind == "" {
			return errf(f+".kind", "is required (catalog or saml)")
		}
		if kind != directory.KindCatalog && kind != directory.KindSAML {
			return errf(f+".kind", "unknown kind %q (want catalog or saml)", a.Kind)
		}
		if strings.TrimSpace(a.Label) == "" {
			return errf(f+".label", "is required")
		}
		if err := a.checkKindFields(kind); err != nil {
			err.Field = f + "." + err.Field
			return err
		}
		settings, err := directory.NormalizeSettings(kind, a.Settings())
		if err != nil {
			var fe *directory.FieldError
			if errors.As(err, &fe) {
				return errf(f+"."+fe.Field, "%s", fe.Message)
			}
			return errf(f, "%s", trimInvalid(err))
		}
		if _, err := directory.NormalizeSignOn(a.SignOn(directory.DefaultSignOn())); err != nil {
			return errf(f+".signatureAlgorithm", "unknown algorithm %q (want RSA_SHA256 or RSA_SHA1)", a.SignatureAlgorithm)
		}
		switch kind {
		case directory.KindCatalog:
			key := settings.SPBaseURL + " " + settings.IntegrationID
			if catalog[key] {
				return errf(f+".integrationId", "%q appears twice for %s", settings.IntegrationID, settings.SPBaseURL)
			}
			catalog[key] = true
		case directory.KindSAML:
			label := strings.TrimSpace(a.Label)
			if labels[label] {
				return errf(f+".label", "%q appears twice (saml apps are matched by label)", label)
			}
			labels[label] = true
		}
		for j, login := range a.Assign {
			if _, err := directory.ValidateLogin(login); err != nil {
				return errf(fmt.Sprintf("%s.assign[%d]", f, j), "%s", trimInvalid(err))
			}
		}
		for j, name := range a.AssignGroups {
			if _, err := directory.ValidateGroupName(name); err != nil {
				return errf(fmt.Sprintf("%s.assignGroups[%d]", f, j), "is required")
			}
		}
		if a.Provisioning != nil {
			if _, err := directory.NormalizeProvisioning(a.Provisioning.Settings("")); err != nil {
				var fe *directory.FieldError
				if errors.As(err, &fe) {
					field := map[string]string{"baseUrl": "baseURL"}[fe.Field]
					if field == "" {
						field = fe.Field
					}
					return errf(f+".provisioning."+field, "%s", fe.Message)
				}
				return errf(f+".provisioning", "%s", trimInvalid(err))
			}
		}
	}
	return nil
}

func (d Document) validateGroups() error {
	names := map[string]bool{}
	for i, g := range d.Groups {
		f := fmt.Sprintf("groups[%d]", i)
		name, err := directory.ValidateGroupName(g.Name)
		if err != nil {
			var fe *directory.FieldError
			if errors.As(err, &fe) {
				return errf(f+".name", "%s", fe.Message)
			}
			return errf(f+".name", "%s", trimInvalid(err))
		}
		if names[strings.ToLower(name)] {
			return errf(f+".name", "%q appears twice", name)
		}
		names[strings.ToLower(name)] = true
		for j, login := range g.Members {
			if _, err := directory.ValidateLogin(login); err != nil {
				return errf(fmt.Sprintf("%s.members[%d]", f, j), "%s", trimInvalid(err))
			}
		}
	}
	return nil
}

// checkKindFields refuses settings of the other kind, which would be
// ignored and are most likely a mistake.
func (a App) checkKindFields(kind directory.AppKind) *Error {
	type field struct {
		name string
		set  bool
	}
	var foreign []field
	if kind == directory.KindCatalog {
		foreign = []field{{"acsURL", a.ACSURL != ""}, {"audience", a.Audience != ""},
			{"nameIDFormat", a.NameIDFormat != ""}, {"attributes", len(a.Attributes) > 0}}
	} else {
		foreign = []field{{"spBaseURL", a.SPBaseURL != ""}, {"integrationId", a.IntegrationID != ""}}
	}
	for _, f := range foreign {
		if f.set {
			return errf(f.name, "is not a setting of %s apps", kind)
		}
	}
	return nil
}

// Settings returns the app's directory settings.
func (a App) Settings() directory.Settings {
	return directory.Settings{
		SPBaseURL:     a.SPBaseURL,
		IntegrationID: a.IntegrationID,
		ACSURL:        a.ACSURL,
		Audience:      a.Audience,
		NameIDFormat:  directory.NameIDFormat(a.NameIDFormat),
		Attributes:    a.Attributes,
	}
}

// SignOn returns base with the sign-on options the seed sets.
func (a App) SignOn(base directory.SignOn) directory.SignOn {
	if a.ResponseSigned != nil {
		base.ResponseSigned = *a.ResponseSigned
	}
	if a.AssertionSigned != nil {
		base.AssertionSigned = *a.AssertionSigned
	}
	if a.SignatureAlgorithm != "" {
		base.SignatureAlgorithm = a.SignatureAlgorithm
	}
	if a.DefaultRelayState != "" {
		base.DefaultRelayState = a.DefaultRelayState
	}
	return base
}

// trimInvalid drops the "directory: invalid input: " prefix from a
// directory error, leaving the message for a person.
func trimInvalid(err error) string {
	return strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": ")
}
