package web

import "github.com/ssoharness/ssoharness/sp/internal/safepath"

// SafeRedirectPath returns target if it is a path on this site, else "/". It is
// applied to every redirect target that came from the outside (RelayState, the
// sign-in form's next, return_to), so none of them can send the browser to
// another site: "//host" and "/\host" are read by browsers as other hosts, and
// anything with a scheme ("javascript:", "https:") is refused.
func SafeRedirectPath(target string) string { return safepath.Path(target) }
