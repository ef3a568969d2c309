package scimapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"
)

// route is what the layer around elimity knows about a path.
type route struct {
	allow []string // methods; empty means elimity decides (its 404s and 501s)
	// list: a 200 answer is a ListResponse whose itemsPerPage this layer fixes.
	list     bool
	resource bool // a single resource: GET honours If-None-Match
	own      func(s *Server, w http.ResponseWriter)
}

var (
	collection = []string{http.MethodGet, http.MethodPost}
	single     = []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete}
	getOnly    = []string{http.MethodGet}
	postOnly   = []string{http.MethodPost}
)

// classify maps a path below Prefix to its route.
func classify(method, path string) route {
	switch path {
	case "/ServiceProviderConfig":
		return route{allow: getOnly, own: (*Server).serviceProviderConfig}
	case "/Schemas", "/ResourceTypes":
		return route{allow: getOnly, list: true}
	case "/Users", "/Groups":
		return route{allow: collection, list: method == http.MethodGet}
	case "/Users/.search", "/Groups/.search":
		return route{allow: postOnly, list: true}
	case "/Bulk":
		return route{own: func(_ *Server, w http.ResponseWriter) {
			writeError(w, scimErr(http.StatusNotImplemented, "", "Bulk operations are not supported (see /ServiceProviderConfig)."))
		}}
	case "/Me":
		return route{own: func(_ *Server, w http.ResponseWriter) {
			writeError(w, scimErr(http.StatusNotImplemented, "", "/Me is not supported: a Bearer token acts for an organization, not a user."))
		}}
	case "", "/":
		return route{own: func(_ *Server, w http.ResponseWriter) {
			writeError(w, scimErr(http.StatusNotFound, "", "Queries across all resource types are not supported; use /Users or /Groups."))
		}}
	}
	for _, prefix := range []string{"/Schemas/", "/ResourceTypes/"} {
		if strings.HasPrefix(path, prefix) {
			return route{allow: getOnly}
		}
	}
	for _, prefix := range []string{"/Users/", "/Groups/"} {
		if strings.HasPrefix(path, prefix) {
			return route{allow: single, resource: true}
		}
	}
	return route{}
}

// ServeHTTP serves the paths under Prefix. In order: recover from any panic
// with a SCIM 500; authenticate; refuse methods an endpoint does not have; read
// and check the body; let elimity answer into a buffer; then make sure that
// what goes out is SCIM JSON without internal details.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving scim request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			// Headers set for the answer that never came (Location, ETag)
			// must not go out with the error.
			clear(w.Header())
			writeError(w, scimErr(http.StatusInternalServerError, "", internalDetail))
		}
	}()
	path := strings.TrimPrefix(r.URL.Path, Prefix)

	p, err := s.authenticate(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="SCIM"`)
		if r.Header.Get("Authorization") != "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="SCIM", error="invalid_token"`)
		}
		writeError(w, s.authError(r, err))
		return
	}

	rt := classify(r.Method, path)
	if len(rt.allow) > 0 && !contains(rt.allow, r.Method) {
		w.Header().Set("Allow", strings.Join(rt.allow, ", "))
		writeError(w, scimErr(http.StatusMethodNotAllowed, "", "%s is not allowed on %s.", r.Method, path))
		return
	}
	if rt.own != nil {
		rt.own(s, w)
		return
	}

	ctx := context.WithValue(r.Context(), principalKey{}, p)
	var info *listInfo
	if rt.list {
		info = &listInfo{}
		ctx = context.WithValue(ctx, listInfoKey{}, info)
	}
	req := r.Clone(ctx)
	req.URL.Path = path
	req.URL.RawPath = ""
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		body, e := readBody(r)
		if e != nil {
			writeError(w, *e)
			return
		}
		if r.Method == http.MethodPatch {
			body = normalizeEntra(body)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
	default:
		req.Body = http.NoBody
	}

	buf := &bufferedWriter{header: w.Header()}
	s.scim.ServeHTTP(buf, req)
	s.finish(w, r, rt, info, buf)
}

// listInfo carries the size of a page from a list handler to finish, which
// puts it into itemsPerPage.
type listInfo struct {
	items int
	set   bool
}

type listInfoKey struct{}

