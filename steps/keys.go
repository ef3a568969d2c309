package steps

import (
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// KeyPool hands out RSA-2048 keys for the fake Okta's apps. Generating a key
// costs more than the rest of a scenario's setup; a run makes a few and reuses
// them across scenarios, which never see each other's apps. Within one
// scenario every app still gets a key of its own, so "signed by another key"
// stays honest.
type KeyPool struct {
	mu   sync.Mutex
	size int
	keys []*rsa.PrivateKey
	next int
}

// NewKeyPool returns a pool that keeps at most size keys.
func NewKeyPool(size int) *KeyPool { return &KeyPool{size: size} }

// Key returns a key that used does not hold, and records it there.
func (p *KeyPool) Key(used map[*rsa.PrivateKey]bool) (*rsa.PrivateKey, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range p.keys {
		k := p.keys[p.next%len(p.keys)]
		p.next++
		if !used[k] {
			used[k] = true
			return k, nil
		}
	}
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	if len(p.keys) < p.size {
		p.keys = append(p.keys, k)
	}
	used[k] = true
	return k, nil
}
