// Package provision is the fake Okta's provisioning side: an Okta-faithful
// SCIM 2.0 client (Client) and the Engine that turns changes in the org
// (assignments, profile and password changes, lifecycle, group membership,
// group push) into provisioning tasks and runs them, the way Okta's
// "Provisioning to App" does.
//
// Every provisioning action is a Task stored in the directory. A task that
// fails (4xx/5xx, timeout, unparseable body, missing id) is marked FAILED
// with the reason Okta shows admins and can be retried. Every SCIM exchange
// is logged in the directory with the Bearer token redacted.
//
// By default a change returns after its tasks have run, so tests need no
// sleeps; Config.Async runs them in the background instead.
package provision

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ssoharness/ssoharness/idpsim/directory"
)

// Task is a provisioning task.
type Task = directory.Task

// Request is a logged SCIM exchange.
type Request = directory.SCIMRequest

// Task actions.
const (
	ActionCreateUser     = "user.create"     // assign: find by userName, then create or link
	ActionUpdateUser     = "user.update"     // profile change: GET then PUT
	ActionDeactivateUser = "user.deactivate" // unassign, deactivate, suspend
	ActionReactivateUser = "user.reactivate" // reactivate, unsuspend, re-assign of a known user
	ActionPushPassword   = "user.password"   // password change with Sync Password
	ActionPushGroup      = "group.push"      // a new push mapping
	ActionSyncGroup      = "group.sync"      // membership change or rename of a pushed group
	ActionPushGroupNow   = "group.pushNow"   // full push of a pushed group's membership
	ActionDeleteGroup    = "group.delete"    // unlink with "delete the group in the target app"
)

// ErrConnector is a failed connector test (the provisioning settings are
// not saved).
var ErrConnector = errors.New("provision: connector test failed")

// ErrDisabled is an action that needs provisioning on an app without it.
var ErrDisabled = errors.New("provision: provisioning is not enabled for the app")

// Config configures an Engine.
type Config struct {
	// Directory holds the org, the tasks and the request log. Required.
	Directory *directory.Store
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Now stamps logged exchanges; nil means time.Now.
	Now func() time.Time
	// Timeout is the socket timeout of SCIM requests; zero means
	// DefaultTimeout (60 s, as Okta).
	Timeout time.Duration
	// Transport sends SCIM requests; nil means a clone of
	// http.DefaultTransport.
	Transport http.RoundTripper
	// Async runs tasks in the background: changes return with their tasks
	// QUEUED. Wait runs whatever is queued.
	Async bool
}

// Engine runs provisioning for one org. Its methods are safe for
// concurrent use; tasks run one at a time, in the order they were queued.
type Engine struct {
	dir   *directory.Store
	log   *slog.Logger
	now   func() time.Time
	http  *http.Client
	async bool

	runMu sync.Mutex // held while tasks run
}

