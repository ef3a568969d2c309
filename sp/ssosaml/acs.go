package ssosaml

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/sp/store"
)

// MaxResponseSize bounds the body the ACS reads. Okta's responses are a few
// kilobytes; the bound keeps a hostile POST from filling memory.
const MaxResponseSize = 1 << 20

// Login is an accepted sign-in: who, into which organization, and where the
// browser asked to go (RelayState as sent; the caller must check it).
type Login struct {
	IntegrationID string
	OrgID         string
	UserID        string
	Email         string
	AssertionID   string
	RelayState    string
}

// ConsumeResponse validates the SAML response posted to the ACS of integration
// integrationID and returns the login it proves. Every refusal is a *Refusal whose
// Cause holds the real reason. IdP-initiated responses only for now: a response
// that names a request (InResponseTo) is refused.
func (s *Service) ConsumeResponse(ctx context.Context, r *http.Request, integrationID string) (Login, error) {
	now := s.now()
	no := func(reason Reason, cause error) (Login, error) {
		return Login{}, &Refusal{Reason: reason, IntegrationID: integrationID, Cause: cause}
	}

	in, err := s.store.GetIntegration(ctx, integrationID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return no(ReasonUnknownIntegration, fmt.Errorf("no integration %q", integrationID))
	case err != nil:
		return no(ReasonInternal, fmt.Errorf("get integration: %w", err))
	case in.Status == store.StatusDisabled:
		return no(ReasonDisabled, errors.New("integration is disabled"))
	case !in.Configured():
		return no(ReasonNotConfigured, errors.New("integration has no IdP SSO URL or certificate"))
	}

	r.Body = http.MaxBytesReader(nil, r.Body, MaxResponseSize)
	if err := r.ParseForm(); err != nil {
		return no(ReasonMalformed, fmt.Errorf("parse form: %w", err))
	}
	// r.Form, not r.PostForm: crewjam looks for an artifact in the query string too,
	// and resolving one would make this SP call out to the network.
	if r.Form.Get("SAMLart") != "" {
		return no(ReasonMalformed, errors.New("HTTP-Artifact binding is not supported"))
	}
	raw := r.PostForm.Get("SAMLResponse")
	if raw == "" {
		return no(ReasonMalformed, errors.New("no SAMLResponse in the POST body"))
	}

	if in.IdPEntityID == "" {
		// Configured by hand without an entity ID: the certificate alone identifies
		// the IdP, so take the Issuer the response claims (crewjam still requires
		// Response and Assertion to agree on it, and the signature to verify).
		in.IdPEntityID = peekIssuer(raw)
	}
	sp, err := s.serviceProvider(in, now)
	if err != nil {
		return no(ReasonInternal, fmt.Errorf("build service provider: %w", err))
	}
	assertion, err := sp.ParseResponse(r, nil)
	if err != nil {
		cause := err
		var ire *saml.InvalidResponseError
		if errors.As(err, &ire) && ire.PrivateErr != nil {
			cause = ire.PrivateErr
		}
		return no(classifyResponseError(cause), cause)
	}
	if err := s.checkValidity(assertion, now); err != nil {
		return no(classifyResponseError(err), err)
	}
	if assertion.ID == "" {
		return no(ReasonInvalid, errors.New("assertion has no ID, so its single use cannot be enforced"))
	}
	// Record before anything else can succeed, so one assertion makes at most one
	// session, even when two replicas receive it at once.
	err = s.store.RecordAssertion(ctx, in.ID, assertion.ID, s.replayHorizon(assertion), now)
	switch {
	case errors.Is(err, store.ErrConflict):
		return no(ReasonReplay, fmt.Errorf("assertion %q was already used", assertion.ID))
	case err != nil:
		return no(ReasonInternal, fmt.Errorf("record assertion: %w", err))
	}

	email := assertionEmail(assertion)
	if email == "" {
		return no(ReasonNoEmail, errors.New("neither the NameID nor an email attribute holds an email address"))
	}
	user, err := s.store.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return no(ReasonNotMember, fmt.Errorf("no account for %q", email))
	case err != nil:
		return no(ReasonInternal, fmt.Errorf("get user: %w", err))
	}
	_, err = s.store.GetMembership(ctx, in.OrgID, user.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return no(ReasonNotMember, fmt.Errorf("user %s (%s) is not a member of organization %s", user.ID, email, in.OrgID))
	case err != nil:
		return no(ReasonInternal, fmt.Errorf("get membership: %w", err))
	}

	return Login{
		IntegrationID: in.ID,
		OrgID:         in.OrgID,
		UserID:        user.ID,
		Email:         user.Email,
		AssertionID:   assertion.ID,
		RelayState:    r.PostForm.Get("RelayState"),
	}, nil
}

