package scimapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/ssoharness/ssoharness/sp/password"
	"github.com/ssoharness/ssoharness/sp/store"
)

// users is the /Users resource handler.
type users struct{ s *Server }

var (
	_ scim.ResourceHandler  = users{}
	_ scim.ResourceSearcher = users{}
)

// serverAttrs are assigned by the server or kept outside the profile.
var serverAttrs = []string{"id", "meta", "schemas", "groups", "password", "userName", "active", "externalId"}

// userState is a user as a request wants it.
type userState struct {
	userName   string
	externalID string
	active     bool
	emails     []string
	profile    map[string]any // everything else, stored as sent
}

// parseUser reads a user from validated attributes (a POST or PUT body, or a
// patched document). A missing "active" means activeByDefault.
func parseUser(attrs map[string]any, activeByDefault bool) (userState, error) {
	st := userState{active: activeByDefault, profile: map[string]any{}}
	for k, v := range attrs {
		switch k {
		case "userName":
			s, _ := v.(string)
			st.userName = strings.TrimSpace(s)
		case "externalId":
			st.externalID, _ = v.(string)
		case "active":
			if b, ok := v.(bool); ok {
				st.active = b
			}
		}
		if v != nil && !slices.Contains(serverAttrs, k) {
			st.profile[k] = v
		}
	}
	if st.userName == "" {
		return st, invalidValue("userName is required.")
	}
	if list, ok := st.profile["emails"].([]any); ok {
		for _, e := range list {
			m, _ := e.(map[string]any)
			if v, ok := m["value"].(string); ok && strings.TrimSpace(v) != "" {
				st.emails = append(st.emails, strings.TrimSpace(v))
			}
		}
	}
	if st.emails == nil {
		st.emails = []string{}
	}
	return st, nil
}

// account is what the SP account gets from the user: the email is the userName
// (Okta's "Application username format: Email", SCIM-03); a userName that is
// not an address falls back to the primary email.
func (st userState) account() (store.User, error) {
	u := store.User{Email: st.userName}
	if !looksLikeEmail(u.Email) {
		u.Email = st.primaryEmail()
	}
	if !looksLikeEmail(u.Email) {
		return u, invalidValue("userName must be the user's email address (application username format Email), or the user needs a primary email.")
	}
	if name, ok := st.profile["name"].(map[string]any); ok {
		u.GivenName, _ = name["givenName"].(string)
		u.FamilyName, _ = name["familyName"].(string)
	}
	u.DisplayName, _ = st.profile["displayName"].(string)
	if strings.TrimSpace(u.DisplayName) == "" {
		u.DisplayName = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
	}
	u.Locale, _ = st.profile["locale"].(string)
	return u, nil
}

func (st userState) primaryEmail() string {
	list, _ := st.profile["emails"].([]any)
	first := ""
	for _, e := range list {
		m, _ := e.(map[string]any)
		v, _ := m["value"].(string)
		if p, _ := m["primary"].(bool); p {
			return v
		}
		if first == "" {
			first = v
		}
	}
	return first
}

func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(domain, "@") &&
		!strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' })
}

// record is st stored over cur.
func (st userState) record(cur store.SCIMUser) (store.SCIMUser, error) {
	profile, err := json.Marshal(st.profile)
	if err != nil {
		return cur, invalidValue("The user cannot be stored: %v", err)
	}
	cur.UserName, cur.ExternalID, cur.Active, cur.Emails, cur.Profile = st.userName, st.externalID, st.active, st.emails, string(profile)
	return cur, nil
}

// document is a stored user as the object a PATCH applies to.
func document(u store.SCIMUser) (map[string]any, error) {
	doc := map[string]any{}
	if err := json.Unmarshal([]byte(u.Profile), &doc); err != nil {
		return nil, fmt.Errorf("scim user %s: stored profile: %w", u.ID, err)
	}
	doc["userName"], doc["active"] = u.UserName, u.Active
	if u.ExternalID != "" {
		doc["externalId"] = u.ExternalID
	}
	return doc, nil
}

func userResource(u store.SCIMUser) (scim.Resource, error) {
	attrs, err := document(u)
	if err != nil {
		return scim.Resource{}, err
	}
	delete(attrs, "externalId") // elimity adds it from ExternalID
	res := scim.Resource{ID: u.ID, Attributes: attrs, Meta: meta(u.CreatedAt, u.UpdatedAt, u.Version)}
	if u.ExternalID != "" {
		res.ExternalID = optional.NewString(u.ExternalID)
	}
	return res, nil
}

