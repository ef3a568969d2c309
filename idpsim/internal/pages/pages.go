// Package pages renders the fake Okta's browser pages (sign-in, dashboard,
// error pages) from embedded html/template files. The markup stays plain,
// standard HTML so that a test browser can find forms and links by name.
package pages

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var files embed.FS

// Renderer renders the pages. Its templates are parsed once by New; it is
// safe for concurrent use.
type Renderer struct {
	org   string
	pages map[string]*template.Template
}

// New parses the templates. org is shown in every page's header and title.
func New(org string) (*Renderer, error) {
	r := &Renderer{org: org, pages: map[string]*template.Template{}}
	for _, name := range []string{"login", "dashboard", "error"} {
		t, err := template.ParseFS(files, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		r.pages[name] = t
	}
	return r, nil
}

// Login is the sign-in page.
type Login struct {
	FromURI  string // org-relative URI to go to after signing in
	Username string
	Error    string
}

// Dashboard is the end-user dashboard.
type Dashboard struct {
	UserName string
	Apps     []Tile
}

// Tile is one app on the dashboard.
type Tile struct {
	ID    string
	Label string
	URL   string // the app's embed link
}

// Error is an error page. Reason "not-assigned" and "inactive" show Okta's
// refusal for AppLabel; anything else shows Heading and Message.
type Error struct {
	Reason   string
	AppLabel string
	Heading  string
	Message  string
}

type frame struct {
	Title      string
	Org        string
	SignedInAs string
	Page       any
}

// Render writes page with the HTTP status. Pages are rendered into a buffer
// first, so a template error becomes a 500 instead of half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, signedInAs string, page any) {
	var name, title string
	switch p := page.(type) {
	case Login:
		name, title = "login", "Sign In"
	case Dashboard:
		name, title = "dashboard", "My Apps"
	case Error:
		name, title = "error", p.Heading
		if title == "" {
			title = "Access denied"
		}
	default:
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := r.pages[name].ExecuteTemplate(&buf, "layout", data(frame{Title: title, Org: r.org, SignedInAs: signedInAs, Page: page})); err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// data flattens the frame and the page into one map, so templates can say
// {{.Org}} and {{.FromURI}} alike.
func data(f frame) map[string]any {
	m := map[string]any{"Title": f.Title, "Org": f.Org, "SignedInAs": f.SignedInAs}
	switch p := f.Page.(type) {
	case Login:
		m["FromURI"], m["Username"], m["Error"] = p.FromURI, p.Username, p.Error
	case Dashboard:
		m["UserName"], m["Apps"] = p.UserName, p.Apps
	case Error:
		m["Reason"], m["AppLabel"], m["Heading"], m["Message"] = p.Reason, p.AppLabel, p.Heading, p.Message
	}
	return m
}
