package adminapi

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/store"
)

func (a *API) routes(mux *http.ServeMux) {
	a.route(mux, "/organization", map[string]handler{http.MethodGet: a.getOrganization})
	a.route(mux, "/sso/okta", map[string]handler{http.MethodGet: a.getIntegration, http.MethodPost: a.createIntegration})
	a.route(mux, "/sso/okta/idp", map[string]handler{http.MethodPut: a.configureIntegration})
	a.route(mux, "/sso/okta/status", map[string]handler{http.MethodPut: a.setStatus})
	a.route(mux, "/teams", map[string]handler{http.MethodGet: a.listTeams, http.MethodPost: a.createTeam})
	a.route(mux, "/teams/{teamId}", map[string]handler{http.MethodGet: a.getTeam})
	a.route(mux, "/teams/{teamId}/domains", map[string]handler{http.MethodGet: a.listDomains, http.MethodPost: a.addDomain})
	a.route(mux, "/teams/{teamId}/domains/{domain}", map[string]handler{http.MethodDelete: a.removeDomain})
	a.route(mux, "/teams/{teamId}/members", map[string]handler{http.MethodGet: a.listTeamMembers})
	a.route(mux, "/users", map[string]handler{http.MethodGet: a.listUsers, http.MethodPost: a.createUser})
	a.route(mux, "/users/{userId}", map[string]handler{http.MethodGet: a.getUser})
	a.route(mux, "/memberships", map[string]handler{http.MethodGet: a.listMemberships})
}

const (
	noIntegration = "This organization has no Okta integration yet; create one with POST /sso/okta."
	noTeam        = "There is no such team in this organization."
	noUser        = "There is no such member of this organization."
)

// JSON shapes. Times are RFC 3339 in UTC.

type organizationJSON struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt string `json:"createdAt"`
}

type integrationJSON struct {
	ID                  string  `json:"id"`
	Status              string  `json:"status"`
	Configured          bool    `json:"configured"`
	SP                  spJSON  `json:"sp"`
	IdP                 idpJSON `json:"idp"`
	ProvisioningEnabled bool    `json:"provisioningEnabled"`
	CreatedAt           string  `json:"createdAt"`
	UpdatedAt           string  `json:"updatedAt"`
}

type spJSON struct {
	EntityID    string `json:"entityId"`
	ACSURL      string `json:"acsUrl"`
	MetadataURL string `json:"metadataUrl"`
	SignInURL   string `json:"signInUrl"`
}

type idpJSON struct {
	EntityID    string `json:"entityId"`
	SSOURL      string `json:"ssoUrl"`
	MetadataURL string `json:"metadataUrl"`
	Certificate string `json:"certificate"`
}

type teamJSON struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Domains     []string `json:"domains"`
	SCIMGroupID string   `json:"scimGroupId,omitempty"`
	CreatedAt   string   `json:"createdAt"`
}

type userJSON struct {
	ID          string   `json:"id"`
	Email       string   `json:"email"`
	GivenName   string   `json:"givenName"`
	FamilyName  string   `json:"familyName"`
	DisplayName string   `json:"displayName"`
	Role        string   `json:"role"`
	Source      string   `json:"source"`
	TeamIDs     []string `json:"teamIds"`
	JoinedAt    string   `json:"joinedAt"`
}

type membershipJSON struct {
	UserID    string `json:"userId"`
	OrgID     string `json:"orgId"`
	Role      string `json:"role"`
	Source    string `json:"source"`
	CreatedAt string `json:"createdAt"`
}

