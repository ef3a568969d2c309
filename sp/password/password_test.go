package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	h, err := Hash("Demo-admin-1")
	require.NoError(t, err)
	assert.NotContains(t, h, "Demo-admin-1")

	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"right password", h, "Demo-admin-1", true},
		{"wrong password", h, "demo-admin-1", false},
		{"empty password", h, "", false},
		{"empty hash", "", "Demo-admin-1", false},
		{"malformed hash", "not-a-hash", "Demo-admin-1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Verify(tt.hash, tt.pw))
		})
	}
}

func TestHashRefusesTooLong(t *testing.T) {
	t.Parallel()
	_, err := Hash(strings.Repeat("a", 73))
	assert.ErrorIs(t, err, ErrTooLong)
}

func TestVerifyNobody(t *testing.T) {
	t.Parallel()
	assert.False(t, VerifyNobody("anything"))
}
