package admin

import (
	"strings"
)

// Domain-name limits (RFC 1035 as refined by RFC 1123 and 2181).
const (
	maxDomainLen = 253
	maxLabelLen  = 63
)

// NormalizeDomain checks a pre-approved email domain and returns it in the form
// it is stored and compared in: trimmed and lowercase. It must be a real domain
// name: labels of ASCII letters, digits and hyphens (not at either end of a
// label), at least two labels, at most 63 bytes a label and 253 in all. There is
// no wildcard and no "@": pre-approving a domain is a grant of access, so it must
// say exactly which one. Internationalized names go in their xn-- form. A refusal
// is an *InputError.
func NormalizeDomain(raw string) (string, error) {
	d := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case d == "":
		return "", inputErr(FieldDomain, "Enter a domain, such as acme.com.")
	case strings.Contains(d, "@"):
		return "", inputErr(FieldDomain, "Enter only the domain, without the @ and what comes before it: acme.com, not ada@acme.com.")
	case strings.Contains(d, "*"):
		return "", inputErr(FieldDomain, "Wildcards are not supported: add each domain on its own.")
	case len(d) > maxDomainLen:
		return "", inputErr(FieldDomain, "A domain name is at most 253 characters long.")
	case strings.HasPrefix(d, ".") || strings.HasSuffix(d, "."):
		return "", inputErr(FieldDomain, "A domain cannot begin or end with a dot.")
	case !strings.Contains(d, "."):
		return "", inputErr(FieldDomain, "Enter a full domain name with at least one dot, such as acme.com.")
	}
	labels := strings.Split(d, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return "", inputErr(FieldDomain, "A domain cannot have two dots in a row.")
		case len(l) > maxLabelLen:
			return "", inputErr(FieldDomain, "Each part of a domain name between dots is at most 63 characters long.")
		case l[0] == '-' || l[len(l)-1] == '-':
			return "", inputErr(FieldDomain, "A part of a domain name cannot begin or end with a hyphen.")
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", inputErr(FieldDomain, "A domain name has only letters (a–z), digits, hyphens and dots; write an internationalized name in its xn-- form.")
			}
		}
	}
	if allDigits(labels[len(labels)-1]) {
		// An IP address is not a domain anyone's email comes from.
		return "", inputErr(FieldDomain, "Enter a domain name, not an IP address.")
	}
	return d, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
