package hooksapi

import (
	"net/http"

	"github.com/ssoharness/ssoharness/sp/store"
)

type provisioningOut struct {
	SCIMURL string `json:"scim_url"`
	Token   string `json:"token"`
}

type tokenOut struct {
	Token string `json:"token"`
}

// enableProvisioning is the admin turning provisioning on; the token is the
// one shown once.
func (a *API) enableProvisioning(w http.ResponseWriter, r *http.Request, org store.Organization) {
	if !decode(w, r, &struct{}{}, true) {
		return
	}
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	token, err := a.sp.EnableProvisioning(r.Context(), in.ID)
	if err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	writeJSON(w, http.StatusOK, provisioningOut{SCIMURL: a.sp.SCIMBaseURL(), Token: token})
}

// rotateToken is the admin rotating the token; the old one stops working.
func (a *API) rotateToken(w http.ResponseWriter, r *http.Request, org store.Organization) {
	if !decode(w, r, &struct{}{}, true) {
		return
	}
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	token, err := a.sp.RotateSCIMToken(r.Context(), in.ID)
	if err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	writeJSON(w, http.StatusOK, tokenOut{Token: token})
}

// disableProvisioning is the admin turning provisioning off.
func (a *API) disableProvisioning(w http.ResponseWriter, r *http.Request, org store.Organization) {
	in, ok := a.integration(w, r, org)
	if !ok {
		return
	}
	if err := a.sp.DisableProvisioning(r.Context(), in.ID); err != nil {
		a.fail(w, r, err, noIntegration)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
