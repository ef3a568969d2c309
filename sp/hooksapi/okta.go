package hooksapi

import (
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/store"
)

type connectOut struct {
	ID        string `json:"id"`
	ACSURL    string `json:"acs_url"`
	EntityID  string `json:"entity_id"`
	SignInURL string `json:"sign_in_url"`
}

// connectOkta is the admin clicking "Connect": a new integration with a fresh
// Integration ID.
func (a *API) connectOkta(w http.ResponseWriter, r *http.Request, org store.Organization) {
	if !decode(w, r, &struct{}{}, true) {
		return
	}
	in, err := a.sp.ConnectOkta(r.Context(), org.ID)
	if errors.Is(err, store.ErrConflict) {
		writeError(w, http.StatusUnprocessableEntity, msgHasIntegration)
		return
	}
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	u := a.sp.URLs(in.ID)
	writeJSON(w, http.StatusCreated, connectOut{ID: in.ID, ACSURL: u.ACS, EntityID: u.EntityID, SignInURL: u.SignIn})
}

type oktaOut struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	IdPEntityID string `json:"idp_entity_id"`
	SSOURL      string `json:"sso_url"`
	CertPEM     string `json:"cert_pem"`
}

func (a *API) getOkta(w http.ResponseWriter, r *http.Request, org store.Organization) {
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, oktaOut{ID: in.ID, Status: string(in.Status), IdPEntityID: in.IdPEntityID, SSOURL: in.SSOURL, CertPEM: in.CertPEM})
}

type metadataIn struct {
	MetadataURL *string `json:"metadata_url"`
}

// configureMetadata is the admin pasting the app's metadata link; a refusal is
// the sentence the settings page shows.
func (a *API) configureMetadata(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body metadataIn
	if !decode(w, r, &body, false) || !need(w, "metadata_url", body.MetadataURL) {
		return
	}
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	if _, err := a.sp.ConfigureFromMetadataURL(r.Context(), in.ID, *body.MetadataURL); err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	writeJSON(w, http.StatusOK, empty)
}

type manualIn struct {
	SSOURL  *string `json:"sso_url"`
	CertPEM *string `json:"cert_pem"`
}

// configureManually is the admin typing the SSO URL and pasting the
// certificate, without an entity ID (the settings page's optional field).
func (a *API) configureManually(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body manualIn
	if !decode(w, r, &body, false) || !need(w, "sso_url", body.SSOURL) || !need(w, "cert_pem", body.CertPEM) {
		return
	}
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	if _, err := a.sp.ConfigureManually(r.Context(), in.ID, *body.SSOURL, *body.CertPEM, ""); err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	writeJSON(w, http.StatusOK, empty)
}

type statusIn struct {
	Status *string `json:"status"`
}

// setStatus is "connected" (setup finished without the browser round trip,
// which only a test may skip) or "disabled" (the admin turning Okta off).
func (a *API) setStatus(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body statusIn
	if !decode(w, r, &body, false) || !need(w, "status", body.Status) {
		return
	}
	status := store.IntegrationStatus(*body.Status)
	if status != store.StatusConnected && status != store.StatusDisabled {
		writeError(w, http.StatusBadRequest, `The status is "connected" or "disabled".`)
		return
	}
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	_, err := a.sp.SetIntegrationStatus(r.Context(), in.ID, status)
	if errors.Is(err, store.ErrInvalid) {
		// The only value SetIntegrationStatus refuses, once the status is
		// known, is "connected" on an integration without IdP details.
		writeError(w, http.StatusUnprocessableEntity, msgNotConfigured)
		return
	}
	if err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	writeJSON(w, http.StatusOK, empty)
}

type urlOut struct {
	URL string `json:"url"`
}

// startConnect is the admin clicking "Connect" to finish setup: the answer is
// where the admin's browser is sent.
func (a *API) startConnect(w http.ResponseWriter, r *http.Request, org store.Organization) {
	if !decode(w, r, &struct{}{}, true) {
		return
	}
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	to, err := a.sp.StartConnect(r.Context(), in.ID)
	if err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	writeJSON(w, http.StatusOK, urlOut{URL: to})
}

type refusalOut struct {
	Reason   string   `json:"reason"`
	Problems []string `json:"problems"`
}

type refusalsOut struct {
	Refusals []refusalOut `json:"refusals"`
}

// listRefusals lists the refused sign-ins at an Integration ID, known to the SP
// or not, oldest first.
func (a *API) listRefusals(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("integration")
	if id == "" {
		writeError(w, http.StatusBadRequest, "Name the Integration ID: GET /refusals?integration={id}.")
		return
	}
	rs := a.refusals.List(id)
	out := refusalsOut{Refusals: make([]refusalOut, len(rs))}
	for i, ref := range rs {
		out.Refusals[i] = refusalOut{Reason: string(ref.Reason), Problems: Problems(ref.Reason)}
	}
	writeJSON(w, http.StatusOK, out)
}
