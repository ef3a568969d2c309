package web

import (
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/store"
)

// setStatus turns Okta sign-in off, or back on. Back on means pending: the
// integration is connected again only by a new Connect round trip, which proves
// the IdP setup still works.
func (h *Handler) setStatus(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	in, ok := h.orgIntegration(w, r, vw)
	if !ok {
		return
	}
	var status store.IntegrationStatus
	var saved string
	switch r.PostForm.Get("status") {
	case string(store.StatusDisabled):
		status, saved = store.StatusDisabled, "disabled"
	case string(store.StatusPending):
		status, saved = store.StatusPending, "enabled"
	default:
		h.errorPage(w, r, http.StatusBadRequest, "Bad request", "Choose whether to turn Okta sign-in off or back on.")
		return
	}
	_, err := h.sso.SetStatus(r.Context(), in.ID, status)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(w, r, http.StatusConflict, "Okta is not connected", "Start with Connect Okta on the Single Sign-On settings page.")
		return
	case err != nil:
		h.internalError(w, r, "set integration status", err)
		return
	}
	h.log.InfoContext(r.Context(), "integration status set", "integration_id", in.ID, "status", string(status), "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/sso?saved="+saved, http.StatusSeeOther)
}
