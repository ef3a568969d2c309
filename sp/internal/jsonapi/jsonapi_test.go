package jsonapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRecoverAndHeaders(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := Recover(slog.New(slog.NewTextHandler(&logs, nil)), "api panic", Headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("boom")
		}
		WriteJSON(w, http.StatusCreated, map[string]string{"id": "1"})
	})))
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/ok", `{"id":"1"}` + "\n", http.StatusCreated},
		{"/panic", `{"error":"Something went wrong on our side."}` + "\n", http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
		assert.Equal(t, tc.status, rec.Code, tc.path)
		assert.Equal(t, tc.body, rec.Body.String(), tc.path)
		assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"), tc.path)
		assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), tc.path)
	}
	assert.Contains(t, logs.String(), "api panic")
	assert.Contains(t, logs.String(), "boom")

	assert.NotPanics(t, func() { WriteJSON(httptest.NewRecorder(), http.StatusOK, make(chan int)) })
}

func TestMethods(t *testing.T) {
	t.Parallel()
	h := Methods(map[string]http.HandlerFunc{
		http.MethodPost:   func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) },
		http.MethodDelete: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) },
	})
	for _, tc := range []struct {
		method string
		status int
	}{{http.MethodPost, http.StatusCreated}, {http.MethodDelete, http.StatusNoContent}, {http.MethodGet, http.StatusMethodNotAllowed}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/x", nil))
		assert.Equal(t, tc.status, rec.Code, tc.method)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/x", nil))
	assert.Equal(t, "DELETE, POST", rec.Header().Get("Allow"))
	assert.JSONEq(t, `{"error":"Method PUT is not allowed here; use DELETE, POST."}`, rec.Body.String())
}
