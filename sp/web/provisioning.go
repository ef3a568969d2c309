package web

import (
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/store"
)

// The Provisioning switch of the SSO settings (SCIM-01, SCIM-02), the audit
// log page, and the team pages that show what a pushed group owns.

// Page names of this file's templates, one file each.
const (
	pageTeamDirectory = "team_directory.html"
	pageTeamResources = "team_resources.html"
	pageAuditLog      = "audit_log.html"
)

// scimPages are parsed with the other pages.
var scimPages = []string{pageTeamDirectory, pageTeamResources, pageAuditLog}

// scimRoutes registers this file's pages and forms on mux.
func (h *Handler) scimRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /settings/sso/okta/provisioning", h.admin(h.setProvisioning))
	mux.HandleFunc("POST /settings/sso/okta/provisioning/rotate", h.admin(h.rotateSCIMToken))
	mux.HandleFunc("GET /settings/audit", h.admin(h.auditLog))
	mux.HandleFunc("GET /teams", h.orgMember(h.teamDirectory))
	mux.HandleFunc("GET /teams/{teamId}", h.orgMember(h.teamResources))
	mux.HandleFunc("POST /teams/{teamId}/resources", h.orgMember(h.addTeamResource))
}

// auditActor names a signed-in person in audit records.
func auditActor(vw *viewer) string { return "user:" + vw.UserID }

// setProvisioning turns provisioning on (showing the new token, this once) or
// off. The page is rendered in answer to the POST rather than after a
// redirect, so that the token never travels in a URL or a cookie.
func (h *Handler) setProvisioning(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	in, ok := h.orgIntegration(w, r, vw)
	if !ok {
		return
	}
	ctx := r.Context()
	switch r.PostForm.Get("provisioning") {
	case "on":
		token, err := h.scim.EnableProvisioning(ctx, in.ID, auditActor(vw))
		switch {
		case errors.Is(err, scimapi.ErrNotConnected):
			h.settingsView(w, r, vw, http.StatusConflict, settingsData{
				ProvisioningError: "Provisioning needs a working SSO setup: connect Okta first, then turn provisioning on."})
		case errors.Is(err, scimapi.ErrProvisioningOn):
			h.settingsView(w, r, vw, http.StatusOK, settingsData{
				Notice: "Provisioning is already on. Rotate the Bearer token if you need a new one."})
		case err != nil:
			h.internalError(w, r, "enable provisioning", err)
		default:
			h.log.InfoContext(ctx, "scim provisioning enabled", "integration_id", in.ID, "user_id", vw.UserID)
			h.settingsView(w, r, vw, http.StatusOK, settingsData{NewSCIMToken: token,
				Notice: "Provisioning is on. Copy the Bearer token into Okta now: it is shown only once."})
		}
	case "off":
		if err := h.scim.DisableProvisioning(ctx, in.ID, auditActor(vw)); err != nil {
			h.internalError(w, r, "disable provisioning", err)
			return
		}
		h.log.InfoContext(ctx, "scim provisioning disabled", "integration_id", in.ID, "user_id", vw.UserID)
		h.settingsView(w, r, vw, http.StatusOK, settingsData{Notice: "Provisioning is off. The Bearer token no longer works."})
	default:
		h.errorPage(w, r, http.StatusBadRequest, "Bad request", "Choose whether provisioning is on or off.")
	}
}

func (h *Handler) rotateSCIMToken(w http.ResponseWriter, r *http.Request, vw *viewer) {
	in, ok := h.orgIntegration(w, r, vw)
	if !ok {
		return
	}
	token, err := h.scim.RotateToken(r.Context(), in.ID, auditActor(vw))
	switch {
	case errors.Is(err, scimapi.ErrProvisioningOff):
		h.settingsView(w, r, vw, http.StatusConflict, settingsData{ProvisioningError: "Provisioning is off: there is no token to rotate."})
	case err != nil:
		h.internalError(w, r, "rotate scim token", err)
	default:
		h.log.InfoContext(r.Context(), "scim token rotated", "integration_id", in.ID, "user_id", vw.UserID)
		h.settingsView(w, r, vw, http.StatusOK, settingsData{NewSCIMToken: token,
			Notice: "New Bearer token made; the old one stopped working. Copy it into Okta now: it is shown only once."})
	}
}

// auditLimit is how many of the newest events the audit page shows.
const auditLimit = 200

func (h *Handler) auditLog(w http.ResponseWriter, r *http.Request, vw *viewer) {
	events, err := h.store.ListAudit(r.Context(), vw.OrgID, auditLimit)
	if err != nil {
		h.internalError(w, r, "list audit", err)
		return
	}
	h.render(w, r, http.StatusOK, pageAuditLog, view{Title: "Audit log", Viewer: vw,
		Data: struct {
			Events []store.AuditEvent
			Limit  int
		}{events, auditLimit}})
}

// orgMember lets any member of the organization through (signed out: the
// sign-in page, and back here afterwards).
func (h *Handler) orgMember(next func(http.ResponseWriter, *http.Request, *viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		vw, err := h.viewer(r)
		if err != nil {
			h.internalError(w, r, "load viewer", err)
			return
		}
		if vw == nil {
			http.Redirect(w, r, "/users/sign-in?next="+queryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next(w, r, vw)
	}
}
