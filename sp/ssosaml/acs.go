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
// browser goes next.
type Login struct {
	IntegrationID string
	OrgID         string
	UserID        string
	Email         string
	AssertionID   string
	// RequestID is the SP-initiated request the response answered; empty for an
	// IdP-initiated sign-in.
	RequestID string
	// RelayState is where to send the browser: for an SP-initiated sign-in the
	// path stored with the request (already checked), for an IdP-initiated one
	// the RelayState as posted (the caller must check it).
	RelayState string
	// Connected: this response finished the Connect round trip and the
	// integration is now connected.
	Connected bool
	// Provisioned: the person was joined to the organization just now (JIT).
	Provisioned bool
}

// ConsumeResponse validates the SAML response posted to the ACS of integration
// integrationID and returns the login it proves. Every refusal is a *Refusal whose
// Cause holds the real reason.
//
// A response that names a request (InResponseTo) must answer a pending request of
// this integration, which it uses up; one that names none is IdP-initiated and is
// accepted only on a connected integration. On a pending integration the only
// response accepted is the answer to its Connect round trip, from an admin of the
// organization; it marks the integration connected.
func (s *Service) ConsumeResponse(ctx context.Context, r *http.Request, integrationID string) (Login, error) {
	now := s.now()
	no := func(reason Reason, cause error) (Login, error) {
		return Login{}, &Refusal{Reason: reason, IntegrationID: integrationID, Cause: cause}
	}

	in, err := s.usableIntegration(ctx, integrationID)
	if err != nil {
		return Login{}, err
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

	// What the response claims, unverified: crewjam checks both below.
	claimed := peekResponse(raw)
	requestID := claimed.InResponseTo
	if requestID == "" && in.Status != store.StatusConnected {
		return no(ReasonNotConnected, fmt.Errorf("IdP-initiated response on a %s integration: only the answer to its Connect request is accepted", in.Status))
	}
	if in.IdPEntityID == "" {
		// Configured by hand without an entity ID: the certificate alone identifies
		// the IdP, so take the Issuer the response claims (crewjam still requires
		// Response and Assertion to agree on it, and the signature to verify).
		in.IdPEntityID = claimed.Issuer
	}
	sp, err := s.serviceProvider(in, now)
	if err != nil {
		return no(ReasonInternal, fmt.Errorf("build service provider: %w", err))
	}
	// crewjam checks every InResponseTo the response carries against these IDs,
	// even with AllowIDPInitiated: a response naming a request cannot pass as an
	// IdP-initiated one. Whether the named request is really pending for this
	// integration is the store's to say, below, once the signature holds.
	var possibleRequestIDs []string
	if requestID != "" {
		possibleRequestIDs = []string{requestID}
	}
	assertion, err := sp.ParseResponse(r, possibleRequestIDs)
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
	if requestID != "" && !answersRequest(assertion, requestID) {
		// The request ID must be in the signed assertion itself: an unsigned
		// Response wrapped around an IdP-initiated assertion must not pass as the
		// answer to someone's request.
		return no(ReasonRequestID, fmt.Errorf("the response names request %q but its assertion's bearer confirmation does not", requestID))
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

	login := Login{IntegrationID: in.ID, OrgID: in.OrgID, AssertionID: assertion.ID, RequestID: requestID, RelayState: r.PostForm.Get("RelayState")}
	if requestID != "" {
		// Taking it uses it up, on every replica at once. Unknown, already used,
		// expired or another integration's: all the same to the person.
		p, err := s.store.TakePendingRequest(ctx, in.ID, requestID, now)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return no(ReasonRequestID, fmt.Errorf("request %q is not pending for this integration (never made here, already answered, expired, or another integration's): %w", requestID, err))
		case err != nil:
			return no(ReasonInternal, fmt.Errorf("take pending request: %w", err))
		}
		login.RelayState = p.RelayState
	}

	email := assertionEmail(assertion)
	if email == "" {
		return no(ReasonNoEmail, errors.New("neither the NameID nor an email attribute holds an email address"))
	}
	if in.Status != store.StatusConnected {
		return s.finishConnect(ctx, in, email, login)
	}
	return s.signIn(ctx, in, email, assertion, login)
}

// finishConnect ends the Connect round trip of a pending integration: the person
// Okta signed in must be an admin of the organization (matched by email). The
// integration is then connected and the admin signed in.
func (s *Service) finishConnect(ctx context.Context, in store.Integration, email string, login Login) (Login, error) {
	no := func(reason Reason, cause error) (Login, error) {
		return Login{}, &Refusal{Reason: reason, IntegrationID: in.ID, Cause: cause}
	}
	user, err := s.store.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return no(ReasonNotAdmin, fmt.Errorf("connect round trip by %q, who has no account", email))
	case err != nil:
		return no(ReasonInternal, fmt.Errorf("get user: %w", err))
	}
	m, err := s.store.GetMembership(ctx, in.OrgID, user.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return no(ReasonNotAdmin, fmt.Errorf("connect round trip by %s (%s), who is not a member of organization %s", user.ID, email, in.OrgID))
	case err != nil:
		return no(ReasonInternal, fmt.Errorf("get membership: %w", err))
	case m.Role != store.RoleAdmin:
		return no(ReasonNotAdmin, fmt.Errorf("connect round trip by %s (%s), a %s of organization %s", user.ID, email, m.Role, in.OrgID))
	}
	err = s.store.InTx(ctx, func(tx store.Store) error {
		cur, err := tx.GetIntegration(ctx, in.ID)
		if err != nil {
			return err
		}
		switch cur.Status {
		case store.StatusDisabled:
			// Turned off while the admin was at Okta: off wins.
			return &Refusal{Reason: ReasonDisabled, IntegrationID: in.ID, Cause: errors.New("integration was disabled during the connect round trip")}
		case store.StatusConnected:
			return nil
		}
		cur.Status = store.StatusConnected
		cur.UpdatedAt = s.now()
		if _, err := tx.UpdateIntegration(ctx, cur); err != nil {
			return err
		}
		_, err = tx.AppendAudit(ctx, store.AuditEvent{OrgID: in.OrgID, Actor: "user:" + user.ID, Action: "sso.connected", Target: "integration:" + in.ID, At: s.now()})
		return err
	})
	if err != nil {
		var ref *Refusal
		if errors.As(err, &ref) {
			return Login{}, ref
		}
		return no(ReasonInternal, fmt.Errorf("mark integration connected: %w", err))
	}
	login.UserID, login.Email, login.Connected = user.ID, user.Email, true
	return login, nil
}

