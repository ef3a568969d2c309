package web

import (
	"net/url"
	"strings"
)

// SafeRedirectPath returns target if it is a path on this site, else "/". It is
// applied to every redirect target that came from the outside (RelayState, the
// sign-in form's next), so none of them can send the browser to another site:
// "//host" and "/\host" are read by browsers as other hosts, and anything with a
// scheme ("javascript:", "https:") is refused.
func SafeRedirectPath(target string) string {
	if target == "" || len(target) > 2048 || target[0] != '/' {
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
