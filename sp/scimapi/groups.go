package scimapi

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/ssoharness/ssoharness/sp/store"
)

// groups is the /Groups resource handler. A group is a team (SCIM-08): its
// displayName is the team's name, its members the team's members who are SCIM
// users of the organization. People added to the team in the SP by other means
// are not SCIM members: the IdP neither sees nor removes them.
type groups struct{ s *Server }

var (
	_ scim.ResourceHandler  = groups{}
	_ scim.ResourceSearcher = groups{}
)

// groupState is a group as a request wants it.
type groupState struct {
	name       string
	externalID string
	members    []string // SCIM user ids, each once, in the order given
}

func (h groups) resource(g store.SCIMGroup, members []store.SCIMGroupMember, withMembers bool) scim.Resource {
	attrs := scim.ResourceAttributes{"displayName": g.DisplayName}
	if withMembers {
		list := make([]any, 0, len(members))
		for _, m := range members {
			display := m.DisplayName
			if display == "" {
				display = m.UserName
			}
			list = append(list, map[string]any{
				"value":   m.SCIMUserID,
				"display": display,
				"type":    "User",
				"$ref":    h.s.base + "/Users/" + url.PathEscape(m.SCIMUserID),
			})
		}
		attrs["members"] = list
	}
	res := scim.Resource{ID: g.ID, Attributes: attrs, Meta: meta(g.CreatedAt, g.UpdatedAt, g.Version)}
	if g.ExternalID != "" {
		res.ExternalID = optional.NewString(g.ExternalID)
	}
	return res
}

// membersWanted honours attributes / excludedAttributes for members only: a
// group's member list is the one costly attribute, and a client listing groups
// to find one by name does not need it.
func membersWanted(r *http.Request) bool {
	q := r.URL.Query()
	has := func(param string) bool {
		for _, a := range strings.Split(q.Get(param), ",") {
			if a = strings.ToLower(strings.TrimSpace(a)); a == "members" || strings.HasPrefix(a, "members.") ||
				strings.HasSuffix(a, ":group:members") {
				return true
			}
		}
		return false
	}
	if has("excludedAttributes") {
		return false
	}
	return strings.TrimSpace(q.Get("attributes")) == "" || has("attributes")
}

func (h groups) load(ctx context.Context, tx store.Store, orgID, id string) (store.SCIMGroup, error) {
	g, err := tx.GetSCIMGroup(ctx, orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return g, notFound("Group", id)
	}
	return g, err
}

func (h groups) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	ctx, p := r.Context(), principalOf(r)
	next, err := parseGroup(attrs)
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "Group", err)
	}
	var g store.SCIMGroup
	var members []store.SCIMGroupMember
	err = h.s.store.InTx(ctx, func(tx store.Store) error {
		now := h.s.now()
		id := store.NewID("scg_")
		team, err := tx.CreateTeam(ctx, store.Team{OrgID: p.orgID, Name: next.name, SCIMGroupID: id, CreatedAt: now})
		if errors.Is(err, store.ErrConflict) {
			return uniqueness("A team named %q already exists in this organization.", next.name)
		}
		if err != nil {
			return err
		}
		if g, err = tx.CreateSCIMGroup(ctx, store.SCIMGroup{ID: id, OrgID: p.orgID, TeamID: team.ID, ExternalID: next.externalID, CreatedAt: now}); err != nil {
			return err
		}
		userIDs, err := h.s.resolveMembers(ctx, tx, p.orgID, next.members)
		if err != nil {
			return err
		}
		if err := tx.AddTeamMembers(ctx, team.ID, userIDs); err != nil {
			return err
		}
		if members, err = tx.ListSCIMGroupMembers(ctx, p.orgID, g.ID); err != nil {
			return err
		}
		return h.s.audit(ctx, tx, p.orgID, p.actor(), "scim.group.created", groupTarget(g),
			fmt.Sprintf("team %q created with %d members", team.Name, len(members)))
	})
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "Group", err)
	}
	return h.resource(g, members, true), nil
}

