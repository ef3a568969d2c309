package ssosaml

import (
	"errors"
	"net/http"
	"strings"

	"github.com/crewjam/saml"
)

// Reason is the short, stable category of a refused SAML sign-in. It is shown to
// the person, logged, and safe to share: the detail stays in the log.
type Reason string

// Reasons a sign-in through the ACS is refused.
const (
	ReasonUnknownIntegration Reason = "unknown_integration"
	ReasonNotConfigured      Reason = "integration_not_configured"
	ReasonDisabled           Reason = "integration_disabled"
	ReasonNotConnected       Reason = "integration_not_connected"
	ReasonMalformed          Reason = "malformed_response"
	ReasonSignature          Reason = "bad_signature"
	ReasonUntrustedCert      Reason = "untrusted_certificate"
	ReasonCertNotValid       Reason = "certificate_not_valid"
	ReasonExpired            Reason = "expired"
	ReasonNotYetValid        Reason = "not_yet_valid"
	ReasonAudience           Reason = "wrong_audience"
	ReasonDestination        Reason = "wrong_destination"
	ReasonIssuer             Reason = "wrong_issuer"
	ReasonRequestID          Reason = "unexpected_in_response_to"
	ReasonReplay             Reason = "replayed_assertion"
	ReasonIdPStatus          Reason = "idp_error_status"
	ReasonNoEmail            Reason = "no_email"
	ReasonNotMember          Reason = "not_a_member"
	ReasonNotAdmin           Reason = "not_an_admin"
	ReasonDeprovisioned      Reason = "deprovisioned"
	ReasonInvalid            Reason = "invalid_response"
	ReasonInternal           Reason = "internal_error"
)

// info is the one table from reason to HTTP status and the sentence shown.
func (r Reason) info() (int, string) {
	switch r {
	case ReasonUnknownIntegration:
		return http.StatusNotFound, "This Okta sign-in address does not match any Okta connection."
	case ReasonNotConfigured:
		return http.StatusForbidden, "Okta sign-in is not set up for this organization yet."
	case ReasonDisabled:
		return http.StatusForbidden, "Okta sign-in is turned off for this organization."
	case ReasonNotConnected:
		return http.StatusForbidden, "Okta sign-in for this organization is not connected yet: an administrator must finish the setup with Connect in the Single Sign-On settings."
	case ReasonMalformed:
		return http.StatusBadRequest, "The sign-in response from Okta could not be read."
	case ReasonSignature:
		return http.StatusForbidden, "The sign-in response is not signed, or its signature is not valid."
	case ReasonUntrustedCert:
		return http.StatusForbidden, "The sign-in response is signed with a certificate this organization does not trust."
	case ReasonCertNotValid:
		return http.StatusForbidden, "The Okta signing certificate is expired or not yet valid."
	case ReasonExpired:
		return http.StatusForbidden, "The sign-in response has expired."
	case ReasonNotYetValid:
		return http.StatusForbidden, "The sign-in response is not valid yet (check the clocks)."
	case ReasonAudience:
		return http.StatusForbidden, "The sign-in response was issued for a different application."
	case ReasonDestination:
		return http.StatusForbidden, "The sign-in response was addressed to a different place."
	case ReasonIssuer:
		return http.StatusForbidden, "The sign-in response comes from a different identity provider."
	case ReasonRequestID:
		return http.StatusForbidden, "The sign-in response does not answer a sign-in started here."
	case ReasonReplay:
		return http.StatusForbidden, "This sign-in response has already been used."
	case ReasonIdPStatus:
		return http.StatusForbidden, "Okta did not sign you in."
	case ReasonNoEmail:
		return http.StatusForbidden, "The sign-in response does not say who you are (no email address)."
	case ReasonNotMember:
		return http.StatusForbidden, "You do not have access to this organization yet, and your email domain is not pre-approved for automatic sign-up. Ask your administrator to add you, or to pre-approve your email domain for a team."
	case ReasonDeprovisioned:
		return http.StatusForbidden, "Your access to this organization was removed through Okta. Ask your administrator to restore it."
	case ReasonNotAdmin:
		return http.StatusForbidden, "Only an administrator of this organization can finish connecting Okta. Sign in to Okta as an administrator who is assigned to the app, and try Connect again."
	case ReasonInternal:
		return http.StatusInternalServerError, "Something went wrong on our side."
	default:
		return http.StatusForbidden, "The sign-in response is not valid."
	}
}

// Status is the HTTP status of a refusal for this reason.
func (r Reason) Status() int { s, _ := r.info(); return s }

// Text is the sentence shown to the person.
func (r Reason) Text() string { _, t := r.info(); return t }

// Refusal is the error ConsumeResponse returns for every refused sign-in. Cause is
// the real reason, for the log only; never show it to the client.
type Refusal struct {
	Reason        Reason
	IntegrationID string
	Cause         error
}

func (r *Refusal) Error() string {
	if r.Cause != nil {
		return "saml sign-in refused (" + string(r.Reason) + "): " + r.Cause.Error()
	}
	return "saml sign-in refused (" + string(r.Reason) + ")"
}

func (r *Refusal) Unwrap() error { return r.Cause }

// AsRefusal returns err as a *Refusal; anything else becomes ReasonInternal.
func AsRefusal(err error) *Refusal {
	var r *Refusal
	if errors.As(err, &r) {
		return r
	}
	return &Refusal{Reason: ReasonInternal, Cause: err}
}

// classifyResponseError maps an error of crewjam's ParseResponse to a Reason. The
// more specific kinds are tested first: a certificate problem also matches
// ErrInvalidSignature.
func classifyResponseError(err error) Reason {
	var bad saml.ErrBadStatus
	switch {
	case errors.Is(err, saml.ErrUntrustedCertificate):
		return ReasonUntrustedCert
	case errors.Is(err, saml.ErrCertificateNotValidNow):
		return ReasonCertNotValid
	case errors.Is(err, saml.ErrInvalidSignature), errors.Is(err, saml.ErrInvalidCertificate):
		return ReasonSignature
	case errors.Is(err, saml.ErrMalformedMessage):
		return ReasonMalformed
	case errors.Is(err, saml.ErrExpired):
		return ReasonExpired
	case errors.Is(err, saml.ErrNotYetValid):
		return ReasonNotYetValid
	case errors.Is(err, saml.ErrAudienceMismatch):
		return ReasonAudience
	case errors.Is(err, saml.ErrDestinationMismatch):
		return ReasonDestination
	case errors.Is(err, saml.ErrIssuerMismatch):
		return ReasonIssuer
	case errors.Is(err, saml.ErrRequestIDMismatch):
		return ReasonRequestID
	case errors.As(err, &bad):
		return ReasonIdPStatus
	case strings.Contains(err.Error(), "signature element not present"):
		// crewjam reports an unsigned response with an unexported, unclassified
		// sentinel; its message is the only handle on it.
		return ReasonSignature
	default:
		return ReasonInvalid
	}
}