// noteItems records the number of resources a list handler returns.
func noteItems(r *http.Request, n int) {
	if info, ok := r.Context().Value(listInfoKey{}).(*listInfo); ok {
		info.items, info.set = n, true
	}
}

// readBody reads a request body of at most MaxBodyBytes that is one JSON value.
// elimity would read a truncated body as malformed JSON (400, not 413) and
// would accept trailing garbage after the first value.
func readBody(r *http.Request) ([]byte, *scimerrors.ScimError) {
	tooLarge := scimErr(http.StatusRequestEntityTooLarge, "", "The request body is larger than %d bytes.", MaxBodyBytes)
	if r.ContentLength > MaxBodyBytes {
		return nil, &tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		e := scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidSyntax, "The request body could not be read.")
		return nil, &e
	}
	if len(body) > MaxBodyBytes {
		return nil, &tooLarge
	}
	if !json.Valid(body) {
		e := scimErr(http.StatusBadRequest, scimerrors.ScimTypeInvalidSyntax, "The request body is not valid JSON.")
		return nil, &e
	}
	return body, nil
}

// finish sends what elimity wrote, corrected where needed.
func (s *Server) finish(w http.ResponseWriter, r *http.Request, rt route, info *listInfo, buf *bufferedWriter) {
	status := buf.status
	if status == 0 {
		status = http.StatusOK
	}
	body := buf.body.Bytes()
	switch {
	case status >= 500:
		// Handlers never return raw errors (see fail), but elimity has 500s of
		// its own; their text is for the log, not the client.
		if status != http.StatusNotImplemented {
			if !isGenericInternal(body) {
				s.log.ErrorContext(r.Context(), "scim library answered 500", "method", r.Method, "path", r.URL.Path, "body", string(body))
			}
			writeError(w, scimErr(http.StatusInternalServerError, "", internalDetail))
			return
		}
		fallthrough
	case status >= 400:
		if !isSCIMError(body, status) {
			writeError(w, scimErr(status, "", "%s.", http.StatusText(status)))
			return
		}
	case status == http.StatusOK && rt.list:
		fixed, err := fixListResponse(body, info)
		if err != nil {
			s.log.ErrorContext(r.Context(), "scim list response unreadable", "path", r.URL.Path, "err", err)
			writeError(w, scimErr(http.StatusInternalServerError, "", internalDetail))
			return
		}
		body = fixed
	case status == http.StatusOK && rt.resource && r.Method == http.MethodGet:
		if etag := w.Header().Get("Etag"); etag != "" && etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.Header().Del("Content-Type")
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if len(body) > 0 {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	} else {
		w.Header().Del("Content-Type")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func isGenericInternal(body []byte) bool {
	return bytes.Contains(body, []byte(internalDetail))
}

// isSCIMError reports whether body is a SCIM error message for status, with
// a detail for the admin reading Okta's task log.
func isSCIMError(body []byte, status int) bool {
	var e struct {
		Schemas []string `json:"schemas"`
		Status  string   `json:"status"`
		Detail  string   `json:"detail"`
	}
	return json.Unmarshal(body, &e) == nil && contains(e.Schemas, errorSchema) && e.Status == strconv.Itoa(status) && e.Detail != ""
}

const errorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// fixListResponse corrects elimity's ListResponse: itemsPerPage is the number
// of resources on the page (RFC 7644 §3.4.2), not the count asked for, and
// Resources is an array even when empty.
//
// When the handler noted the page size (and so made Resources an array), the
// number is patched in place: elimity writes the ListResponse as a JSON object
// with sorted keys, so the top-level "itemsPerPage" comes after the Resources
// array and is the last occurrence of that key. Decoding and re-encoding a page
// of 100 users would cost as much as building it.
func fixListResponse(body []byte, info *listInfo) ([]byte, error) {
	key := []byte(`"itemsPerPage":`)
	if i := bytes.LastIndex(body, key); info != nil && info.set && i >= 0 {
		j := i + len(key)
		k := j
		for k < len(body) && (body[k] == '-' || body[k] >= '0' && body[k] <= '9') {
			k++
		}
		out := make([]byte, 0, len(body)+8)
		out = append(out, body[:j]...)
		out = strconv.AppendInt(out, int64(info.items), 10)
		return append(out, body[k:]...), nil
	}
	return decodeListResponse(body)
}

func decodeListResponse(body []byte) ([]byte, error) {
	var in struct {
		Schemas      []string          `json:"schemas"`
		TotalResults int               `json:"totalResults"`
		StartIndex   int               `json:"startIndex"`
		Resources    []json.RawMessage `json:"Resources"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, err
	}
	if in.Resources == nil {
		in.Resources = []json.RawMessage{}
	}
	return json.Marshal(struct {
		Schemas      []string          `json:"schemas"`
		TotalResults int               `json:"totalResults"`
		ItemsPerPage int               `json:"itemsPerPage"`
		StartIndex   int               `json:"startIndex"`
		Resources    []json.RawMessage `json:"Resources"`
	}{in.Schemas, in.TotalResults, len(in.Resources), in.StartIndex, in.Resources})
}

// etagMatches is the weak comparison of RFC 9110 §13.1.2 (If-None-Match) and,
// as SCIM clients send weak tags in If-Match too (RFC 7644 §3.14), of If-Match.
func etagMatches(header, etag string) bool {
	if header = strings.TrimSpace(header); header == "" {
		return false
	}
	opaque := strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == opaque {
			return true
		}
	}
	return false
}

// serviceProviderConfig is answered here rather than by elimity, which hard-codes
// changePassword and etag as unsupported although this server supports both,
// and which accepts writes to the endpoint.
func (s *Server) serviceProviderConfig(w http.ResponseWriter) {
	body, _ := json.Marshal(map[string]any{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": "",
		"patch":            map[string]bool{"supported": true},
		"bulk":             map[string]any{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           map[string]any{"supported": true, "maxResults": s.maxResults},
		"changePassword":   map[string]bool{"supported": true},
		"sort":             map[string]bool{"supported": false},
		"etag":             map[string]bool{"supported": true},
		"authenticationSchemes": []map[string]any{{
			"type":        "oauthbearertoken",
			"name":        "OAuth Bearer Token",
			"description": "The Bearer token shown once when provisioning is turned on in the SSO settings (Authorization: Bearer ssoh_scim_…).",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
			"primary":     true,
		}},
		"meta": map[string]any{
			"resourceType": "ServiceProviderConfig",
			"location":     s.base + "/ServiceProviderConfig",
		},
	})
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// bufferedWriter holds elimity's answer until finish has checked it. Headers go
// straight to the real writer's map: nothing is sent before WriteHeader.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// normalizeEntra accepts what Microsoft Entra ID sends without its
// aadOptscim062020 flag and would otherwise be refused: "active" as the
// strings "True"/"False", in a pathed operation or in a path-less value
// object. Only those two strings on "active" change; every other value goes to
// validation as sent. Capitalised operation names ("Replace") need nothing
// here: elimity compares them case-insensitively. Entra's "Remove" of members
// with a value list is handled by the group PATCH itself.
func normalizeEntra(body []byte) []byte {
	if !bytes.Contains(bytes.ToLower(body), []byte(`"active"`)) {
		return body
	}
	var req map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&req) != nil {
		return body
	}
	changed := false
	for k, v := range req {
		if !strings.EqualFold(k, "Operations") {
			continue
		}
		ops, _ := v.([]any)
		for _, o := range ops {
			op, _ := o.(map[string]any)
			path, value := "", any(nil)
			for k, v := range op {
				switch strings.ToLower(k) {
				case "path":
					path, _ = v.(string)
				case "value":
					value = v
				}
			}
			switch {
			case strings.EqualFold(strings.TrimSpace(path), "active"):
				if b, ok := entraBool(value); ok {
					for k := range op {
						if strings.EqualFold(k, "value") {
							op[k] = b
						}
					}
					changed = true
				}
			case path == "":
				if m, ok := value.(map[string]any); ok {
					for k, v := range m {
						if b, ok := entraBool(v); ok && strings.EqualFold(k, "active") {
							m[k] = b
							changed = true
						}
					}
				}
			}
		}
	}
	if !changed {
		return body
	}
	out, err := json.Marshal(req)
	if err != nil {
		return body
	}
	return out
}

func entraBool(v any) (bool, bool) {
	s, ok := v.(string)
	switch {
	case !ok:
		return false, false
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
