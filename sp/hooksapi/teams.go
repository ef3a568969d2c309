package hooksapi

import (
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/sp/store"
)

// resourceKind is what the reference SP's teams own.
const resourceKind = "monitor"

type nameIn struct {
	Name *string `json:"name"`
}

type teamOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body nameIn
	if !decode(w, r, &body, false) || !need(w, "name", body.Name) {
		return
	}
	t, err := a.sp.CreateTeam(r.Context(), org.ID, *body.Name)
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	writeJSON(w, http.StatusCreated, teamOut{ID: t.ID, Name: t.Name})
}

type teamsOut struct {
	Teams []teamOut `json:"teams"`
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, org store.Organization) {
	ts, err := a.store.ListTeams(r.Context(), org.ID)
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	out := teamsOut{Teams: make([]teamOut, len(ts))}
	for i, t := range ts {
		out.Teams[i] = teamOut{ID: t.ID, Name: t.Name}
	}
	writeJSON(w, http.StatusOK, out)
}

type domainIn struct {
	Domain *string `json:"domain"`
}

// addDomain pre-approves an email domain for just-in-time provisioning into
// the team. The admin service scopes the team to org.
func (a *API) addDomain(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body domainIn
	if !decode(w, r, &body, false) || !need(w, "domain", body.Domain) {
		return
	}
	if _, err := a.sp.AddTeamDomain(r.Context(), org.ID, r.PathValue("team"), *body.Domain); err != nil {
		a.fail(w, r, err, noTeam)
		return
	}
	writeJSON(w, http.StatusCreated, empty)
}

// listTeamMembers answers for a deleted team too (with whoever is still
// stored as its member: nobody, unless the deletion left some behind), so that
// the suite can check that a person is in none of the teams it has seen.
func (a *API) listTeamMembers(w http.ResponseWriter, r *http.Request, org store.Organization) {
	id, ok := a.teamOrGone(w, r, org)
	if !ok {
		return
	}
	users, err := a.store.ListTeamMembers(r.Context(), id)
	if err != nil {
		a.fail(w, r, err, noTeam)
		return
	}
	out := emailsOut{Emails: make([]string, len(users))}
	for i, u := range users {
		out.Emails[i] = u.Email
	}
	writeJSON(w, http.StatusOK, out)
}

// addResource gives the team something it owns: a monitor.
func (a *API) addResource(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body nameIn
	if !decode(w, r, &body, false) || !need(w, "name", body.Name) {
		return
	}
	if strings.TrimSpace(*body.Name) == "" {
		writeError(w, http.StatusBadRequest, "The resource needs a name.")
		return
	}
	t, ok := a.team(w, r, org)
	if !ok {
		return
	}
	if _, err := a.store.CreateResource(r.Context(), store.Resource{TeamID: t.ID, Kind: resourceKind, Name: *body.Name}); err != nil {
		a.fail(w, r, err, noTeam)
		return
	}
	writeJSON(w, http.StatusCreated, empty)
}

type namesOut struct {
	Names []string `json:"names"`
}

// listResources lists what is still stored for the team id, also after the
// team is deleted, when it must be nothing: the data loss a group deletion
// causes is what this read is for.
func (a *API) listResources(w http.ResponseWriter, r *http.Request, org store.Organization) {
	id, ok := a.teamOrGone(w, r, org)
	if !ok {
		return
	}
	rs, err := a.store.ListResources(r.Context(), id)
	if err != nil {
		a.fail(w, r, err, noTeam)
		return
	}
	out := namesOut{Names: make([]string, len(rs))}
	for i, res := range rs {
		out.Names[i] = res.Name
	}
	writeJSON(w, http.StatusOK, out)
}
