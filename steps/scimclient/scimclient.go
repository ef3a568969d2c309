// Package scimclient is the conformance suite's SCIM 2.0 client: plain HTTP to
// a SCIM base URL with a Bearer token, sending the headers Okta's provisioning
// client sends, and keeping every answer whole (status, headers, body) so that
// steps can check protocol details. It knows nothing about any particular
// server.
package scimclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Media types of SCIM (RFC 7644 §3.1).
const (
	MediaType   = "application/scim+json"
	ContentType = MediaType + "; charset=utf-8"
	// UserAgent is what Okta's SCIM client calls itself.
	UserAgent = "Okta SCIM Client 1.0.0"
)

// Schema URNs the suite checks.
const (
	UserSchema         = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	PatchOpSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorSchema        = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// maxAnswer bounds what the client reads of one answer.
const maxAnswer = 16 << 20

// Client sends SCIM requests. It is safe for concurrent use.
type Client struct {
	// BaseURL is the SCIM base URL, e.g. https://sp.example/scim/v2.
	BaseURL string
	// Authorization is the Authorization header's whole value; empty sends
	// no header. New sets it to "Bearer " + token.
	Authorization string
	// HTTP sends the requests; nil means a client with a 60-second timeout,
	// as Okta's.
	HTTP *http.Client

	mu   sync.Mutex
	last *Response
}

// New returns a client for baseURL that authenticates with a Bearer token.
func New(baseURL, token string) *Client {
	return &Client{BaseURL: baseURL, Authorization: "Bearer " + token}
}

// WithAuthorization returns a client for the same server that sends the given
// Authorization header value instead ("" for none).
func (c *Client) WithAuthorization(value string) *Client {
	return &Client{BaseURL: c.BaseURL, Authorization: value, HTTP: c.HTTP}
}

// Response is one answer, read whole.
type Response struct {
	Method, URL string
	Status      int
	Header      http.Header
	Body        []byte
}

var defaultHTTP = &http.Client{Timeout: 60 * time.Second}

// Do sends a request. path is joined to BaseURL unless it is an absolute
// http(s) URL (a Location header, say). body is nil for none, a []byte or
// string sent as is (malformed JSON included), or a value encoded as JSON.
// An error means no answer arrived; any HTTP status is a Response.
func (c *Client) Do(ctx context.Context, method, path string, body any) (*Response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("scimclient: encode body: %w", err)
		}
		rd = bytes.NewReader(enc)
	}
	u := path
	if !strings.HasPrefix(path, "http://") && !strings.HasPrefix(path, "https://") {
		u = strings.TrimRight(c.BaseURL, "/") + "/" + strings.TrimLeft(path, "/")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("scimclient: %w", err)
	}
	req.Header.Set("Accept", MediaType)
	req.Header.Set("Accept-Charset", "utf-8")
	req.Header.Set("User-Agent", UserAgent)
	if rd != nil {
		req.Header.Set("Content-Type", ContentType)
	}
	if c.Authorization != "" {
		req.Header.Set("Authorization", c.Authorization)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scimclient: %s %s: %w", method, u, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("scimclient: %s %s: read answer: %w", method, u, err)
	}
	out := &Response{Method: method, URL: u, Status: res.StatusCode, Header: res.Header, Body: data}
	c.mu.Lock()
	c.last = out
	c.mu.Unlock()
	return out, nil
}

// Get, Post, Put, Patch and Delete are Do with the method.
func (c *Client) Get(ctx context.Context, path string) (*Response, error) {
	return c.Do(ctx, http.MethodGet, path, nil)
}

func (c *Client) Post(ctx context.Context, path string, body any) (*Response, error) {
	return c.Do(ctx, http.MethodPost, path, body)
}

func (c *Client) Put(ctx context.Context, path string, body any) (*Response, error) {
	return c.Do(ctx, http.MethodPut, path, body)
}

func (c *Client) Patch(ctx context.Context, path string, body any) (*Response, error) {
	return c.Do(ctx, http.MethodPatch, path, body)
}

func (c *Client) Delete(ctx context.Context, path string) (*Response, error) {
	return c.Do(ctx, http.MethodDelete, path, nil)
}

// Last is the latest answer this client received, nil before the first.
func (c *Client) Last() *Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// ErrNoJSON is returned by Decode and Object for an answer without a JSON body.
var ErrNoJSON = errors.New("scimclient: the answer has no JSON body")

// Decode reads the JSON body into v; numbers in an any become json.Number, so
// that integers stay distinguishable from fractions.
func (r *Response) Decode(v any) error {
	if len(bytes.TrimSpace(r.Body)) == 0 {
		return ErrNoJSON
	}
	d := json.NewDecoder(bytes.NewReader(r.Body))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrNoJSON, err)
	}
	return nil
}

// Object decodes a body that is a JSON object.
func (r *Response) Object() (map[string]any, error) {
	var m map[string]any
	if err := r.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: the body is null", ErrNoJSON)
	}
	return m, nil
}

// IsSCIMJSON reports whether the answer says its body is SCIM JSON
// (application/scim+json, or application/json, which RFC 7644 §3.1 allows).
func (r *Response) IsSCIMJSON() bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	return mt == MediaType || mt == "application/json"
}

// String describes the answer for a failure message: request, status,
// content type and the start of the body.
func (r *Response) String() string {
	if r == nil {
		return "no answer"
	}
	body := string(r.Body)
	if len(body) > 600 {
		body = body[:600] + "…"
	}
	return fmt.Sprintf("%s %s → %d (Content-Type %q) %s", r.Method, r.URL, r.Status, r.Header.Get("Content-Type"), body)
}

// Lookup returns the value at a dotted path in a decoded JSON document:
// "name.familyName", "emails.0.value". ok is false when any step is missing.
func Lookup(doc any, path string) (any, bool) {
	cur := doc
	for _, key := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[key]
			if !ok {
				// Attribute names are case-insensitive (RFC 7643 §2.1).
				for k, x := range v {
					if strings.EqualFold(k, key) {
						next, ok = x, true
						break
					}
				}
			}
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
