package scimapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

func group(name string, memberIDs ...string) map[string]any {
	members := []any{}
	for _, id := range memberIDs {
		members = append(members, map[string]any{"value": id, "display": id})
	}
	return map[string]any{"schemas": []string{groupSchema}, "displayName": name, "members": members}
}

func members(id ...string) []any {
	out := []any{}
	for _, v := range id {
		out = append(out, map[string]any{"value": v, "display": v})
	}
	return out
}

// teamOf returns the team a group created, with its members' emails.
func (e *env) teamOf(groupID string) (store.Team, []string) {
	e.t.Helper()
	team, err := e.store.GetTeamBySCIMGroupID(e.t.Context(), e.org.org.ID, groupID)
	require.NoError(e.t, err)
	users, err := e.store.ListTeamMembers(e.t.Context(), team.ID)
	require.NoError(e.t, err)
	var emails []string
	for _, u := range users {
		emails = append(emails, u.Email)
	}
	slices.Sort(emails)
	return team, emails
}

func memberValues(res response) []string {
	var out []string
	list, _ := res.get("members").([]any)
	for _, m := range list {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	slices.Sort(out)
	return out
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

func TestCreateGroup(t *testing.T) {
	e := newEnv(t)
	ada, bob := e.mustCreate("ada@acme.test"), e.mustCreate("bob@acme.test")

	// Okta's group push: look up by name, then POST with the members assigned
	// to the app (SCIM-08).
	found := e.do(http.MethodGet, "/Groups?filter="+queryEscape(`displayName eq "Engineering"`)+"&startIndex=1&count=100", nil)
	require.EqualValues(t, 0, found.get("totalResults"))
	res := e.do(http.MethodPost, "/Groups", group("Engineering", ada, bob))
	require.Equal(t, http.StatusCreated, res.status, res.String())
	id := res.str("id")
	require.Equal(t, baseURL+"/scim/v2/Groups/"+id, res.header.Get("Location"))
	require.Equal(t, "Engineering", res.str("displayName"))
	require.Equal(t, sorted(ada, bob), memberValues(res))
	require.Equal(t, "User", res.str("members.0.type"))
	require.Equal(t, baseURL+"/scim/v2/Users/"+res.str("members.0.value"), res.str("members.0.$ref"))
	require.Equal(t, "Group", res.str("meta.resourceType"))
	require.Equal(t, `W/"1"`, res.str("meta.version"))

	team, emails := e.teamOf(id)
	require.Equal(t, "Engineering", team.Name)
	require.Equal(t, []string{"ada@acme.test", "bob@acme.test"}, emails)

	found = e.do(http.MethodGet, "/Groups?filter="+queryEscape(`displayName eq "ENGINEERING"`), nil)
	require.EqualValues(t, 1, found.get("totalResults"))
	require.Equal(t, id, found.str("Resources.0.id"))
	require.Equal(t, res.json, e.do(http.MethodGet, "/Groups/"+id, nil).json)

	// Members are optional; an empty group is a team without members.
	empty := e.do(http.MethodPost, "/Groups", map[string]any{"schemas": []string{groupSchema}, "displayName": "Empty"})
	require.Equal(t, http.StatusCreated, empty.status, empty.String())
	require.Equal(t, []any{}, empty.get("members"))
}

func TestCreateGroupRefusals(t *testing.T) {
	e := newEnv(t)
	ada := e.mustCreate("ada@acme.test")
	require.Equal(t, http.StatusCreated, e.do(http.MethodPost, "/Groups", group("Engineering")).status)
	_, err := e.store.CreateTeam(t.Context(), store.Team{OrgID: e.org.org.ID, Name: "Local Team"})
	require.NoError(t, err)
	other := e.tenant("Globex")
	foreign := e.as(other, http.MethodPost, "/Users", oktaUser("eve@globex.test", "Eve", "E")).str("id")

	for _, tc := range []struct {
		name     string
		body     any
		status   int
		scimType string
	}{
		{"name taken by a pushed team", group("engineering"), http.StatusConflict, "uniqueness"},
		{"name taken by a local team", group("Local Team"), http.StatusConflict, "uniqueness"},
		{"no displayName", map[string]any{"schemas": []string{groupSchema}}, http.StatusBadRequest, "invalidValue"},
		{"blank displayName", group("   "), http.StatusBadRequest, "invalidValue"},
		{"unknown member", group("New", ada, "scu_missing"), http.StatusBadRequest, "invalidValue"},
		{"member of another organization", group("New", foreign), http.StatusBadRequest, "invalidValue"},
		{"member without value", map[string]any{"schemas": []string{groupSchema}, "displayName": "New", "members": []any{map[string]any{"display": "x"}}}, http.StatusBadRequest, "invalidValue"},
		{"nested group", map[string]any{"schemas": []string{groupSchema}, "displayName": "New", "members": []any{map[string]any{"value": ada, "type": "Group"}}}, http.StatusBadRequest, "invalidValue"},
		{"malformed JSON", `{"displayName":`, http.StatusBadRequest, "invalidSyntax"},
	} {
		res := e.do(http.MethodPost, "/Groups", tc.body)
		require.Equal(t, tc.status, res.status, "%s: %s", tc.name, res)
		requireSCIMError(t, res, tc.status, tc.scimType)
	}
	teams, err := e.store.ListTeams(t.Context(), e.org.org.ID)
	require.NoError(t, err)
	require.Len(t, teams, 2, "no refused push left a team behind")
}

// TestPatchGroup runs Okta's group push PATCH shapes (OKTA.md, SCIM-09) and
// Entra's member removal, each from a fresh group with ada and bob.
func TestPatchGroup(t *testing.T) {
	type state struct {
		name    string
		members []string // emails
	}
	for _, tc := range []struct {
		name string
		ops  func(ids map[string]string) []map[string]any
		want state
	}{
		{"add members without type", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("add", "members", []any{map[string]any{"value": ids["cat"], "display": "cat@acme.test"}})}
		}, state{"Engineering", []string{"ada@acme.test", "bob@acme.test", "cat@acme.test"}}},
		{"add a member who is there already", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("add", "members", members(ids["ada"]))}
		}, state{"Engineering", []string{"ada@acme.test", "bob@acme.test"}}},
		{"remove members[value eq] without value", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("remove", fmt.Sprintf(`members[value eq "%s"]`, ids["bob"]), nil)}
		}, state{"Engineering", []string{"ada@acme.test"}}},
		{"remove a member who is not there", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("remove", fmt.Sprintf(`members[value eq "%s"]`, ids["cat"]), nil)}
		}, state{"Engineering", []string{"ada@acme.test", "bob@acme.test"}}},
		{"replace members with a full list", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("replace", "members", members(ids["bob"], ids["cat"]))}
		}, state{"Engineering", []string{"bob@acme.test", "cat@acme.test"}}},
		{"replace members with []", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("replace", "members", []any{})}
		}, state{"Engineering", nil}},
		{"rename: path-less replace {id, displayName}", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("replace", "", map[string]any{"id": ids["group"], "displayName": "Platform"})}
		}, state{"Platform", []string{"ada@acme.test", "bob@acme.test"}}},
		{"rename sent with a membership update, as Okta does", func(ids map[string]string) []map[string]any {
			return []map[string]any{
				op("replace", "", map[string]any{"id": ids["group"], "displayName": "Platform"}),
				op("add", "members", members(ids["cat"])),
				op("remove", fmt.Sprintf(`members[value eq "%s"]`, ids["ada"]), nil),
			}
		}, state{"Platform", []string{"bob@acme.test", "cat@acme.test"}}},
		{"pathed replace of displayName", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("replace", "displayName", "Platform")}
		}, state{"Platform", []string{"ada@acme.test", "bob@acme.test"}}},
		{"entra: Remove members with a value list", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("Remove", "members", []any{map[string]any{"value": ids["ada"]}})}
		}, state{"Engineering", []string{"bob@acme.test"}}},
		{"entra: Add members, capitalised", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("Add", "members", []any{map[string]any{"value": ids["cat"]}})}
		}, state{"Engineering", []string{"ada@acme.test", "bob@acme.test", "cat@acme.test"}}},
		{"remove members without a filter empties the group", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("remove", "members", nil)}
		}, state{"Engineering", nil}},
		{"path-less add of members", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("add", "", map[string]any{"members": members(ids["cat"])})}
		}, state{"Engineering", []string{"ada@acme.test", "bob@acme.test", "cat@acme.test"}}},
		{"an inactive user is accepted and not added", func(ids map[string]string) []map[string]any {
			return []map[string]any{op("add", "members", members(ids["gone"]))}
		}, state{"Engineering", []string{"ada@acme.test", "bob@acme.test"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ids := map[string]string{}
			for _, n := range []string{"ada", "bob", "cat", "gone"} {
				ids[n] = e.mustCreate(n + "@acme.test")
			}
			e.do(http.MethodPatch, "/Users/"+ids["gone"], patchOp(op("replace", "", map[string]any{"active": false})))
			created := e.do(http.MethodPost, "/Groups", group("Engineering", ids["ada"], ids["bob"]))
			require.Equal(t, http.StatusCreated, created.status, created.String())
			ids["group"] = created.str("id")

			res := e.do(http.MethodPatch, "/Groups/"+ids["group"], patchOp(tc.ops(ids)...))
			require.Equal(t, http.StatusOK, res.status, res.String())
			require.Equal(t, tc.want.name, res.str("displayName"))
			team, emails := e.teamOf(ids["group"])
			require.Equal(t, tc.want.name, team.Name)
			require.Equal(t, tc.want.members, emails)
			var wantIDs []string
			for _, email := range tc.want.members {
				wantIDs = append(wantIDs, ids[strings.TrimSuffix(email, "@acme.test")])
			}
			require.Equal(t, sorted(wantIDs...), memberValues(res))
			require.Equal(t, res.json, e.do(http.MethodGet, "/Groups/"+ids["group"], nil).json)
		})
	}
}

