package samlidp

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPendingRequests(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := NewPendingRequests(func() time.Time { return now })

	a := s.save(pendingRequest{appID: "0oaA", method: "GET", query: "SAMLRequest=x"})
	b := s.save(pendingRequest{appID: "0oaB"})
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^[A-Za-z0-9_-]{24}$`, a, "URL-safe, unguessable")

	got, ok := s.get(a)
	require.True(t, ok)
	assert.Equal(t, "0oaA", got.appID)
	assert.Equal(t, "SAMLRequest=x", got.query)
	assert.Equal(t, now.Add(PendingLifetime), got.expires)

	s.delete(a)
	_, ok = s.get(a)
	assert.False(t, ok, "answered")
	_, ok = s.get("nope")
	assert.False(t, ok)

	now = now.Add(PendingLifetime)
	_, ok = s.get(b)
	assert.False(t, ok, "expired")
	assert.Equal(t, 0, s.Len())
}

func TestPendingRequestsAreBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := NewPendingRequests(func() time.Time { return now })
	first := s.save(pendingRequest{appID: "first"})
	for i := range maxPending {
		now = now.Add(time.Millisecond)
		s.save(pendingRequest{appID: fmt.Sprint(i)})
	}
	assert.Equal(t, maxPending, s.Len())
	_, ok := s.get(first)
	assert.False(t, ok, "the oldest request made room")
}
