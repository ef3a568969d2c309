package target

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// File is a target file: how conform reaches a service provider that runs
// somewhere else (docs/target-file.md). ParseFile and LoadFile fill it in and
// check it; tokens named by an environment variable are already read.
type File struct {
	SP SPSection `yaml:"sp"`
	// Hooks is the conformance hooks API (docs/hooks-api.md); nil when the SP
	// offers none.
	Hooks *Endpoint `yaml:"hooks"`
	// SCIM is the one SCIM tenant to test when there are no hooks (SCIM-only
	// mode); ignored when Hooks is set, since the hooks hand out SCIM URLs and
	// tokens per organization.
	SCIM *Endpoint `yaml:"scim"`
}

// SPSection is the service provider as a browser and Okta see it.
type SPSection struct {
	// BaseURL is the SP's URL as the app in Okta knows it; required unless
	// SCIM-only.
	BaseURL string `yaml:"base_url"`
	// SignedIn tells whether a browser is signed in; nil when the file gives
	// no way to tell.
	SignedIn *SignedInPage `yaml:"signed_in"`
	// PasswordSignIn is the SP's own email and password form; nil when it has
	// none (or the file does not say).
	PasswordSignIn *PasswordForm `yaml:"password_sign_in"`
	// SSO gives the SP's SAML URLs as templates, for an SP whose Connect hook
	// leaves some out.
	SSO SSOTemplates `yaml:"sso"`
}

// SignedInPage is a page that shows who is signed in.
type SignedInPage struct {
	// URL is relative to BaseURL or absolute; "/" when empty.
	URL string `yaml:"url"`
	// Pattern is a regular expression over the page's HTML with a named group
	// email and optionally one named org.
	Pattern string `yaml:"pattern"`
}

// PasswordForm is the page with the SP's own sign-in form.
type PasswordForm struct {
	// URL is relative to BaseURL or absolute.
	URL string `yaml:"url"`
	// EmailField and PasswordField name the form's inputs; "email" and
	// "password" when empty.
	EmailField    string `yaml:"email_field"`
	PasswordField string `yaml:"password_field"`
}

// SSOTemplates are URL templates in which {id} stands for the Integration ID;
// each is relative to BaseURL or absolute, or empty.
type SSOTemplates struct {
	ACSURL    string `yaml:"acs_url"`
	EntityID  string `yaml:"entity_id"`
	SignInURL string `yaml:"sign_in_url"`
}

// Endpoint is an HTTP API and the Bearer token it takes.
type Endpoint struct {
	URL string `yaml:"url"`
	// TokenEnv names the environment variable that holds the token: the file
	// can then be committed. ParseFile reads it into Token.
	TokenEnv string `yaml:"token_env"`
	Token    string `yaml:"token"`
}

// LoadFile reads and checks a target file. getenv reads the variables that
// token_env names; nil means os.Getenv.
func LoadFile(path string, getenv func(string) string) (File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("target file: %w", err)
	}
	f, err := ParseFile(data, getenv)
	if err != nil {
		return File{}, fmt.Errorf("target file %s: %w", path, err)
	}
	return f, nil
}

// ParseFile reads and checks a target file's text. Unknown fields are errors:
// a misspelt optional field would otherwise silently turn a capability off.
func ParseFile(data []byte, getenv func(string) string) (File, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return File{}, errors.New("the target file is empty")
		}
		return File{}, err
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return File{}, errors.New("the target file holds more than one YAML document")
	}
	for _, e := range []struct {
		name string
		ep   *Endpoint
	}{{"hooks", f.Hooks}, {"scim", f.SCIM}} {
		if err := e.ep.readToken(e.name, getenv); err != nil {
			return File{}, err
		}
	}
	if err := f.Validate(); err != nil {
		return File{}, err
	}
	return f, nil
}

// readToken fills Token from the variable TokenEnv names.
func (e *Endpoint) readToken(name string, getenv func(string) string) error {
	if e == nil {
		return nil
	}
	e.TokenEnv = strings.TrimSpace(e.TokenEnv)
	switch {
	case e.TokenEnv != "" && e.Token != "":
		return fmt.Errorf("%s: both token and token_env are set; keep one (token_env keeps the secret out of the file)", name)
	case e.TokenEnv != "":
		e.Token = strings.TrimSpace(getenv(e.TokenEnv))
		if e.Token == "" {
			return fmt.Errorf("%s.token_env: the environment variable %s is empty or not set", name, e.TokenEnv)
		}
	}
	return nil
}

