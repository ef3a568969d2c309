// Package scimtest is a recording SCIM 2.0 server for tests: small,
// permissive and in memory, it records every request exactly as received
// (method, path, raw query, headers, body) so that tests can assert what the
// fake Okta's SCIM client sent. Fail and Delay let a test break it.
package scimtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Exchange is one request the recording SCIM server received.
type Exchange struct {
	Method string
	Path   string // under the SCIM base, such as /Users/u-1
	Query  string // the raw query, exactly as sent
	Header http.Header
	Body   string
}

// Line is "METHOD /path?query", for comparing sequences.
func (e Exchange) Line() string {
	if e.Query == "" {
		return e.Method + " " + e.Path
	}
	return e.Method + " " + e.Path + "?" + e.Query
}

// Server is a small, permissive in-memory SCIM server that records every
// request. SetFail lets a test answer requests itself.
type Server struct {
	t   testing.TB
	srv *httptest.Server
	// Token is the Bearer token the server accepts.
	Token string

	mu     sync.Mutex
	reqs   []Exchange
	users  map[string]map[string]any
	groups map[string]map[string]any
	order  []string
	nextID int
	fail   func(e Exchange) (status int, body string, handled bool)
	delay  time.Duration
}

// Base is the path of the SCIM base URL on the server.
const Base = "/scim/v2"

// New starts a server, closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{t: t, Token: "scim-secret-token-1234", users: map[string]map[string]any{}, groups: map[string]map[string]any{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the SCIM base URL to configure on the Provisioning tab.
func (s *Server) URL() string { return s.srv.URL + Base }

// Take returns the requests recorded since the last Take.
func (s *Server) Take() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.reqs
	s.reqs = nil
	return out
}

// SetFail makes f answer the requests it handles (nil: none).
func (s *Server) SetFail(f func(e Exchange) (status int, body string, handled bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// SetDelay makes every answer wait d.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// AddUser puts a user on the server, as if made there before, and
// returns its id.
func (s *Server) AddUser(u map[string]any) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := fmt.Sprintf("u-%d", s.nextID)
	u["id"] = id
	s.users[id] = u
	s.order = append(s.order, id)
	return id
}

// AddGroup puts a group on the server and returns its id.
func (s *Server) AddGroup(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := fmt.Sprintf("g-%d", s.nextID)
	s.groups[id] = map[string]any{"schemas": []any{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "id": id, "displayName": name, "members": []any{}}
	s.order = append(s.order, id)
	return id
}

// User returns a user as the server holds it (nil if none).
func (s *Server) User(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.users[id]
}

// Group returns a group as the server holds it (nil if none).
func (s *Server) Group(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups[id]
}

var filterRE = regexp.MustCompile(`^(\w+) eq "(.*)"$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	e := Exchange{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, Base), Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)}
	s.mu.Lock()
	s.reqs = append(s.reqs, e)
	fail, delay := s.fail, s.delay
	s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if fail != nil {
		if status, b, ok := fail(e); ok {
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(status)
			io.WriteString(w, b)
			return
		}
	}
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeSCIM(w, http.StatusUnauthorized, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:Error"}, "detail": "bad token", "status": "401"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(strings.Trim(e.Path, "/"), "/")
	coll := map[string]map[string]map[string]any{"Users": s.users, "Groups": s.groups}[parts[0]]
	if coll == nil {
		writeSCIM(w, http.StatusNotFound, map[string]any{"detail": "no such endpoint"})
		return
	}
	var in map[string]any
	if len(body) > 0 {
		if err := json.Unmarshal(body, &in); err != nil {
			writeSCIM(w, http.StatusBadRequest, map[string]any{"detail": err.Error()})
			return
		}
	}
	switch {
	case len(parts) == 1 && r.Method == http.MethodGet:
		res := []any{}
		f := r.URL.Query().Get("filter")
		m := filterRE.FindStringSubmatch(f)
		for _, id := range s.order {
			obj, ok := coll[id]
			if !ok {
				continue
			}
			if m != nil && !strings.EqualFold(fmt.Sprint(obj[m[1]]), m[2]) {
				continue
			}
			res = append(res, obj)
		}
		writeSCIM(w, http.StatusOK, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": len(res), "startIndex": 1, "itemsPerPage": len(res), "Resources": res})
	case len(parts) == 1 && r.Method == http.MethodPost:
		s.nextID++
		prefix := "u"
		if parts[0] == "Groups" {
			prefix = "g"
		}
		id := fmt.Sprintf("%s-%d", prefix, s.nextID)
		in["id"] = id
		delete(in, "password")
		coll[id] = in
		s.order = append(s.order, id)
		writeSCIM(w, http.StatusCreated, in)
	case len(parts) == 2:
		obj, ok := coll[parts[1]]
		if !ok {
			writeSCIM(w, http.StatusNotFound, map[string]any{"detail": "not found", "status": "404"})
			return
		}
		switch r.Method {
		case http.MethodGet:
			writeSCIM(w, http.StatusOK, obj)
		case http.MethodPut:
			in["id"] = parts[1]
			delete(in, "password")
			coll[parts[1]] = in
			writeSCIM(w, http.StatusOK, in)
		case http.MethodPatch:
			ops, _ := in["Operations"].([]any)
			for _, o := range ops {
				op := o.(map[string]any)
				if v, ok := op["value"].(map[string]any); ok && op["path"] == nil {
					for k, x := range v {
						if k != "password" {
							obj[k] = x
						}
					}
				}
				if op["path"] == "members" {
					switch op["op"] {
					case "replace":
						obj["members"] = op["value"]
					case "add":
						cur, _ := obj["members"].([]any)
						obj["members"] = append(cur, op["value"].([]any)...)
					}
				}
				if p, _ := op["path"].(string); op["op"] == "remove" && strings.HasPrefix(p, "members[") {
					id := strings.TrimSuffix(strings.TrimPrefix(p, `members[value eq "`), `"]`)
					cur, _ := obj["members"].([]any)
					var keep []any
					for _, m := range cur {
						if m.(map[string]any)["value"] != id {
							keep = append(keep, m)
						}
					}
					obj["members"] = keep
				}
			}
			writeSCIM(w, http.StatusOK, obj)
		case http.MethodDelete:
			delete(coll, parts[1])
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		writeSCIM(w, http.StatusMethodNotAllowed, map[string]any{"detail": "method"})
	}
}

func writeSCIM(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Query decodes a raw query for readable assertions.
func Query(raw string) string {
	q, err := url.QueryUnescape(raw)
	if err != nil {
		return raw
	}
	return q
}
