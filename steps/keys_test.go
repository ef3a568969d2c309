package steps

import (
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeyPool(t *testing.T) {
	p := NewKeyPool(2)
	a := map[*rsa.PrivateKey]bool{}
	k1, err := p.Key(a)
	require.NoError(t, err)
	k2, err := p.Key(a)
	require.NoError(t, err)
	k3, err := p.Key(a)
	require.NoError(t, err)
	assert.NotSame(t, k1, k2)
	assert.NotSame(t, k1, k3, "a world never gets the same key twice")
	assert.NotSame(t, k2, k3)
	assert.Len(t, p.keys, 2, "the pool keeps at most its size")

	b := map[*rsa.PrivateKey]bool{}
	k4, err := p.Key(b)
	require.NoError(t, err)
	assert.True(t, k4 == k1 || k4 == k2, "another world reuses a pooled key")
}
