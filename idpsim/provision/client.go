package provision

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// What Okta's SCIM client puts on the wire.
const (
	UserAgent      = "Okta SCIM Client 1.0.0"
	AcceptType     = "application/scim+json"
	AcceptCharset  = "utf-8"
	AcceptEncoding = "gzip,deflate"
	ContentType    = "application/scim+json; charset=utf-8"
	// DefaultTimeout is Okta's socket timeout for SCIM requests.
	DefaultTimeout = 60 * time.Second

	SchemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SchemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaError        = "urn:ietf:params:scim:api:messages:2.0:Error"

	// RedactedToken replaces the Bearer token in logged headers.
	RedactedToken = "Bearer [REDACTED]"
	// RedactedPassword replaces passwords in logged request bodies.
	RedactedPassword = "[REDACTED]"

	// maxResponse bounds how much of a response the client reads.
	maxResponse = 10 << 20
	// maxLoggedBody bounds the bodies kept in the request log.
	maxLoggedBody = 64 << 10
)

// Exchange is one SCIM request and its response, as logged. The Bearer
// token and passwords are already redacted.
type Exchange struct {
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    []byte
	Status         int // 0 when no response came
	ResponseHeader http.Header
	ResponseBody   []byte
	Err            error
	Started        time.Time
	Duration       time.Duration
}

// Client is Okta's SCIM 2.0 client for one app: it sends exactly the
// requests, headers and bodies Okta sends.
type Client struct {
	// BaseURL is the SCIM base URL typed on the Provisioning tab, such as
	// https://sp.example/scim/v2 (no trailing slash).
	BaseURL string
	// Token is the Bearer token typed on the Provisioning tab.
	Token string
	// HTTP sends the requests; its Timeout is the socket timeout. It must not
	// follow redirects (Okta does not).
	HTTP *http.Client
	// Observe, when set, receives every exchange.
	Observe func(Exchange)
	// Now stamps exchanges; nil means time.Now.
	Now func() time.Time
}

// Error is a failed SCIM exchange, worded the way Okta shows the cause to
// admins ("Conflict. Errors reported by remote server: …").
type Error struct {
	Status  int // the HTTP status, or 0 when there was no usable response
	Message string
}

func (e *Error) Error() string { return e.Message }

// response is a SCIM response the client accepted as a success.
type response struct {
	status int
	body   []byte
}

// marshal encodes v as compact JSON without HTML escaping, as a Java JSON
// library would.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// do sends one request. ok lists the statuses that count as success; any
// other status is an *Error.
func (c *Client) do(ctx context.Context, method, pathQuery string, body any, ok ...int) (response, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = marshal(body); err != nil {
			return response{}, fmt.Errorf("provision: encode request: %w", err)
		}
	}
	target := c.BaseURL + pathQuery
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return response{}, &Error{Message: fmt.Sprintf("Invalid SCIM URL %q: %v", target, err)}
	}
	h := req.Header
	h.Set("User-Agent", UserAgent)
	h.Set("Accept", AcceptType)
	h.Set("Accept-Charset", AcceptCharset)
	h.Set("Accept-Encoding", AcceptEncoding)
	if payload != nil {
		h.Set("Content-Type", ContentType)
	}
	h.Set("Authorization", "Bearer "+c.Token)

	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	ex := Exchange{Method: method, URL: target, RequestHeader: redactHeader(h), RequestBody: redactBody(payload), Started: now()}
	start := time.Now()
	resp, err := c.HTTP.Do(req)
	var respBody []byte
	if err == nil {
		respBody, err = readBody(resp)
		ex.Status = resp.StatusCode
		ex.ResponseHeader = resp.Header.Clone()
		ex.ResponseBody = truncate(respBody)
	}
	ex.Duration = time.Since(start)
	if err != nil {
		err = transportError(err)
		ex.Err = err
	}
	if c.Observe != nil {
		c.Observe(ex)
	}
	if err != nil {
		return response{}, err
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			return response{status: resp.StatusCode, body: respBody}, nil
		}
	}
	return response{}, statusError(resp.StatusCode, respBody)
}

func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	var r io.Reader = io.LimitReader(resp.Body, maxResponse)
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "gzip":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("unable to read the gzip response: %w", err)
		}
		r = zr
	case "deflate":
		// HTTP's deflate is zlib-wrapped, though some servers send it raw.
		raw, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		if zr, err := zlib.NewReader(bytes.NewReader(raw)); err == nil {
			r = zr
		} else {
			r = flate.NewReader(bytes.NewReader(raw))
		}
	}
	return io.ReadAll(io.LimitReader(r, maxResponse))
}

