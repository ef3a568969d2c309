package hooksapi

import (
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/store"
)

// routes is the whole API: docs/hooks-api.md, table by table.
func (a *API) routes(mux *http.ServeMux) {
	// Organizations and people.
	a.route(mux, "/orgs", map[string]http.HandlerFunc{http.MethodPost: a.createOrg})
	a.route(mux, "/orgs/{org}", map[string]http.HandlerFunc{http.MethodDelete: a.inOrg(a.deleteOrg)})
	a.route(mux, "/orgs/{org}/members", map[string]http.HandlerFunc{http.MethodGet: a.inOrg(a.listMembers), http.MethodPost: a.inOrg(a.addMember)})
	a.route(mux, "/accounts/{email}", map[string]http.HandlerFunc{http.MethodGet: a.getAccount})

	// Okta sign-in.
	a.route(mux, "/orgs/{org}/okta", map[string]http.HandlerFunc{http.MethodGet: a.inOrg(a.getOkta), http.MethodPost: a.inOrg(a.connectOkta)})
	a.route(mux, "/orgs/{org}/okta/metadata", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.configureMetadata)})
	a.route(mux, "/orgs/{org}/okta/manual", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.configureManually)})
	a.route(mux, "/orgs/{org}/okta/status", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.setStatus)})
	a.route(mux, "/orgs/{org}/okta/start", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.startConnect)})
	a.route(mux, "/refusals", map[string]http.HandlerFunc{http.MethodGet: a.listRefusals})

	// Provisioning.
	a.route(mux, "/orgs/{org}/provisioning", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.enableProvisioning), http.MethodDelete: a.inOrg(a.disableProvisioning)})
	a.route(mux, "/orgs/{org}/provisioning/token", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.rotateToken)})

	// Teams and what they own.
	a.route(mux, "/orgs/{org}/teams", map[string]http.HandlerFunc{http.MethodGet: a.inOrg(a.listTeams), http.MethodPost: a.inOrg(a.createTeam)})
	a.route(mux, "/orgs/{org}/teams/{team}/domains", map[string]http.HandlerFunc{http.MethodPost: a.inOrg(a.addDomain)})
	a.route(mux, "/orgs/{org}/teams/{team}/members", map[string]http.HandlerFunc{http.MethodGet: a.inOrg(a.listTeamMembers)})
	a.route(mux, "/orgs/{org}/teams/{team}/resources", map[string]http.HandlerFunc{http.MethodGet: a.inOrg(a.listResources), http.MethodPost: a.inOrg(a.addResource)})

	// Audit.
	a.route(mux, "/orgs/{org}/audit", map[string]http.HandlerFunc{http.MethodGet: a.inOrg(a.listAudit)})
}

const (
	noOrg         = "There is no such organization."
	noTeam        = "There is no such team in this organization."
	noAccount     = "There is no account with that email address."
	noIntegration = "This organization has no Okta integration yet: POST /orgs/{org}/okta first."
)

// orgHandler is a route's function once the organization in the path is known
// to exist.
type orgHandler func(w http.ResponseWriter, r *http.Request, org store.Organization)

// inOrg answers 404 for an organization that does not exist, before the
// route's function runs.
func (a *API) inOrg(h orgHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		org, err := a.store.GetOrganization(r.Context(), r.PathValue("org"))
		if err != nil {
			a.fail(w, r, err, noOrg)
			return
		}
		h(w, r, org)
	}
}

// integration is org's Okta integration; it writes the refusal itself.
func (a *API) integration(w http.ResponseWriter, r *http.Request, org store.Organization) (store.Integration, bool) {
	in, err := a.store.GetIntegrationByOrg(r.Context(), org.ID)
	if err != nil {
		a.fail(w, r, err, noIntegration)
		return in, false
	}
	return in, true
}

// team is the team in the path, if org has it: another organization's team is
// as unknown as a missing one. It writes the refusal itself.
func (a *API) team(w http.ResponseWriter, r *http.Request, org store.Organization) (store.Team, bool) {
	t, err := a.store.GetTeam(r.Context(), r.PathValue("team"))
	if err == nil && t.OrgID != org.ID {
		err = store.ErrNotFound
	}
	if err != nil {
		a.fail(w, r, err, noTeam)
		return t, false
	}
	return t, true
}

// teamOrGone is team for the reads that must still answer after the team is
// deleted: what a deleted team left behind is what they are there to show. A
// team id that exists nowhere passes (its lists are then what is still stored
// for it); another organization's team does not.
func (a *API) teamOrGone(w http.ResponseWriter, r *http.Request, org store.Organization) (string, bool) {
	id := r.PathValue("team")
	t, err := a.store.GetTeam(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return id, true
	case err != nil:
		a.fail(w, r, err, noTeam)
		return "", false
	case t.OrgID != org.ID:
		writeError(w, http.StatusNotFound, noTeam)
		return "", false
	}
	return id, true
}
