package hooksapi

import (
	"sync"

	"github.com/ssoharness/ssoharness/sp/ssosaml"
)

// DefaultRefusalCapacity is how many refused sign-ins a Refusals remembers: far
// more than a conformance run makes between its checks, and little memory
// (integration IDs are short, reasons are constants).
const DefaultRefusalCapacity = 10_000

// maxIntegrationIDLen bounds what one remembered refusal holds. The ID comes
// from the request path, which can be long; a real Integration ID is 26
// characters, so one over this length names no integration and is not kept.
const maxIntegrationIDLen = 256

// Refusal is one refused SAML sign-in.
type Refusal struct {
	IntegrationID string
	Reason        ssosaml.Reason
}

// Refusals remembers the most recent refused SAML sign-ins of one SP, in
// memory: a ring that forgets the oldest once full. It is safe for concurrent
// use. The web handler feeds it (web.RefusalRecorder); GET /refusals reads it.
type Refusals struct {
	mu   sync.Mutex
	ring []Refusal // grows to cap, then wraps
	next int       // where the next one goes once the ring is full
}

// NewRefusals returns a Refusals that remembers the last capacity refusals;
// capacity <= 0 means DefaultRefusalCapacity.
func NewRefusals(capacity int) *Refusals {
	if capacity <= 0 {
		capacity = DefaultRefusalCapacity
	}
	return &Refusals{ring: make([]Refusal, 0, capacity)}
}

// RecordRefusal remembers one refused sign-in at integrationID.
func (rs *Refusals) RecordRefusal(integrationID string, reason ssosaml.Reason) {
	if integrationID == "" || len(integrationID) > maxIntegrationIDLen {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if len(rs.ring) < cap(rs.ring) {
		rs.ring = append(rs.ring, Refusal{integrationID, reason})
		return
	}
	rs.ring[rs.next] = Refusal{integrationID, reason}
	rs.next = (rs.next + 1) % len(rs.ring)
}

// List returns the remembered refusals at integrationID, oldest first.
func (rs *Refusals) List(integrationID string) []Refusal {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var out []Refusal
	// Once the ring has wrapped, the oldest entry is at next.
	for i := range rs.ring {
		if ref := rs.ring[(rs.next+i)%len(rs.ring)]; ref.IntegrationID == integrationID {
			out = append(out, ref)
		}
	}
	return out
}

// problems are the suite's words (docs/hooks-api.md) that each of the SP's
// refusal reasons stands for: the inverse of the in-process target's table.
// A bad signature is what both an unsigned response and one signed by another
// key look like; a wrong Destination is also what a wrong Recipient gives, as
// crewjam reports both as a destination mismatch.
var problems = map[ssosaml.Reason][]string{
	ssosaml.ReasonSignature:          {"unsigned", "signed-by-other-key"},
	ssosaml.ReasonUntrustedCert:      {"signed-by-other-key"},
	ssosaml.ReasonExpired:            {"expired"},
	ssosaml.ReasonNotYetValid:        {"not-yet-valid"},
	ssosaml.ReasonAudience:           {"wrong-audience"},
	ssosaml.ReasonDestination:        {"wrong-destination", "wrong-recipient"},
	ssosaml.ReasonIssuer:             {"wrong-issuer"},
	ssosaml.ReasonRequestID:          {"in-response-to-other"},
	ssosaml.ReasonReplay:             {"replay"},
	ssosaml.ReasonUnknownIntegration: {"unknown-integration"},
	ssosaml.ReasonNotConnected:       {"not-connected"},
	ssosaml.ReasonDisabled:           {"disabled"},
	ssosaml.ReasonNotAdmin:           {"not-an-admin"},
	ssosaml.ReasonNotMember:          {"domain-not-approved"},
	ssosaml.ReasonDeprovisioned:      {"deprovisioned"},
}

// Problems returns the suite's problem words a reason stands for; none (an
// empty, non-nil list) for a reason the suite has no word for.
func Problems(r ssosaml.Reason) []string {
	p, ok := problems[r]
	if !ok {
		return []string{}
	}
	return append([]string(nil), p...)
}
