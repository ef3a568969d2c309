// Package oktaremote drives a fake Okta that is already running (the idpsim
// command, or any idpsim.Server on HTTP) through its HTTP API, with the same
// methods, arguments and results as the Go API of *idpsim.Server that the
// conformance steps use. Changes go through the Okta-shaped management API
// (/api/v1, with "Authorization: SSWS {token}"); what Okta has no API for
// (faults, the last response sent, the SCIM request log, provisioning tasks)
// goes through the fake's test controls under /_admin.
//
// Several Clients, one per scenario, may share one fake Okta at once, so a
// Client changes nothing that belongs to the whole org: faults are set per
// app, and the clock (the org's alone) is not moved (SetTime and
// UseRealClock return ErrClockShared).
//
// A running fake Okta may provision in the background
// (idpsim.Config.AsyncProvisioning), while callers of the Go API expect the
// SCIM requests a change causes to have been sent when the call returns.
// Every call that can start provisioning therefore waits until the
// provisioning tasks it started are no longer QUEUED, and returns them as
// they ended, as the in-process Server does.
package oktaremote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ssoharness/ssoharness/idpsim"
	"github.com/ssoharness/ssoharness/steps/target"
)

// DefaultTimeout bounds one HTTP exchange of the Client New makes when given
// none. It is longer than a SCIM request may take (60 s, Okta's socket
// timeout): a fake Okta that provisions synchronously answers a change only
// once the SCIM server has.
const DefaultTimeout = 2 * time.Minute

// SettleTimeout bounds the wait for a change's provisioning tasks to leave
// QUEUED.
const SettleTimeout = 30 * time.Second

// ErrClockShared is what SetTime and UseRealClock return: the fake Okta's
// clock is shared by everyone who uses it, so one scenario must not move it.
// It matches target.ErrUnsupported, which the conformance suite reports as
// a skipped scenario naming what it needs.
var ErrClockShared = fmt.Errorf("%w: moving the fake Okta's clock (the fake Okta is shared: -okta)", target.ErrUnsupported)

// Client is a running fake Okta. Its methods are safe for concurrent use.
type Client struct {
	base   string // the org base URL, without a trailing slash
	token  string
	http   *http.Client
	settle time.Duration // SettleTimeout; tests shorten it

	mu sync.Mutex
	// apps are the apps this Client created. A change to a user or a group
	// can start provisioning tasks on any app with provisioning; the ones
	// this Client's caller can care about are on its own apps, so their
	// tasks are waited for after every change.
	apps []string
}

