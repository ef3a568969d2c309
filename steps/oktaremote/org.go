package oktaremote

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// userJSON is the part of Okta's user object that idpsim.User holds.
type userJSON struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Created     *time.Time `json:"created"`
	LastUpdated *time.Time `json:"lastUpdated"`
	Profile     struct {
		Login     string `json:"login"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"profile"`
}

func (u userJSON) user() idpsim.User {
	return idpsim.User{
		ID: u.ID, Login: u.Profile.Login, Email: u.Profile.Email, FirstName: u.Profile.FirstName,
		LastName: u.Profile.LastName, Status: directory.UserStatus(u.Status),
		Created: deref(u.Created), LastUpdated: deref(u.LastUpdated),
	}
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

type password struct {
	Value string `json:"value"`
}

type credentials struct {
	Password *password `json:"password,omitempty"`
}

// CreateUser adds an ACTIVE user whose login and email are in.Login.
func (c *Client) CreateUser(ctx context.Context, in idpsim.UserInput) (idpsim.User, error) {
	body := map[string]any{"profile": map[string]string{
		"login": in.Login, "email": in.Login, "firstName": in.FirstName, "lastName": in.LastName,
	}}
	if in.Password != "" {
		body["credentials"] = credentials{Password: &password{Value: in.Password}}
	}
	var u userJSON
	if err := c.call(ctx, http.MethodPost, "/api/v1/users", url.Values{"activate": {"true"}}, body, &u, true); err != nil {
		return idpsim.User{}, err
	}
	return u.user(), nil
}

// appJSON is the part of Okta's app object (with the fake's _idpsim member)
// that idpsim.App holds.
type appJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Label    string `json:"label"`
	Settings struct {
		App struct {
			SPBaseURL     string `json:"spBaseUrl"`
			IntegrationID string `json:"integrationId"`
		} `json:"app"`
		SignOn struct {
			DefaultRelayState   string `json:"defaultRelayState"`
			SSOAcsURL           string `json:"ssoAcsUrl"`
			Audience            string `json:"audience"`
			SubjectNameIDFormat string `json:"subjectNameIdFormat"`
			ResponseSigned      bool   `json:"responseSigned"`
			AssertionSigned     bool   `json:"assertionSigned"`
		} `json:"signOn"`
	} `json:"settings"`
	FakeOkta struct {
		Kind           string `json:"kind"`
		KeyID          string `json:"keyId"`
		EntityID       string `json:"entityId"`
		SSOURL         string `json:"ssoUrl"`
		MetadataURL    string `json:"metadataUrl"`
		EmbedLinkURL   string `json:"embedLinkUrl"`
		CertificatePEM string `json:"certificatePem"`
	} `json:"_idpsim"`
}

func (a appJSON) app() idpsim.App {
	so := a.Settings.SignOn
	// The API gives the NameID format as its SAML URI; idpsim.App has
	// Okta's short name.
	format := so.SubjectNameIDFormat
	if f, err := directory.ParseNameIDFormat(format); err == nil {
		format = string(f)
	}
	return idpsim.App{
		ID: a.ID, Name: a.Name, Label: a.Label, Kind: a.FakeOkta.Kind, KeyID: a.FakeOkta.KeyID,
		EntityID: a.FakeOkta.EntityID, SSOURL: a.FakeOkta.SSOURL, MetadataURL: a.FakeOkta.MetadataURL,
		EmbedLinkURL: a.FakeOkta.EmbedLinkURL, ACSURL: so.SSOAcsURL, Audience: so.Audience,
		SPBaseURL: a.Settings.App.SPBaseURL, IntegrationID: a.Settings.App.IntegrationID, NameIDFormat: format,
		DefaultRelayState: so.DefaultRelayState, ResponseSigned: so.ResponseSigned, AssertionSigned: so.AssertionSigned,
		CertificatePEM: a.FakeOkta.CertificatePEM,
	}
}

// CreateCatalogApp adds a reference SP catalog app. Its provisioning tasks
// are waited for after every change this Client makes.
func (c *Client) CreateCatalogApp(ctx context.Context, in idpsim.CatalogAppInput) (idpsim.App, error) {
	signOn := map[string]any{"defaultRelayState": in.DefaultRelayState}
	if in.ResponseSigned != nil {
		signOn["responseSigned"] = *in.ResponseSigned
	}
	if in.AssertionSigned != nil {
		signOn["assertionSigned"] = *in.AssertionSigned
	}
	body := map[string]any{
		"name": directory.CatalogAppName, "label": in.Label, "signOnMode": "SAML_2_0",
		"settings": map[string]any{
			"app":    map[string]string{"spBaseUrl": in.SPBaseURL, "integrationId": in.IntegrationID},
			"signOn": signOn,
		},
	}
	var a appJSON
	if err := c.api(ctx, http.MethodPost, "/api/v1/apps", body, &a); err != nil {
		return idpsim.App{}, err
	}
	c.mu.Lock()
	c.apps = append(c.apps, a.ID)
	c.mu.Unlock()
	return a.app(), nil
}

// groupJSON is the part of Okta's group object that idpsim.Group holds.
type groupJSON struct {
	ID                    string     `json:"id"`
	Created               *time.Time `json:"created"`
	LastUpdated           *time.Time `json:"lastUpdated"`
	LastMembershipUpdated *time.Time `json:"lastMembershipUpdated"`
	Profile               struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"profile"`
}

func (g groupJSON) group() idpsim.Group {
	return idpsim.Group{
		ID: g.ID, Name: g.Profile.Name, Description: g.Profile.Description, Created: deref(g.Created),
		LastUpdated: deref(g.LastUpdated), LastMembershipUpdated: deref(g.LastMembershipUpdated),
	}
}

type groupBody struct {
	Profile groupProfile `json:"profile"`
}

type groupProfile struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// CreateGroup adds an Okta group.
func (c *Client) CreateGroup(ctx context.Context, name, description string) (idpsim.Group, error) {
	var g groupJSON
	err := c.api(ctx, http.MethodPost, "/api/v1/groups", groupBody{groupProfile{Name: name, Description: description}}, &g)
	return g.group(), err
}

// FindGroupByName returns the group with the name (case-insensitively), or
// an error matching idpsim.ErrNotFound.
func (c *Client) FindGroupByName(ctx context.Context, name string) (idpsim.Group, error) {
	// q is a name prefix; the exact name is picked here, as the Server does
	// (a filter would need the name quoted into its expression).
	var gs []groupJSON
	if err := c.call(ctx, http.MethodGet, "/api/v1/groups", url.Values{"q": {name}}, nil, &gs, true); err != nil {
		return idpsim.Group{}, err
	}
	for _, g := range gs {
		if strings.EqualFold(g.Profile.Name, name) {
			return g.group(), nil
		}
	}
	return idpsim.Group{}, fmt.Errorf("%w: no group named %q", idpsim.ErrNotFound, name)
}

func (c *Client) getGroup(ctx context.Context, groupID string) (groupJSON, error) {
	var g groupJSON
	err := c.api(ctx, http.MethodGet, "/api/v1/groups/"+seg(groupID), nil, &g)
	return g, err
}
