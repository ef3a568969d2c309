// Package safepath keeps redirects on this site. It sits apart from the web and
// SAML packages because both apply it: the web side to every redirect target
// that came from outside, the SAML side to the return path it stores with an
// SP-initiated request.
package safepath

import (
	"net/url"
	"strings"
)

// MaxLen bounds an accepted path; anything longer falls back to "/".
const MaxLen = 2048

// Path returns target if it is a path on this site, else "/". "//host" and
// "/\host" are read by browsers as other hosts, and anything with a scheme
// ("javascript:", "https:") is refused.
func Path(target string) string {
	if target == "" || len(target) > MaxLen || target[0] != '/' {
		return "/"
	}
	if len(target) > 1 && (target[1] == '/' || target[1] == '\\') {
		return "/"
	}
	if strings.ContainsAny(target, "\\\x00\r\n\t") {
		return "/"
	}
	for _, c := range target {
		if c < 0x20 || c == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return target
}