// checkValidity applies the configured clock skew to the validity window of an
// assertion crewjam accepted. crewjam tolerates its fixed saml.MaxClockSkew; this
// narrows it to ours. Errors carry crewjam's kinds so that they classify alike.
func (s *Service) checkValidity(a *saml.Assertion, now time.Time) error {
	if a.IssueInstant.Add(-s.skew).After(now) {
		return fmt.Errorf("assertion IssueInstant %s is in the future (now %s, skew %s): %w", a.IssueInstant, now, s.skew, saml.ErrNotYetValid)
	}
	if c := a.Conditions; c != nil {
		if !c.NotBefore.IsZero() && c.NotBefore.Add(-s.skew).After(now) {
			return fmt.Errorf("assertion Conditions NotBefore %s (now %s, skew %s): %w", c.NotBefore, now, s.skew, saml.ErrNotYetValid)
		}
		if !c.NotOnOrAfter.IsZero() && !now.Before(c.NotOnOrAfter.Add(s.skew)) {
			return fmt.Errorf("assertion Conditions NotOnOrAfter %s (now %s, skew %s): %w", c.NotOnOrAfter, now, s.skew, saml.ErrExpired)
		}
	}
	if a.Subject == nil {
		return fmt.Errorf("assertion has no Subject: %w", saml.ErrMissingElement)
	}
	var firstErr error
	for _, sc := range a.Subject.SubjectConfirmations {
		d := sc.SubjectConfirmationData
		if sc.Method != "urn:oasis:names:tc:SAML:2.0:cm:bearer" || d == nil {
			continue
		}
		switch {
		case !d.NotBefore.IsZero() && d.NotBefore.Add(-s.skew).After(now):
			firstErr = cmpErr(firstErr, fmt.Errorf("SubjectConfirmationData NotBefore %s (now %s, skew %s): %w", d.NotBefore, now, s.skew, saml.ErrNotYetValid))
		case !now.Before(d.NotOnOrAfter.Add(s.skew)):
			firstErr = cmpErr(firstErr, fmt.Errorf("SubjectConfirmationData NotOnOrAfter %s (now %s, skew %s): %w", d.NotOnOrAfter, now, s.skew, saml.ErrExpired))
		default:
			return nil // one valid bearer confirmation is enough
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("assertion has no bearer SubjectConfirmation: %w", saml.ErrMissingElement)
	}
	return firstErr
}

// replayHorizon is how long the assertion ID must be remembered: until no check
// would accept the assertion any more. Erring long only costs a row.
func (s *Service) replayHorizon(a *saml.Assertion) time.Time {
	h := a.IssueInstant.Add(saml.MaxIssueDelay)
	if a.Conditions != nil && a.Conditions.NotOnOrAfter.After(h) {
		h = a.Conditions.NotOnOrAfter
	}
	if a.Subject != nil {
		for _, sc := range a.Subject.SubjectConfirmations {
			if d := sc.SubjectConfirmationData; d != nil && d.NotOnOrAfter.After(h) {
				h = d.NotOnOrAfter
			}
		}
	}
	return h.Add(saml.MaxClockSkew)
}

// isEmailAttribute reports whether an attribute name (or friendly name) carries an
// email address in Okta's and other IdPs' attribute statements.
func isEmailAttribute(name string) bool {
	switch strings.ToLower(name) {
	case "email", "mail", "emailaddress",
		"urn:oid:0.9.2342.19200300.100.1.3",
		"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress":
		return true
	}
	return false
}

// assertionEmail returns the user's email: the NameID when it is one (Okta's
// "Application username format: Email"), else the first email attribute.
func assertionEmail(a *saml.Assertion) string {
	if a.Subject != nil && a.Subject.NameID != nil {
		if v := strings.TrimSpace(a.Subject.NameID.Value); looksLikeEmail(v) {
			return v
		}
	}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			if !isEmailAttribute(attr.Name) && !isEmailAttribute(attr.FriendlyName) {
				continue
			}
			for _, v := range attr.Values {
				if e := strings.TrimSpace(v.Value); looksLikeEmail(e) {
					return e
				}
			}
		}
	}
	return ""
}

func looksLikeEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n")
}

// peekIssuer reads the Issuer a response claims without trusting it: the
// Assertion's, else the Response's. Anything unreadable yields "" and crewjam
// refuses the response with the real reason.
func peekIssuer(b64 string) string {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return ""
	}
	var doc struct {
		Issuer    string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		Assertion struct {
			Issuer string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		return ""
	}
	if v := strings.TrimSpace(doc.Assertion.Issuer); v != "" {
		return v
	}
	return strings.TrimSpace(doc.Issuer)
}
