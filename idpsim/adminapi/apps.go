package adminapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/provision"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

// appJSON is Okta's application object for a SAML 2.0 app.
type appJSON struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Label         string         `json:"label"`
	Status        string         `json:"status"`
	LastUpdated   *oktaTime      `json:"lastUpdated"`
	Created       *oktaTime      `json:"created"`
	Accessibility map[string]any `json:"accessibility"`
	Visibility    map[string]any `json:"visibility"`
	Features      []string       `json:"features"`
	SignOnMode    string         `json:"signOnMode"`
	Credentials   map[string]any `json:"credentials"`
	Settings      map[string]any `json:"settings"`
	Links         map[string]any `json:"_links"`
	// FakeOkta carries what Okta shows only in its admin UI or metadata:
	// the app's SAML URLs, key id and certificate.
	FakeOkta map[string]any `json:"_idpsim"`
}

// features are Okta's app features for the Provisioning tab's settings.
func features(p directory.Provisioning) []string {
	out := []string{}
	if !p.Enabled {
		return out
	}
	out = append(out, "GROUP_PUSH")
	if p.CreateUsers {
		out = append(out, "PUSH_NEW_USERS")
	}
	if p.UpdateUsers {
		out = append(out, "PUSH_PROFILE_UPDATES")
	}
	if p.DeactivateUsers {
		out = append(out, "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS")
	}
	if p.SyncPassword {
		out = append(out, "PUSH_PASSWORD_UPDATES")
	}
	return out
}

