// Package jsonapi holds what the SP's JSON APIs (the admin API and the
// conformance hooks) share: how an answer is written, the headers every answer
// carries, and how a panic becomes a 500 instead of a dropped connection.
package jsonapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// internalError is the body of every 500: no detail reaches the caller.
const internalError = `{"error":"Something went wrong on our side."}`

// WriteJSON writes v as the answer, with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the APIs' own types are written; none can fail to encode.
		status, b = http.StatusInternalServerError, []byte(internalError)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// Headers sets what every JSON answer carries: never cached, never sniffed,
// never rendered as a page.
func Headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

// Methods serves each method with its handler; any other method is a JSON 405
// naming the allowed ones, so that no error of an API is plain text.
func Methods(methods map[string]http.HandlerFunc) http.HandlerFunc {
	allowed := strings.Join(slices.Sorted(maps.Keys(methods)), ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		h, ok := methods[r.Method]
		if !ok {
			w.Header().Set("Allow", allowed)
			WriteJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "Method " + r.Method + " is not allowed here; use " + allowed + "."})
			return
		}
		h(w, r)
	}
}

// Recover turns a panic into a JSON 500 and one log line, msg.
func Recover(log *slog.Logger, msg string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), msg, "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(internalError + "\n"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
