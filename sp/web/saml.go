package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ssoharness/ssoharness/sp/ssosaml"
	"github.com/ssoharness/ssoharness/sp/store"
)

func (h *Handler) spMetadata(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("integrationId")
	xml, err := h.sso.MetadataXML(r.Context(), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "Not found", "There is no Okta integration with this ID.")
		return
	case err != nil:
		h.internalError(w, r, "sp metadata", err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(xml)
}

// acs is the Assertion Consumer Service: the IdP's browser POST lands here.
func (h *Handler) acs(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("integrationId")
	login, err := h.sso.ConsumeResponse(r.Context(), r, id)
	if err != nil {
		h.refuseSSO(w, r, err)
		return
	}
	if err := h.sessions.Start(w, r, login.UserID, login.OrgID); err != nil {
		h.refuseSSO(w, r, &ssosaml.Refusal{Reason: ssosaml.ReasonInternal, IntegrationID: id, Cause: err})
		return
	}
	h.rememberIntegration(w, login.IntegrationID)
	h.log.InfoContext(r.Context(), "saml sign-in",
		slog.String("integration_id", login.IntegrationID),
		slog.String("org_id", login.OrgID),
		slog.String("user_id", login.UserID),
		slog.String("assertion_id", login.AssertionID),
		slog.Bool("sp_initiated", login.RequestID != ""),
		slog.Bool("jit", login.Provisioned),
		slog.Bool("connected", login.Connected))
	http.Redirect(w, r, SafeRedirectPath(login.RelayState), http.StatusSeeOther)
}

// ssoSignIn is the SP-initiated Sign-in URL: it sends the browser to Okta with
// an AuthnRequest; return_to is the page to land on afterwards.
func (h *Handler) ssoSignIn(w http.ResponseWriter, r *http.Request) {
	to, err := h.sso.StartSignIn(r.Context(), r.PathValue("integrationId"), r.URL.Query().Get("return_to"))
	if err != nil {
		h.refuseSSO(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// connectRoundTrip is the settings page's Connect: it sends the admin to Okta;
// the answer, at the ACS, marks the integration connected.
func (h *Handler) connectRoundTrip(w http.ResponseWriter, r *http.Request, vw *viewer) {
	in, ok := h.orgIntegration(w, r, vw)
	if !ok {
		return
	}
	to, err := h.sso.StartConnect(r.Context(), in.ID)
	if err != nil {
		ref := ssosaml.AsRefusal(err)
		if ref.Reason == ssosaml.ReasonInternal {
			h.internalError(w, r, "connect round trip", err)
			return
		}
		h.log.InfoContext(r.Context(), "connect round trip refused", "integration_id", in.ID, "reason", string(ref.Reason), "cause", err)
		msg := ref.Reason.Text()
		if ref.Reason == ssosaml.ReasonNotConfigured {
			msg = "Enter the Identity Provider details (the metadata link, or the Single Sign-On URL and certificate) before you connect."
		}
		h.errorPage(w, r, http.StatusConflict, "Cannot connect yet", msg)
		return
	}
	h.log.InfoContext(r.Context(), "connect round trip started", "integration_id", in.ID, "user_id", vw.UserID)
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// lastIntegrationCookie remembers, in the browser, the Okta integration its last
// SSO sign-in came through, so that the sign-in page can offer "Sign in with
// Okta" for that organization. It holds nothing that grants access: the
// Integration ID only names the organization's sign-in URL.
const lastIntegrationCookie = "sp_okta"

func (h *Handler) rememberIntegration(w http.ResponseWriter, integrationID string) {
	http.SetCookie(w, &http.Cookie{
		Name:     lastIntegrationCookie,
		Value:    integrationID,
		Path:     "/users/sign-in",
		MaxAge:   int((90 * 24 * time.Hour).Seconds()),
		HttpOnly: true,
		Secure:   strings.HasPrefix(h.sso.BaseURL(), "https://"),
		SameSite: http.SameSiteLaxMode,
	})
}

// oktaSignInURL returns the SP-initiated sign-in path for the organization this
// browser last signed in to with Okta, if that integration still takes
// sign-ins, else "".
func (h *Handler) oktaSignInURL(r *http.Request, next string) string {
	c, err := r.Cookie(lastIntegrationCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return ""
	}
	in, err := h.store.GetIntegration(r.Context(), c.Value)
	if err != nil || in.Status != store.StatusConnected || !in.Configured() {
		return ""
	}
	u := "/users/sign-in/sso/okta/" + url.PathEscape(in.ID)
	if next != "" && next != "/" {
		u += "?return_to=" + url.QueryEscape(next)
	}
	return u
}

// refuseSSO is the one place a refused SAML sign-in becomes a response: a plain
// page with the reason's category, and exactly one log line with the real cause.
func (h *Handler) refuseSSO(w http.ResponseWriter, r *http.Request, err error) {
	ref := ssosaml.AsRefusal(err)
	level := slog.LevelWarn
	if ref.Reason == ssosaml.ReasonInternal {
		level = slog.LevelError
	}
	cause := ""
	if ref.Cause != nil {
		cause = ref.Cause.Error()
	}
	h.log.LogAttrs(r.Context(), level, "saml sign-in refused",
		slog.String("integration_id", ref.IntegrationID),
		slog.String("reason", string(ref.Reason)),
		slog.String("cause", cause),
		slog.String("remote_addr", r.RemoteAddr))
	if h.refusals != nil {
		h.refusals.RecordRefusal(ref.IntegrationID, ref.Reason)
	}
	h.render(w, r, ref.Reason.Status(), pageSSORefused, view{
		Title: "Sign-in refused",
		Data:  struct{ Reason, Text string }{string(ref.Reason), ref.Reason.Text()},
	})
}
