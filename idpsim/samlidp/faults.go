package samlidp

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"
)

// Fault is a deliberate defect put into the responses sent to an app, so
// that an SP's refusal of a bad response can be tested end to end against
// the same IdP it signs in with. Each fault changes only its own aspect of
// the response: everything else (ids aside) is what a good response would
// carry, and whatever is signed is signed properly, so an SP that refuses a
// faulted response refuses it for that aspect and no other.
type Fault string

// The faults. Their names are part of the /_admin API.
const (
	// FaultUnsigned sends neither the Response nor the Assertion signed.
	FaultUnsigned Fault = "unsigned"
	// FaultSignedByOtherKey signs (as the app's toggles say) with a valid
	// signature by a key and certificate that are not the app's published
	// ones, with that certificate in KeyInfo.
	FaultSignedByOtherKey Fault = "signed-by-other-key"
	// FaultExpired issues the response as if an hour ago: the Response and
	// Assertion IssueInstant, Conditions NotBefore and NotOnOrAfter and the
	// SubjectConfirmationData NotOnOrAfter are all an hour earlier, far
	// beyond any clock skew an SP allows.
	FaultExpired Fault = "expired"
	// FaultNotYetValid moves the assertion's Conditions an hour into the
	// future: NotBefore is an hour from now (and NotOnOrAfter ten minutes
	// after it). The response is still issued now.
	FaultNotYetValid Fault = "not-yet-valid"
	// FaultWrongAudience puts WrongAudience in the AudienceRestriction.
	FaultWrongAudience Fault = "wrong-audience"
	// FaultWrongDestination puts WrongDestination in the Response's
	// Destination. The form still posts to the app's ACS URL.
	FaultWrongDestination Fault = "wrong-destination"
	// FaultWrongRecipient puts WrongRecipient in the
	// SubjectConfirmationData's Recipient.
	FaultWrongRecipient Fault = "wrong-recipient"
	// FaultWrongIssuer puts WrongIssuer as the Issuer of the Response and
	// the Assertion, still signed with the app's key.
	FaultWrongIssuer Fault = "wrong-issuer"
	// FaultInResponseToOther puts a made-up request id in InResponseTo, on
	// the Response and on the SubjectConfirmationData: an answer to a
	// request the SP never sent. On an IdP-initiated response, which has no
	// InResponseTo, it adds one.
	FaultInResponseToOther Fault = "in-response-to-other"
	// FaultReplay sends the previous response to the app again, byte for
	// byte, instead of a new one (with the RelayState of the current
	// sign-in). While the app has had no response yet, it does not apply,
	// and a one-shot replay waits for the next response. It tests an SP's
	// replay cache best with IdP-initiated sign-ins: a replayed answer to
	// an earlier SP-initiated request names that request, which an SP
	// refuses before it looks for a replay.
	FaultReplay Fault = "replay"
)

// The values the wrong-* faults put in. They use the reserved .invalid
// domain so that they can never be a real party, and say what they are to
// whoever reads them in an SP's logs.
const (
	WrongAudience    = "https://wrong-audience.invalid/sp"
	WrongDestination = "https://wrong-destination.invalid/acs"
	WrongRecipient   = "https://wrong-recipient.invalid/acs"
	WrongIssuer      = "http://www.okta.com/exkWRONGISSUER0000"
)

// faultShift is how far in the past an expired response is issued, and how
// far in the future a not-yet-valid one starts: far beyond the few minutes
// of clock skew SPs allow.
const faultShift = time.Hour

// faultInfo is the order and description of every fault.
var faultInfo = []struct {
	fault Fault
	what  string
}{
	{FaultUnsigned, "neither the Response nor the Assertion is signed"},
	{FaultSignedByOtherKey, "validly signed, but by a key that is not the app's published signing certificate"},
	{FaultExpired, "issued an hour ago: IssueInstant, NotBefore and every NotOnOrAfter an hour earlier"},
	{FaultNotYetValid, "Conditions NotBefore an hour in the future"},
	{FaultWrongAudience, "Audience is " + WrongAudience + ", not the app's audience"},
	{FaultWrongDestination, "Response Destination is " + WrongDestination + ", not the app's ACS URL"},
	{FaultWrongRecipient, "SubjectConfirmationData Recipient is " + WrongRecipient + ", not the app's ACS URL"},
	{FaultWrongIssuer, "Issuer of the Response and the Assertion is " + WrongIssuer + ", not the app's entity ID"},
	{FaultInResponseToOther, "InResponseTo names a made-up request, not the one being answered (added to IdP-initiated responses)"},
	{FaultReplay, "the previous response to the app is sent again, byte for byte"},
}

// ErrUnknownFault is returned by ParseFault (and wrapped by whoever checks
// a Fault) for a name that is not a fault.
var ErrUnknownFault = errors.New("unknown fault")

// AllFaults returns every fault, in a stable order.
func AllFaults() []Fault {
	out := make([]Fault, len(faultInfo))
	for i, f := range faultInfo {
		out[i] = f.fault
	}
	return out
}

// Valid reports whether f is a known fault.
func (f Fault) Valid() bool { return f.Description() != "" }

// Description says what f changes in a response, or "" if f is unknown.
func (f Fault) Description() string {
	for _, fi := range faultInfo {
		if fi.fault == f {
			return fi.what
		}
	}
	return ""
}

