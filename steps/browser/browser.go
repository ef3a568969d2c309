// Package browser is the conformance suite's web browser: an HTTP client with a
// cookie jar that follows redirects, fills and submits HTML forms, and submits the
// auto-posting forms that carry SAML messages, as a person's browser would with
// JavaScript on.
package browser

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// maxBody bounds what the browser reads of one page; the pages under test are small.
const maxBody = 4 << 20

// Browser is one person's browser. It is not safe for concurrent use: a person
// clicks one thing at a time.
type Browser struct {
	client *http.Client
	jar    http.CookieJar
	// Last is the page the browser shows now.
	Last *Page
}

// Page is a loaded document.
type Page struct {
	URL    *url.URL
	Status int
	Body   string
	Forms  []Form
	Links  []Link
}

// Form is an HTML form with its current field values.
type Form struct {
	ID     string
	Action *url.URL
	Method string
	Fields url.Values
}

// Link is an anchor element.
type Link struct {
	Text string
	Href *url.URL
}

// New returns a browser with an empty cookie jar. transport may be nil.
func New(transport http.RoundTripper) *Browser {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	return &Browser{
		jar:    jar,
		client: &http.Client{Jar: jar, Transport: transport},
	}
}

// Jar exposes the cookie jar, so a target can tell whose session it holds.
func (b *Browser) Jar() http.CookieJar { return b.jar }

// Get opens a URL.
func (b *Browser) Get(ctx context.Context, rawURL string) (*Page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	return b.do(req)
}

// Submit posts (or gets) a form with the given values overriding the form's own.
func (b *Browser) Submit(ctx context.Context, f Form, values map[string]string) (*Page, error) {
	v := url.Values{}
	for k, vs := range f.Fields {
		v[k] = append([]string(nil), vs...)
	}
	for k, val := range values {
		v.Set(k, val)
	}
	var req *http.Request
	var err error
	if strings.EqualFold(f.Method, http.MethodGet) {
		u := *f.Action
		u.RawQuery = v.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	} else {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, f.Action.String(), strings.NewReader(v.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			// A real browser sends Origin on a form POST; servers that guard
			// against cross-site requests look at it.
			req.Header.Set("Origin", originOf(b.Last))
		}
	}
	if err != nil {
		return nil, err
	}
	return b.do(req)
}

// FollowAutoPost submits, one after the other, the pages that are SAML auto-post
// forms (a form with a SAMLResponse or SAMLRequest field), as a browser running
// their script would. It stops at the first page that is not one.
func (b *Browser) FollowAutoPost(ctx context.Context) (*Page, error) {
	for i := 0; i < 5; i++ {
		f, ok := b.Last.FormWithField("SAMLResponse")
		if !ok {
			f, ok = b.Last.FormWithField("SAMLRequest")
		}
		if !ok {
			return b.Last, nil
		}
		if _, err := b.Submit(ctx, f, nil); err != nil {
			return nil, err
		}
	}
	return nil, errors.New("browser: more than 5 auto-posting forms in a row")
}

// FormWithField returns the first form that has a field with this name.
func (p *Page) FormWithField(name string) (Form, bool) {
	if p == nil {
		return Form{}, false
	}
	for _, f := range p.Forms {
		if _, ok := f.Fields[name]; ok {
			return f, true
		}
	}
	return Form{}, false
}

// LinkWithText returns the first link whose text contains s.
func (p *Page) LinkWithText(s string) (Link, bool) {
	if p == nil {
		return Link{}, false
	}
	for _, l := range p.Links {
		if strings.Contains(l.Text, s) {
			return l, true
		}
	}
	return Link{}, false
}

func (b *Browser) do(req *http.Request) (*Page, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, err
	}
	p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Body: string(body)}
	if strings.Contains(resp.Header.Get("Content-Type"), "html") {
		if err := p.parse(body); err != nil {
			return nil, fmt.Errorf("browser: %s: %w", p.URL, err)
		}
	}
	b.Last = p
	return p, nil
}

func originOf(p *Page) string {
	if p == nil || p.URL == nil {
		return "null"
	}
	return p.URL.Scheme + "://" + p.URL.Host
}

func (p *Page) parse(body []byte) error {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return err
	}
	var cur *Form
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				action := p.URL
				if a := attr(n, "action"); a != "" {
					if u, err := p.URL.Parse(a); err == nil {
						action = u
					}
				}
				method := strings.ToUpper(attr(n, "method"))
				if method == "" {
					method = http.MethodGet
				}
				p.Forms = append(p.Forms, Form{ID: attr(n, "id"), Action: action, Method: method, Fields: url.Values{}})
				cur = &p.Forms[len(p.Forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				cur = nil
				return
			case "input", "textarea", "select":
				if cur != nil && attr(n, "name") != "" {
					typ := attr(n, "type")
					if (typ != "checkbox" && typ != "radio" && typ != "submit") || hasAttr(n, "checked") {
						cur.Fields.Add(attr(n, "name"), attr(n, "value"))
					}
				}
			case "a":
				if href := attr(n, "href"); href != "" {
					if u, err := p.URL.Parse(href); err == nil {
						p.Links = append(p.Links, Link{Text: strings.TrimSpace(text(n)), Href: u})
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

func text(n *html.Node) string {
	var sb strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			sb.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return sb.String()
}

// Text is the page's visible text, roughly: the body without tags.
func (p *Page) Text() string {
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		return p.Body
	}
	return strings.Join(strings.Fields(text(doc)), " ")
}
