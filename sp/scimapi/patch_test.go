package scimapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/password"
)

// TestPatchUser runs every user PATCH shape Okta sends (OKTA.md), the
// Microsoft Entra variants this server accepts, and the refusals. Each case
// starts from a fresh active user created by Okta's POST.
func TestPatchUser(t *testing.T) {
	type check func(t *testing.T, e *env, id string, res response)
	active := func(want bool) check {
		return func(t *testing.T, e *env, id string, res response) {
			require.Equal(t, want, res.get("active"), res.String())
			_, err := e.store.GetUserByEmail(t.Context(), "ada@acme.test")
			require.Equal(t, want, err == nil, "the account exists only while active (no other organization holds it)")
		}
	}
	attr := func(path string, want any) check {
		return func(t *testing.T, _ *env, _ string, res response) {
			require.Equal(t, want, res.get(path), res.String())
		}
	}
	passwordIs := func(pw string) check {
		return func(t *testing.T, e *env, _ string, res response) {
			require.True(t, password.Verify(e.account("ada@acme.test").PasswordHash, pw))
			require.NotContains(t, string(res.raw), pw)
		}
	}
	for _, tc := range []struct {
		name   string
		body   any
		checks []check
	}{
		// Okta's shapes.
		{"okta deactivate: path-less replace {active:false}",
			patchOp(op("replace", "", map[string]any{"active": false})), []check{active(false)}},
		{"okta reactivate on an active user is a no-op",
			patchOp(op("replace", "", map[string]any{"active": true})), []check{active(true), attr("meta.version", `W/"1"`)}},
		{"okta password sync: path-less replace {password}",
			patchOp(op("replace", "", map[string]any{"password": "Synced-pw-1"})), []check{passwordIs("Synced-pw-1"), attr("meta.version", `W/"2"`)}},
		{"pathed replace of active",
			patchOp(op("replace", "active", false)), []check{active(false)}},
		{"pathed replace of password",
			patchOp(op("replace", "password", "Synced-pw-2")), []check{passwordIs("Synced-pw-2")}},
		{"pathed replace of a sub-attribute",
			patchOp(op("replace", "name.givenName", "Augusta")), []check{attr("name.givenName", "Augusta"), attr("name.familyName", "Lovelace")}},
		{"pathed replace of a complex attribute keeps sub-attributes not given",
			patchOp(op("replace", "name", map[string]any{"givenName": "Augusta"})), []check{attr("name.givenName", "Augusta"), attr("name.familyName", "Lovelace")}},
		{"add of a simple attribute",
			patchOp(op("add", "title", "Countess")), []check{attr("title", "Countess")}},
		{"add of an email appends it",
			patchOp(op("add", "emails", []any{map[string]any{"value": "ada@home.test", "type": "home"}})),
			[]check{attr("emails.0.value", "ada@acme.test"), attr("emails.1.value", "ada@home.test")}},
		{"path-less add of several attributes",
			patchOp(op("add", "", map[string]any{"nickName": "Ada", "name.middleName": "Byron"})),
			[]check{attr("nickName", "Ada"), attr("name.middleName", "Byron"), attr("name.givenName", "Ada")}},
		{"replace through a value filter",
			patchOp(op("replace", `emails[type eq "work"].value`, "ada@lovelace.test")), []check{attr("emails.0.value", "ada@lovelace.test"), attr("emails.0.type", "work")}},
		{"replace through a filter that matches nothing adds the value",
			patchOp(op("replace", `emails[type eq "home"].value`, "ada@home.test")),
			[]check{attr("emails.1.value", "ada@home.test"), attr("emails.1.type", "home")}},
		{"remove of a sub-attribute",
			patchOp(op("remove", "name.familyName", nil)), []check{attr("name.familyName", nil), attr("name.givenName", "Ada")}},
		{"remove through a value filter",
			patchOp(op("remove", `emails[type eq "work"]`, nil)), []check{attr("emails.0", nil)}},
		{"enterprise extension by its full path",
			patchOp(op("add", entSchema+":department", "Analytical Engines")),
			[]check{func(t *testing.T, _ *env, _ string, res response) {
				require.Equal(t, "Analytical Engines", res.json[entSchema].(map[string]any)["department"], res.String())
			}}},
		{"enterprise extension in a path-less value",
			patchOp(op("replace", "", map[string]any{entSchema: map[string]any{"costCenter": "42"}})),
			[]check{func(t *testing.T, _ *env, _ string, res response) {
				require.Equal(t, "42", res.json[entSchema].(map[string]any)["costCenter"], res.String())
			}}},
		{"several operations apply in order",
			patchOp(op("replace", "displayName", "A"), op("replace", "displayName", "B"), op("replace", "", map[string]any{"active": false})),
			[]check{attr("displayName", "B"), active(false)}},
		{"userName change reaches the account",
			patchOp(op("replace", "userName", "ada.king@acme.test")),
			[]check{attr("userName", "ada.king@acme.test"), func(t *testing.T, e *env, _ string, _ response) { e.account("ada.king@acme.test") }}},

		// Microsoft Entra, without its aadOptscim062020 flag.
		{"entra: capitalised Replace with active as the string False",
			patchOp(op("Replace", "active", "False")), []check{active(false)}},
		{"entra: path-less value with active as the string false",
			patchOp(op("replace", "", map[string]any{"active": "false"})), []check{active(false)}},
		{"entra: Add, capitalised",
			patchOp(op("Add", "title", "Countess")), []check{attr("title", "Countess")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.mustCreate("ada@acme.test")
			res := e.do(http.MethodPatch, "/Users/"+id, tc.body)
			require.Equal(t, http.StatusOK, res.status, res.String())
			require.Equal(t, id, res.str("id"))
			require.Equal(t, res.json, e.do(http.MethodGet, "/Users/"+id, nil).json, "the answer is the stored user")
			for _, c := range tc.checks {
				c(t, e, id, res)
			}
		})
	}
}

