package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/store"
)

// The Teams settings: the organization's teams, and per team the pre-approved
// email domains that let people join through Okta on their first sign-in
// (JIT-01). The pages only collect input; admin.Service holds the rules.

type teamsData struct {
	Teams  []admin.Team
	Notice string
	// The create form, kept when refused.
	Name      string
	NameError string
}

type teamData struct {
	Team    admin.Team
	Members []store.User
	Notice  string
	// The domains form, kept when refused.
	Domains      string
	DomainsError string
}

func (h *Handler) teamsView(w http.ResponseWriter, r *http.Request, vw *viewer, status int, d teamsData) {
	teams, err := h.orgs.ListTeams(r.Context(), vw.OrgID)
	if err != nil {
		h.internalError(w, r, "teams: list", err)
		return
	}
	d.Teams = teams
	h.render(w, r, status, pageTeams, view{Title: "Teams", Viewer: vw, Data: d})
}

func (h *Handler) teams(w http.ResponseWriter, r *http.Request, vw *viewer) {
	d := teamsData{}
	if r.URL.Query().Get("saved") == "created" {
		d.Notice = "Team created."
	}
	h.teamsView(w, r, vw, http.StatusOK, d)
}

func (h *Handler) createTeam(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	name := r.PostForm.Get("name")
	t, err := h.orgs.CreateTeam(r.Context(), vw.OrgID, name)
	if ie := admin.AsInputError(err); ie != nil {
		h.teamsView(w, r, vw, inputStatus(ie), teamsData{Name: name, NameError: ie.Message})
		return
	}
	if err != nil {
		h.internalError(w, r, "teams: create", err)
		return
	}
	h.log.InfoContext(r.Context(), "team created", "org_id", vw.OrgID, "team_id", t.ID, "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/teams?saved=created", http.StatusSeeOther)
}

// teamView renders a team's Configure page; a team of another organization is
// "not found", exactly like one that does not exist.
func (h *Handler) teamView(w http.ResponseWriter, r *http.Request, vw *viewer, status int, d teamData) {
	ctx := r.Context()
	id := r.PathValue("teamId")
	t, err := h.orgs.GetTeam(ctx, vw.OrgID, id)
	if errors.Is(err, store.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "Team not found", "There is no such team in "+vw.OrgName+".")
		return
	}
	if err != nil {
		h.internalError(w, r, "team: get", err)
		return
	}
	members, err := h.orgs.ListTeamMembers(ctx, vw.OrgID, id)
	if err != nil {
		h.internalError(w, r, "team: members", err)
		return
	}
	d.Team, d.Members = t, members
	if d.DomainsError == "" {
		d.Domains = strings.Join(t.Domains, "\n")
	}
	h.render(w, r, status, pageTeam, view{Title: "Configure " + t.Name, Viewer: vw, Data: d})
}

func (h *Handler) team(w http.ResponseWriter, r *http.Request, vw *viewer) {
	d := teamData{}
	if r.URL.Query().Get("saved") == "domains" {
		d.Notice = "Changes saved."
	}
	h.teamView(w, r, vw, http.StatusOK, d)
}

// saveTeamDomains is the Configure page's "Save changes": the text box holds the
// team's whole list of pre-approved domains, one a line (or separated by commas
// or spaces), and it replaces the list at once or not at all.
func (h *Handler) saveTeamDomains(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	id := r.PathValue("teamId")
	raw := r.PostForm.Get("domains")
	_, err := h.orgs.SetTeamDomains(r.Context(), vw.OrgID, id, splitDomains(raw))
	if ie := admin.AsInputError(err); ie != nil {
		h.teamView(w, r, vw, inputStatus(ie), teamData{Domains: raw, DomainsError: ie.Message})
		return
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "Team not found", "There is no such team in "+vw.OrgName+".")
		return
	case err != nil:
		h.internalError(w, r, "team: save domains", err)
		return
	}
	h.log.InfoContext(r.Context(), "team domains saved", "org_id", vw.OrgID, "team_id", id, "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/teams/"+url.PathEscape(id)+"?saved=domains", http.StatusSeeOther)
}

func splitDomains(raw string) []string {
	return strings.FieldsFunc(raw, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == ' ' || r == '\t' || r == ';'
	})
}

// inputStatus is the status of a page re-shown with a refused form: 409 when
// the value clashes with what exists, 422 when it is malformed.
func inputStatus(ie *admin.InputError) int {
	if errors.Is(ie, store.ErrConflict) {
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}