func (h users) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	ctx, p := r.Context(), principalOf(r)
	st, err := parseUser(attrs, true)
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User", err)
	}
	hash, err := h.s.hashPassword(attrs["password"])
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User", err)
	}
	var out store.SCIMUser
	// A second attempt follows a lost race for the userName or the account
	// (PostgreSQL lets two transactions miss each other's uncommitted rows):
	// it then finds the winner's row and answers 409, or links the account.
	for attempt := 0; ; attempt++ {
		err = h.s.store.InTx(ctx, func(tx store.Store) error {
			_, err := tx.GetSCIMUserByUserName(ctx, p.orgID, st.userName)
			switch {
			case err == nil:
				return uniqueness("A user with userName %q already exists.", st.userName)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
			now := h.s.now()
			rec, err := st.record(store.SCIMUser{OrgID: p.orgID, CreatedAt: now, UpdatedAt: now})
			if err != nil {
				return err
			}
			if st.active {
				if rec.UserID, err = h.s.provision(ctx, tx, p.orgID, "", st, hash); err != nil {
					return err
				}
			}
			if out, err = tx.CreateSCIMUser(ctx, rec); err != nil {
				return err
			}
			return h.s.audit(ctx, tx, p.orgID, p.actor(), "scim.user.created", userTarget(out), activity(out.Active))
		})
		if attempt == 1 || !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User", err)
	}
	return userResource(out)
}

func (h users) Get(r *http.Request, id string) (scim.Resource, error) {
	u, err := h.s.store.GetSCIMUser(r.Context(), principalOf(r).orgID, id)
	if errors.Is(err, store.ErrNotFound) {
		return scim.Resource{}, notFound("User", id)
	}
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User "+id, err)
	}
	res, err := userResource(u)
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User "+id, err)
	}
	return res, nil
}

func (h users) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	ctx, org := r.Context(), principalOf(r).orgID
	f, err := storeFilter(params.FilterValidator, schema.UserSchema, userFilterAttrs)
	if err != nil {
		return scim.Page{}, err
	}
	q := page(params, f)
	list, err := h.s.store.ListSCIMUsers(ctx, org, q)
	if err != nil {
		return scim.Page{}, h.s.fail(r, "Users", err)
	}
	n, err := total(q, len(list), func() (int, error) { return h.s.store.CountSCIMUsers(ctx, org, f) })
	if err != nil {
		return scim.Page{}, h.s.fail(r, "Users", err)
	}
	out := scim.Page{TotalResults: n, Resources: make([]scim.Resource, 0, len(list))}
	for _, u := range list {
		res, err := userResource(u)
		if err != nil {
			return scim.Page{}, h.s.fail(r, "Users", err)
		}
		out.Resources = append(out.Resources, res)
	}
	noteItems(r, len(out.Resources))
	return out, nil
}

// Search serves POST /Users/.search like a GET; sortBy is ignored, as
// /ServiceProviderConfig says sorting is not supported.
func (h users) Search(r *http.Request, params scim.SearchParams) (scim.Page, error) {
	return h.GetAll(r, scim.ListRequestParams{Count: params.Count, StartIndex: params.StartIndex, FilterValidator: params.FilterValidator})
}

// Replace is PUT: the body is the whole user. An "active" left out keeps the
// current state rather than deactivating by omission.
func (h users) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	hash, err := h.s.hashPassword(attrs["password"])
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User "+id, err)
	}
	return h.update(r, id, hash, func(cur store.SCIMUser) (userState, error) {
		return parseUser(attrs, cur.Active)
	})
}

func (h users) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	hash, err := h.s.hashPassword(passwordOf(ops))
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User "+id, err)
	}
	return h.update(r, id, hash, func(cur store.SCIMUser) (userState, error) {
		doc, err := document(cur)
		if err != nil {
			return userState{}, err
		}
		if err := h.s.userDoc.applyOps(doc, ops); err != nil {
			return userState{}, err
		}
		return parseUser(doc, cur.Active)
	})
}

// update runs a PUT or PATCH: next computes the wanted user from the stored
// one, and everything it implies is written in one transaction.
func (h users) update(r *http.Request, id, pwHash string, next func(cur store.SCIMUser) (userState, error)) (scim.Resource, error) {
	ctx, p := r.Context(), principalOf(r)
	ifMatch := r.Header.Get("If-Match")
	var out store.SCIMUser
	err := h.s.retryStale(ctx, ifMatch == "", func(tx store.Store) error {
		cur, err := tx.GetSCIMUser(ctx, p.orgID, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("User", id)
		}
		if err != nil {
			return err
		}
		if ifMatch != "" && !etagMatches(ifMatch, etag(cur.Version)) {
			return preconditionFailed()
		}
		st, err := next(cur)
		if err != nil {
			return err
		}
		out, err = h.s.applyUser(ctx, tx, p, cur, st, pwHash)
		return err
	})
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User "+id, err)
	}
	res, err := userResource(out)
	if err != nil {
		return scim.Resource{}, h.s.fail(r, "User "+id, err)
	}
	return res, nil
}