// signIn finds the person in the organization, or joins them to it by JIT.
func (s *Service) signIn(ctx context.Context, in store.Integration, email string, a *saml.Assertion, login Login) (Login, error) {
	user, err := s.store.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return Login{}, &Refusal{Reason: ReasonInternal, IntegrationID: in.ID, Cause: fmt.Errorf("get user: %w", err)}
	default:
		_, err = s.store.GetMembership(ctx, in.OrgID, user.ID)
		switch {
		case err == nil:
			login.UserID, login.Email = user.ID, user.Email
			return login, nil
		case !errors.Is(err, store.ErrNotFound):
			return Login{}, &Refusal{Reason: ReasonInternal, IntegrationID: in.ID, Cause: fmt.Errorf("get membership: %w", err)}
		}
	}
	user, err = s.provision(ctx, in, email, a)
	if err != nil {
		return Login{}, err
	}
	login.UserID, login.Email, login.Provisioned = user.ID, user.Email, true
	return login, nil
}

// answersRequest reports whether a bearer confirmation of the assertion names
// requestID, as the SAML profiles require of an answer to an AuthnRequest.
func answersRequest(a *saml.Assertion, requestID string) bool {
	if a.Subject == nil {
		return false
	}
	for _, sc := range a.Subject.SubjectConfirmations {
		if d := sc.SubjectConfirmationData; sc.Method == "urn:oasis:names:tc:SAML:2.0:cm:bearer" && d != nil && d.InResponseTo == requestID {
			return true
		}
	}
	return false
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

// claims is what a response says about itself before anything is verified.
type claims struct {
	Issuer       string // the Assertion's, else the Response's
	InResponseTo string // the Response's, else the first bearer confirmation's
}

// peekResponse reads the Issuer and InResponseTo a response claims without
// trusting them. Anything unreadable yields empty values and crewjam refuses the
// response with the real reason.
func peekResponse(b64 string) claims {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return claims{}
	}
	type confirmation struct {
		Method string `xml:"Method,attr"`
		Data   struct {
			InResponseTo string `xml:"InResponseTo,attr"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmationData"`
	}
	var doc struct {
		Issuer       string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
		InResponseTo string `xml:"InResponseTo,attr"`
		Assertion    struct {
			Issuer  string `xml:"urn:oasis:names:tc:SAML:2.0:assertion Issuer"`
			Subject struct {
				Confirmations []confirmation `xml:"urn:oasis:names:tc:SAML:2.0:assertion SubjectConfirmation"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Subject"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:assertion Assertion"`
	}
	if err := xml.Unmarshal(raw, &doc); err != nil {
		return claims{}
	}
	c := claims{Issuer: strings.TrimSpace(doc.Assertion.Issuer), InResponseTo: doc.InResponseTo}
	if c.Issuer == "" {
		c.Issuer = strings.TrimSpace(doc.Issuer)
	}
	if c.InResponseTo == "" {
		for _, sc := range doc.Assertion.Subject.Confirmations {
			if sc.Data.InResponseTo != "" {
				c.InResponseTo = sc.Data.InResponseTo
				break
			}
		}
	}
	return c
}
