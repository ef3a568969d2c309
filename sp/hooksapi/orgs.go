package hooksapi

import (
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/sp/admin"
	"github.com/ssoharness/ssoharness/sp/store"
)

// auditLimit is how many of the newest audit events GET /audit lists, as the
// in-process target reads them.
const auditLimit = 1000

type orgIn struct {
	Name *string `json:"name"`
}

type orgOut struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// createOrg makes an organization straight in the store: the reference SP has
// no sign-up, so no page or service makes organizations.
func (a *API) createOrg(w http.ResponseWriter, r *http.Request) {
	var body orgIn
	if !decode(w, r, &body, false) || !need(w, "name", body.Name) {
		return
	}
	if strings.TrimSpace(*body.Name) == "" {
		writeError(w, http.StatusBadRequest, "The organization needs a name.")
		return
	}
	o, err := a.store.CreateOrganization(r.Context(), store.Organization{Name: *body.Name})
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	writeJSON(w, http.StatusCreated, orgOut{ID: o.ID, Name: o.Name})
}

// deleteOrg removes an organization made for a test run, with everything it
// owns and the accounts it alone had (store.DeleteOrganization), so that runs
// against a shared SP leave nothing behind.
func (a *API) deleteOrg(w http.ResponseWriter, r *http.Request, org store.Organization) {
	if err := a.store.DeleteOrganization(r.Context(), org.ID); err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	a.log.InfoContext(r.Context(), "hooks api: organization deleted", "org_id", org.ID)
	w.WriteHeader(http.StatusNoContent)
}

type memberIn struct {
	Email      *string `json:"email"`
	GivenName  string  `json:"given_name"`
	FamilyName string  `json:"family_name"`
	Admin      bool    `json:"admin"`
}

// addMember adds a local account with that role, as an admin does; an existing
// account is attached rather than duplicated.
func (a *API) addMember(w http.ResponseWriter, r *http.Request, org store.Organization) {
	var body memberIn
	if !decode(w, r, &body, false) || !need(w, "email", body.Email) {
		return
	}
	role := store.RoleMember
	if body.Admin {
		role = store.RoleAdmin
	}
	_, err := a.sp.AddMember(r.Context(), org.ID, admin.NewMember{Email: *body.Email, GivenName: body.GivenName, FamilyName: body.FamilyName, Role: role})
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	writeJSON(w, http.StatusCreated, empty)
}

type emailsOut struct {
	Emails []string `json:"emails"`
}

func (a *API) listMembers(w http.ResponseWriter, r *http.Request, org store.Organization) {
	ms, err := a.store.ListMemberships(r.Context(), org.ID)
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	out := emailsOut{Emails: make([]string, 0, len(ms))}
	for _, m := range ms {
		u, err := a.store.GetUser(r.Context(), m.UserID)
		if err != nil {
			a.fail(w, r, err, noAccount)
			return
		}
		out.Emails = append(out.Emails, u.Email)
	}
	writeJSON(w, http.StatusOK, out)
}

type accountOut struct {
	Email      string `json:"email"`
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

// getAccount finds an account by email in any organization.
func (a *API) getAccount(w http.ResponseWriter, r *http.Request) {
	u, err := a.store.GetUserByEmail(r.Context(), r.PathValue("email"))
	if err != nil {
		a.fail(w, r, err, noAccount)
		return
	}
	writeJSON(w, http.StatusOK, accountOut{Email: u.Email, GivenName: u.GivenName, FamilyName: u.FamilyName})
}

type actionsOut struct {
	Actions []string `json:"actions"`
}

// listAudit lists the organization's audit events, newest first, each as its
// action and target.
func (a *API) listAudit(w http.ResponseWriter, r *http.Request, org store.Organization) {
	es, err := a.store.ListAudit(r.Context(), org.ID, auditLimit)
	if err != nil {
		a.fail(w, r, err, noOrg)
		return
	}
	out := actionsOut{Actions: make([]string, len(es))}
	for i, e := range es {
		out.Actions[i] = e.Action + " " + e.Target
	}
	writeJSON(w, http.StatusOK, out)
}