// New returns a Client for the fake Okta at baseURL (its org base URL, as
// idpsim prints it: "Base URL"), authenticating to its management API with
// apiToken. httpClient nil means a client of its own with DefaultTimeout;
// callers that make many Clients share one, and with it the connections.
// New sends nothing: Check does.
func New(baseURL, apiToken string, httpClient *http.Client) (*Client, error) {
	base, err := parseBase(baseURL)
	if err != nil {
		return nil, err
	}
	apiToken = strings.TrimSpace(apiToken)
	if apiToken == "" {
		return nil, errors.New("oktaremote: the fake Okta's API token is empty (idpsim prints it at start: \"API token\")")
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{base: base, token: apiToken, http: httpClient, settle: SettleTimeout}, nil
}

func parseBase(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("oktaremote: the fake Okta's URL %q is not an absolute http(s) URL", raw)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("oktaremote: the fake Okta's URL %q must have no path, query or fragment: give its base URL, as idpsim prints it", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// BaseURL returns the org base URL the Client was given.
func (c *Client) BaseURL() string { return c.base }

// Check makes sure the fake Okta answers, takes the token, and calls itself
// by the URL the Client was given. A browser that signs in at one host and
// is sent by the apps' URLs to another would carry no session there, so a
// mismatch is an error rather than failures in every scenario.
func (c *Client) Check(ctx context.Context) error {
	res, err := c.send(ctx, http.MethodGet, "/api/v1/users", url.Values{"limit": {"1"}}, nil, true)
	if err != nil {
		return err
	}
	// Every list answer links to itself with the org's own base URL.
	self := ""
	for _, l := range res.Header.Values("Link") {
		if strings.Contains(l, `rel="self"`) {
			self = strings.TrimPrefix(strings.SplitN(l, ">", 2)[0], "<")
		}
	}
	own, _, found := strings.Cut(self, "/api/v1/")
	if !found {
		return fmt.Errorf("oktaremote: %s does not answer like a fake Okta: its user list has no Link header", c.base)
	}
	if own != c.base {
		return fmt.Errorf("oktaremote: the fake Okta at %s calls itself %s: give that URL instead (its apps' URLs and its sign-in redirects use it)", c.base, own)
	}
	return nil
}

// DashboardURL returns the end-user dashboard URL.
func (c *Client) DashboardURL() string { return c.base + "/app/UserHome" }

// SignInURL returns the sign-in page URL.
func (c *Client) SignInURL() string { return c.base + "/login/login.htm" }

// SetTime would freeze the fake Okta's clock, which every user of the fake
// Okta shares; it returns ErrClockShared.
func (c *Client) SetTime(time.Time) error { return ErrClockShared }

// UseRealClock would return the fake Okta's clock to the real time, which
// every user of the fake Okta shares; it returns ErrClockShared.
func (c *Client) UseRealClock() error { return ErrClockShared }

// APIError is an error answer of the fake Okta: Okta's error object from
// /api/v1, or the {"error": …} of /_admin. A 404 matches idpsim.ErrNotFound,
// as the in-process Server's errors for unknown users, groups and apps do.
type APIError struct {
	Method, Path string
	Status       int
	Code         string // Okta's errorCode (E0000001…); "" from /_admin
	Summary      string // Okta's errorSummary, or /_admin's error
	Causes       []string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fake Okta: %s %s: %s", e.Method, e.Path, e.Summary)
	if len(e.Causes) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(e.Causes, "; "))
	}
	if e.Code != "" {
		fmt.Fprintf(&b, " [%d %s]", e.Status, e.Code)
	} else {
		fmt.Fprintf(&b, " [%d]", e.Status)
	}
	return b.String()
}

// Unwrap lets errors.Is(err, idpsim.ErrNotFound) hold for a 404.
func (e *APIError) Unwrap() error {
	if e.Status == http.StatusNotFound {
		return idpsim.ErrNotFound
	}
	return nil
}

// send makes one request; api adds the SSWS token. A non-2xx answer is an
// *APIError.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body any, api bool) (*http.Response, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("oktaremote: encode %s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("oktaremote: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if api {
		req.Header.Set("Authorization", "SSWS "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fake Okta: %s %s: %w", method, path, err)
	}
	if res.StatusCode/100 == 2 {
		return res, nil
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return nil, apiError(method, path, res.StatusCode, raw)
}

func apiError(method, path string, status int, raw []byte) *APIError {
	e := &APIError{Method: method, Path: path, Status: status}
	var okta struct {
		ErrorCode    string `json:"errorCode"`
		ErrorSummary string `json:"errorSummary"`
		ErrorCauses  []struct {
			ErrorSummary string `json:"errorSummary"`
		} `json:"errorCauses"`
		Error string `json:"error"` // /_admin
	}
	switch {
	case json.Unmarshal(raw, &okta) == nil && okta.ErrorSummary != "":
		e.Code, e.Summary = okta.ErrorCode, okta.ErrorSummary
		for _, cause := range okta.ErrorCauses {
			e.Causes = append(e.Causes, cause.ErrorSummary)
		}
	case okta.Error != "":
		e.Summary = okta.Error
	default:
		// Not the fake's JSON: a proxy or another server answered.
		e.Summary = strings.TrimSpace(string(raw))
		if len(e.Summary) > 200 {
			e.Summary = e.Summary[:200] + "…"
		}
		if e.Summary == "" {
			e.Summary = http.StatusText(status)
		}
	}
	return e
}

// call sends a request and decodes a JSON answer into out (nil: the answer
// is read and dropped).
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body, out any, api bool) error {
	res, err := c.send(ctx, method, path, query, body, api)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return fmt.Errorf("fake Okta: %s %s: %w", method, path, err)
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("fake Okta: %s %s: unexpected answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) api(ctx context.Context, method, path string, body, out any) error {
	return c.call(ctx, method, path, nil, body, out, true)
}

func (c *Client) admin(ctx context.Context, method, path string, query url.Values, body, out any) error {
	return c.call(ctx, method, path, query, body, out, false)
}

func seg(s string) string { return url.PathEscape(s) }

// SetFault puts f into every response to the app from now on. Faults are
// per app, so this leaves everyone else's responses alone.
func (c *Client) SetFault(ctx context.Context, appID string, f idpsim.Fault) error {
	return c.admin(ctx, http.MethodPost, "/_admin/faults", nil,
		idpsim.FaultSetting{AppID: appID, Fault: f}, nil)
}

// LastResponse returns the last response posted to the app; ok is false if
// the app has had none.
func (c *Client) LastResponse(ctx context.Context, appID string) (idpsim.SentResponse, bool, error) {
	var resp idpsim.SentResponse
	err := c.admin(ctx, http.MethodGet, "/_admin/last-response", url.Values{"appId": {appID}}, nil, &resp)
	var ae *APIError
	// 404 is "no response yet" for a known app; an unknown app is a 400.
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return idpsim.SentResponse{}, false, nil
	}
	if err != nil {
		return idpsim.SentResponse{}, false, err
	}
	return resp, true, nil
}

// Requests returns the logged SCIM exchanges that match, oldest first.
func (c *Client) Requests(ctx context.Context, f idpsim.RequestFilter) ([]idpsim.SCIMRequest, error) {
	q := url.Values{}
	setIf(q, "appId", f.AppID)
	setIf(q, "taskId", f.TaskID)
	if f.AfterID > 0 {
		q.Set("after", strconv.FormatInt(f.AfterID, 10))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out []idpsim.SCIMRequest
	err := c.admin(ctx, http.MethodGet, "/_admin/requests", q, nil, &out)
	return out, err
}

// Tasks returns the provisioning tasks that match, oldest first.
func (c *Client) Tasks(ctx context.Context, f idpsim.TaskFilter) ([]idpsim.Task, error) {
	q := url.Values{}
	setIf(q, "appId", f.AppID)
	setIf(q, "userId", f.UserID)
	setIf(q, "groupId", f.GroupID)
	setIf(q, "status", string(f.Status))
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out []idpsim.Task
	err := c.admin(ctx, http.MethodGet, "/_admin/tasks", q, nil, &out)
	return out, err
}

func setIf(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}