// New returns an Engine for cfg.
func New(cfg Config) (*Engine, error) {
	if cfg.Directory == nil {
		return nil, errors.New("provision: Config.Directory is required")
	}
	e := &Engine{dir: cfg.Directory, log: cfg.Logger, now: cfg.Now, async: cfg.Async}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	if e.now == nil {
		e.now = time.Now
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	tr := cfg.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	e.http = &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// Okta does not follow redirects: a 3xx fails the task.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return e, nil
}

// Directory returns the Engine's directory.
func (e *Engine) Directory() *directory.Store { return e.dir }

// client is the SCIM client of an app, logging every exchange under the
// task (or under no task, for the connector test).
func (e *Engine) client(p directory.Provisioning, taskID string) *Client {
	return &Client{
		BaseURL: p.BaseURL,
		Token:   p.Token,
		HTTP:    e.http,
		Now:     e.now,
		Observe: func(ex Exchange) {
			r := directory.SCIMRequest{
				AppID: p.AppID, TaskID: taskID, Method: ex.Method, URL: ex.URL,
				RequestHeaders: ex.RequestHeader, RequestBody: string(ex.RequestBody),
				Status: ex.Status, ResponseHeaders: ex.ResponseHeader, ResponseBody: string(ex.ResponseBody),
				Started: ex.Started, DurationMS: float64(ex.Duration.Microseconds()) / 1000,
			}
			if ex.Err != nil {
				r.Error = ex.Err.Error()
			}
			// The log is written outside any request context: an exchange
			// that happened is logged even if the caller went away.
			if _, err := e.dir.LogSCIMRequest(context.Background(), r); err != nil {
				e.log.Error("scim request log failed", "err", err)
			}
			e.log.Info("scim request", "app", p.AppID, "task", taskID, "method", ex.Method, "url", ex.URL,
				"status", ex.Status, "duration", ex.Duration, "err", r.Error)
		},
	}
}

// runTasks runs queued tasks (unless async) and returns the given tasks as
// they are now.
func (e *Engine) runTasks(ctx context.Context, tasks []Task) ([]Task, error) {
	if tasks == nil {
		tasks = []Task{}
	}
	if len(tasks) == 0 {
		return tasks, nil
	}
	// Tasks run to the end even if the caller goes away: the change they
	// belong to is committed.
	bg := context.WithoutCancel(ctx)
	if e.async {
		go e.drain(bg)
		return tasks, nil
	}
	e.drain(bg)
	out := make([]Task, 0, len(tasks))
	for _, t := range tasks {
		cur, err := e.dir.TaskByID(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, cur)
	}
	return out, nil
}

// Wait runs every queued task now and returns when none is left. In async
// mode it is how a test waits for provisioning to finish.
func (e *Engine) Wait(ctx context.Context) error {
	e.drain(context.WithoutCancel(ctx))
	_, err := e.dir.NextQueuedTask(ctx)
	if errors.Is(err, directory.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return errors.New("provision: tasks are still queued")
}

// drain runs queued tasks, oldest first, until none is left.
func (e *Engine) drain(ctx context.Context) {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	for {
		t, err := e.dir.NextQueuedTask(ctx)
		if errors.Is(err, directory.ErrNotFound) {
			return
		}
		if err != nil {
			e.log.Error("provisioning: next task", "err", err)
			return
		}
		if err := e.execute(ctx, t); err != nil {
			// The task could not be recorded; stop rather than loop on it.
			e.log.Error("provisioning: task not recorded", "task", t.ID, "err", err)
			return
		}
	}
}

// RetryTask queues a FAILED task again and (unless async) runs it. The task
// runs against the org as it is now.
func (e *Engine) RetryTask(ctx context.Context, id string) (Task, error) {
	t, err := e.dir.RequeueTask(ctx, id)
	if err != nil {
		return Task{}, err
	}
	ts, err := e.runTasks(ctx, []Task{t})
	if err != nil {
		return Task{}, err
	}
	return ts[0], nil
}

// Tasks returns the tasks that match, oldest first.
func (e *Engine) Tasks(ctx context.Context, f directory.TaskFilter) ([]Task, error) {
	return e.dir.ListTasks(ctx, f)
}

// Requests returns the logged SCIM exchanges that match, oldest first.
func (e *Engine) Requests(ctx context.Context, f directory.RequestFilter) ([]Request, error) {
	return e.dir.ListSCIMRequests(ctx, f)
}

// skip ends a task that has nothing to do: it completes without a request.
type skip struct{ why string }

func (s skip) Error() string { return s.why }

// execute runs one task and records its outcome.
func (e *Engine) execute(ctx context.Context, t Task) error {
	t, err := e.dir.StartTask(ctx, t.ID)
	if err != nil {
		return err
	}
	r, err := e.newRun(ctx, t)
	if err == nil {
		err = r.do(ctx)
	}
	status, reason := directory.TaskCompleted, ""
	var sk skip
	switch {
	case errors.As(err, &sk):
		e.log.Info("provisioning task skipped", "task", t.ID, "action", t.Action, "why", sk.why)
	case err != nil:
		status, reason = directory.TaskFailed, err.Error()
		e.log.Warn("provisioning task failed", "task", t.ID, "action", t.Action, "reason", reason)
	default:
		e.log.Info("provisioning task completed", "task", t.ID, "action", t.Action)
	}
	if r != nil && status == directory.TaskFailed {
		r.failed(ctx, reason)
	}
	return e.dir.Update(ctx, func(tx *directory.Tx) error { return tx.FinishTask(ctx, t.ID, status, reason) })
}

// randomPassword is the password Okta sends on create when password sync is
// off: eight lower-case letters and digits, like Okta's "1mz050nq".
func randomPassword() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	out := make([]byte, 8)
	for {
		rand.Read(b)
		digits, letters := 0, 0
		for i, c := range b {
			out[i] = alphabet[int(c)%len(alphabet)]
			if out[i] >= '0' && out[i] <= '9' {
				digits++
			} else {
				letters++
			}
		}
		if digits > 0 && letters > 0 {
			return string(out)
		}
	}
}

// scimLocale turns an Okta locale (en_US) into the BCP 47 tag SCIM uses.
func scimLocale(l string) string {
	l = strings.TrimSpace(l)
	if l == "" {
		return "en-US"
	}
	return strings.ReplaceAll(l, "_", "-")
}

// displayName is the user's display name as Okta's SCIM mapping makes it.
func displayName(u directory.User, extras map[string]string) string {
	if d := strings.TrimSpace(extras["displayName"]); d != "" {
		return d
	}
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// errorf prefixes the cause the way Okta words a failed task.
func errorf(format string, args ...any) func(error) error {
	prefix := fmt.Sprintf(format, args...)
	return func(err error) error {
		if err == nil {
			return nil
		}
		var sk skip
		if errors.As(err, &sk) {
			return err
		}
		return fmt.Errorf("%s: %w", prefix, err)
	}
}
