package web

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSafeRedirectPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/settings/sso", "/settings/sso"},
		{"/a?b=c#d", "/a?b=c#d"},
		{"//evil.test", "/"},
		{"///evil.test", "/"},
		{`/\evil.test`, "/"},
		{`/a\b`, "/"},
		{"https://evil.test", "/"},
		{"javascript:alert(1)", "/"},
		{"evil.test/x", "/"},
		{"/x\r\nLocation: https://evil.test", "/"},
		{"/x\x00", "/"},
		{"/x\x7f", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, SafeRedirectPath(tt.in), "%q", tt.in)
	}
}
