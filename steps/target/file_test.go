package target

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env is a fake environment for token_env.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

const refSPFile = `
sp:
  base_url: http://127.0.0.1:8080
  signed_in:
    url: /
    pattern: 'Signed in as <strong>(?P<email>[^<]+)</strong> — <strong>(?P<org>[^<]+)</strong>'
  password_sign_in:
    url: /users/sign-in
  sso:
    acs_url: /sso/okta/{id}/acs
    entity_id: http://127.0.0.1:8080/sso/okta/{id}
    sign_in_url: /users/sign-in/sso/okta/{id}
hooks:
  url: http://127.0.0.1:8080/api/hooks/v1
  token_env: REFSP_HOOKS_TOKEN
`

func TestParseFile(t *testing.T) {
	t.Parallel()
	f, err := ParseFile([]byte(refSPFile), env(map[string]string{"REFSP_HOOKS_TOKEN": " s3cret\n"}))
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080", f.SP.BaseURL)
	assert.Equal(t, &Endpoint{URL: "http://127.0.0.1:8080/api/hooks/v1", TokenEnv: "REFSP_HOOKS_TOKEN", Token: "s3cret"}, f.Hooks)
	assert.Nil(t, f.SCIM)
	require.NotNil(t, f.SP.PasswordSignIn)
	email, pw := f.SP.PasswordSignIn.fields()
	assert.Equal(t, []string{"email", "password"}, []string{email, pw}, "the default field names")

	acs, err := f.expand("sp.sso.acs_url", f.SP.SSO.ACSURL, "abc")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/sso/okta/abc/acs", acs)

	scimOnly, err := ParseFile([]byte(`
scim:
  url: https://staging.example/scim/v2
  token: literal-token
`), env(nil))
	require.NoError(t, err)
	assert.Equal(t, "literal-token", scimOnly.SCIM.Token)
	assert.Empty(t, scimOnly.SP.BaseURL)
}

