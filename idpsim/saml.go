package idpsim

import (
	"errors"
	"net/http"

	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/samlidp"
)

// idpFor builds the SAML IdP of one app. It is cheap (the key is parsed,
// nothing is generated) and built per request, so a change to the app is
// seen at once and nothing needs invalidating. What must outlive a request
// (requests waiting for sign-in, faults, sent responses) is on the Server
// and passed in.
func (s *Server) idpFor(app directory.App) (*samlidp.IdP, error) {
	return samlidp.New(samlidp.Config{
		BaseURL: s.baseURL,
		App:     app,
		Auth:    authenticator{s},
		Clock:   s.Now,
		Logger:  s.log,
		OnError: s.samlError,
		Pending: s.pending,
		Hooks:   s.faults,
	})
}

// samlError shows one error page for SAML requests that cannot be served
// and logs the real reason. The page names the cause in a sentence, so that
// whoever is setting up an SP sees what to fix, but never echoes what the
// request said (the log has that).
func (s *Server) samlError(w http.ResponseWriter, r *http.Request, status int, err error) {
	s.log.Warn("saml request refused", "path", r.URL.Path, "status", status, "err", err)
	switch {
	case status == http.StatusNotFound:
		s.renderError(w, r, status, "404 - App not found", "This app does not exist in this org.")
	case status >= 500:
		s.renderError(w, r, status, "500 - Internal error", "Something went wrong while signing you in to the app.")
	default:
		s.renderError(w, r, http.StatusBadRequest, "400 - Bad request", badRequestMessage(err))
	}
}

// badRequestMessage says why a SAML request was refused, in the app
// administrator's terms.
func badRequestMessage(err error) string {
	const fix = " Ask the app's administrator to check its SAML settings."
	switch {
	case errors.Is(err, samlidp.ErrStateTokenExpired):
		return "Your sign-in request has expired or was already used. Go back to the app and sign in again."
	case errors.Is(err, saml.ErrUnknownAssertionConsumerService):
		return "The app asked for the sign-in response to go to an Assertion Consumer Service URL that is not the app's configured Single sign-on URL." + fix
	case errors.Is(err, saml.ErrUnknownServiceProvider):
		return "The Issuer of the app's sign-in request is not the app's Audience URI (SP Entity ID)." + fix
	case errors.Is(err, saml.ErrExpired):
		return "The app's sign-in request has expired. Go back to the app and sign in again; if this keeps happening, check the app server's clock."
	case errors.Is(err, saml.ErrNotYetValid):
		return "The app's sign-in request is dated in the future. Check the app server's clock."
	case errors.Is(err, saml.ErrDestinationMismatch):
		return "The Destination of the app's sign-in request is not this app's Single sign-on URL." + fix
	case errors.Is(err, saml.ErrInvalidSignature):
		return "The signature of the app's sign-in request could not be verified." + fix
	case errors.Is(err, saml.ErrMissingElement):
		return "The app's sign-in request is missing a required part (an ID or an Issuer)." + fix
	case errors.Is(err, saml.ErrMalformedMessage):
		return "The app's sign-in request could not be read: it is not a SAML AuthnRequest encoded for the HTTP-Redirect or HTTP-POST binding." + fix
	}
	return "The sign-in request from the app is not valid." + fix
}

func (s *Server) appNotFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "404 - App not found", "This app does not exist in this org.")
}

// lookupApp loads an app for a SAML route, writing the error page when it
// cannot. match checks the parts of the URL besides the id (app name, link
// id): Okta answers a URL whose parts do not belong together with a 404.
func (s *Server) lookupApp(w http.ResponseWriter, r *http.Request, find func() (directory.App, error), match func(directory.App) bool) (*samlidp.IdP, bool) {
	app, err := find()
	if err != nil {
		if errors.Is(err, directory.ErrNotFound) {
			s.appNotFound(w, r)
		} else {
			s.log.Error("app lookup failed", "err", err)
			s.renderError(w, r, http.StatusInternalServerError, "500 - Internal error", "Something went wrong. Try again.")
		}
		return nil, false
	}
	if !match(app) || app.Status != "ACTIVE" {
		s.appNotFound(w, r)
		return nil, false
	}
	p, err := s.idpFor(app)
	if err != nil {
		s.log.Error("app IdP unavailable", "app", app.ID, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "500 - Internal error", "Something went wrong. Try again.")
		return nil, false
	}
	return p, true
}

// byKeyID finds the app of an /app/… route; the app name, when the route
// has one, must be the app's.
func (s *Server) byKeyID(r *http.Request) (func() (directory.App, error), func(directory.App) bool) {
	keyID, name := r.PathValue("keyID"), r.PathValue("appName")
	return func() (directory.App, error) { return s.dir.AppByKeyID(r.Context(), keyID) },
		func(a directory.App) bool { return name == "" || a.Name == name }
}

func (s *Server) handleMetadata(w http.ResponseWriter, r *http.Request) {
	find, match := s.byKeyID(r)
	if p, ok := s.lookupApp(w, r, find, match); ok {
		p.ServeMetadata(w, r)
	}
}

func (s *Server) handleAPIMetadata(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("appID")
	if p, ok := s.lookupApp(w, r,
		func() (directory.App, error) { return s.dir.AppByID(r.Context(), id) },
		func(directory.App) bool { return true }); ok {
		p.ServeMetadata(w, r)
	}
}

func (s *Server) handleSSO(w http.ResponseWriter, r *http.Request) {
	find, match := s.byKeyID(r)
	if p, ok := s.lookupApp(w, r, find, match); ok {
		p.ServeSSO(w, r)
	}
}

func (s *Server) handleEmbedLink(w http.ResponseWriter, r *http.Request) {
	id, name, link := r.PathValue("appID"), r.PathValue("appName"), r.PathValue("linkID")
	p, ok := s.lookupApp(w, r,
		func() (directory.App, error) { return s.dir.AppByID(r.Context(), id) },
		func(a directory.App) bool { return a.Name == name && a.LinkID == link })
	if ok {
		// Okta lets an embed link carry the RelayState (deep link); without
		// one the app's default RelayState is sent.
		p.ServeLaunch(w, r, r.URL.Query().Get("RelayState"))
	}
}