func TestPatchGroupIdempotentRename(t *testing.T) {
	e := newEnv(t)
	ada := e.mustCreate("ada@acme.test")
	id := e.do(http.MethodPost, "/Groups", group("Engineering", ada)).str("id")
	rename := patchOp(op("replace", "", map[string]any{"id": id, "displayName": "Platform"}))
	first := e.do(http.MethodPatch, "/Groups/"+id, rename)
	require.Equal(t, `W/"2"`, first.str("meta.version"))
	again := e.do(http.MethodPatch, "/Groups/"+id, rename)
	require.Equal(t, http.StatusOK, again.status)
	require.Equal(t, first.json, again.json, "the same rename again changes nothing (SCIM-09)")
	require.Equal(t, []string{"scim.user.created", "scim.group.created", "scim.group.updated"}, e.auditActions(e.org), "and records nothing")
}

func TestPatchGroupRefusals(t *testing.T) {
	e := newEnv(t)
	ada, bob := e.mustCreate("ada@acme.test"), e.mustCreate("bob@acme.test")
	id := e.do(http.MethodPost, "/Groups", group("Engineering", ada)).str("id")
	require.Equal(t, http.StatusCreated, e.do(http.MethodPost, "/Groups", group("Platform")).status)
	before := e.do(http.MethodGet, "/Groups/"+id, nil)
	foreign := e.as(e.tenant("Globex"), http.MethodPost, "/Users", oktaUser("eve@globex.test", "Eve", "E")).str("id")

	for _, tc := range []struct {
		name     string
		path     string
		ops      []map[string]any
		status   int
		scimType string
	}{
		{"unknown group", "/Groups/scg_missing", []map[string]any{op("add", "members", members(bob))}, http.StatusNotFound, ""},
		{"unknown member: nothing applies, not even the rename", "/Groups/" + id,
			[]map[string]any{op("replace", "", map[string]any{"displayName": "Renamed"}), op("add", "members", members(bob, "scu_missing"))},
			http.StatusBadRequest, "invalidValue"},
		{"member of another organization", "/Groups/" + id, []map[string]any{op("add", "members", members(foreign))}, http.StatusBadRequest, "invalidValue"},
		{"rename to a taken name", "/Groups/" + id,
			[]map[string]any{op("add", "members", members(bob)), op("replace", "displayName", "PLATFORM")}, http.StatusConflict, "uniqueness"},
		{"remove displayName", "/Groups/" + id, []map[string]any{op("remove", "displayName", nil)}, http.StatusBadRequest, "invalidValue"},
		{"unsupported path", "/Groups/" + id, []map[string]any{op("replace", `members[value eq "x"].display`, "y")}, http.StatusBadRequest, "invalidPath"},
		{"unknown attribute", "/Groups/" + id, []map[string]any{op("replace", "owner", "y")}, http.StatusBadRequest, "invalidPath"},
		{"nested group member", "/Groups/" + id, []map[string]any{op("add", "members", []any{map[string]any{"value": bob, "type": "Group"}})}, http.StatusBadRequest, "invalidValue"},
	} {
		res := e.do(http.MethodPatch, tc.path, patchOp(tc.ops...))
		require.Equal(t, tc.status, res.status, "%s: %s", tc.name, res)
		requireSCIMError(t, res, tc.status, tc.scimType)
	}
	require.Equal(t, before.json, e.do(http.MethodGet, "/Groups/"+id, nil).json, "no refused PATCH changed anything")
}