// Delete is deactivation (the account leaves the organization, and goes if no
// other organization holds it) followed by forgetting the SCIM user. Okta never
// sends it; other clients do.
func (h users) Delete(r *http.Request, id string) error {
	ctx, p := r.Context(), principalOf(r)
	ifMatch := r.Header.Get("If-Match")
	err := h.s.store.InTx(ctx, func(tx store.Store) error {
		cur, err := tx.GetSCIMUser(ctx, p.orgID, id)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("User", id)
		}
		if err != nil {
			return err
		}
		if ifMatch != "" && !etagMatches(ifMatch, etag(cur.Version)) {
			return preconditionFailed()
		}
		detail := "SCIM user removed"
		if cur.Active {
			deleted, err := h.s.deprovision(ctx, tx, p.orgID, cur.UserID)
			if err != nil {
				return err
			}
			detail += "; " + deprovisioned(deleted)
		}
		if err := tx.DeleteSCIMUser(ctx, p.orgID, id); err != nil {
			return err
		}
		return h.s.audit(ctx, tx, p.orgID, p.actor(), "scim.user.deleted", userTarget(cur), detail)
	})
	if err != nil {
		return h.s.fail(r, "User "+id, err)
	}
	return nil
}

// applyUser stores st over cur, with what the change means for the account:
// deactivation detaches it, reactivation brings it back, an active user's
// profile reaches it. A request that changes nothing writes nothing.
func (s *Server) applyUser(ctx context.Context, tx store.Store, p principal, cur store.SCIMUser, st userState, pwHash string) (store.SCIMUser, error) {
	rec, err := st.record(cur)
	if err != nil {
		return cur, err
	}
	same := rec.UserName == cur.UserName && rec.ExternalID == cur.ExternalID && rec.Active == cur.Active &&
		slices.Equal(rec.Emails, cur.Emails) && rec.Profile == cur.Profile
	if same && pwHash == "" && !(rec.Active && rec.UserID == "") {
		return cur, nil
	}
	action, detail := "scim.user.updated", "profile updated"
	switch {
	case cur.Active && !rec.Active:
		deleted, err := s.deprovision(ctx, tx, p.orgID, cur.UserID)
		if err != nil {
			return cur, err
		}
		if deleted {
			rec.UserID = ""
		}
		action, detail = "scim.user.deactivated", deprovisioned(deleted)
	case rec.Active:
		if rec.UserID, err = s.provision(ctx, tx, p.orgID, cur.UserID, st, pwHash); err != nil {
			return cur, err
		}
		if !cur.Active {
			action, detail = "scim.user.reactivated", "account re-added to the organization"
		}
	}
	if pwHash != "" {
		detail += "; password set"
	}
	rec.UpdatedAt = s.now()
	out, err := tx.UpdateSCIMUser(ctx, rec)
	if err != nil {
		return cur, err
	}
	return out, s.audit(ctx, tx, p.orgID, p.actor(), action, userTarget(out), detail)
}

func userTarget(u store.SCIMUser) string { return fmt.Sprintf("user %s (%s)", u.ID, u.UserName) }

func activity(active bool) string {
	if active {
		return "active; account linked to the organization"
	}
	return "inactive"
}

func deprovisioned(accountDeleted bool) string {
	if accountDeleted {
		return "removed from the organization and its teams; account deleted (no other organization)"
	}
	return "removed from the organization and its teams; account kept (other organizations)"
}

// passwordOf returns the password a PATCH sets, if any: path-less
// {"password": …} or path "password". The last one wins, as it would if the
// operations ran one by one.
func passwordOf(ops []scim.PatchOperation) any {
	var pw any
	for _, op := range ops {
		if strings.ToLower(op.Op) == "remove" {
			continue
		}
		if op.Path == nil {
			m, _ := op.Value.(map[string]any)
			for k, v := range m {
				if strings.EqualFold(k, "password") {
					pw = v
				}
			}
			continue
		}
		if op.Path.AttributePath.URI() == "" && strings.EqualFold(op.Path.AttributePath.AttributeName, "password") &&
			op.Path.AttributePath.SubAttribute == nil && op.Path.ValueExpression == nil {
			pw = op.Value
		}
	}
	return pw
}

// hashPassword hashes a password sent by the IdP, before any transaction:
// bcrypt is slow on purpose and must not hold the database. No policy is
// applied: Okta sets a random password even when password sync is off, and it
// must be accepted (only bcrypt's 72-byte limit is enforced).
func (s *Server) hashPassword(v any) (string, error) {
	pw, _ := v.(string)
	if pw == "" {
		return "", nil
	}
	return password.HashCost(pw, s.passwordCost)
}