func TestPatchUserRefusals(t *testing.T) {
	e := newEnv(t)
	id := e.mustCreate("ada@acme.test")
	before := e.do(http.MethodGet, "/Users/"+id, nil)
	e.mustCreate("bob@acme.test")
	for _, tc := range []struct {
		name     string
		path     string
		body     any
		status   int
		scimType string
	}{
		{"unknown user", "/Users/scu_missing", patchOp(op("replace", "active", false)), http.StatusNotFound, ""},
		{"malformed JSON", "/Users/" + id, `{"Operations":[`, http.StatusBadRequest, "invalidSyntax"},
		{"wrong schemas", "/Users/" + id, map[string]any{"schemas": []string{userSchema}, "Operations": []any{op("replace", "active", false)}}, http.StatusBadRequest, "invalidValue"},
		{"no operations", "/Users/" + id, patchOp(), http.StatusBadRequest, "invalidValue"},
		{"unknown operation", "/Users/" + id, patchOp(op("move", "active", false)), http.StatusBadRequest, "invalidValue"},
		{"unknown attribute", "/Users/" + id, patchOp(op("replace", "shoeSize", "42")), http.StatusBadRequest, "invalidPath"},
		{"read-only attribute", "/Users/" + id, patchOp(op("replace", "id", "mine")), http.StatusBadRequest, "invalidPath"},
		{"wrong type", "/Users/" + id, patchOp(op("replace", "active", "maybe")), http.StatusBadRequest, "invalidValue"},
		{"path-less value not an object", "/Users/" + id, patchOp(op("replace", "", false)), http.StatusBadRequest, "invalidValue"},
		{"remove without a path", "/Users/" + id, patchOp(op("remove", "", nil)), http.StatusBadRequest, "noTarget"},
		{"remove of userName", "/Users/" + id, patchOp(op("remove", "userName", nil)), http.StatusBadRequest, "invalidValue"},
		{"remove of password", "/Users/" + id, patchOp(op("remove", "password", nil)), http.StatusBadRequest, "mutability"},
		{"userName taken", "/Users/" + id, patchOp(op("replace", "userName", "BOB@acme.test")), http.StatusConflict, "uniqueness"},
		{"a later operation fails: nothing applies", "/Users/" + id,
			patchOp(op("replace", "", map[string]any{"active": false}), op("replace", "displayName", "X"), op("replace", "shoeSize", "1")),
			http.StatusBadRequest, "invalidPath"},
		{"a later operation conflicts: nothing applies", "/Users/" + id,
			patchOp(op("replace", "", map[string]any{"active": false}), op("replace", "userName", "bob@acme.test")),
			http.StatusConflict, "uniqueness"},
		{"password too long", "/Users/" + id, patchOp(op("replace", "password", string(make([]byte, 80)))), http.StatusBadRequest, "invalidValue"},
	} {
		res := e.do(http.MethodPatch, tc.path, tc.body)
		require.Equal(t, tc.status, res.status, "%s: %s", tc.name, res)
		requireSCIMError(t, res, tc.status, tc.scimType)
	}
	require.Equal(t, before.json, e.do(http.MethodGet, "/Users/"+id, nil).json, "no refused PATCH changed anything")
	e.account("ada@acme.test")
}