func TestReplaceGroup(t *testing.T) {
	e := newEnv(t)
	ada, bob := e.mustCreate("ada@acme.test"), e.mustCreate("bob@acme.test")
	id := e.do(http.MethodPost, "/Groups", group("Engineering", ada)).str("id")
	res := e.do(http.MethodPut, "/Groups/"+id, group("Platform", bob))
	require.Equal(t, http.StatusOK, res.status, res.String())
	team, emails := e.teamOf(id)
	require.Equal(t, "Platform", team.Name)
	require.Equal(t, []string{"bob@acme.test"}, emails)
	// Members left out of a PUT: none.
	res = e.do(http.MethodPut, "/Groups/"+id, map[string]any{"schemas": []string{groupSchema}, "displayName": "Platform"})
	require.Equal(t, http.StatusOK, res.status, res.String())
	_, emails = e.teamOf(id)
	require.Empty(t, emails)
	requireSCIMError(t, e.do(http.MethodPut, "/Groups/scg_missing", group("X")), http.StatusNotFound, "")
}

// Team members added in the SP by other means are not the IdP's to see or remove.
func TestGroupLeavesNonSCIMMembersAlone(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	ada := e.mustCreate("ada@acme.test")
	id := e.do(http.MethodPost, "/Groups", group("Engineering", ada)).str("id")
	team, _ := e.teamOf(id)
	local, err := e.store.CreateUser(ctx, store.User{Email: "local@acme.test"})
	require.NoError(t, err)
	_, err = e.store.AddMembership(ctx, store.Membership{OrgID: e.org.org.ID, UserID: local.ID, Role: store.RoleMember, Source: store.SourceLocal})
	require.NoError(t, err)
	require.NoError(t, e.store.AddTeamMember(ctx, team.ID, local.ID))

	require.Equal(t, []string{ada}, memberValues(e.do(http.MethodGet, "/Groups/"+id, nil)))
	res := e.do(http.MethodPatch, "/Groups/"+id, patchOp(op("replace", "members", []any{})))
	require.Equal(t, http.StatusOK, res.status, res.String())
	_, emails := e.teamOf(id)
	require.Equal(t, []string{"local@acme.test"}, emails)
}

