package idpsim

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/seed"
)

// maxAdminBody bounds /_admin request bodies.
const maxAdminBody = 1 << 20

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// readAdminBody reads a bounded request body, answering 413 when it is too
// large.
func readAdminBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAdminBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeJSONError(w, http.StatusRequestEntityTooLarge, "request body is larger than 1 MiB")
		} else {
			writeJSONError(w, http.StatusBadRequest, "cannot read request body: "+err.Error())
		}
		return nil, false
	}
	return body, true
}

// handleAdminSeed applies a seed document (YAML or JSON) and answers with
// the SeedResult.
func (s *Server) handleAdminSeed(w http.ResponseWriter, r *http.Request) {
	body, ok := readAdminBody(w, r)
	if !ok {
		return
	}
	res, err := s.SeedYAML(r.Context(), body)
	if err != nil {
		var se *seed.Error
		if errors.As(err, &se) || errors.Is(err, directory.ErrInvalid) || errors.Is(err, directory.ErrConflict) {
			writeJSONError(w, http.StatusBadRequest, err.Error())
			return
		}
		s.log.Error("seed failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "seed failed: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// handleAdminReset empties the directory.
func (s *Server) handleAdminReset(w http.ResponseWriter, r *http.Request) {
	if err := s.Reset(r.Context()); err != nil {
		s.log.Error("reset failed", "err", err)
		writeJSONError(w, http.StatusInternalServerError, "reset failed: "+err.Error())
		return
	}
	s.log.Info("directory reset")
	w.WriteHeader(http.StatusNoContent)
}

// clockRequest is the body of POST /_admin/clock: exactly one of a fixed
// instant, an offset from the real clock, or back to the real clock.
type clockRequest struct {
	Now           *string  `json:"now"`
	OffsetSeconds *float64 `json:"offsetSeconds"`
	Real          *bool    `json:"real"`
}

// handleAdminClock reads (GET) or sets (POST) the Server's clock.
func (s *Server) handleAdminClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		body, ok := readAdminBody(w, r)
		if !ok {
			return
		}
		var req clockRequest
		if err := json.Unmarshal(body, &req); err != nil {
			writeJSONError(w, http.StatusBadRequest, `body must be JSON: {"now": "2024-01-02T03:04:05Z"}, {"offsetSeconds": 300} or {"real": true}`)
			return
		}
		set := 0
		for _, given := range []bool{req.Now != nil, req.OffsetSeconds != nil, req.Real != nil} {
			if given {
				set++
			}
		}
		if set != 1 {
			writeJSONError(w, http.StatusBadRequest, `give exactly one of "now", "offsetSeconds" or "real"`)
			return
		}
		switch {
		case req.Now != nil:
			t, err := time.Parse(time.RFC3339Nano, *req.Now)
			if err != nil {
				writeJSONError(w, http.StatusBadRequest, `"now" must be an RFC 3339 time, such as 2024-01-02T03:04:05Z`)
				return
			}
			s.SetTime(t)
		case req.OffsetSeconds != nil:
			s.SetClockOffset(time.Duration(*req.OffsetSeconds * float64(time.Second)))
		case req.Real != nil:
			if !*req.Real {
				writeJSONError(w, http.StatusBadRequest, `"real" can only be true`)
				return
			}
			s.UseRealClock()
		}
		s.log.Info("clock set", "state", s.ClockState())
	}
	writeJSON(w, http.StatusOK, s.ClockState())
}