func TestParseFileRefuses(t *testing.T) {
	t.Parallel()
	const hooks = "hooks:\n  url: http://sp.test/api/hooks/v1\n  token: t\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"empty", "", "the target file is empty"},
		{"nothing to test", "sp:\n  base_url: http://sp.test\n", "the target file offers neither hooks nor scim: nothing to test"},
		{"misspelt field", "sp:\n  bse_url: http://sp.test\n" + hooks, "field bse_url not found"},
		{"misspelt nested field", "sp:\n  base_url: http://sp.test\n  signed_in:\n    patern: x\n" + hooks, "field patern not found"},
		{"two documents", hooks + "---\n" + hooks, "more than one YAML document"},
		{"hooks without base_url", hooks, "sp.base_url: required with hooks"},
		{"relative base_url", "sp:\n  base_url: sp.test\n" + hooks, `sp.base_url: "sp.test" is not an absolute http(s) URL`},
		{"ftp base_url", "sp:\n  base_url: ftp://sp.test\n" + hooks, "sp.base_url: \"ftp://sp.test\" is not an absolute http(s) URL"},
		{"hooks without url", "sp:\n  base_url: http://sp.test\nhooks:\n  token: t\n", "hooks.url: required"},
		{"relative hooks url", "sp:\n  base_url: http://sp.test\nhooks:\n  url: /api/hooks/v1\n  token: t\n", "hooks.url: \"/api/hooks/v1\" is not an absolute http(s) URL"},
		{"scim url not http", "scim:\n  url: mailto:x@y\n  token: t\n", "scim.url: \"mailto:x@y\" is not an absolute http(s) URL"},
		{"no token", "sp:\n  base_url: http://sp.test\nhooks:\n  url: http://sp.test/h\n", "hooks: no token"},
		{"both tokens", "scim:\n  url: http://sp.test/scim/v2\n  token: t\n  token_env: SCIM_TOKEN\n", "scim: both token and token_env are set"},
		{"empty variable", "scim:\n  url: http://sp.test/scim/v2\n  token_env: UNSET_TOKEN\n", "scim.token_env: the environment variable UNSET_TOKEN is empty or not set"},
		{"pattern missing", "sp:\n  base_url: http://sp.test\n  signed_in:\n    url: /\n" + hooks, "sp.signed_in.pattern: required"},
		{"pattern does not compile", "sp:\n  base_url: http://sp.test\n  signed_in:\n    pattern: '(?P<email>['\n" + hooks, "sp.signed_in.pattern: does not compile"},
		{"pattern without email", "sp:\n  base_url: http://sp.test\n  signed_in:\n    pattern: 'Signed in as (?P<who>.+)'\n" + hooks, "sp.signed_in.pattern: has no group named email"},
		{"relative signed_in without base", "sp:\n  signed_in:\n    pattern: '(?P<email>.+)'\nscim:\n  url: http://sp.test/scim/v2\n  token: t\n", "sp.signed_in.url: \"/\" is relative, but sp.base_url is not set"},
		{"password form without url", "sp:\n  base_url: http://sp.test\n  password_sign_in:\n    email_field: login\n" + hooks, "sp.password_sign_in.url: required"},
		{"template without id", "sp:\n  base_url: http://sp.test\n  sso:\n    acs_url: /acs\n" + hooks, "sp.sso.acs_url: \"/acs\" has no {id}"},
		{"template not http", "sp:\n  base_url: http://sp.test\n  sso:\n    sign_in_url: ftp://sp.test/{id}\n" + hooks, "sp.sso.sign_in_url: \"ftp://sp.test/an-integration-id\" is not an absolute http(s) URL"},
		{"not a mapping", "- sp\n", "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFile([]byte(tc.yaml), env(nil))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseFileAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, yaml string }{
		{"hooks and scim: hooks win", "sp:\n  base_url: http://sp.test\nhooks:\n  url: http://sp.test/h\n  token: t\nscim:\n  url: http://sp.test/scim/v2\n  token: u\n"},
		{"scim only with a signed-in page", "sp:\n  base_url: https://sp.test/app\n  signed_in:\n    pattern: '(?P<email>\\S+@\\S+)'\nscim:\n  url: https://sp.test/scim/v2\n  token_env: SCIM_TOKEN\n"},
		{"URN entity ID", "sp:\n  base_url: http://sp.test\n  sso:\n    entity_id: 'urn:sp.test:{id}'\nhooks:\n  url: http://sp.test/h\n  token: t\n"},
		{"absolute signed_in url", "sp:\n  signed_in:\n    url: https://app.sp.test/me\n    pattern: '(?P<email>.+)'\nscim:\n  url: https://sp.test/scim/v2\n  token: t\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseFile([]byte(tc.yaml), env(map[string]string{"SCIM_TOKEN": "from-env"}))
			assert.NoError(t, err)
		})
	}
}

func TestResolveKeepsBasePath(t *testing.T) {
	t.Parallel()
	f := File{SP: SPSection{BaseURL: "https://sp.test/app/"}}
	for ref, want := range map[string]string{
		"/":               "https://sp.test/app/",
		"/users/sign-in":  "https://sp.test/app/users/sign-in",
		"me?tab=1":        "https://sp.test/app/me?tab=1",
		"https://x.test/": "https://x.test/",
	} {
		got, err := f.resolve("f", ref)
		require.NoError(t, err, ref)
		assert.Equal(t, want, got, ref)
	}
}

func TestLoadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "target.yaml")
	require.NoError(t, os.WriteFile(path, []byte("scim:\n  url: https://sp.test/scim/v2\n  token_env: SCIM_TOKEN\n"), 0o600))
	f, err := LoadFile(path, env(map[string]string{"SCIM_TOKEN": "tok"}))
	require.NoError(t, err)
	assert.Equal(t, "tok", f.SCIM.Token)

	_, err = LoadFile(path, env(nil))
	require.Error(t, err)
	assert.Contains(t, err.Error(), path, "the error names the file")
	assert.Contains(t, err.Error(), "SCIM_TOKEN")

	_, err = LoadFile(filepath.Join(t.TempDir(), "missing.yaml"), nil)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestDocExamplesParse keeps docs/target-file.md's examples loadable.
func TestDocExamplesParse(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "target-file.md"))
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllSubmatch(doc, -1)
	require.Len(t, blocks, 2, "the reference SP and the SCIM-only example")
	getenv := env(map[string]string{"REFSP_HOOKS_TOKEN": "hooks-token", "SCIM_TOKEN": "scim-token"})
	for i, b := range blocks {
		_, err := ParseFile(b[1], getenv)
		assert.NoError(t, err, "example %d", i+1)
	}
}
