package hooksapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/internal/jsonapi"
	"github.com/ssoharness/ssoharness/sp/scimapi"
	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

// errorBody is every error this API returns.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) { jsonapi.WriteJSON(w, status, v) }

// empty is the answer of a hook that has nothing to say: {}.
var empty = struct{}{}

// Sentences of the SP's settings pages, for refusals that are errors of the
// services rather than messages of their own.
const (
	msgNotConnected   = "Provisioning needs a working SSO setup: connect Okta first, then turn provisioning on."
	msgProvisioningOn = "Provisioning is already on. Rotate the Bearer token if you need a new one."
	msgNoTokenToRot   = "Provisioning is off: there is no token to rotate."
	msgNotConfigured  = "Enter the Identity Provider details (the metadata link, or the Single Sign-On URL and certificate) before you connect."
	msgHasIntegration = "This organization already has an Okta integration."
)

// fail is the one place a service error becomes a response. What the admin
// typed and the SP refused is a 422 with the sentence the settings pages show;
// notFound is the message for store.ErrNotFound, naming what the route was
// looking for. Anything else is this side's failure: logged, and a 500 without
// detail.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error, notFound string) {
	var ce *ssosaml.ConfigError
	var ref *ssosaml.Refusal
	switch ie := admin.AsInputError(err); {
	case ie != nil:
		writeError(w, http.StatusUnprocessableEntity, ie.Message)
	case errors.As(err, &ce):
		writeError(w, http.StatusUnprocessableEntity, ce.Message)
	case errors.As(err, &ref) && ref.Reason == ssosaml.ReasonUnknownIntegration:
		writeError(w, http.StatusNotFound, notFound)
	case errors.As(err, &ref) && ref.Reason == ssosaml.ReasonNotConfigured:
		writeError(w, http.StatusUnprocessableEntity, msgNotConfigured)
	case errors.As(err, &ref) && ref.Reason != ssosaml.ReasonInternal:
		writeError(w, http.StatusUnprocessableEntity, ref.Reason.Text())
	case errors.Is(err, scimapi.ErrNotConnected):
		writeError(w, http.StatusUnprocessableEntity, msgNotConnected)
	case errors.Is(err, scimapi.ErrProvisioningOn):
		writeError(w, http.StatusUnprocessableEntity, msgProvisioningOn)
	case errors.Is(err, scimapi.ErrProvisioningOff):
		writeError(w, http.StatusUnprocessableEntity, msgNoTokenToRot)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, notFound)
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusUnprocessableEntity, "That conflicts with what exists.")
	case errors.Is(err, store.ErrInvalid):
		// Only a value the caller sent can be one the data model cannot hold.
		writeError(w, http.StatusBadRequest, "The request holds a value the SP cannot store.")
	default:
		a.log.ErrorContext(r.Context(), "hooks api failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, http.StatusInternalServerError, "Something went wrong on our side.")
	}
}

// decode reads a JSON object body into v, strictly: one object, no unknown
// fields, within MaxBodySize. A hook without a body passes optional: no body,
// or {}, is fine then. decode writes the refusal itself.
func decode(w http.ResponseWriter, r *http.Request, v any, optional bool) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := strings.Cut(ct, ";")
		if !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
			writeError(w, http.StatusBadRequest, "Send the body as application/json.")
			return false
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodySize)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if optional && errors.Is(err, io.EOF) {
		return true
	}
	if err == nil {
		// Read on to the end, so that trailing data and an oversized body
		// are both refused rather than ignored.
		var extra json.RawMessage
		if err = dec.Decode(&extra); err == nil {
			err = errors.New("more than one JSON value")
		} else if errors.Is(err, io.EOF) {
			return true
		}
	}
	var tooBig *http.MaxBytesError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The body is larger than %d bytes.", MaxBodySize))
	case errors.As(err, &typ) && typ.Field != "":
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q must be a %s.", typ.Field, typ.Type.Kind()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Unknown field %q.", field))
	default:
		writeError(w, http.StatusBadRequest, "The body is not a valid JSON object.")
	}
	return false
}

// need refuses a request whose body lacks a required field.
func need(w http.ResponseWriter, field string, v *string) bool {
	if v == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("The body needs %q.", field))
		return false
	}
	return true
}
