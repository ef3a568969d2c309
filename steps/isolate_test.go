package steps

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNamer(t *testing.T) {
	t.Parallel()
	n := &namer{suffix: "k3x9q2"}
	for _, tc := range []struct{ local, sent string }{
		{"ada@acme.test", "ada+k3x9q2@acme.test"},
		{"Ada.Lovelace@Acme.Test", "Ada.Lovelace+k3x9q2@Acme.Test"},
		{"bob+tag@acme.test", "bob+tag+k3x9q2@acme.test"},
	} {
		assert.Equal(t, tc.sent, n.email(tc.local))
		assert.Equal(t, tc.sent, n.email(tc.sent), "sending twice adds nothing")
		assert.Equal(t, tc.local, n.localEmail(tc.sent))
	}
	assert.Equal(t, "ADA+K3X9Q2@acme.test", n.email("ADA+K3X9Q2@acme.test"), "the suffix is found whatever its case")
	assert.Equal(t, "someone@else.test", n.localEmail("someone@else.test"), "an address the scenario never named stays as it is")
	assert.Equal(t, "not an email", n.email("not an email"))

	assert.Equal(t, "Engineering k3x9q2", n.name("Engineering"))
	assert.Equal(t, "Engineering k3x9q2", n.name("Engineering k3x9q2"))
	assert.Equal(t, "Engineering", n.localName("Engineering k3x9q2"))

	emails, names := n.sent()
	assert.ElementsMatch(t, []string{"ada+k3x9q2@acme.test", "ada.lovelace+k3x9q2@acme.test", "bob+tag+k3x9q2@acme.test"}, emails, "what was sent is remembered, lower case")
	assert.ElementsMatch(t, []string{"Engineering k3x9q2"}, names)

	assert.NotEqual(t, newNamer().suffix, newNamer().suffix, "two scenarios never share names")
}
