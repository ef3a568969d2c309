package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/ssoharness/ssoharness/sp/store"
)

// The team pages show every member of the organization what each team owns,
// so that a demo can show what deleting a pushed group destroys (SCIM-10).

type teamSummary struct {
	store.Team
	Members   int
	Resources int
}

func (h *Handler) teamDirectory(w http.ResponseWriter, r *http.Request, vw *viewer) {
	ctx := r.Context()
	teams, err := h.store.ListTeams(ctx, vw.OrgID)
	if err != nil {
		h.internalError(w, r, "list teams", err)
		return
	}
	out := make([]teamSummary, 0, len(teams))
	for _, t := range teams {
		members, err := h.store.ListTeamMembers(ctx, t.ID)
		if err != nil {
			h.internalError(w, r, "list team members", err)
			return
		}
		res, err := h.store.ListResources(ctx, t.ID)
		if err != nil {
			h.internalError(w, r, "list resources", err)
			return
		}
		out = append(out, teamSummary{Team: t, Members: len(members), Resources: len(res)})
	}
	h.render(w, r, http.StatusOK, pageTeamDirectory, view{Title: "Teams", Viewer: vw, Data: struct{ Teams []teamSummary }{out}})
}

type teamPageData struct {
	Team      store.Team
	Members   []store.User
	Resources []store.Resource
	Name      string
	Error     string
	Notice    string
}

// orgTeam finds a team of the viewer's organization; another organization's
// team is as unknown as a missing one.
func (h *Handler) orgTeam(w http.ResponseWriter, r *http.Request, vw *viewer) (store.Team, bool) {
	t, err := h.store.GetTeam(r.Context(), r.PathValue("teamId"))
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && t.OrgID != vw.OrgID):
		h.errorPage(w, r, http.StatusNotFound, "Team not found", "There is no such team in "+vw.OrgName+".")
		return t, false
	case err != nil:
		h.internalError(w, r, "get team", err)
		return t, false
	}
	return t, true
}

func (h *Handler) teamResourcesView(w http.ResponseWriter, r *http.Request, vw *viewer, status int, t store.Team, d teamPageData) {
	var err error
	d.Team = t
	if d.Members, err = h.store.ListTeamMembers(r.Context(), t.ID); err != nil {
		h.internalError(w, r, "list team members", err)
		return
	}
	if d.Resources, err = h.store.ListResources(r.Context(), t.ID); err != nil {
		h.internalError(w, r, "list resources", err)
		return
	}
	h.render(w, r, status, pageTeamResources, view{Title: t.Name, Viewer: vw, Data: d})
}

func (h *Handler) teamResources(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if t, ok := h.orgTeam(w, r, vw); ok {
		d := teamPageData{}
		if r.URL.Query().Get("saved") == "resource" {
			d.Notice = "Monitor added."
		}
		h.teamResourcesView(w, r, vw, http.StatusOK, t, d)
	}
}

// maxResourceName bounds a monitor's name.
const maxResourceName = 100

func (h *Handler) addTeamResource(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	t, ok := h.orgTeam(w, r, vw)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || len(name) > maxResourceName {
		h.teamResourcesView(w, r, vw, http.StatusUnprocessableEntity, t, teamPageData{Name: name,
			Error: "Give the monitor a name of at most 100 characters."})
		return
	}
	res, err := h.store.CreateResource(r.Context(), store.Resource{TeamID: t.ID, Kind: "monitor", Name: name})
	if err != nil {
		h.internalError(w, r, "create resource", err)
		return
	}
	h.log.InfoContext(r.Context(), "resource created", "resource_id", res.ID, "team_id", t.ID, "user_id", vw.UserID)
	http.Redirect(w, r, "/teams/"+url.PathEscape(t.ID)+"?saved=resource", http.StatusSeeOther)
}

func queryEscape(s string) string { return url.QueryEscape(s) }