func truncate(b []byte) []byte {
	if len(b) > maxLoggedBody {
		return append(b[:maxLoggedBody:maxLoggedBody], []byte("…(truncated)")...)
	}
	return b
}

func redactHeader(h http.Header) http.Header {
	out := h.Clone()
	if out.Get("Authorization") != "" {
		out.Set("Authorization", RedactedToken)
	}
	return out
}

// redactBody hides passwords (the random one Okta sends on create, or the
// synced one) in the copy of a request body kept in the log.
func redactBody(b []byte) []byte {
	if b == nil || !bytes.Contains(b, []byte(`"password"`)) {
		return b
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return b
	}
	var walk func(any)
	walk = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			for k, val := range t {
				if k == "password" {
					if _, ok := val.(string); ok {
						t[k] = RedactedPassword
						continue
					}
				}
				walk(val)
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	out, err := marshal(v)
	if err != nil {
		return b
	}
	return out
}

// transportError words a failure to get a response the way a Java HTTP
// client reports it.
func transportError(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return &Error{Message: "Read timed out"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &Error{Message: "Connection refused"}
	case errors.Is(err, context.Canceled):
		return &Error{Message: "Request cancelled"}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &Error{Message: "Unable to reach the SCIM server: " + err.Error()}
}

// statusError words an unexpected status, with the SCIM error detail (or
// the start of a non-SCIM body) as "Errors reported by remote server".
func statusError(status int, body []byte) error {
	text := http.StatusText(status)
	if text == "" {
		text = fmt.Sprintf("HTTP %d", status)
	}
	detail := ""
	var se struct {
		Detail   string `json:"detail"`
		ScimType string `json:"scimType"`
	}
	if json.Unmarshal(body, &se) == nil && se.Detail != "" {
		detail = se.Detail
	} else if s := strings.TrimSpace(string(body)); s != "" {
		detail = s
		if len(detail) > 300 {
			detail = detail[:300] + "…"
		}
	}
	msg := text
	if detail != "" {
		msg += ". Errors reported by remote server: " + detail
	}
	return &Error{Status: status, Message: msg}
}

func parseError(what string, err error) error {
	return &Error{Message: fmt.Sprintf("Unable to parse the %s returned by the remote server: %v", what, err)}
}

// filterQuery is the query Okta sends to find a resource by one attribute,
// encoded the way Okta encodes it (%20 for spaces):
// filter=userName%20eq%20%22ada%40acme.test%22&startIndex=1&count=100.
func filterQuery(attr, value string) string {
	v := strings.ReplaceAll(value, `\`, `\\`)
	v = strings.ReplaceAll(v, `"`, `\"`)
	f := url.QueryEscape(attr + ` eq "` + v + `"`)
	return "?filter=" + strings.ReplaceAll(f, "+", "%20") + "&startIndex=1&count=100"
}

// listResponse is the part of a SCIM ListResponse the client reads.
type listResponse struct {
	TotalResults *int              `json:"totalResults"`
	Resources    []json.RawMessage `json:"Resources"`
}

func parseList(body []byte) (listResponse, error) {
	var l listResponse
	if len(bytes.TrimSpace(body)) == 0 {
		return l, parseError("list", errors.New("empty body"))
	}
	if err := json.Unmarshal(body, &l); err != nil {
		return l, parseError("list", err)
	}
	return l, nil
}

// ListUsers is the first request of Okta's connector test and of imports:
// GET /Users?startIndex={startIndex}&count={count}.
func (c *Client) ListUsers(ctx context.Context, startIndex, count int) error {
	res, err := c.do(ctx, http.MethodGet, fmt.Sprintf("/Users?startIndex=%d&count=%d", startIndex, count), nil, http.StatusOK)
	if err != nil {
		return err
	}
	_, err = parseList(res.body)
	return err
}

// ListGroups is the second request of Okta's connector test:
// GET /Groups?startIndex={startIndex}&count={count}.
func (c *Client) ListGroups(ctx context.Context, startIndex, count int) error {
	res, err := c.do(ctx, http.MethodGet, fmt.Sprintf("/Groups?startIndex=%d&count=%d", startIndex, count), nil, http.StatusOK)
	if err != nil {
		return err
	}
	_, err = parseList(res.body)
	return err
}

// find runs Okta's lookup by one attribute and returns the first resource
// with an id, or nil. A 404 counts as no match (Okta accepts it).
func (c *Client) find(ctx context.Context, resource, attr, value string) (*Object, error) {
	res, err := c.do(ctx, http.MethodGet, "/"+resource+filterQuery(attr, value), nil, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	if res.status == http.StatusNotFound {
		return nil, nil
	}
	l, err := parseList(res.body)
	if err != nil {
		return nil, err
	}
	for _, raw := range l.Resources {
		var o Object
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, parseError(strings.TrimSuffix(resource, "s"), err)
		}
		if o.String("id") != "" {
			return &o, nil
		}
	}
	return nil, nil
}

// FindUser is GET /Users?filter=userName eq "{userName}"&startIndex=1&count=100.
func (c *Client) FindUser(ctx context.Context, userName string) (*Object, error) {
	return c.find(ctx, "Users", "userName", userName)
}

// FindGroup is GET /Groups?filter=displayName eq "{name}"&startIndex=1&count=100.
func (c *Client) FindGroup(ctx context.Context, displayName string) (*Object, error) {
	return c.find(ctx, "Groups", "displayName", displayName)
}

// resource parses a response that must carry a resource with an id.
func resource(what string, body []byte) (Object, error) {
	var o Object
	if len(bytes.TrimSpace(body)) == 0 {
		return o, &Error{Message: fmt.Sprintf("Create new %s returned empty %s.", what, what)}
	}
	if err := json.Unmarshal(body, &o); err != nil {
		return o, parseError(what, err)
	}
	if o.String("id") == "" {
		return o, &Error{Message: fmt.Sprintf("The %s returned by the remote server has no id.", what)}
	}
	return o, nil
}

// CreateUser is POST /Users; it returns the created resource (with its id).
func (c *Client) CreateUser(ctx context.Context, body any) (Object, error) {
	res, err := c.do(ctx, http.MethodPost, "/Users", body, http.StatusCreated, http.StatusOK)
	if err != nil {
		return Object{}, err
	}
	return resource("user", res.body)
}

// GetUser is GET /Users/{id}.
func (c *Client) GetUser(ctx context.Context, id string) (Object, error) {
	res, err := c.do(ctx, http.MethodGet, "/Users/"+url.PathEscape(id), nil, http.StatusOK)
	if err != nil {
		return Object{}, err
	}
	var o Object
	if len(bytes.TrimSpace(res.body)) == 0 {
		return o, parseError("user", errors.New("empty body"))
	}
	if err := json.Unmarshal(res.body, &o); err != nil {
		return o, parseError("user", err)
	}
	return o, nil
}

// acceptBody checks the optional body of a PUT or PATCH response: empty
// (204) or a JSON object.
func acceptBody(what string, res response) error {
	if len(bytes.TrimSpace(res.body)) == 0 {
		return nil
	}
	var o Object
	if err := json.Unmarshal(res.body, &o); err != nil {
		return parseError(what, err)
	}
	return nil
}

// ReplaceUser is PUT /Users/{id} with the whole user.
func (c *Client) ReplaceUser(ctx context.Context, id string, body any) error {
	res, err := c.do(ctx, http.MethodPut, "/Users/"+url.PathEscape(id), body, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return err
	}
	return acceptBody("user", res)
}

// PatchUser is PATCH /Users/{id}.
func (c *Client) PatchUser(ctx context.Context, id string, patch PatchOp) error {
	res, err := c.do(ctx, http.MethodPatch, "/Users/"+url.PathEscape(id), patch, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return err
	}
	return acceptBody("user", res)
}

// CreateGroup is POST /Groups; it returns the created group (with its id).
func (c *Client) CreateGroup(ctx context.Context, body any) (Object, error) {
	res, err := c.do(ctx, http.MethodPost, "/Groups", body, http.StatusCreated, http.StatusOK)
	if err != nil {
		return Object{}, err
	}
	return resource("group", res.body)
}

// PatchGroup is PATCH /Groups/{id}.
func (c *Client) PatchGroup(ctx context.Context, id string, patch PatchOp) error {
	res, err := c.do(ctx, http.MethodPatch, "/Groups/"+url.PathEscape(id), patch, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return err
	}
	return acceptBody("group", res)
}

// ReplaceGroup is PUT /Groups/{id} with the whole group.
func (c *Client) ReplaceGroup(ctx context.Context, id string, body any) error {
	res, err := c.do(ctx, http.MethodPut, "/Groups/"+url.PathEscape(id), body, http.StatusOK, http.StatusNoContent)
	if err != nil {
		return err
	}
	return acceptBody("group", res)
}

// DeleteGroup is DELETE /Groups/{id}; Okta expects 204 (200 is tolerated).
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	_, err := c.do(ctx, http.MethodDelete, "/Groups/"+url.PathEscape(id), nil, http.StatusNoContent, http.StatusOK)
	return err
}