// ParseFault returns the fault named s, or an error matching
// ErrUnknownFault that lists the known ones.
func ParseFault(s string) (Fault, error) {
	f := Fault(strings.TrimSpace(s))
	if !f.Valid() {
		names := make([]string, len(faultInfo))
		for i, fi := range faultInfo {
			names[i] = string(fi.fault)
		}
		return "", fmt.Errorf("%w %q: known faults are %s", ErrUnknownFault, s, strings.Join(names, ", "))
	}
	return f, nil
}

// SentResponse is a response as it was posted to an app's ACS: all a test
// needs to post it again.
type SentResponse struct {
	// SAMLResponse is the form field: the base64 of the Response XML.
	SAMLResponse string `json:"samlResponse"`
	RelayState   string `json:"relayState,omitempty"`
	ACSURL       string `json:"acsUrl"`
	// InResponseTo is the id of the AuthnRequest answered, "" for an
	// IdP-initiated sign-in. (A fault may have put another id in the
	// Response.)
	InResponseTo string    `json:"inResponseTo,omitempty"`
	SentAt       time.Time `json:"sentAt"`
	// Faults are the faults the response carries.
	Faults []Fault `json:"faults,omitempty"`
}

// Hooks connect an IdP to the faults set for its app and to the record of
// what it sent. They are called only for responses that carry an
// assertion; SAML error responses are sent as they are.
type Hooks interface {
	// TakeFaults returns the faults to put into the response about to be
	// sent to the app, and forgets those set for one response only. When
	// it returns FaultReplay, previous is the response to send again.
	TakeFaults(appID string) (faults []Fault, previous *SentResponse)
	// Sent records a response that was sent to the app.
	Sent(appID string, resp SentResponse)
	// OtherCredential is the credential FaultSignedByOtherKey signs with:
	// shaped like an app's, but no app's.
	OtherCredential() (Credential, error)
}

// responseSpec is what the Response around an assertion says, and how it
// is signed: what responseElement renders.
type responseSpec struct {
	destination   string
	inResponseTo  string
	issueInstant  time.Time
	signResponse  bool
	signAssertion bool
	signer        *signer
}

// applyFaults changes the assertion and the Response spec as faults say.
// other signs for FaultSignedByOtherKey; now is the time of the response.
// FaultReplay is not handled here: a replayed response is not rendered.
func applyFaults(a *saml.Assertion, spec *responseSpec, faults []Fault, other *signer, now time.Time) {
	for _, f := range faults {
		switch f {
		case FaultUnsigned:
			spec.signResponse, spec.signAssertion = false, false
		case FaultSignedByOtherKey:
			if other != nil {
				spec.signer = other
			}
		case FaultExpired:
			shiftTimes(a, spec, -faultShift)
		case FaultNotYetValid:
			if a.Conditions != nil {
				a.Conditions.NotBefore = now.Add(faultShift)
				a.Conditions.NotOnOrAfter = a.Conditions.NotBefore.Add(2 * validity)
			}
		case FaultWrongAudience:
			if a.Conditions != nil {
				for i := range a.Conditions.AudienceRestrictions {
					a.Conditions.AudienceRestrictions[i] = saml.AudienceRestriction{Audience: saml.Audience{Value: WrongAudience}}
				}
			}
		case FaultWrongDestination:
			spec.destination = WrongDestination
		case FaultWrongRecipient:
			eachConfirmation(a, func(d *saml.SubjectConfirmationData) { d.Recipient = WrongRecipient })
		case FaultWrongIssuer:
			a.Issuer.Value = WrongIssuer
		case FaultInResponseToOther:
			// One made-up id for both places, as a real answer to another
			// request would carry.
			madeUp := newSAMLID()
			spec.inResponseTo = madeUp
			eachConfirmation(a, func(d *saml.SubjectConfirmationData) { d.InResponseTo = madeUp })
		}
	}
}

// shiftTimes moves every timestamp of the response by d, as if it had been
// issued then; an AuthnInstant later than the new IssueInstant is moved
// back to it, since nobody signs in after the assertion about it.
func shiftTimes(a *saml.Assertion, spec *responseSpec, d time.Duration) {
	spec.issueInstant = spec.issueInstant.Add(d)
	a.IssueInstant = a.IssueInstant.Add(d)
	if c := a.Conditions; c != nil {
		c.NotBefore = c.NotBefore.Add(d)
		c.NotOnOrAfter = c.NotOnOrAfter.Add(d)
	}
	eachConfirmation(a, func(sc *saml.SubjectConfirmationData) { sc.NotOnOrAfter = sc.NotOnOrAfter.Add(d) })
	for i := range a.AuthnStatements {
		if st := &a.AuthnStatements[i]; st.AuthnInstant.After(a.IssueInstant) {
			st.AuthnInstant = a.IssueInstant
		}
	}
}

func eachConfirmation(a *saml.Assertion, f func(*saml.SubjectConfirmationData)) {
	if a.Subject == nil {
		return
	}
	for i := range a.Subject.SubjectConfirmations {
		if d := a.Subject.SubjectConfirmations[i].SubjectConfirmationData; d != nil {
			f(d)
		}
	}
}

// hasFault reports whether faults has f.
func hasFault(faults []Fault, f Fault) bool { return slices.Contains(faults, f) }