type domainJSON struct {
	Domain string `json:"domain"`
	TeamID string `json:"teamId"`
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (a *API) integrationOut(in store.Integration) integrationJSON {
	u := a.sso.URLs(in.ID)
	return integrationJSON{
		ID: in.ID, Status: string(in.Status), Configured: in.Configured(),
		SP:                  spJSON{EntityID: u.EntityID, ACSURL: u.ACS, MetadataURL: u.Metadata, SignInURL: u.SignIn},
		IdP:                 idpJSON{EntityID: in.IdPEntityID, SSOURL: in.SSOURL, MetadataURL: in.MetadataURL, Certificate: in.CertPEM},
		ProvisioningEnabled: in.ProvisioningEnabled,
		CreatedAt:           ts(in.CreatedAt), UpdatedAt: ts(in.UpdatedAt),
	}
}

func teamOut(t admin.Team) teamJSON {
	return teamJSON{ID: t.ID, Name: t.Name, Domains: t.Domains, SCIMGroupID: t.SCIMGroupID, CreatedAt: ts(t.CreatedAt)}
}

func userOut(m admin.Member) userJSON {
	return userJSON{
		ID: m.User.ID, Email: m.User.Email, GivenName: m.User.GivenName, FamilyName: m.User.FamilyName,
		DisplayName: m.User.DisplayName, Role: string(m.Membership.Role), Source: string(m.Membership.Source),
		TeamIDs: m.TeamIDs, JoinedAt: ts(m.Membership.CreatedAt),
	}
}

// Organization.

func (a *API) getOrganization(w http.ResponseWriter, r *http.Request, c caller) {
	o, err := a.store.GetOrganization(r.Context(), c.OrgID)
	if err != nil {
		a.fail(w, r, c, err, "The organization no longer exists.")
		return
	}
	writeJSON(w, http.StatusOK, organizationJSON{ID: o.ID, Name: o.Name, CreatedAt: ts(o.CreatedAt)})
}

// Okta integration.

func (a *API) integration(w http.ResponseWriter, r *http.Request, c caller) (store.Integration, bool) {
	in, err := a.store.GetIntegrationByOrg(r.Context(), c.OrgID)
	if err != nil {
		a.fail(w, r, c, err, noIntegration)
		return in, false
	}
	return in, true
}

func (a *API) getIntegration(w http.ResponseWriter, r *http.Request, c caller) {
	if in, ok := a.integration(w, r, c); ok {
		writeJSON(w, http.StatusOK, a.integrationOut(in))
	}
}

func (a *API) createIntegration(w http.ResponseWriter, r *http.Request, c caller) {
	in, err := a.sso.ConnectOkta(r.Context(), c.OrgID)
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusConflict, "This organization already has an Okta integration; read it with GET /sso/okta.", "")
		return
	}
	if err != nil {
		a.fail(w, r, c, err, "The organization no longer exists.")
		return
	}
	a.changed(r, c, "okta integration created", "integration_id", in.ID)
	writeJSON(w, http.StatusCreated, a.integrationOut(in))
}

type configureIn struct {
	MetadataURL *string `json:"metadataUrl"`
	SSOURL      *string `json:"ssoUrl"`
	Certificate *string `json:"certificate"`
	EntityID    *string `json:"entityId"`
}

