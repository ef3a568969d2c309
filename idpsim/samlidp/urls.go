package samlidp

import (
	"net/url"
	"strings"
)

// The URL shapes of an Okta org, with B the org base URL. Real Okta uses
// exactly these; SPs (and people) recognise them.

// EntityID is the IdP entity ID and Issuer of an app: not a URL of the org,
// but Okta's fixed http://www.okta.com/ followed by the app's key id.
func EntityID(keyID string) string { return "http://www.okta.com/" + keyID }

// SSOURL is the app's single sign-on URL, for both HTTP-Redirect and
// HTTP-POST: B/app/{appName}/{exk}/sso/saml.
func SSOURL(baseURL, appName, keyID string) string {
	return trimBase(baseURL) + "/app/" + url.PathEscape(appName) + "/" + keyID + "/sso/saml"
}

// MetadataURL is the app's IdP metadata URL: B/app/{exk}/sso/saml/metadata.
func MetadataURL(baseURL, keyID string) string {
	return trimBase(baseURL) + "/app/" + keyID + "/sso/saml/metadata"
}

// NamedMetadataURL is the metadata URL with the app name in it, which Okta
// also serves: B/app/{appName}/{exk}/sso/saml/metadata.
func NamedMetadataURL(baseURL, appName, keyID string) string {
	return SSOURL(baseURL, appName, keyID) + "/metadata"
}

// APIMetadataURL is the metadata URL of Okta's apps API:
// B/api/v1/apps/{0oa}/sso/saml/metadata.
func APIMetadataURL(baseURL, appID string) string {
	return trimBase(baseURL) + "/api/v1/apps/" + appID + "/sso/saml/metadata"
}

// EmbedLinkURL is the app's embed link, which starts an IdP-initiated
// sign-in: B/home/{appName}/{0oa}/{linkId}.
func EmbedLinkURL(baseURL, appName, appID, linkID string) string {
	return trimBase(baseURL) + "/home/" + url.PathEscape(appName) + "/" + appID + "/" + linkID
}

func trimBase(baseURL string) string { return strings.TrimRight(baseURL, "/") }
