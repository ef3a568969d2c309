// Package adminapi is the fake Okta's management API: a subset of Okta's
// /api/v1 (users, groups, apps, app assignments, group push mappings) with
// Okta's paths, JSON field names, SSWS token authentication and error
// objects, plus fake-only routes for what Okta has no public API for (an
// app's Provisioning tab). docs/okta-admin-api.md documents it.
//
// Writes go through the provisioning engine, so an assignment, a profile
// change or a lifecycle call over the API provisions exactly as Okta would.
package adminapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/provision"
)

// AppFactory makes apps; it owns their signing keys.
type AppFactory interface {
	CreateApp(ctx context.Context, kind directory.AppKind, label string, settings directory.Settings, signOn directory.SignOn) (directory.App, error)
}

// Config configures the API.
type Config struct {
	// Token is the API token clients send as "Authorization: SSWS {token}".
	// Required.
	Token string
	// Engine makes every change (and provisions). Required.
	Engine *provision.Engine
	// Apps makes apps. Required.
	Apps AppFactory
	// BaseURL is the org base URL, for _links and app URLs. Required.
	BaseURL string
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
}

type api struct {
	token []byte
	eng   *provision.Engine
	dir   *directory.Store
	apps  AppFactory
	base  string
	log   *slog.Logger
	mux   *http.ServeMux
}

// New returns the API handler. Mount it at /api/v1/.
func New(cfg Config) (http.Handler, error) {
	switch {
	case cfg.Token == "":
		return nil, errors.New("adminapi: Config.Token is required")
	case cfg.Engine == nil:
		return nil, errors.New("adminapi: Config.Engine is required")
	case cfg.Apps == nil:
		return nil, errors.New("adminapi: Config.Apps is required")
	case cfg.BaseURL == "":
		return nil, errors.New("adminapi: Config.BaseURL is required")
	}
	a := &api{token: []byte(cfg.Token), eng: cfg.Engine, dir: cfg.Engine.Directory(), apps: cfg.Apps,
		base: strings.TrimRight(cfg.BaseURL, "/"), log: cfg.Logger}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.routes()
	return a, nil
}

// NewToken returns a fresh API token shaped like Okta's: "00" and 40
// letters, digits, - and _.
func NewToken() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 40)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "00" + string(b)
}

