package idpsim

import (
	"sync"
	"time"
)

// Clock modes, as /_admin/clock reports them.
const (
	ClockReal   = "real"   // the base clock (Config.Clock or time.Now)
	ClockFixed  = "fixed"  // a frozen instant
	ClockOffset = "offset" // the base clock shifted by an offset
)

// ClockState describes the Server's clock.
type ClockState struct {
	Now           time.Time `json:"now"`
	Mode          string    `json:"mode"`
	OffsetSeconds float64   `json:"offsetSeconds,omitempty"`
}

// clock is the Server's time source: the base clock, optionally frozen or
// shifted. It lives on the Server (never in a package variable) so that
// servers with different clocks can run in parallel.
type clock struct {
	base func() time.Time

	mu     sync.RWMutex
	mode   string
	fixed  time.Time
	offset time.Duration
}

func newClock(base func() time.Time) *clock {
	if base == nil {
		base = time.Now
	}
	return &clock{base: base, mode: ClockReal}
}

func (c *clock) now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	switch c.mode {
	case ClockFixed:
		return c.fixed
	case ClockOffset:
		return c.base().Add(c.offset)
	}
	return c.base()
}

func (c *clock) state() ClockState {
	st := ClockState{Now: c.now()}
	c.mu.RLock()
	defer c.mu.RUnlock()
	st.Mode = c.mode
	if c.mode == ClockOffset {
		st.OffsetSeconds = c.offset.Seconds()
	}
	return st
}

func (c *clock) set(mode string, fixed time.Time, offset time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mode, c.fixed, c.offset = mode, fixed, offset
}

// Now returns the Server's current time. Everything time-dependent (SAML
// timestamps, sessions, created dates) uses it.
func (s *Server) Now() time.Time { return s.clock.now() }

// SetTime freezes the Server's clock at t.
func (s *Server) SetTime(t time.Time) { s.clock.set(ClockFixed, t, 0) }

// SetClockOffset makes the Server's clock run d ahead of (or, if negative,
// behind) the base clock.
func (s *Server) SetClockOffset(d time.Duration) { s.clock.set(ClockOffset, time.Time{}, d) }

// UseRealClock returns the Server's clock to the base clock.
func (s *Server) UseRealClock() { s.clock.set(ClockReal, time.Time{}, 0) }

// ClockState describes the Server's clock.
func (s *Server) ClockState() ClockState { return s.clock.state() }