func (h groups) Get(r *http.Request, id string) (scim.Resource, error) {
	ctx, org := r.Context(), principalOf(r).orgID
	g, err := h.load(ctx, h.s.store, org, id)
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "Group "+id, err)
	}
	var members []store.SCIMGroupMember
	with := membersWanted(r)
	if with {
		if members, err = h.s.store.ListSCIMGroupMembers(ctx, org, id); err != nil {
			return scim.Resource{}, h.s.fail(r, "Group "+id, err)
		}
	}
	return h.resource(g, members, with), nil
}

func (h groups) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	ctx, org := r.Context(), principalOf(r).orgID
	f, err := storeFilter(params.FilterValidator, schema.GroupSchema, groupFilterAttrs)
	if err != nil {
		return scim.Page{}, err
	}
	q := page(params, f)
	list, err := h.s.store.ListSCIMGroups(ctx, org, q)
	if err != nil {
		return scim.Page{}, h.s.fail(r, "Groups", err)
	}
	n, err := total(q, len(list), func() (int, error) { return h.s.store.CountSCIMGroups(ctx, org, f) })
	if err != nil {
		return scim.Page{}, h.s.fail(r, "Groups", err)
	}
	with := membersWanted(r)
	out := scim.Page{TotalResults: n, Resources: make([]scim.Resource, 0, len(list))}
	for _, g := range list {
		var members []store.SCIMGroupMember
		if with {
			if members, err = h.s.store.ListSCIMGroupMembers(ctx, org, g.ID); err != nil {
				return scim.Page{}, h.s.fail(r, "Groups", err)
			}
		}
		out.Resources = append(out.Resources, h.resource(g, members, with))
	}
	noteItems(r, len(out.Resources))
	return out, nil
}

// Search serves POST /Groups/.search like a GET.
func (h groups) Search(r *http.Request, params scim.SearchParams) (scim.Page, error) {
	return h.GetAll(r, scim.ListRequestParams{Count: params.Count, StartIndex: params.StartIndex, FilterValidator: params.FilterValidator})
}

// Replace is PUT: name, members and externalId as given; members left out
// means none (RFC 7644 §3.5.1).
func (h groups) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	next, err := parseGroup(attrs)
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "Group "+id, err)
	}
	return h.update(r, id, func(groupState, []store.SCIMGroupMember) (groupState, error) { return next, nil })
}

// Patch carries out Okta's group push operations: add members, remove
// members[value eq "…"], replace members (a full list or []), and a path-less
// replace of {id, displayName} for a rename.
func (h groups) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	return h.update(r, id, func(st groupState, _ []store.SCIMGroupMember) (groupState, error) {
		for i, op := range ops {
			var err error
			if st, err = applyGroupOp(st, strings.ToLower(op.Op), op); err != nil {
				return st, fmt.Errorf("operation %d: %w", i+1, err)
			}
		}
		return st, nil
	})
}

func (h groups) update(r *http.Request, id string, next func(cur groupState, members []store.SCIMGroupMember) (groupState, error)) (scim.Resource, error) {
	ctx, p := r.Context(), principalOf(r)
	ifMatch := r.Header.Get("If-Match")
	var g store.SCIMGroup
	var members []store.SCIMGroupMember
	err := h.s.retryStale(ctx, ifMatch == "", func(tx store.Store) error {
		cur, err := h.load(ctx, tx, p.orgID, id)
		if err != nil {
			return err
		}
		if ifMatch != "" && !etagMatches(ifMatch, etag(cur.Version)) {
			return preconditionFailed()
		}
		curMembers, err := tx.ListSCIMGroupMembers(ctx, p.orgID, id)
		if err != nil {
			return err
		}
		st := groupState{name: cur.DisplayName, externalID: cur.ExternalID}
		for _, m := range curMembers {
			st.members = append(st.members, m.SCIMUserID)
		}
		want, err := next(st, curMembers)
		if err != nil {
			return err
		}
		changed, err := h.s.saveGroup(ctx, tx, p, cur, curMembers, want)
		if err != nil || !changed {
			g, members = cur, curMembers
			return err
		}
		if g, err = tx.GetSCIMGroup(ctx, p.orgID, id); err != nil {
			return err
		}
		members, err = tx.ListSCIMGroupMembers(ctx, p.orgID, id)
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "Group "+id, err)
	}
	return h.resource(g, members, true), nil
}

