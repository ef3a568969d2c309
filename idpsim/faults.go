package idpsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

// Fault is a deliberate defect in the responses sent to an app; see
// samlidp.Fault for what each one changes. Faults exist so that an SP's
// refusal of a bad response is tested end to end, through the same
// browser flow as a good sign-in.
type Fault = samlidp.Fault

// The faults, by the names /_admin/faults takes.
const (
	FaultUnsigned          = samlidp.FaultUnsigned
	FaultSignedByOtherKey  = samlidp.FaultSignedByOtherKey
	FaultExpired           = samlidp.FaultExpired
	FaultNotYetValid       = samlidp.FaultNotYetValid
	FaultWrongAudience     = samlidp.FaultWrongAudience
	FaultWrongDestination  = samlidp.FaultWrongDestination
	FaultWrongRecipient    = samlidp.FaultWrongRecipient
	FaultWrongIssuer       = samlidp.FaultWrongIssuer
	FaultInResponseToOther = samlidp.FaultInResponseToOther
	FaultReplay            = samlidp.FaultReplay
)

// ErrUnknownFault matches the error for a fault name that is not a fault.
var ErrUnknownFault = samlidp.ErrUnknownFault

// SentResponse is a response as it was posted to an app's ACS URL.
type SentResponse = samlidp.SentResponse

// AllFaults returns every fault, in a stable order.
func AllFaults() []Fault { return samlidp.AllFaults() }

// ParseFault returns the fault with the name, or an error matching
// ErrUnknownFault.
func ParseFault(name string) (Fault, error) { return samlidp.ParseFault(name) }

// FaultSetting is a fault set on an app.
type FaultSetting struct {
	AppID string `json:"appId"`
	Fault Fault  `json:"fault"`
	// Once: the fault applies to the next response only, then clears.
	// Otherwise it applies to every response until cleared.
	Once bool `json:"once"`
}

// SetFault puts f into every response to the app from now on, until it is
// cleared. Faults add up: an app can have several at once. The error
// matches ErrNotFound for an unknown app and ErrUnknownFault for an
// unknown fault.
func (s *Server) SetFault(ctx context.Context, appID string, f Fault) error {
	return s.setFault(ctx, appID, f, false)
}

// SetFaultOnce puts f into the next response to the app only.
func (s *Server) SetFaultOnce(ctx context.Context, appID string, f Fault) error {
	return s.setFault(ctx, appID, f, true)
}

func (s *Server) setFault(ctx context.Context, appID string, f Fault, once bool) error {
	if !f.Valid() {
		_, err := ParseFault(string(f))
		return err
	}
	if _, err := s.dir.AppByID(ctx, appID); err != nil {
		return fmt.Errorf("app %q: %w", appID, err)
	}
	s.faults.set(appID, f, once)
	s.log.Info("fault set", "app", appID, "fault", f, "once", once)
	return nil
}

// ClearFault removes f from the app's faults.
func (s *Server) ClearFault(appID string, f Fault) { s.faults.clear(appID, f) }

// ClearFaults removes all of the app's faults: its responses are good
// again.
func (s *Server) ClearFaults(appID string) { s.faults.clear(appID, "") }

// ClearAllFaults removes the faults of every app.
func (s *Server) ClearAllFaults() { s.faults.reset(false) }

// Faults returns the faults set, on every app, by app id then in the
// order of AllFaults.
func (s *Server) Faults() []FaultSetting { return s.faults.list() }

// LastResponse returns the last response posted to the app (faulted or
// not), so that a test can post it again itself; ok is false if the app
// has had none since the Server started (or was reset).
func (s *Server) LastResponse(appID string) (resp SentResponse, ok bool) {
	return s.faults.lastSent(appID)
}

// faultBook holds the faults set on each app and the last response sent to
// each. It lives on the Server, never in a package variable, so that
// servers in one process (parallel tests) do not see each other's faults.
// It implements samlidp.Hooks.
type faultBook struct {
	mu     sync.Mutex
	faults map[string]map[Fault]bool // app id → fault → once
	last   map[string]SentResponse   // app id → last response sent

	// The other credential is made once, on first use, outside mu: RSA key
	// generation is slow and should not hold up other apps' responses.
	otherMu sync.Mutex
	other   *samlidp.Credential
	newCred func() (samlidp.Credential, error)
}

func newFaultBook(newCred func() (samlidp.Credential, error)) *faultBook {
	return &faultBook{faults: map[string]map[Fault]bool{}, last: map[string]SentResponse{}, newCred: newCred}
}

func (b *faultBook) set(appID string, f Fault, once bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.faults[appID] == nil {
		b.faults[appID] = map[Fault]bool{}
	}
	b.faults[appID][f] = once
}

// clear removes f (every fault if f is "") from the app.
func (b *faultBook) clear(appID string, f Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if f == "" {
		delete(b.faults, appID)
		return
	}
	delete(b.faults[appID], f)
	if len(b.faults[appID]) == 0 {
		delete(b.faults, appID)
	}
}

// reset clears every fault and, with responses, the record of responses.
func (b *faultBook) reset(responses bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	clear(b.faults)
	if responses {
		clear(b.last)
	}
}

func (b *faultBook) list() []FaultSetting {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := []FaultSetting{}
	for appID, fs := range b.faults {
		for f, once := range fs {
			out = append(out, FaultSetting{AppID: appID, Fault: f, Once: once})
		}
	}
	order := AllFaults()
	slices.SortFunc(out, func(a, b FaultSetting) int {
		if c := strings.Compare(a.AppID, b.AppID); c != 0 {
			return c
		}
		return slices.Index(order, a.Fault) - slices.Index(order, b.Fault)
	})
	return out
}

