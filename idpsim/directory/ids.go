package directory

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Okta object id prefixes. An Okta id is a three-character prefix that names
// the kind of object followed by 17 characters from [A-Za-z0-9].
const (
	PrefixUser    = "00u"
	PrefixGroup   = "00g"
	PrefixApp     = "0oa"
	PrefixAppKey  = "exk" // the app's SAML signing key; also in the IdP entity ID
	PrefixAppLink = "aln" // the app's embed link (Okta's "app link" id)
	PrefixSession = "102" // Okta session ids start with 102
)

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// NewID returns prefix followed by 17 random characters from [A-Za-z0-9],
// the shape of Okta object ids (e.g. "00ub0oNGTSWTBKOLGLNR").
func NewID(prefix string) string {
	return prefix + randomString(17)
}

// randomString returns n characters drawn uniformly from idAlphabet with
// crypto/rand. Bytes at or above 248 (the largest multiple of 62 that fits
// in a byte) are rejected so that no character is more likely than another.
func randomString(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		rand.Read(buf) // never returns an error (crypto/rand, Go 1.24+)
		for _, b := range buf {
			if b >= 248 {
				continue
			}
			out = append(out, idAlphabet[int(b)%len(idAlphabet)])
			if len(out) == n {
				break
			}
		}
	}
	return string(out)
}

// newSessionToken returns a fresh cookie value (256 random bits) and the
// hash under which the session is stored.
func newSessionToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
