package samlidp

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"sync"
	"time"
)

// PendingLifetime is how long an SP-initiated request waits for the user to
// sign in.
const PendingLifetime = 15 * time.Minute

// maxPending bounds the requests kept, so that a flood of requests from
// browsers that never sign in cannot grow the map without end.
const maxPending = 10000

// StateTokenParam is the query parameter of the SSO URL that resumes a
// pending request after sign-in.
const StateTokenParam = "stateToken"

// PendingRequests keeps the SP-initiated requests of browsers that were
// sent to the sign-in page, as Okta does, and gives each a state token that
// the sign-in page comes back with. Keeping the request here instead of in
// the sign-in page's URL means that:
//
//   - it is checked as of the time it arrived, so a user who takes minutes
//     to sign in is not refused for an expired request (SPs date requests
//     and IdPs accept them for only a minute or two after that);
//   - an HTTP-POST request comes back exactly as it was sent, whatever its
//     size or signature binding;
//   - a ForceAuthn request remembers the session it found, which does not
//     count as signing in again.
//
// A PendingRequests is safe for concurrent use. It lives as long as the
// server: IdPs are built per request and share it.
type PendingRequests struct {
	now func() time.Time

	mu sync.Mutex
	m  map[string]pendingRequest
}

// pendingRequest is one request waiting for sign-in.
type pendingRequest struct {
	appID    string
	method   string     // GET (HTTP-Redirect) or POST (HTTP-POST, SimpleSign)
	query    string     // the raw query of a GET
	form     url.Values // the SAML fields of a POST
	received time.Time  // when the request arrived: the time it is checked at
	expires  time.Time
	// staleSession is, for a ForceAuthn request, the session the browser
	// had when the request arrived: it does not count as signing in again.
	staleSession string
}

// NewPendingRequests returns an empty store whose entries expire by now,
// the server's clock (nil means time.Now).
func NewPendingRequests(now func() time.Time) *PendingRequests {
	if now == nil {
		now = time.Now
	}
	return &PendingRequests{now: now, m: map[string]pendingRequest{}}
}

// save stores p, returning its state token.
func (s *PendingRequests) save(p pendingRequest) string {
	var b [18]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.now()
	p.expires = now.Add(PendingLifetime)

	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.m {
		if !now.Before(v.expires) {
			delete(s.m, k)
		}
	}
	if len(s.m) >= maxPending {
		// Drop the request closest to expiry: the oldest.
		var oldest string
		for k, v := range s.m {
			if oldest == "" || v.expires.Before(s.m[oldest].expires) {
				oldest = k
			}
		}
		delete(s.m, oldest)
	}
	s.m[token] = p
	return token
}

// get returns the live request with the token.
func (s *PendingRequests) get(token string) (pendingRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.m[token]
	if ok && !s.now().Before(p.expires) {
		delete(s.m, token)
		return pendingRequest{}, false
	}
	return p, ok
}

// delete forgets the request with the token: it has been answered.
func (s *PendingRequests) delete(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, token)
}

// Len returns the number of requests waiting (expired ones included until
// the next save sweeps them).
func (s *PendingRequests) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