func TestDeactivationLeavesGroup(t *testing.T) {
	e := newEnv(t)
	ada, bob := e.mustCreate("ada@acme.test"), e.mustCreate("bob@acme.test")
	id := e.do(http.MethodPost, "/Groups", group("Engineering", ada, bob)).str("id")
	e.do(http.MethodPatch, "/Users/"+ada, patchOp(op("replace", "", map[string]any{"active": false})))
	require.Equal(t, []string{bob}, memberValues(e.do(http.MethodGet, "/Groups/"+id, nil)))
}

// TestDeleteGroup: unlinking with "delete the group in the target app"
// deletes the team and all its resources in one transaction, with an audit
// record (SCIM-10).
func TestDeleteGroup(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	ada := e.mustCreate("ada@acme.test")
	id := e.do(http.MethodPost, "/Groups", group("Engineering", ada)).str("id")
	team, _ := e.teamOf(id)
	for _, name := range []string{"api", "web", "db"} {
		_, err := e.store.CreateResource(ctx, store.Resource{TeamID: team.ID, Kind: "monitor", Name: name})
		require.NoError(t, err)
	}
	other, err := e.store.CreateTeam(ctx, store.Team{OrgID: e.org.org.ID, Name: "Other"})
	require.NoError(t, err)
	kept, err := e.store.CreateResource(ctx, store.Resource{TeamID: other.ID, Kind: "monitor", Name: "kept"})
	require.NoError(t, err)

	res := e.do(http.MethodDelete, "/Groups/"+id, nil)
	require.Equal(t, http.StatusNoContent, res.status, res.String())
	require.Empty(t, res.raw)
	_, err = e.store.GetTeam(ctx, team.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	gone, err := e.store.ListResources(ctx, team.ID)
	require.NoError(t, err)
	require.Empty(t, gone)
	left, err := e.store.ListResources(ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, []store.Resource{kept}, left)
	e.account("ada@acme.test") // the people stay
	requireSCIMError(t, e.do(http.MethodGet, "/Groups/"+id, nil), http.StatusNotFound, "")
	requireSCIMError(t, e.do(http.MethodDelete, "/Groups/"+id, nil), http.StatusNotFound, "")

	events, err := e.store.ListAudit(ctx, e.org.org.ID, 1)
	require.NoError(t, err)
	require.Equal(t, "scim.group.deleted", events[0].Action)
	require.Contains(t, events[0].Detail, `team "Engineering"`)
	require.Contains(t, events[0].Detail, "3 resources")
	require.Contains(t, events[0].Target, id)
	// The name is free again.
	require.Equal(t, http.StatusCreated, e.do(http.MethodPost, "/Groups", group("Engineering")).status)
}

func TestListGroups(t *testing.T) {
	e := newEnv(t)
	ada := e.mustCreate("ada@acme.test")
	var ids []string
	for i := range 5 {
		ids = append(ids, e.do(http.MethodPost, "/Groups", group(fmt.Sprintf("Team %d", i), ada)).str("id"))
	}
	quoted := e.do(http.MethodPost, "/Groups", group(`Quoted "Ops" \ Team`)).str("id")
	// Okta's test connection.
	res := e.do(http.MethodGet, "/Groups?startIndex=1&count=100", nil)
	require.Equal(t, http.StatusOK, res.status)
	require.EqualValues(t, 6, res.get("totalResults"))
	require.EqualValues(t, 6, res.get("itemsPerPage"))
	res = e.do(http.MethodGet, "/Groups?startIndex=2&count=2", nil)
	require.Equal(t, ids[1], res.str("Resources.0.id"))
	require.Equal(t, ids[2], res.str("Resources.1.id"))
	require.EqualValues(t, 6, res.get("totalResults"))

	res = e.do(http.MethodGet, "/Groups?excludedAttributes=members", nil)
	require.Nil(t, res.get("Resources.0.members"), "excludedAttributes=members leaves them out")
	require.Equal(t, "Team 0", res.str("Resources.0.displayName"))
	res = e.do(http.MethodGet, "/Groups/"+ids[0]+"?attributes=displayName", nil)
	require.Nil(t, res.get("members"))

	for filter, want := range map[string][]string{
		`displayName eq "team 3"`:                            {ids[3]},
		`id eq "` + ids[4] + `"`:                             {ids[4]},
		`displayName eq "Team 1" or displayName eq "Team 2"`: {ids[1], ids[2]},
		`displayName eq "nope"`:                              nil,
		`displayName eq "Quoted \"Ops\" \\ Team"`:            {quoted},
		`displayName eq "Quoted \u0022Ops\u0022 \\ team"`:    {quoted},
	} {
		res := e.do(http.MethodGet, "/Groups?filter="+queryEscape(filter), nil)
		require.Equal(t, http.StatusOK, res.status, res.String())
		var got []string
		list, _ := res.get("Resources").([]any)
		for _, r := range list {
			got = append(got, r.(map[string]any)["id"].(string))
		}
		require.Equal(t, want, got, filter)
	}
	for _, filter := range []string{`displayName co "Team"`, `members.value eq "` + ada + `"`, `userName eq "x"`, `displayName eq "bad \q escape"`} {
		requireSCIMError(t, e.do(http.MethodGet, "/Groups?filter="+queryEscape(filter), nil), http.StatusBadRequest, "invalidFilter")
	}
}