// saveGroup writes what differs between the group as stored and as wanted, and
// reports whether anything did. The same rename sent again changes nothing
// (SCIM-09): Okta repeats the name with every membership update.
func (s *Server) saveGroup(ctx context.Context, tx store.Store, p principal, cur store.SCIMGroup, curMembers []store.SCIMGroupMember, want groupState) (bool, error) {
	had := map[string]string{} // SCIM user id → account id
	for _, m := range curMembers {
		had[m.SCIMUserID] = m.UserID
	}
	keep := map[string]bool{}
	var added []string
	for _, id := range want.members {
		keep[id] = true
		if _, ok := had[id]; !ok {
			added = append(added, id)
		}
	}
	var removed []string
	for _, m := range curMembers {
		if !keep[m.SCIMUserID] {
			removed = append(removed, m.UserID)
		}
	}
	// Unknown member ids are refused before anything is written.
	addIDs, err := s.resolveMembers(ctx, tx, p.orgID, added)
	if err != nil {
		return false, err
	}
	var what []string
	if want.name != cur.DisplayName {
		team, err := tx.GetTeam(ctx, cur.TeamID)
		if err != nil {
			return false, err
		}
		team.Name = want.name
		if _, err := tx.UpdateTeam(ctx, team); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return false, uniqueness("A team named %q already exists in this organization.", want.name)
			}
			return false, err
		}
		what = append(what, fmt.Sprintf("renamed from %q to %q", cur.DisplayName, want.name))
	}
	if len(removed) > 0 {
		if err := tx.RemoveTeamMembers(ctx, cur.TeamID, removed); err != nil {
			return false, err
		}
		what = append(what, fmt.Sprintf("%d members removed", len(removed)))
	}
	if len(addIDs) > 0 {
		if err := tx.AddTeamMembers(ctx, cur.TeamID, addIDs); err != nil {
			return false, err
		}
		what = append(what, fmt.Sprintf("%d members added", len(addIDs)))
	}
	if want.externalID != cur.ExternalID {
		what = append(what, "externalId set")
	}
	if len(what) == 0 {
		return false, nil
	}
	g := cur
	g.ExternalID, g.UpdatedAt = want.externalID, s.now()
	if _, err := tx.UpdateSCIMGroup(ctx, g); err != nil {
		return false, err
	}
	return true, s.audit(ctx, tx, p.orgID, p.actor(), "scim.group.updated", groupTarget(store.SCIMGroup{ID: cur.ID, DisplayName: want.name}),
		strings.Join(what, "; "))
}

// Delete deletes the team with its memberships and all its resources, in one
// transaction with its audit record (SCIM-10). This is the data loss the guide
// warns about; the audit record says what went.
func (h groups) Delete(r *http.Request, id string) error {
	ctx, p := r.Context(), principalOf(r)
	ifMatch := r.Header.Get("If-Match")
	err := h.s.store.InTx(ctx, func(tx store.Store) error {
		g, err := h.load(ctx, tx, p.orgID, id)
		if err != nil {
			return err
		}
		if ifMatch != "" && !etagMatches(ifMatch, etag(g.Version)) {
			return preconditionFailed()
		}
		resources, err := tx.ListResources(ctx, g.TeamID)
		if err != nil {
			return err
		}
		members, err := tx.ListTeamMembers(ctx, g.TeamID)
		if err != nil {
			return err
		}
		if err := tx.DeleteTeam(ctx, g.TeamID); err != nil {
			return err
		}
		return h.s.audit(ctx, tx, p.orgID, p.actor(), "scim.group.deleted", groupTarget(g),
			fmt.Sprintf("team %q (%s) deleted with its %d resources and %d memberships", g.DisplayName, g.TeamID, len(resources), len(members)))
	})
	if err != nil {
		return h.s.fail(r, "Group "+id, err)
	}
	return nil
}

// resolveMembers checks that every id is a SCIM user of the organization (400
// invalidValue otherwise: a foreign or unknown id applies nothing) and returns
// the accounts of the active ones. Inactive users have no membership to add
// to a team; they are accepted and skipped.
func (s *Server) resolveMembers(ctx context.Context, tx store.Store, orgID string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := tx.GetSCIMUsers(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]store.SCIMUser, len(found))
	for _, u := range found {
		byID[u.ID] = u
	}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		u, ok := byID[id]
		switch {
		case !ok:
			return nil, invalidValue("Member %q is not a user of this organization.", id)
		case u.Active && u.UserID != "":
			out = append(out, u.UserID)
		}
	}
	return out, nil
}