// Validate checks a File whose tokens have been read. NewExternal calls it
// too, for a File built in Go rather than parsed.
func (f File) Validate() error {
	if f.Hooks == nil && f.SCIM == nil {
		return errors.New("the target file offers neither hooks nor scim: nothing to test")
	}
	sp := f.SP
	switch {
	case sp.BaseURL != "":
		if err := checkHTTPURL("sp.base_url", sp.BaseURL); err != nil {
			return err
		}
	case f.Hooks != nil:
		return errors.New("sp.base_url: required with hooks (Okta's app and the browser need the SP's address)")
	}
	if s := sp.SignedIn; s != nil {
		if _, err := f.resolve("sp.signed_in.url", s.url()); err != nil {
			return err
		}
		if _, err := compilePattern(s.Pattern); err != nil {
			return err
		}
	}
	if p := sp.PasswordSignIn; p != nil {
		if p.URL == "" {
			return errors.New("sp.password_sign_in.url: required (the page with the sign-in form)")
		}
		if _, err := f.resolve("sp.password_sign_in.url", p.URL); err != nil {
			return err
		}
	}
	for _, t := range []struct{ field, tmpl string }{
		{"sp.sso.acs_url", sp.SSO.ACSURL},
		{"sp.sso.entity_id", sp.SSO.EntityID},
		{"sp.sso.sign_in_url", sp.SSO.SignInURL},
	} {
		if t.tmpl == "" {
			continue
		}
		if !strings.Contains(t.tmpl, "{id}") {
			return fmt.Errorf("%s: %q has no {id}: every integration has its own URLs", t.field, t.tmpl)
		}
		if _, err := f.expand(t.field, t.tmpl, "an-integration-id"); err != nil {
			return err
		}
	}
	for _, e := range []struct {
		name string
		ep   *Endpoint
	}{{"hooks", f.Hooks}, {"scim", f.SCIM}} {
		if e.ep == nil {
			continue
		}
		if e.ep.URL == "" {
			return fmt.Errorf("%s.url: required", e.name)
		}
		if err := checkHTTPURL(e.name+".url", e.ep.URL); err != nil {
			return err
		}
		if e.ep.Token == "" {
			return fmt.Errorf("%s: no token: set token_env (the name of an environment variable holding it) or token", e.name)
		}
	}
	return nil
}

func (s *SignedInPage) url() string {
	if s.URL == "" {
		return "/"
	}
	return s.URL
}

func (p *PasswordForm) fields() (email, password string) {
	email, password = p.EmailField, p.PasswordField
	if email == "" {
		email = "email"
	}
	if password == "" {
		password = "password"
	}
	return email, password
}

// resolve makes ref absolute against sp.base_url; field names it in errors.
func (f File) resolve(field, ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", fmt.Errorf("%s: %q is not a URL: %v", field, ref, err)
	}
	if !u.IsAbs() {
		if f.SP.BaseURL == "" {
			return "", fmt.Errorf("%s: %q is relative, but sp.base_url is not set", field, ref)
		}
		base, err := url.Parse(strings.TrimRight(f.SP.BaseURL, "/") + "/")
		if err != nil {
			return "", fmt.Errorf("sp.base_url: %v", err)
		}
		// A path is taken below base_url's path, as "relative to base_url"
		// reads: an SP served at https://x/app with url /home means /app/home.
		u = base.ResolveReference(&url.URL{Path: strings.TrimLeft(u.Path, "/"), RawQuery: u.RawQuery})
	}
	abs := u.String()
	if err := checkHTTPURL(field, abs); err != nil {
		return "", err
	}
	return abs, nil
}

// expand fills an SSO template with an Integration ID.
func (f File) expand(field, tmpl, id string) (string, error) {
	s := strings.ReplaceAll(tmpl, "{id}", url.PathEscape(id))
	if field == "sp.sso.entity_id" && strings.HasPrefix(strings.ToLower(s), "urn:") {
		// An entity ID is a URI, not necessarily a URL.
		return s, nil
	}
	return f.resolve(field, s)
}

// checkHTTPURL requires an absolute http(s) URL with a host.
func checkHTTPURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%s: %q is not a URL: %v", field, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s: %q is not an absolute http(s) URL", field, raw)
	}
	return nil
}

// compilePattern compiles sp.signed_in.pattern and checks its groups.
func compilePattern(p string) (*regexp.Regexp, error) {
	if p == "" {
		return nil, errors.New("sp.signed_in.pattern: required (a regular expression with a group (?P<email>…))")
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Errorf("sp.signed_in.pattern: does not compile: %v", err)
	}
	if !slices.Contains(re.SubexpNames(), "email") {
		return nil, errors.New("sp.signed_in.pattern: has no group named email; write (?P<email>…) around the signed-in person's email")
	}
	return re, nil
}
