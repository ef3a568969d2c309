package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

func (h *Handler) spMetadata(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("integrationId")
	xml, err := h.sso.MetadataXML(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "Not found", "There is no Okta integration with this ID.")
		return
	case err != nil:
		h.internalError(w, r, "sp metadata", err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(xml)
}

// acs is the Assertion Consumer Service: the IdP's browser POST lands here.
func (h *Handler) acs(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("integrationId")
	login, err := h.sso.ConsumeResponse(r.Context(), r, id)
	if err != nil {
		h.refuseSSO(w, r, err)
		return
	}
	if err := h.sessions.Start(w, r, login.UserID, login.OrgID); err != nil {
		h.refuseSSO(w, r, &ssosaml.Refusal{Reason: ssosaml.ReasonInternal, IntegrationID: id, Cause: err})
		return
	}
	h.log.InfoContext(r.Context(), "saml sign-in",
		slog.String("integration_id", login.IntegrationID),
		slog.String("org_id", login.OrgID),
		slog.String("user_id", login.UserID),
		slog.String("assertion_id", login.AssertionID))
	http.Redirect(w, r, SafeRedirectPath(login.RelayState), http.StatusSeeOther)
}

// refuseSSO is the one place a refused SAML sign-in becomes a response: a plain
// page with the reason's category, and exactly one log line with the real cause.
func (h *Handler) refuseSSO(w http.ResponseWriter, r *http.Request, err error) {
	ref := ssosaml.AsRefusal(err)
	level := slog.LevelWarn
	if ref.Reason == ssosaml.ReasonInternal {
		level = slog.LevelError
	}
	cause := ""
	if ref.Cause != nil {
		cause = ref.Cause.Error()
	}
	h.log.LogAttrs(r.Context(), level, "saml sign-in refused",
		slog.String("integration_id", ref.IntegrationID),
		slog.String("reason", string(ref.Reason)),
		slog.String("cause", cause),
		slog.String("remote_addr", r.RemoteAddr))
	h.render(w, r, ref.Reason.Status(), pageSSORefused, view{
		Title: "Sign-in refused",
		Data:  struct{ Reason, Text string }{string(ref.Reason), ref.Reason.Text()},
	})
}
