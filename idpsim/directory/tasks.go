package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// TaskStatus is the state of a provisioning task.
type TaskStatus string

// Task statuses.
const (
	TaskQueued    TaskStatus = "QUEUED"
	TaskCompleted TaskStatus = "COMPLETED"
	TaskFailed    TaskStatus = "FAILED"
)

// PrefixTask starts the ids of provisioning tasks.
const PrefixTask = "tsk"

// Task is one provisioning action for one app: create a user, push a
// profile, deactivate, push a group… Failed tasks keep the reason Okta
// shows admins and can be retried.
type Task struct {
	ID          string            `json:"id"`
	AppID       string            `json:"appId"`
	Action      string            `json:"action"`
	UserID      string            `json:"userId,omitempty"`
	GroupID     string            `json:"groupId,omitempty"`
	MappingID   string            `json:"mappingId,omitempty"`
	Params      map[string]string `json:"params,omitempty"`
	Description string            `json:"description"`
	Status      TaskStatus        `json:"status"`
	Reason      string            `json:"reason,omitempty"`
	Attempts    int               `json:"attempts"`
	Created     time.Time         `json:"created"`
	LastUpdated time.Time         `json:"lastUpdated"`
}

// NewTask is the input of CreateTask.
type NewTask struct {
	AppID       string
	Action      string
	UserID      string
	GroupID     string
	MappingID   string
	Params      map[string]string
	Description string
}

const taskColumns = `id, app_id, action, user_id, group_id, mapping_id, params, description, status, reason, attempts, created, last_updated`

func scanTask(row interface{ Scan(...any) error }) (Task, error) {
	var t Task
	var params, created, updated string
	err := row.Scan(&t.ID, &t.AppID, &t.Action, &t.UserID, &t.GroupID, &t.MappingID, &params, &t.Description,
		&t.Status, &t.Reason, &t.Attempts, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, ErrNotFound
	}
	if err != nil {
		return Task{}, err
	}
	if err := json.Unmarshal([]byte(params), &t.Params); err != nil {
		return Task{}, fmt.Errorf("directory: task %s params: %w", t.ID, err)
	}
	if t.Created, err = parseTime(created); err != nil {
		return Task{}, err
	}
	if t.LastUpdated, err = parseTime(updated); err != nil {
		return Task{}, err
	}
	return t, nil
}

// CreateTask queues a task.
func (tx *Tx) CreateTask(ctx context.Context, in NewTask) (Task, error) {
	params := in.Params
	if params == nil {
		params = map[string]string{}
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return Task{}, err
	}
	now := tx.s.now().Truncate(time.Millisecond)
	t := Task{ID: NewID(PrefixTask), AppID: in.AppID, Action: in.Action, UserID: in.UserID, GroupID: in.GroupID,
		MappingID: in.MappingID, Params: params, Description: in.Description, Status: TaskQueued, Created: now, LastUpdated: now}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO provisioning_tasks (`+taskColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, ?, ?)`,
		t.ID, t.AppID, t.Action, t.UserID, t.GroupID, t.MappingID, string(raw), t.Description, string(TaskQueued), fmtTime(now), fmtTime(now))
	if err != nil {
		return Task{}, fmt.Errorf("directory: create task: %w", err)
	}
	return t, nil
}

// TaskByID returns a task, or ErrNotFound.
func (s *Store) TaskByID(ctx context.Context, id string) (Task, error) {
	return scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM provisioning_tasks WHERE id = ?`, id))
}

// NextQueuedTask returns the oldest queued task, or ErrNotFound.
func (s *Store) NextQueuedTask(ctx context.Context) (Task, error) {
	return scanTask(s.db.QueryRowContext(ctx, `SELECT `+taskColumns+` FROM provisioning_tasks WHERE status = 'QUEUED' ORDER BY seq LIMIT 1`))
}

// TaskFilter selects tasks; zero fields match everything.
type TaskFilter struct {
	AppID   string
	UserID  string
	GroupID string
	Status  TaskStatus
	Limit   int // the newest Limit tasks; 0 for all
}

// ListTasks returns the tasks that match, oldest first.
func (s *Store) ListTasks(ctx context.Context, f TaskFilter) ([]Task, error) {
	var where []string
	var args []any
	for _, c := range []struct{ col, val string }{{"app_id", f.AppID}, {"user_id", f.UserID}, {"group_id", f.GroupID}, {"status", string(f.Status)}} {
		if c.val != "" {
			where, args = append(where, c.col+" = ?"), append(args, c.val)
		}
	}
	q := `SELECT seq, ` + taskColumns + ` FROM provisioning_tasks`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY seq DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+taskColumns+` FROM (`+q+`) ORDER BY seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: list tasks: %w", err)
	}
	defer rows.Close()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// StartTask counts an attempt of a queued task.
func (s *Store) StartTask(ctx context.Context, id string) (Task, error) {
	if _, err := s.db.ExecContext(ctx, `UPDATE provisioning_tasks SET attempts = attempts + 1, last_updated = ? WHERE id = ?`,
		fmtTime(s.now()), id); err != nil {
		return Task{}, fmt.Errorf("directory: start task: %w", err)
	}
	return s.TaskByID(ctx, id)
}