// configureIntegration takes the IdP details from a metadata link, or as typed
// by hand (SSO URL, certificate, optional entity ID): one or the other.
func (a *API) configureIntegration(w http.ResponseWriter, r *http.Request, c caller) {
	var body configureIn
	if !decode(w, r, &body) {
		return
	}
	in, ok := a.integration(w, r, c)
	if !ok {
		return
	}
	manual := body.SSOURL != nil || body.Certificate != nil || body.EntityID != nil
	var err error
	switch {
	case body.MetadataURL != nil && manual:
		writeError(w, http.StatusUnprocessableEntity, "Send either metadataUrl, or ssoUrl and certificate (and optionally entityId), not both.", "metadataUrl")
		return
	case body.MetadataURL != nil:
		in, err = a.sso.ConfigureFromMetadataURL(r.Context(), in.ID, *body.MetadataURL)
	case manual:
		in, err = a.sso.ConfigureManually(r.Context(), in.ID, deref(body.SSOURL), deref(body.Certificate), deref(body.EntityID))
	default:
		writeError(w, http.StatusUnprocessableEntity, "Send metadataUrl, or ssoUrl and certificate.", "metadataUrl")
		return
	}
	if err != nil {
		a.fail(w, r, c, err, noIntegration)
		return
	}
	a.changed(r, c, "okta integration configured", "integration_id", in.ID)
	writeJSON(w, http.StatusOK, a.integrationOut(in))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type statusIn struct {
	Status string `json:"status"`
}

// setStatus turns Okta sign-in off ("disabled") or back on ("pending"). An
// integration becomes connected only through the Connect round trip, which
// proves that sign-in through the IdP works; no request can claim that.
func (a *API) setStatus(w http.ResponseWriter, r *http.Request, c caller) {
	var body statusIn
	if !decode(w, r, &body) {
		return
	}
	status := store.IntegrationStatus(strings.TrimSpace(body.Status))
	switch status {
	case store.StatusDisabled, store.StatusPending:
	case store.StatusConnected:
		writeError(w, http.StatusUnprocessableEntity, "An integration becomes connected only through the Connect round trip: an administrator signs in through Okta from the Single Sign-On settings page.", "status")
		return
	default:
		writeError(w, http.StatusUnprocessableEntity, `The status is "disabled" (turn Okta sign-in off) or "pending" (turn it back on; Connect then finishes it).`, "status")
		return
	}
	in, ok := a.integration(w, r, c)
	if !ok {
		return
	}
	in, err := a.sso.SetStatus(r.Context(), in.ID, status)
	if err != nil {
		a.fail(w, r, c, err, noIntegration)
		return
	}
	a.changed(r, c, "okta integration status set", "integration_id", in.ID, "status", string(status))
	writeJSON(w, http.StatusOK, a.integrationOut(in))
}

// Teams.

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, c caller) {
	teams, err := a.orgs.ListTeams(r.Context(), c.OrgID)
	if err != nil {
		a.fail(w, r, c, err, noTeam)
		return
	}
	out := make([]teamJSON, 0, len(teams))
	for _, t := range teams {
		out = append(out, teamOut(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": out})
}

type createTeamIn struct {
	Name string `json:"name"`
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request, c caller) {
	var body createTeamIn
	if !decode(w, r, &body) {
		return
	}
	t, err := a.orgs.CreateTeam(r.Context(), c.OrgID, body.Name)
	if err != nil {
		a.fail(w, r, c, err, "The organization no longer exists.")
		return
	}
	a.changed(r, c, "team created", "team_id", t.ID)
	writeJSON(w, http.StatusCreated, teamOut(admin.Team{Team: t, Domains: []string{}}))
}

func (a *API) getTeam(w http.ResponseWriter, r *http.Request, c caller) {
	t, err := a.orgs.GetTeam(r.Context(), c.OrgID, r.PathValue("teamId"))
	if err != nil {
		a.fail(w, r, c, err, noTeam)
		return
	}
	writeJSON(w, http.StatusOK, teamOut(t))
}

func (a *API) listDomains(w http.ResponseWriter, r *http.Request, c caller) {
	t, err := a.orgs.GetTeam(r.Context(), c.OrgID, r.PathValue("teamId"))
	if err != nil {
		a.fail(w, r, c, err, noTeam)
		return
	}
	out := make([]domainJSON, 0, len(t.Domains))
	for _, d := range t.Domains {
		out = append(out, domainJSON{Domain: d, TeamID: t.ID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"domains": out})
}

type domainIn struct {
	Domain string `json:"domain"`
}

func (a *API) addDomain(w http.ResponseWriter, r *http.Request, c caller) {
	var body domainIn
	if !decode(w, r, &body) {
		return
	}
	teamID := r.PathValue("teamId")
	d, err := a.orgs.AddTeamDomain(r.Context(), c.OrgID, teamID, body.Domain)
	if err != nil {
		a.fail(w, r, c, err, noTeam)
		return
	}
	a.changed(r, c, "team domain added", "team_id", teamID, "domain", d)
	writeJSON(w, http.StatusCreated, domainJSON{Domain: d, TeamID: teamID})
}

func (a *API) removeDomain(w http.ResponseWriter, r *http.Request, c caller) {
	teamID, domain := r.PathValue("teamId"), r.PathValue("domain")
	if err := a.orgs.RemoveTeamDomain(r.Context(), c.OrgID, teamID, domain); err != nil {
		a.fail(w, r, c, err, "There is no such team in this organization, or it does not pre-approve that domain.")
		return
	}
	a.changed(r, c, "team domain removed", "team_id", teamID, "domain", domain)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) listTeamMembers(w http.ResponseWriter, r *http.Request, c caller) {
	users, err := a.orgs.ListTeamMembers(r.Context(), c.OrgID, r.PathValue("teamId"))
	if err != nil {
		a.fail(w, r, c, err, noTeam)
		return
	}
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		m, err := a.orgs.GetMember(r.Context(), c.OrgID, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // left the organization meanwhile
		}
		if err != nil {
			a.fail(w, r, c, err, noUser)
			return
		}
		out = append(out, userOut(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": out})
}

// Users and memberships.

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, c caller) {
	ms, err := a.orgs.ListMembers(r.Context(), c.OrgID)
	if err != nil {
		a.fail(w, r, c, err, noUser)
		return
	}
	out := make([]userJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, userOut(m))
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, c caller) {
	m, err := a.orgs.GetMember(r.Context(), c.OrgID, r.PathValue("userId"))
	if err != nil {
		a.fail(w, r, c, err, noUser)
		return
	}
	writeJSON(w, http.StatusOK, userOut(m))
}

type createUserIn struct {
	Email      string `json:"email"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
	Role       string `json:"role"`
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request, c caller) {
	var body createUserIn
	if !decode(w, r, &body) {
		return
	}
	m, err := a.orgs.AddMember(r.Context(), c.OrgID, admin.NewMember{
		Email: body.Email, GivenName: body.GivenName, FamilyName: body.FamilyName, Role: store.Role(strings.TrimSpace(body.Role)),
	})
	if err != nil {
		a.fail(w, r, c, err, "The organization no longer exists.")
		return
	}
	a.changed(r, c, "member added", "user_id", m.User.ID, "role", string(m.Membership.Role))
	writeJSON(w, http.StatusCreated, userOut(m))
}

func (a *API) listMemberships(w http.ResponseWriter, r *http.Request, c caller) {
	ms, err := a.store.ListMemberships(r.Context(), c.OrgID)
	if err != nil {
		a.fail(w, r, c, err, noUser)
		return
	}
	out := make([]membershipJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, membershipJSON{UserID: m.UserID, OrgID: m.OrgID, Role: string(m.Role), Source: string(m.Source), CreatedAt: ts(m.CreatedAt)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"memberships": out})
}