func parseGroup(attrs map[string]any) (groupState, error) {
	name, _ := attrs["displayName"].(string)
	st := groupState{name: strings.TrimSpace(name)}
	if st.name == "" {
		return st, invalidValue("displayName is required.")
	}
	st.externalID, _ = attrs["externalId"].(string)
	var err error
	st.members, err = memberValues(nil, attrs["members"])
	return st, err
}

// memberValues returns the ids of a members value, added to have. Only users
// can be members: nested groups are not supported.
func memberValues(have []string, v any) ([]string, error) {
	out := slices.Clone(have)
	items, _ := v.([]any)
	if m, ok := v.(map[string]any); ok {
		items = []any{m}
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		id, _ := m["value"].(string)
		if strings.TrimSpace(id) == "" {
			return nil, invalidValue("Every member needs a value (the user's id).")
		}
		if typ, _ := m["type"].(string); typ != "" && !strings.EqualFold(typ, "User") {
			return nil, invalidValue("Only users can be members of a group (member %q has type %q).", id, typ)
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// applyGroupOp applies one PATCH operation to a group.
func applyGroupOp(st groupState, op string, o scim.PatchOperation) (groupState, error) {
	if o.Path == nil {
		m, ok := o.Value.(map[string]any)
		if !ok {
			return st, invalidValue("An operation without a path needs an object value.")
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			var err error
			if st, err = applyGroupAttr(st, op, k, m[k]); err != nil {
				return st, err
			}
		}
		return st, nil
	}
	p := o.Path
	if uri := p.AttributePath.URI(); uri != "" && !strings.EqualFold(uri, schema.GroupSchema) {
		return st, invalidPath("Unknown schema %q.", uri)
	}
	if p.ValueExpression == nil && p.SubAttribute == nil && p.AttributePath.SubAttribute == nil {
		return applyGroupAttr(st, op, p.AttributePath.AttributeName, o.Value)
	}
	if !strings.EqualFold(p.AttributePath.AttributeName, "members") || p.ValueExpression == nil ||
		p.SubAttribute != nil || p.AttributePath.SubAttribute != nil || op != "remove" {
		return st, invalidPath("Unsupported path %q: use members, members[value eq \"…\"] (remove), displayName or externalId.", p.String())
	}
	// remove members[value eq "…"]: drop every member the filter selects.
	kept := st.members[:0:0]
	for _, id := range st.members {
		hit, err := matches(p.ValueExpression, map[string]any{"value": id, "type": "User"})
		if err != nil {
			return st, err
		}
		if !hit {
			kept = append(kept, id)
		}
	}
	st.members = kept
	return st, nil
}

func applyGroupAttr(st groupState, op, attr string, v any) (groupState, error) {
	var err error
	switch strings.ToLower(attr) {
	case "displayname":
		name, _ := v.(string)
		if op == "remove" || strings.TrimSpace(name) == "" {
			return st, invalidValue("displayName is required.")
		}
		st.name = strings.TrimSpace(name)
	case "externalid":
		st.externalID, _ = v.(string)
		if op == "remove" {
			st.externalID = ""
		}
	case "members":
		switch op {
		case "add":
			st.members, err = memberValues(st.members, v)
		case "replace":
			st.members, err = memberValues(nil, v)
		case "remove":
			if v == nil {
				st.members = nil
				break
			}
			// Entra removes members with a value list.
			var gone []string
			if gone, err = memberValues(nil, v); err == nil {
				st.members = slices.DeleteFunc(st.members, func(id string) bool { return slices.Contains(gone, id) })
			}
		default:
			err = invalidValue("Unknown operation %q.", op)
		}
	default:
		err = invalidPath("Unsupported attribute %q: groups have displayName, members and externalId.", attr)
	}
	return st, err
}

func groupTarget(g store.SCIMGroup) string { return fmt.Sprintf("group %s (%s)", g.ID, g.DisplayName) }
