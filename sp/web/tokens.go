package web

import (
	"errors"
	"net/http"

	"github.com/ssoharness/ssoharness/sp/store"
)

// The admin API tokens page: create a token (its secret is shown on the one
// response that creates it, never again) and revoke tokens.

type tokensData struct {
	Tokens []store.AdminToken
	// Secret is the token just created; it is in this response only.
	Secret string
	Notice string
}

func (h *Handler) tokensView(w http.ResponseWriter, r *http.Request, vw *viewer, status int, d tokensData) {
	toks, err := h.orgs.ListAdminTokens(r.Context(), vw.OrgID)
	if err != nil {
		h.internalError(w, r, "admin tokens: list", err)
		return
	}
	d.Tokens = toks
	h.render(w, r, status, pageTokens, view{Title: "Admin API tokens", Viewer: vw, Data: d})
}

func (h *Handler) tokens(w http.ResponseWriter, r *http.Request, vw *viewer) {
	d := tokensData{}
	if r.URL.Query().Get("saved") == "revoked" {
		d.Notice = "Token revoked. Programs using it are refused from now on."
	}
	h.tokensView(w, r, vw, http.StatusOK, d)
}

// createToken answers the POST with the page itself, not a redirect: the secret
// must not travel in a URL, and this is the only time it is shown.
func (h *Handler) createToken(w http.ResponseWriter, r *http.Request, vw *viewer) {
	secret, tok, err := h.orgs.CreateAdminToken(r.Context(), vw.OrgID)
	if err != nil {
		h.internalError(w, r, "admin tokens: create", err)
		return
	}
	h.log.InfoContext(r.Context(), "admin token created", "org_id", vw.OrgID, "token_id", tok.ID, "user_id", vw.UserID)
	h.tokensView(w, r, vw, http.StatusCreated, tokensData{Secret: secret})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request, vw *viewer) {
	id := r.PathValue("tokenId")
	err := h.orgs.RevokeAdminToken(r.Context(), vw.OrgID, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "Token not found", "There is no such admin API token in "+vw.OrgName+".")
		return
	case err != nil:
		h.internalError(w, r, "admin tokens: revoke", err)
		return
	}
	h.log.InfoContext(r.Context(), "admin token revoked", "org_id", vw.OrgID, "token_id", id, "user_id", vw.UserID)
	http.Redirect(w, r, "/settings/api-tokens?saved=revoked", http.StatusSeeOther)
}
