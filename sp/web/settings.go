package web

import (
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

type settingsData struct {
	Integration *store.Integration
	URLs        ssosaml.URLs
	Notice      string

	// Values typed into the forms, kept when a form is refused.
	MetadataURL string
	SSOURL      string
	Certificate string
	EntityID    string

	MetadataError string
	ManualError   string
	ManualField   string

	// Provisioning (SCIM): the base URL for Okta, a token just made (shown
	// this once) and a refusal.
	SCIMBaseURL       string
	NewSCIMToken      string
	ProvisioningError string
}

func (h *Handler) settingsView(w http.ResponseWriter, r *http.Request, vw *viewer, status int, d settingsData) {
	in, err := h.store.GetIntegrationByOrg(r.Context(), vw.OrgID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		h.internalError(w, r, "settings: get integration", err)
		return
	default:
		d.Integration = &in
		d.URLs = h.sso.URLs(in.ID)
		d.SCIMBaseURL = h.scim.BaseURL()
		// Show what is saved when the form is not being corrected.
		if d.MetadataError == "" && d.MetadataURL == "" {
			d.MetadataURL = in.MetadataURL
		}
		if d.ManualError == "" && d.SSOURL == "" && d.Certificate == "" {
			d.SSOURL, d.Certificate, d.EntityID = in.SSOURL, in.CertPEM, in.IdPEntityID
		}
	}
	h.render(w, r, status, pageSettings, view{Title: "Single Sign-On settings", Viewer: vw, Data: d})
}

// notice is the confirmation shown after a settings form succeeded (?saved=…).
func notice(saved string) string {
	switch saved {
	case "connected":
		return "Okta integration created. Copy the Integration ID into the app in Okta."
	case "metadata":
		return "Saved the Identity Provider details from the metadata link."
	case "manual":
		return "Saved the Identity Provider details."
	case "okta-connected":
		return "Okta is connected: your sign-in through Okta worked. People assigned to the app can now sign in with Okta."
	case "disabled":
		return "Okta sign-in is turned off."
	case "enabled":
		return "Okta sign-in is back on, pending: click Connect to finish."
	}
	return ""
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request, vw *viewer) {
	h.settingsView(w, r, vw, http.StatusOK, settingsData{Notice: notice(r.URL.Query().Get("saved"))})
}

func (h *Handler) connectOkta(w http.ResponseWriter, r *http.Request, vw *viewer) {
	in, err := h.sso.ConnectOkta(r.Context(), vw.OrgID)
	switch {
	case errors.Is(err, store.ErrConflict):
		// Already connected (a second click, another tab): show what exists.
		http.Redirect(w, r, "/settings/sso", http.StatusSeeOther)
		return
	case err != nil:
		h.internalError(w, r, "connect okta", err)
		return
	}
	h.log.InfoContext(r.Context(), "okta integration created", "integration_id", in.ID, "org_id", vw.OrgID, "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/sso?saved=connected", http.StatusSeeOther)
}

// orgIntegration finds the integration the settings forms act on: always the
// signed-in admin's own organization's, never one named by the form.
func (h *Handler) orgIntegration(w http.ResponseWriter, r *http.Request, vw *viewer) (store.Integration, bool) {
	in, err := h.store.GetIntegrationByOrg(r.Context(), vw.OrgID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(w, r, http.StatusConflict, "Okta is not connected", "Start with Connect Okta on the Single Sign-On settings page.")
		return in, false
	case err != nil:
		h.internalError(w, r, "settings: get integration", err)
		return in, false
	}
	return in, true
}

func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormSize)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read (is it too large?).")
		return false
	}
	return true
}

func (h *Handler) configureMetadata(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	in, ok := h.orgIntegration(w, r, vw)
	if !ok {
		return
	}
	link := r.PostForm.Get("metadata_url")
	_, err := h.sso.ConfigureFromMetadataURL(r.Context(), in.ID, link)
	var ce *ssosaml.ConfigError
	switch {
	case errors.As(err, &ce):
		h.log.InfoContext(r.Context(), "idp metadata refused", "integration_id", in.ID, "err", err)
		h.settingsView(w, r, vw, http.StatusUnprocessableEntity, settingsData{MetadataURL: link, MetadataError: ce.Message})
		return
	case err != nil:
		h.internalError(w, r, "configure from metadata", err)
		return
	}
	h.log.InfoContext(r.Context(), "idp configured from metadata", "integration_id", in.ID, "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/sso?saved=metadata", http.StatusSeeOther)
}

func (h *Handler) configureManual(w http.ResponseWriter, r *http.Request, vw *viewer) {
	if !h.parseForm(w, r) {
		return
	}
	in, ok := h.orgIntegration(w, r, vw)
	if !ok {
		return
	}
	d := settingsData{
		SSOURL:      r.PostForm.Get("sso_url"),
		Certificate: r.PostForm.Get("certificate"),
		EntityID:    r.PostForm.Get("entity_id"),
	}
	_, err := h.sso.ConfigureManually(r.Context(), in.ID, d.SSOURL, d.Certificate, d.EntityID)
	var ce *ssosaml.ConfigError
	switch {
	case errors.As(err, &ce):
		h.log.InfoContext(r.Context(), "manual idp configuration refused", "integration_id", in.ID, "err", err)
		d.ManualError, d.ManualField = ce.Message, ce.Field
		h.settingsView(w, r, vw, http.StatusUnprocessableEntity, d)
		return
	case err != nil:
		h.internalError(w, r, "configure manually", err)
		return
	}
	h.log.InfoContext(r.Context(), "idp configured by hand", "integration_id", in.ID, "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/sso?saved=manual", http.StatusSeeOther)
}