func (a *api) routes() {
	m := http.NewServeMux()
	const p = "/api/v1"
	m.HandleFunc("GET "+p+"/users", a.listUsers)
	m.HandleFunc("POST "+p+"/users", a.createUser)
	m.HandleFunc("GET "+p+"/users/{id}", a.getUser)
	m.HandleFunc("POST "+p+"/users/{id}", a.updateUserPartial)
	m.HandleFunc("PUT "+p+"/users/{id}", a.replaceUser)
	m.HandleFunc("DELETE "+p+"/users/{id}", a.deleteUser)
	m.HandleFunc("POST "+p+"/users/{id}/lifecycle/{op}", a.lifecycle)
	m.HandleFunc("POST "+p+"/users/{id}/credentials/change_password", a.changePassword)
	m.HandleFunc("GET "+p+"/users/{id}/groups", a.userGroups)
	m.HandleFunc("GET "+p+"/users/{id}/roles", a.listRoles)
	m.HandleFunc("POST "+p+"/users/{id}/roles", a.assignRole)
	m.HandleFunc("DELETE "+p+"/users/{id}/roles/{roleId}", a.unassignRole)

	m.HandleFunc("GET "+p+"/groups", a.listGroups)
	m.HandleFunc("POST "+p+"/groups", a.createGroup)
	m.HandleFunc("GET "+p+"/groups/{id}", a.getGroup)
	m.HandleFunc("PUT "+p+"/groups/{id}", a.updateGroup)
	m.HandleFunc("DELETE "+p+"/groups/{id}", a.deleteGroup)
	m.HandleFunc("GET "+p+"/groups/{id}/users", a.groupUsers)
	m.HandleFunc("PUT "+p+"/groups/{id}/users/{userId}", a.addGroupMember)
	m.HandleFunc("DELETE "+p+"/groups/{id}/users/{userId}", a.removeGroupMember)
	m.HandleFunc("GET "+p+"/groups/{id}/apps", a.groupApps)

	m.HandleFunc("GET "+p+"/apps", a.listApps)
	m.HandleFunc("POST "+p+"/apps", a.createApp)
	m.HandleFunc("GET "+p+"/apps/{appId}", a.getApp)
	m.HandleFunc("GET "+p+"/apps/{appId}/users", a.listAppUsers)
	m.HandleFunc("POST "+p+"/apps/{appId}/users", a.assignUser)
	m.HandleFunc("GET "+p+"/apps/{appId}/users/{userId}", a.getAppUser)
	m.HandleFunc("DELETE "+p+"/apps/{appId}/users/{userId}", a.unassignUser)
	m.HandleFunc("GET "+p+"/apps/{appId}/groups", a.listAppGroups)
	m.HandleFunc("GET "+p+"/apps/{appId}/groups/{groupId}", a.getAppGroup)
	m.HandleFunc("PUT "+p+"/apps/{appId}/groups/{groupId}", a.assignGroup)
	m.HandleFunc("DELETE "+p+"/apps/{appId}/groups/{groupId}", a.unassignGroup)
	m.HandleFunc("GET "+p+"/apps/{appId}/group-push/mappings", a.listMappings)
	m.HandleFunc("POST "+p+"/apps/{appId}/group-push/mappings", a.createMapping)
	m.HandleFunc("GET "+p+"/apps/{appId}/group-push/mappings/{mappingId}", a.getMapping)
	m.HandleFunc("PATCH "+p+"/apps/{appId}/group-push/mappings/{mappingId}", a.updateMapping)
	m.HandleFunc("DELETE "+p+"/apps/{appId}/group-push/mappings/{mappingId}", a.deleteMapping)
	m.HandleFunc("POST "+p+"/apps/{appId}/group-push/mappings/{mappingId}/_push", a.pushNow)
	m.HandleFunc("GET "+p+"/apps/{appId}/_provisioning", a.getProvisioning)
	m.HandleFunc("PUT "+p+"/apps/{appId}/_provisioning", a.putProvisioning)
	m.HandleFunc("POST "+p+"/apps/{appId}/_provisioning/test", a.testConnector)
	a.mux = m
}

// ServeHTTP checks the SSWS token, then routes. Unknown paths and methods
// get Okta's error objects, never a plain-text body.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !a.authorized(r) {
		writeError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return
	}
	a.mux.ServeHTTP(&oktaFallback{ResponseWriter: w, path: r.URL.Path}, r)
}

func (a *api) authorized(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "SSWS") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), a.token) == 1
}

// oktaFallback turns the router's plain-text 404 and 405 into Okta's JSON
// errors.
type oktaFallback struct {
	http.ResponseWriter
	path    string
	swallow bool
}

func (f *oktaFallback) WriteHeader(code int) {
	if (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) &&
		strings.HasPrefix(f.Header().Get("Content-Type"), "text/plain") {
		f.swallow = true
		f.Header().Del("X-Content-Type-Options")
		if code == http.StatusNotFound {
			writeError(f.ResponseWriter, code, "E0000007", fmt.Sprintf("Not found: Resource not found: %s (Path)", f.path))
			return
		}
		writeError(f.ResponseWriter, code, "E0000022", "The endpoint does not support the provided HTTP method")
		return
	}
	f.ResponseWriter.WriteHeader(code)
}

func (f *oktaFallback) Write(b []byte) (int, error) {
	if f.swallow {
		return len(b), nil
	}
	return f.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (f *oktaFallback) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// oktaError is Okta's error object.
type oktaError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

func errorID() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 22)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "oae" + string(b)
}

