package ssosaml

import (
	"context"
	"errors"
	"fmt"

	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/sp/internal/safepath"
	"github.com/ssoharness/ssoharness/sp/store"
)

// ConnectReturnPath is where the browser lands after a successful Connect round
// trip: the settings page, with a notice that Okta is connected.
const ConnectReturnPath = "/settings/sso?saved=okta-connected"

// StartSignIn begins an SP-initiated sign-in through integration integrationID
// (SSO-08). It remembers returnTo, the page the person first asked for (a path
// on this site; anything else becomes "/"), with a new pending AuthnRequest and
// returns the IdP address to send the browser to (HTTP-Redirect binding).
//
// Only a connected integration starts sign-ins. Refusals are *Refusal: unknown,
// disabled, not configured or not yet connected integration.
func (s *Service) StartSignIn(ctx context.Context, integrationID, returnTo string) (string, error) {
	in, err := s.usableIntegration(ctx, integrationID)
	if err != nil {
		return "", err
	}
	if in.Status != store.StatusConnected {
		return "", &Refusal{Reason: ReasonNotConnected, IntegrationID: in.ID,
			Cause: fmt.Errorf("SP-initiated sign-in on a %s integration", in.Status)}
	}
	return s.startRequest(ctx, in, safepath.Path(returnTo))
}

// StartConnect begins the Connect round trip of a configured integration
// (SSO-05): the admin is sent to the IdP with an AuthnRequest, and the response
// to that request, if it names an admin of the organization, marks the
// integration connected and lands on ConnectReturnPath. The caller must have
// checked that the person asking is an admin of the integration's organization.
//
// A connected integration may run it again (to check a new IdP setup); a
// disabled one may not. Refusals are *Refusal.
func (s *Service) StartConnect(ctx context.Context, integrationID string) (string, error) {
	in, err := s.usableIntegration(ctx, integrationID)
	if err != nil {
		return "", err
	}
	return s.startRequest(ctx, in, ConnectReturnPath)
}

// usableIntegration returns the integration if it exists, is configured and is
// not disabled; anything else is a *Refusal. The ACS applies the same gate.
func (s *Service) usableIntegration(ctx context.Context, integrationID string) (store.Integration, error) {
	in, err := s.store.GetIntegration(ctx, integrationID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return in, &Refusal{Reason: ReasonUnknownIntegration, IntegrationID: integrationID, Cause: fmt.Errorf("no integration %q", integrationID)}
	case err != nil:
		return in, &Refusal{Reason: ReasonInternal, IntegrationID: integrationID, Cause: fmt.Errorf("get integration: %w", err)}
	case in.Status == store.StatusDisabled:
		return in, &Refusal{Reason: ReasonDisabled, IntegrationID: in.ID, Cause: errors.New("integration is disabled")}
	case !in.Configured():
		return in, &Refusal{Reason: ReasonNotConfigured, IntegrationID: in.ID, Cause: errors.New("integration has no IdP SSO URL or certificate")}
	}
	return in, nil
}

// startRequest makes an AuthnRequest, stores it as pending with returnPath, and
// returns its HTTP-Redirect URL.
//
// The return path stays in the store. The IdP gets an opaque RelayState (the
// request's own ID): nothing about the page leaks to it, it always fits the 80
// bytes the SAML bindings allow, and what comes back cannot redirect anywhere,
// since the ACS takes the path from the store, never from the response.
func (s *Service) startRequest(ctx context.Context, in store.Integration, returnPath string) (string, error) {
	now := s.now()
	internal := func(err error) (string, error) {
		return "", &Refusal{Reason: ReasonInternal, IntegrationID: in.ID, Cause: err}
	}
	sp, err := s.serviceProvider(in, now)
	if err != nil {
		return internal(fmt.Errorf("build service provider: %w", err))
	}
	req, err := sp.MakeAuthenticationRequest(sp.GetSSOBindingLocation(saml.HTTPRedirectBinding), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return internal(fmt.Errorf("make AuthnRequest: %w", err))
	}
	err = s.store.CreatePendingRequest(ctx, store.PendingRequest{
		ID:            req.ID,
		IntegrationID: in.ID,
		RelayState:    returnPath,
		CreatedAt:     now,
		ExpiresAt:     now.Add(s.ttl),
	})
	if err != nil {
		return internal(fmt.Errorf("store pending request: %w", err))
	}
	u, err := req.Redirect(req.ID, sp)
	if err != nil {
		return internal(fmt.Errorf("encode AuthnRequest: %w", err))
	}
	return u.String(), nil
}