func (a *api) appView(ctx context.Context, app directory.App) (appJSON, error) {
	p, err := a.dir.ProvisioningFor(ctx, app.ID)
	if err != nil {
		return appJSON{}, err
	}
	self := a.base + "/api/v1/apps/" + app.ID
	signOn := map[string]any{
		"defaultRelayState":     app.SignOn.DefaultRelayState,
		"ssoAcsUrl":             app.ACSURL(),
		"recipient":             app.ACSURL(),
		"destination":           app.ACSURL(),
		"audience":              app.Audience(),
		"idpIssuer":             samlidp.EntityID(app.KeyID),
		"subjectNameIdTemplate": "${user.userName}",
		"subjectNameIdFormat":   app.NameIDFormat().URI(),
		"responseSigned":        app.SignOn.ResponseSigned,
		"assertionSigned":       app.SignOn.AssertionSigned,
		"signatureAlgorithm":    app.SignOn.SignatureAlgorithm,
		"digestAlgorithm":       strings.Replace(app.SignOn.SignatureAlgorithm, "RSA_", "", 1),
		"honorForceAuthn":       true,
		"authnContextClassRef":  "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport",
	}
	stmts := []map[string]any{}
	for _, s := range app.AttributeStatements() {
		stmts = append(stmts, map[string]any{"type": "EXPRESSION", "name": s.Name,
			"namespace": directory.AttrNameFormatURIOf(s.NameFormat), "values": []string{s.Value}})
	}
	signOn["attributeStatements"] = stmts
	settings := map[string]any{"app": map[string]any{}, "signOn": signOn}
	if app.Kind == directory.KindCatalog {
		settings["app"] = map[string]any{"spBaseUrl": app.Settings.SPBaseURL, "integrationId": app.Settings.IntegrationID}
	}
	embed := samlidp.EmbedLinkURL(a.base, app.Name, app.ID, app.LinkID)
	return appJSON{
		ID: app.ID, Name: app.Name, Label: app.Label, Status: app.Status,
		LastUpdated: ts(app.LastUpdated), Created: ts(app.Created),
		Accessibility: map[string]any{"selfService": false, "errorRedirectUrl": nil, "loginRedirectUrl": nil},
		Visibility:    map[string]any{"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false}, "appLinks": map[string]bool{app.Name + "_link": true}},
		Features:      features(p),
		SignOnMode:    "SAML_2_0",
		Credentials: map[string]any{
			"userNameTemplate": map[string]string{"template": p.UsernameFormat.Template(), "type": "BUILT_IN"},
			"signing":          map[string]string{"kid": app.KeyID},
		},
		Settings: settings,
		Links: map[string]any{
			"self":     link{Href: self},
			"appLinks": []link{{Name: app.Name + "_link", Href: embed, Type: "text/html"}},
			"metadata": link{Href: samlidp.APIMetadataURL(a.base, app.ID), Type: "application/xml"},
			"users":    link{Href: self + "/users"},
			"groups":   link{Href: self + "/groups"},
		},
		FakeOkta: map[string]any{
			"kind": string(app.Kind), "keyId": app.KeyID, "entityId": samlidp.EntityID(app.KeyID),
			"ssoUrl": samlidp.SSOURL(a.base, app.Name, app.KeyID), "metadataUrl": samlidp.MetadataURL(a.base, app.KeyID),
			"embedLinkUrl": embed, "certificatePem": app.CertificatePEM,
		},
	}, nil
}

func (a *api) lookupApp(w http.ResponseWriter, r *http.Request) (directory.App, bool) {
	id := r.PathValue("appId")
	app, err := a.dir.AppByID(r.Context(), id)
	if err != nil {
		a.fail(w, err, "App", id)
		return app, false
	}
	return app, true
}

func (a *api) writeApp(w http.ResponseWriter, r *http.Request, status int, app directory.App) {
	v, err := a.appView(r.Context(), app)
	if err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	writeJSON(w, status, v)
}

func (a *api) getApp(w http.ResponseWriter, r *http.Request) {
	if app, ok := a.lookupApp(w, r); ok {
		a.writeApp(w, r, http.StatusOK, app)
	}
}

var appFilterAttrs = map[string]bool{"name": true, "status": true, "user.id": true, "group.id": true}

func (a *api) listApps(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var f filter
	if expr := q.Get("filter"); expr != "" {
		var err error
		if f, err = parseFilter(expr, func(s string) bool { return appFilterAttrs[s] }); err != nil {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", "filter: "+err.Error())
			return
		}
	}
	apps, err := a.dir.ListApps(r.Context())
	if err != nil {
		a.fail(w, err, "App", "")
		return
	}
	term := strings.ToLower(strings.TrimSpace(q.Get("q")))
	var out []directory.App
	for _, app := range apps {
		if term != "" && !strings.HasPrefix(strings.ToLower(app.Label), term) && !strings.HasPrefix(strings.ToLower(app.Name), term) {
			continue
		}
		if f != nil {
			matched := false
			for _, and := range f {
				ok := true
				for _, c := range and {
					var v string
					switch c.attr {
					case "name":
						v = app.Name
					case "status":
						v = app.Status
					case "user.id":
						if _, err := a.dir.AppUser(r.Context(), app.ID, c.value); err == nil {
							v = c.value
						}
					case "group.id":
						if _, err := a.dir.AppGroup(r.Context(), app.ID, c.value); err == nil {
							v = c.value
						}
					}
					ok = ok && c.match(v)
				}
				matched = matched || ok
			}
			if !matched {
				continue
			}
		}
		out = append(out, app)
	}
	shown, ok := page(w, r, a.base, out, func(app directory.App) string { return app.ID }, 200)
	if !ok {
		return
	}
	views := make([]appJSON, 0, len(shown))
	for _, app := range shown {
		v, err := a.appView(r.Context(), app)
		if err != nil {
			a.fail(w, err, "App", app.ID)
			return
		}
		views = append(views, v)
	}
	writeJSON(w, http.StatusOK, views)
}

// appBody is the body of POST /api/v1/apps: the reference SP's catalog app
// (name "refsp", settings.app.spBaseUrl and integrationId) or a custom SAML
// 2.0 app (no name, settings.signOn).
type appBody struct {
	Name       string `json:"name"`
	Label      string `json:"label"`
	SignOnMode string `json:"signOnMode"`
	Settings   struct {
		App struct {
			SPBaseURL     string `json:"spBaseUrl"`
			BaseURL       string `json:"baseUrl"`
			IntegrationID string `json:"integrationId"`
		} `json:"app"`
		SignOn struct {
			SSOAcsURL           string `json:"ssoAcsUrl"`
			Audience            string `json:"audience"`
			SubjectNameIDFormat string `json:"subjectNameIdFormat"`
			ResponseSigned      *bool  `json:"responseSigned"`
			AssertionSigned     *bool  `json:"assertionSigned"`
			SignatureAlgorithm  string `json:"signatureAlgorithm"`
			DefaultRelayState   string `json:"defaultRelayState"`
			AttributeStatements []struct {
				Type      string   `json:"type"`
				Name      string   `json:"name"`
				Namespace string   `json:"namespace"`
				Values    []string `json:"values"`
			} `json:"attributeStatements"`
		} `json:"signOn"`
	} `json:"settings"`
}

func (a *api) createApp(w http.ResponseWriter, r *http.Request) {
	var body appBody
	if !readJSON(w, r, &body) {
		return
	}
	if body.SignOnMode != "" && body.SignOnMode != "SAML_2_0" {
		validation(w, "signOnMode", fmt.Sprintf("signOnMode: %q is not supported: this fake has SAML_2_0 apps only", body.SignOnMode))
		return
	}
	so := body.Settings.SignOn
	signOn := directory.DefaultSignOn()
	if so.ResponseSigned != nil {
		signOn.ResponseSigned = *so.ResponseSigned
	}
	if so.AssertionSigned != nil {
		signOn.AssertionSigned = *so.AssertionSigned
	}
	if so.SignatureAlgorithm != "" {
		signOn.SignatureAlgorithm = so.SignatureAlgorithm
	}
	signOn.DefaultRelayState = so.DefaultRelayState
	var (
		kind     directory.AppKind
		settings directory.Settings
		label    = strings.TrimSpace(body.Label)
	)
	switch body.Name {
	case directory.CatalogAppName:
		kind = directory.KindCatalog
		base := body.Settings.App.SPBaseURL
		if base == "" {
			base = body.Settings.App.BaseURL
		}
		settings = directory.Settings{SPBaseURL: base, IntegrationID: body.Settings.App.IntegrationID}
		if label == "" {
			label = "Reference SP"
		}
	case "":
		if body.SignOnMode == "" {
			validation(w, "signOnMode", "signOnMode: The field cannot be left blank")
			return
		}
		kind = directory.KindSAML
		settings = directory.Settings{ACSURL: so.SSOAcsURL, Audience: so.Audience, NameIDFormat: directory.NameIDFormat(so.SubjectNameIDFormat)}
		for i, st := range so.AttributeStatements {
			if st.Type != "" && st.Type != "EXPRESSION" {
				validation(w, "attributeStatements", fmt.Sprintf("attributeStatements[%d].type: only EXPRESSION statements are supported", i))
				return
			}
			if len(st.Values) != 1 {
				validation(w, "attributeStatements", fmt.Sprintf("attributeStatements[%d].values: give exactly one value expression", i))
				return
			}
			settings.Attributes = append(settings.Attributes, directory.AttributeStatement{Name: st.Name, NameFormat: st.Namespace, Value: st.Values[0]})
		}
	default:
		validation(w, "name", fmt.Sprintf("name: unknown app %q: this fake offers the catalog app %q and custom SAML 2.0 apps (no name)", body.Name, directory.CatalogAppName))
		return
	}
	if label == "" {
		validation(w, "label", "label: The field cannot be left blank")
		return
	}
	var err error
	if settings, err = directory.NormalizeSettings(kind, settings); err != nil {
		a.fail(w, err, "App", "")
		return
	}
	if signOn, err = directory.NormalizeSignOn(signOn); err != nil {
		a.fail(w, err, "App", "")
		return
	}
	app, err := a.apps.CreateApp(r.Context(), kind, label, settings, signOn)
	if err != nil {
		a.fail(w, err, "App", "")
		return
	}
	a.log.Info("api: app created", "app", app.ID, "kind", app.Kind, "label", app.Label)
	a.writeApp(w, r, http.StatusOK, app)
}

// appUserJSON is Okta's app user object.
type appUserJSON struct {
	ID            string          `json:"id"`
	ExternalID    *string         `json:"externalId"`
	Created       *oktaTime       `json:"created"`
	LastUpdated   *oktaTime       `json:"lastUpdated"`
	Scope         string          `json:"scope"`
	Status        string          `json:"status"`
	StatusChanged *oktaTime       `json:"statusChanged"`
	SyncState     string          `json:"syncState"`
	LastSync      *oktaTime       `json:"lastSync"`
	Credentials   map[string]any  `json:"credentials"`
	Profile       map[string]any  `json:"profile"`
	Links         map[string]link `json:"_links"`
}

func (a *api) appUserView(ctx context.Context, app directory.App, au directory.AppUser) (appUserJSON, error) {
	p, err := a.dir.ProvisioningFor(ctx, app.ID)
	if err != nil {
		return appUserJSON{}, err
	}
	u := au.User
	userName := p.UsernameFormat.Apply(u.Login, u.Email)
	v := appUserJSON{
		ID: u.ID, Created: ts(au.Created), LastUpdated: ts(au.Created), Scope: au.Scope, Status: "ACTIVE",
		StatusChanged: ts(au.Created), SyncState: "DISABLED",
		Credentials: map[string]any{"userName": userName},
		Profile: map[string]any{"userName": userName, "givenName": u.FirstName, "familyName": u.LastName, "email": u.Email,
			"displayName": u.FirstName + " " + u.LastName},
		Links: map[string]link{"app": {Href: a.base + "/api/v1/apps/" + app.ID}, "user": {Href: a.base + "/api/v1/users/" + u.ID}},
	}
	if !p.Enabled {
		return v, nil
	}
	link, err := a.dir.LinkFor(ctx, app.ID, u.ID)
	switch {
	case err == nil:
		id := link.ExternalID
		v.ExternalID, v.LastSync, v.SyncState = &id, ts(link.LastSync), "SYNCHRONIZED"
		v.LastUpdated = ts(link.LastSync)
		v.Status = "PROVISIONED"
		if !link.Active {
			v.Status = "INACTIVE"
		}
	case errors.Is(err, directory.ErrNotFound):
		v.Status, v.SyncState = "STAGED", "OUT_OF_SYNC"
	default:
		return appUserJSON{}, err
	}
	tasks, err := a.dir.ListTasks(ctx, directory.TaskFilter{AppID: app.ID, UserID: u.ID, Limit: 1})
	if err != nil {
		return appUserJSON{}, err
	}
	if len(tasks) == 1 && tasks[0].Status == directory.TaskFailed {
		v.SyncState = "ERROR"
	}
	return v, nil
}

func (a *api) listAppUsers(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	aus, err := a.dir.ListAppUsers(r.Context(), app.ID)
	if err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	shown, ok := page(w, r, a.base, aus, func(au directory.AppUser) string { return au.User.ID }, 500)
	if !ok {
		return
	}
	out := make([]appUserJSON, 0, len(shown))
	for _, au := range shown {
		v, err := a.appUserView(r.Context(), app, au)
		if err != nil {
			a.fail(w, err, "App", app.ID)
			return
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) writeAppUser(w http.ResponseWriter, r *http.Request, app directory.App, userID string) {
	au, err := a.dir.AppUser(r.Context(), app.ID, userID)
	if err != nil {
		a.fail(w, err, "AppUser", userID)
		return
	}
	v, err := a.appUserView(r.Context(), app, au)
	if err != nil {
		a.fail(w, err, "AppUser", userID)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (a *api) getAppUser(w http.ResponseWriter, r *http.Request) {
	if app, ok := a.lookupApp(w, r); ok {
		a.writeAppUser(w, r, app, r.PathValue("userId"))
	}
}

// assignUser is POST /api/v1/apps/{appId}/users {"id": "00u…"}.
func (a *api) assignUser(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	var body struct {
		ID    string `json:"id"`
		Scope string `json:"scope"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.ID == "" {
		validation(w, "id", "id: The field cannot be left blank")
		return
	}
	if body.Scope != "" && body.Scope != directory.ScopeUser {
		validation(w, "scope", "scope: only USER can be assigned here; assign groups with PUT /api/v1/apps/{appId}/groups/{groupId}")
		return
	}
	u, ok := a.lookupUser(w, r, body.ID)
	if !ok {
		return
	}
	if _, err := a.eng.AssignUser(r.Context(), app.ID, u.ID); err != nil {
		a.fail(w, err, "User", u.ID)
		return
	}
	a.writeAppUser(w, r, app, u.ID)
}

func (a *api) unassignUser(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	uid := r.PathValue("userId")
	au, err := a.dir.AppUser(r.Context(), app.ID, uid)
	if err != nil {
		a.fail(w, err, "AppUser", uid)
		return
	}
	if au.Scope == directory.ScopeGroup {
		validation(w, "scope", "The user is assigned to the app through a group: remove the group assignment or the user's group membership")
		return
	}
	if _, err := a.eng.UnassignUser(r.Context(), app.ID, uid); err != nil {
		a.fail(w, err, "AppUser", uid)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) appGroupView(ag directory.AppGroup) map[string]any {
	return map[string]any{
		"id": ag.Group.ID, "lastUpdated": ts(ag.LastUpdated), "priority": ag.Priority, "profile": map[string]any{},
		"_links": map[string]link{"app": {Href: a.base + "/api/v1/apps/" + ag.AppID}, "group": {Href: a.base + "/api/v1/groups/" + ag.Group.ID}},
	}
}

func (a *api) listAppGroups(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	ags, err := a.dir.ListAppGroups(r.Context(), app.ID)
	if err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	out := []map[string]any{}
	for _, ag := range ags {
		out = append(out, a.appGroupView(ag))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) getAppGroup(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	gid := r.PathValue("groupId")
	ag, err := a.dir.AppGroup(r.Context(), app.ID, gid)
	if err != nil {
		a.fail(w, err, "ApplicationGroupAssignment", gid)
		return
	}
	writeJSON(w, http.StatusOK, a.appGroupView(ag))
}

// assignGroup is PUT /api/v1/apps/{appId}/groups/{groupId}, with an
// optional body {"priority": n}.
func (a *api) assignGroup(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	g, ok := a.lookupGroup(w, r, r.PathValue("groupId"))
	if !ok {
		return
	}
	var body struct {
		Priority int `json:"priority"`
	}
	if !readOptionalJSON(w, r, &body) {
		return
	}
	if _, err := a.eng.AssignGroup(r.Context(), app.ID, g.ID, body.Priority); err != nil {
		a.fail(w, err, "UserGroup", g.ID)
		return
	}
	ag, err := a.dir.AppGroup(r.Context(), app.ID, g.ID)
	if err != nil {
		a.fail(w, err, "UserGroup", g.ID)
		return
	}
	writeJSON(w, http.StatusOK, a.appGroupView(ag))
}

func (a *api) unassignGroup(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	gid := r.PathValue("groupId")
	if _, err := a.dir.AppGroup(r.Context(), app.ID, gid); err != nil {
		a.fail(w, err, "ApplicationGroupAssignment", gid)
		return
	}
	if _, err := a.eng.UnassignGroup(r.Context(), app.ID, gid); err != nil {
		a.fail(w, err, "UserGroup", gid)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) mappingView(m directory.PushMapping) map[string]any {
	self := a.base + "/api/v1/apps/" + m.AppID + "/group-push/mappings/" + m.ID
	v := map[string]any{
		"id": m.ID, "status": string(m.Status), "sourceGroupId": m.GroupID, "targetGroupId": nil,
		"created": ts(m.Created), "lastUpdated": ts(m.LastUpdated), "lastPush": ts(m.LastPush),
		"_links": map[string]link{"self": {Href: self}, "app": {Href: a.base + "/api/v1/apps/" + m.AppID},
			"sourceGroup": {Href: a.base + "/api/v1/groups/" + m.GroupID}},
	}
	if m.TargetID != "" {
		v["targetGroupId"] = m.TargetID
	}
	if m.ErrorSummary != "" {
		v["errorSummary"] = m.ErrorSummary
	}
	return v
}

func (a *api) lookupMapping(w http.ResponseWriter, r *http.Request, app directory.App) (directory.PushMapping, bool) {
	id := r.PathValue("mappingId")
	m, err := a.dir.PushMappingByID(r.Context(), id)
	if err == nil && m.AppID != app.ID {
		err = directory.ErrNotFound
	}
	if err != nil {
		a.fail(w, err, "GroupPushMapping", id)
		return m, false
	}
	return m, true
}

func (a *api) listMappings(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	ms, err := a.dir.ListPushMappings(r.Context(), app.ID)
	if err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	q := r.URL.Query()
	out := []map[string]any{}
	for _, m := range ms {
		if s := q.Get("status"); s != "" && !strings.EqualFold(s, string(m.Status)) {
			continue
		}
		if g := q.Get("sourceGroupId"); g != "" && g != m.GroupID {
			continue
		}
		out = append(out, a.mappingView(m))
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *api) getMapping(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	if m, ok := a.lookupMapping(w, r, app); ok {
		writeJSON(w, http.StatusOK, a.mappingView(m))
	}
}

// createMapping is POST /api/v1/apps/{appId}/group-push/mappings
// {"sourceGroupId": "00g…", "status": "ACTIVE"}.
func (a *api) createMapping(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	var body struct {
		SourceGroupID   string  `json:"sourceGroupId"`
		Status          string  `json:"status"`
		TargetGroupID   *string `json:"targetGroupId"`
		TargetGroupName *string `json:"targetGroupName"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if body.SourceGroupID == "" {
		validation(w, "sourceGroupId", "sourceGroupId: The field cannot be left blank")
		return
	}
	if body.TargetGroupID != nil || body.TargetGroupName != nil {
		validation(w, "targetGroupId", "targetGroupId, targetGroupName: not supported: the group is found in the app by its name, or created")
		return
	}
	status := directory.PushStatus(strings.ToUpper(body.Status))
	if status == "" {
		status = directory.PushActive
	}
	if status != directory.PushActive && status != directory.PushInactive {
		validation(w, "status", "status: must be ACTIVE or INACTIVE")
		return
	}
	if _, ok := a.lookupGroup(w, r, body.SourceGroupID); !ok {
		return
	}
	m, _, err := a.eng.PushGroup(r.Context(), app.ID, body.SourceGroupID, status)
	if err != nil {
		a.fail(w, err, "GroupPushMapping", "")
		return
	}
	if m, err = a.dir.PushMappingByID(r.Context(), m.ID); err != nil {
		a.fail(w, err, "GroupPushMapping", m.ID)
		return
	}
	writeJSON(w, http.StatusCreated, a.mappingView(m))
}

// updateMapping is PATCH …/mappings/{mappingId} {"status": "ACTIVE"|"INACTIVE"}.
func (a *api) updateMapping(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	m, ok := a.lookupMapping(w, r, app)
	if !ok {
		return
	}
	var body struct {
		Status string `json:"status"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	status := directory.PushStatus(strings.ToUpper(body.Status))
	if status != directory.PushActive && status != directory.PushInactive {
		validation(w, "status", "status: must be ACTIVE or INACTIVE")
		return
	}
	if _, _, err := a.eng.SetPushStatus(r.Context(), m.ID, status); err != nil {
		a.fail(w, err, "GroupPushMapping", m.ID)
		return
	}
	if m, err := a.dir.PushMappingByID(r.Context(), m.ID); err == nil {
		writeJSON(w, http.StatusOK, a.mappingView(m))
	} else {
		a.fail(w, err, "GroupPushMapping", m.ID)
	}
}

// deleteMapping is DELETE …/mappings/{mappingId}?deleteTargetGroup=true|false.
// As in Okta, only an INACTIVE mapping can be deleted.
func (a *api) deleteMapping(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	m, ok := a.lookupMapping(w, r, app)
	if !ok {
		return
	}
	del, ok := boolParam(w, r, "deleteTargetGroup", false)
	if !ok {
		return
	}
	if m.Status != directory.PushInactive {
		validation(w, "status", "status: the group push mapping must be INACTIVE before it can be deleted (PATCH it with {\"status\": \"INACTIVE\"})")
		return
	}
	if _, err := a.eng.UnlinkPushedGroup(r.Context(), m.ID, del); err != nil {
		a.fail(w, err, "GroupPushMapping", m.ID)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// pushNow is the fake-only POST …/mappings/{mappingId}/_push: the Push
// Groups tab's "Push now", a full push of the membership.
func (a *api) pushNow(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	m, ok := a.lookupMapping(w, r, app)
	if !ok {
		return
	}
	if _, err := a.eng.PushGroupNow(r.Context(), m.ID); err != nil {
		a.fail(w, err, "GroupPushMapping", m.ID)
		return
	}
	if m, err := a.dir.PushMappingByID(r.Context(), m.ID); err == nil {
		writeJSON(w, http.StatusOK, a.mappingView(m))
	} else {
		a.fail(w, err, "GroupPushMapping", m.ID)
	}
}

// ProvisioningJSON is the fake-only view of an app's Provisioning tab. The
// token is never shown: only whether one is set and its last characters.
type ProvisioningJSON struct {
	Enabled          bool      `json:"enabled"`
	BaseURL          string    `json:"baseUrl"`
	Token            tokenHint `json:"token"`
	UsernameFormat   string    `json:"usernameFormat"`
	UserNameTemplate string    `json:"userNameTemplate"`
	CreateUsers      bool      `json:"createUsers"`
	UpdateUsers      bool      `json:"updateUsers"`
	DeactivateUsers  bool      `json:"deactivateUsers"`
	SyncPassword     bool      `json:"syncPassword"`
	PushGroups       bool      `json:"pushGroups"`
	Mode             string    `json:"mode"`
	LastUpdated      *oktaTime `json:"lastUpdated"`
}

type tokenHint struct {
	Configured bool   `json:"configured"`
	Hint       string `json:"hint,omitempty"`
}

// TokenHint is how a stored token is shown: its last four characters.
func TokenHint(token string) string {
	if token == "" {
		return ""
	}
	if len(token) < 12 {
		return "••••"
	}
	return "••••" + token[len(token)-4:]
}

func provisioningView(p directory.Provisioning) ProvisioningJSON {
	return ProvisioningJSON{
		Enabled: p.Enabled, BaseURL: p.BaseURL, Token: tokenHint{Configured: p.Token != "", Hint: TokenHint(p.Token)},
		UsernameFormat: string(p.UsernameFormat), UserNameTemplate: p.UsernameFormat.Template(),
		CreateUsers: p.CreateUsers, UpdateUsers: p.UpdateUsers, DeactivateUsers: p.DeactivateUsers,
		SyncPassword: p.SyncPassword, PushGroups: p.Enabled, Mode: string(p.Mode), LastUpdated: ts(p.LastUpdated),
	}
}

func (a *api) getProvisioning(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	p, err := a.dir.ProvisioningFor(r.Context(), app.ID)
	if err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	writeJSON(w, http.StatusOK, provisioningView(p))
}

// putProvisioning is the fake-only PUT /api/v1/apps/{appId}/_provisioning.
// Fields left out keep their value; ?skipConnectorTest=true saves a new
// connection without Okta's connector test.
func (a *api) putProvisioning(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	skip, ok := boolParam(w, r, "skipConnectorTest", false)
	if !ok {
		return
	}
	var body struct {
		Enabled         *bool   `json:"enabled"`
		BaseURL         *string `json:"baseUrl"`
		Token           *string `json:"token"`
		UsernameFormat  *string `json:"usernameFormat"`
		CreateUsers     *bool   `json:"createUsers"`
		UpdateUsers     *bool   `json:"updateUsers"`
		DeactivateUsers *bool   `json:"deactivateUsers"`
		SyncPassword    *bool   `json:"syncPassword"`
		Mode            *string `json:"mode"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	p, err := a.eng.ConfigureProvisioning(r.Context(), app.ID, provision.SettingsInput{
		Enabled: body.Enabled, BaseURL: body.BaseURL, Token: body.Token, UsernameFormat: body.UsernameFormat,
		CreateUsers: body.CreateUsers, UpdateUsers: body.UpdateUsers, DeactivateUsers: body.DeactivateUsers,
		SyncPassword: body.SyncPassword, Mode: body.Mode, SkipConnectorTest: skip,
	})
	if err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	writeJSON(w, http.StatusOK, provisioningView(p))
}

// testConnector is the fake-only POST …/_provisioning/test: Okta's "Test
// Connector Configuration".
func (a *api) testConnector(w http.ResponseWriter, r *http.Request) {
	app, ok := a.lookupApp(w, r)
	if !ok {
		return
	}
	if err := a.eng.TestConnector(r.Context(), app.ID); err != nil {
		a.fail(w, err, "App", app.ID)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"result": "Connector configured successfully"})
}