func writeError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	e := oktaError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: errorID(), ErrorCauses: []errorCause{}}
	for _, c := range causes {
		e.ErrorCauses = append(e.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// notFound is Okta's E0000007 for a missing resource.
func notFound(w http.ResponseWriter, id, kind string) {
	writeError(w, http.StatusNotFound, "E0000007", fmt.Sprintf("Not found: Resource not found: %s (%s)", id, kind))
}

// validation is Okta's E0000001.
func validation(w http.ResponseWriter, field string, causes ...string) {
	summary := "Api validation failed: " + field
	writeError(w, http.StatusBadRequest, "E0000001", summary, causes...)
}

// fail maps an error from the directory or the engine to Okta's error
// object. kind and id name the resource for a 404.
func (a *api) fail(w http.ResponseWriter, err error, kind, id string) {
	var fe *directory.FieldError
	switch {
	case errors.Is(err, directory.ErrNotFound):
		notFound(w, id, kind)
	case errors.As(err, &fe):
		validation(w, fe.Field, fe.Field+": "+fe.Message)
	case errors.Is(err, directory.ErrConflict), errors.Is(err, directory.ErrInvalid):
		msg := cleanMessage(err)
		field, _, _ := strings.Cut(msg, ":")
		if strings.Contains(field, " ") {
			field = strings.ToLower(kind)
		}
		validation(w, field, msg)
	case errors.Is(err, provision.ErrConnector):
		validation(w, "provisioning", cleanMessage(err))
	case errors.Is(err, provision.ErrDisabled):
		validation(w, "provisioning", "Provisioning is not enabled for this app: enable it on the Provisioning tab first")
	default:
		a.log.Error("admin api failed", "err", err)
		writeError(w, http.StatusInternalServerError, "E0000009", "Internal Server Error")
	}
}

// cleanMessage drops the Go package prefixes from an error message.
func cleanMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{directory.ErrConflict.Error() + ": ", directory.ErrInvalid.Error() + ": ",
		directory.ErrNotFound.Error() + ": ", provision.ErrConnector.Error() + ": ", provision.ErrDisabled.Error() + ": "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}

const maxBody = 1 << 20

// readJSON decodes the request body into v; a malformed body is Okta's
// E0000003.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "E0000003", "The request body was not well-formed.", "The request body is larger than 1 MiB")
			return false
		}
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", "The request body is empty")
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
		return false
	}
	return true
}

// readOptionalJSON is readJSON for endpoints whose body may be empty.
func readOptionalJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.", err.Error())
		return false
	}
	return true
}

// boolParam reads a true/false query parameter.
func boolParam(w http.ResponseWriter, r *http.Request, name string, def bool) (bool, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		validation(w, name, fmt.Sprintf("%s: %q is not true or false", name, v))
		return false, false
	}
	return b, true
}

// oktaTime marshals as Okta's timestamps: UTC with milliseconds.
type oktaTime struct{ time.Time }

func (t oktaTime) MarshalJSON() ([]byte, error) {
	return json.Marshal(t.UTC().Format("2006-01-02T15:04:05.000Z"))
}

func ts(t time.Time) *oktaTime {
	if t.IsZero() {
		return nil
	}
	return &oktaTime{t}
}

func tsp(t *time.Time) *oktaTime {
	if t == nil {
		return nil
	}
	return ts(*t)
}

type link struct {
	Href   string `json:"href"`
	Method string `json:"method,omitempty"`
	Type   string `json:"type,omitempty"`
	Name   string `json:"name,omitempty"`
}

// page applies Okta's cursor pagination (limit and after) to ids in order,
// setting the Link headers, and returns the indexes to show.
func page[T any](w http.ResponseWriter, r *http.Request, base string, items []T, id func(T) string, defLimit int) ([]T, bool) {
	q := r.URL.Query()
	limit := defLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			validation(w, "limit", fmt.Sprintf("limit: %q is not a positive number", v))
			return nil, false
		}
		limit = min(n, defLimit)
	}
	start := 0
	if after := q.Get("after"); after != "" {
		start = len(items)
		for i, it := range items {
			if id(it) == after {
				start = i + 1
				break
			}
		}
	}
	end := min(start+limit, len(items))
	out := items[start:end]
	self := *r.URL
	links := []string{fmt.Sprintf(`<%s%s>; rel="self"`, base, self.RequestURI())}
	if end < len(items) && len(out) > 0 {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("limit", strconv.Itoa(limit))
		next.Set("after", id(out[len(out)-1]))
		links = append(links, fmt.Sprintf(`<%s%s?%s>; rel="next"`, base, r.URL.Path, next.Encode()))
	}
	for _, l := range links {
		w.Header().Add("Link", l)
	}
	return out, true
}