// TakeFaults implements samlidp.Hooks. A replay fault is only given (and,
// if one-shot, used up) once the app has a previous response to replay.
func (b *faultBook) TakeFaults(appID string) ([]Fault, *samlidp.SentResponse) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Fault
	var previous *samlidp.SentResponse
	for _, f := range AllFaults() {
		once, ok := b.faults[appID][f]
		if !ok {
			continue
		}
		if f == FaultReplay {
			last, had := b.last[appID]
			if !had {
				continue
			}
			previous = &last
		}
		out = append(out, f)
		if once {
			delete(b.faults[appID], f)
		}
	}
	if len(b.faults[appID]) == 0 {
		delete(b.faults, appID)
	}
	return out, previous
}

// Sent implements samlidp.Hooks.
func (b *faultBook) Sent(appID string, resp samlidp.SentResponse) {
	resp.Faults = slices.Clone(resp.Faults)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last[appID] = resp
}

func (b *faultBook) lastSent(appID string) (samlidp.SentResponse, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.last[appID]
	r.Faults = slices.Clone(r.Faults)
	return r, ok
}

// OtherCredential implements samlidp.Hooks: one credential per Server,
// made like an app's (same org, same certificate subject), so that only
// the key tells it apart.
func (b *faultBook) OtherCredential() (samlidp.Credential, error) {
	b.otherMu.Lock()
	defer b.otherMu.Unlock()
	if b.other == nil {
		c, err := b.newCred()
		if err != nil {
			return samlidp.Credential{}, err
		}
		b.other = &c
	}
	return *b.other, nil
}

// faultRoutes adds the /_admin routes of faults and sent responses.
func (s *Server) faultRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /_admin/faults", s.handleAdminFaults)
	m.HandleFunc("POST /_admin/faults", s.handleAdminFaults)
	m.HandleFunc("DELETE /_admin/faults", s.handleAdminFaults)
	m.HandleFunc("GET /_admin/last-response", s.handleAdminLastResponse)
}

// faultsDoc is the body of every /_admin/faults answer: the faults set,
// and the faults there are, with what each does.
type faultsDoc struct {
	Faults    []FaultSetting `json:"faults"`
	Available []faultDoc     `json:"available"`
}

type faultDoc struct {
	Fault       Fault  `json:"fault"`
	Description string `json:"description"`
}

func (s *Server) faultsDoc() faultsDoc {
	doc := faultsDoc{Faults: s.Faults()}
	for _, f := range AllFaults() {
		doc.Available = append(doc.Available, faultDoc{Fault: f, Description: f.Description()})
	}
	return doc
}

// handleAdminFaults lists (GET), sets (POST {"appId", "fault", "once"}) or
// clears (DELETE ?appId=…&fault=…, both optional) faults, and answers with
// the faults set afterwards.
func (s *Server) handleAdminFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		body, ok := readAdminBody(w, r)
		if !ok {
			return
		}
		var req FaultSetting
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSONError(w, http.StatusBadRequest, `body must be JSON: {"appId": "0oa…", "fault": "expired", "once": false}: `+err.Error())
			return
		}
		if req.AppID == "" || req.Fault == "" {
			writeJSONError(w, http.StatusBadRequest, `"appId" and "fault" are required`)
			return
		}
		f, err := ParseFault(string(req.Fault))
		if err == nil {
			err = s.setFault(r.Context(), req.AppID, f, req.Once)
		}
		if !s.adminFaultError(w, req.AppID, err) {
			return
		}
	case http.MethodDelete:
		q := r.URL.Query()
		appID, name := q.Get("appId"), q.Get("fault")
		switch {
		case appID == "" && name != "":
			writeJSONError(w, http.StatusBadRequest, `"fault" needs "appId"`)
			return
		case appID == "":
			s.ClearAllFaults()
		default:
			var f Fault
			_, err := s.dir.AppByID(r.Context(), appID)
			if err == nil && name != "" {
				f, err = ParseFault(name)
			}
			if !s.adminFaultError(w, appID, err) {
				return
			}
			s.faults.clear(appID, f)
		}
		s.log.Info("faults cleared", "app", appID, "fault", name)
	}
	writeJSON(w, http.StatusOK, s.faultsDoc())
}

// adminFaultError answers a fault request that failed with err, and
// reports whether there was no error.
func (s *Server) adminFaultError(w http.ResponseWriter, appID string, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, ErrNotFound):
		writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("unknown app %q", appID))
	case errors.Is(err, ErrUnknownFault):
		writeJSONError(w, http.StatusBadRequest, err.Error())
	default:
		s.log.Error("fault request failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "fault request failed: "+err.Error())
	}
	return false
}

// handleAdminLastResponse answers the last response sent to the app
// (?appId=…), for tests that post it again themselves.
func (s *Server) handleAdminLastResponse(w http.ResponseWriter, r *http.Request) {
	appID := r.URL.Query().Get("appId")
	if appID == "" {
		writeJSONError(w, http.StatusBadRequest, `"appId" is required`)
		return
	}
	if _, err := s.dir.AppByID(r.Context(), appID); !s.adminFaultError(w, appID, err) {
		return
	}
	resp, ok := s.LastResponse(appID)
	if !ok {
		writeJSONError(w, http.StatusNotFound, fmt.Sprintf("app %q has had no response yet", appID))
		return
	}
	writeJSON(w, http.StatusOK, resp)
}