// FinishTask records the outcome of a task: COMPLETED, or FAILED with the
// reason.
func (tx *Tx) FinishTask(ctx context.Context, id string, status TaskStatus, reason string) error {
	_, err := tx.tx.ExecContext(ctx, `UPDATE provisioning_tasks SET status = ?, reason = ?, last_updated = ? WHERE id = ?`,
		string(status), reason, fmtTime(tx.s.now()), id)
	if err != nil {
		return fmt.Errorf("directory: finish task: %w", err)
	}
	return nil
}

// RequeueTask queues a failed task again. Only FAILED tasks can be retried
// (ErrInvalid otherwise).
func (s *Store) RequeueTask(ctx context.Context, id string) (Task, error) {
	t, err := s.TaskByID(ctx, id)
	if err != nil {
		return Task{}, err
	}
	if t.Status != TaskFailed {
		return Task{}, fmt.Errorf("%w: only a FAILED task can be retried; this one is %s", ErrInvalid, t.Status)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE provisioning_tasks SET status = 'QUEUED', last_updated = ? WHERE id = ? AND status = 'FAILED'`,
		fmtTime(s.now()), id); err != nil {
		return Task{}, fmt.Errorf("directory: retry task: %w", err)
	}
	return s.TaskByID(ctx, id)
}

// SCIMRequest is one logged SCIM exchange. Headers carry no secret: the
// Bearer token is redacted before the exchange is logged.
type SCIMRequest struct {
	ID              int64       `json:"id"`
	AppID           string      `json:"appId"`
	TaskID          string      `json:"taskId,omitempty"`
	Method          string      `json:"method"`
	URL             string      `json:"url"`
	RequestHeaders  http.Header `json:"requestHeaders"`
	RequestBody     string      `json:"requestBody"`
	Status          int         `json:"status"`
	ResponseHeaders http.Header `json:"responseHeaders"`
	ResponseBody    string      `json:"responseBody"`
	Error           string      `json:"error,omitempty"`
	Started         time.Time   `json:"started"`
	DurationMS      float64     `json:"durationMs"`
}

// maxLoggedRequests bounds the SCIM request log; older entries are dropped.
const maxLoggedRequests = 5000

// LogSCIMRequest appends an exchange to the log and returns its id.
func (s *Store) LogSCIMRequest(ctx context.Context, r SCIMRequest) (int64, error) {
	reqH, err := json.Marshal(headerOrEmpty(r.RequestHeaders))
	if err != nil {
		return 0, err
	}
	respH, err := json.Marshal(headerOrEmpty(r.ResponseHeaders))
	if err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO scim_requests (app_id, task_id, method, url, request_headers, request_body,
		status, response_headers, response_body, error, started, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.AppID, r.TaskID, r.Method, r.URL, string(reqH), r.RequestBody, r.Status, string(respH), r.ResponseBody, r.Error,
		fmtTime(r.Started), r.DurationMS)
	if err != nil {
		return 0, fmt.Errorf("directory: log scim request: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	if id%100 == 0 {
		_, _ = s.db.ExecContext(ctx, `DELETE FROM scim_requests WHERE id <= ?`, id-maxLoggedRequests)
	}
	return id, nil
}

func headerOrEmpty(h http.Header) http.Header {
	if h == nil {
		return http.Header{}
	}
	return h
}

// RequestFilter selects logged SCIM exchanges; zero fields match all.
type RequestFilter struct {
	AppID   string
	TaskID  string
	AfterID int64 // only exchanges with a larger id
	Limit   int   // the newest Limit exchanges; 0 for all
}

const requestColumns = `id, app_id, task_id, method, url, request_headers, request_body, status, response_headers,
	response_body, error, started, duration_ms`

func scanRequest(row interface{ Scan(...any) error }) (SCIMRequest, error) {
	var r SCIMRequest
	var reqH, respH, started string
	err := row.Scan(&r.ID, &r.AppID, &r.TaskID, &r.Method, &r.URL, &reqH, &r.RequestBody, &r.Status, &respH,
		&r.ResponseBody, &r.Error, &started, &r.DurationMS)
	if errors.Is(err, sql.ErrNoRows) {
		return SCIMRequest{}, ErrNotFound
	}
	if err != nil {
		return SCIMRequest{}, err
	}
	if err := json.Unmarshal([]byte(reqH), &r.RequestHeaders); err != nil {
		return SCIMRequest{}, err
	}
	if err := json.Unmarshal([]byte(respH), &r.ResponseHeaders); err != nil {
		return SCIMRequest{}, err
	}
	if r.Started, err = parseTime(started); err != nil {
		return SCIMRequest{}, err
	}
	return r, nil
}

// ListSCIMRequests returns the logged exchanges that match, oldest first.
func (s *Store) ListSCIMRequests(ctx context.Context, f RequestFilter) ([]SCIMRequest, error) {
	where := []string{"id > ?"}
	args := []any{f.AfterID}
	if f.AppID != "" {
		where, args = append(where, "app_id = ?"), append(args, f.AppID)
	}
	if f.TaskID != "" {
		where, args = append(where, "task_id = ?"), append(args, f.TaskID)
	}
	q := `SELECT ` + requestColumns + ` FROM scim_requests WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT * FROM (`+q+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("directory: list scim requests: %w", err)
	}
	defer rows.Close()
	out := []SCIMRequest{}
	for rows.Next() {
		r, err := scanRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SCIMRequestByID returns one logged exchange, or ErrNotFound.
func (s *Store) SCIMRequestByID(ctx context.Context, id int64) (SCIMRequest, error) {
	return scanRequest(s.db.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM scim_requests WHERE id = ?`, id))
}
