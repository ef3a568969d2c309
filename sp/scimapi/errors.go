package scimapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	scimerrors "github.com/elimity-com/scim/errors"

	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/store"
)

// Errors of the Provisioning switch.
var (
	// ErrNotConnected: provisioning needs a connected Okta integration (SCIM-01).
	ErrNotConnected = errors.New("provisioning needs a connected Okta integration: finish the Okta SSO setup first")
	// ErrProvisioningOn: provisioning is already on; rotate to get a new token.
	ErrProvisioningOn = errors.New("provisioning is already on")
	// ErrProvisioningOff: there is no token to rotate.
	ErrProvisioningOff = errors.New("provisioning is off")
)

// scimErr builds the error a handler returns to elimity. It is a value, not a
// pointer: elimity recognises ScimError values only and turns anything else
// into a 500 carrying the error's text.
func scimErr(status int, typ scimerrors.ScimType, format string, args ...any) scimerrors.ScimError {
	return scimerrors.ScimError{Status: status, ScimType: typ, Detail: fmt.Sprintf(format, args...)}
}

func invalidValue(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidValue, format, args...)
}

func invalidPath(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidPath, format, args...)
}

func invalidFilter(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidFilter, format, args...)
}

func uniqueness(format string, args ...any) scimerrors.ScimError {
	return scimErr(http.StatusConflict, scimerrors.ScimTypeUniqueness, format, args...)
}

func notFound(resource, id string) scimerrors.ScimError {
	return scimErr(http.StatusNotFound, "", "%s %q not found.", resource, id)
}

// internalDetail is all a client learns about a failure on our side.
const internalDetail = "Internal error. The request was not applied; try again later."

// fail is the one place where an error from a handler becomes the SCIM error a
// client sees. Store sentinels map to their SCIM statuses; anything unexpected
// is logged with its real text and answered with internalDetail.
func (s *Server) fail(r *http.Request, what string, err error) error {
	var se scimerrors.ScimError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, store.ErrNotFound):
		return scimErr(http.StatusNotFound, "", "%s not found.", what)
	case errors.Is(err, store.ErrConflict):
		return uniqueness("%s conflicts with an existing one (a userName, team name or email already in use).", what)
	case errors.Is(err, store.ErrStale):
		return scimErr(http.StatusPreconditionFailed, "", "%s was changed by another request; read it again.", what)
	case errors.Is(err, store.ErrInvalid):
		return invalidValue("%s: a value cannot be stored as given.", what)
	case errors.Is(err, password.ErrTooLong):
		return invalidValue("The password is longer than 72 bytes.")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The client went away; nobody reads the answer, but the log should not
		// call it a server fault.
		s.log.InfoContext(r.Context(), "scim request cancelled", "method", r.Method, "path", r.URL.Path)
		return scimErr(http.StatusInternalServerError, "", internalDetail)
	}
	s.log.ErrorContext(r.Context(), "scim request failed", "method", r.Method, "path", r.URL.Path, "what", what, "err", err)
	return scimErr(http.StatusInternalServerError, "", internalDetail)
}

// writeError writes a SCIM error body directly (for answers given before or
// instead of elimity).
func writeError(w http.ResponseWriter, e scimerrors.ScimError) {
	body, _ := json.Marshal(e) // a ScimError always marshals
	w.Header().Set("Content-Type", contentType)
	w.Header().Del("Content-Length")
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

const contentType = "application/scim+json; charset=utf-8"
