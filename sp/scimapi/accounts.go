package scimapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/elimity-com/scim"

	"github.com/ssoharness/ssoharness/sp/store"
)

// provision makes sure the account of an active SCIM user exists and is a
// member of the organization, and returns its id (SCIM-04, SCIM-13).
//
// The account is the one linked before (linkedID) if it still exists, else
// the one with the user's email, which may have come through another
// organization or JIT: it is attached, never duplicated. Failing both, it is
// created. An account that another organization also holds is not changed
// (neither profile, nor email, nor password): one organization's IdP must not
// reach what another organization relies on. Otherwise the IdP's name,
// display name, locale, email and password (pwHash, when sent) reach it
// (SCIM-05, SCIM-07).
func (s *Server) provision(ctx context.Context, tx store.Store, orgID, linkedID string, st userState, pwHash string) (string, error) {
	want, err := st.account()
	if err != nil {
		return "", err
	}
	var acct store.User
	found := false
	if linkedID != "" {
		acct, err = tx.GetUser(ctx, linkedID)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, store.ErrNotFound):
			return "", err
		}
	}
	if !found {
		acct, err = tx.GetUserByEmail(ctx, want.Email)
		switch {
		case errors.Is(err, store.ErrNotFound):
			want.PasswordHash = pwHash
			want.CreatedAt = s.now()
			if acct, err = tx.CreateUser(ctx, want); err != nil {
				return "", err
			}
			return acct.ID, s.join(ctx, tx, orgID, acct.ID)
		case err != nil:
			return "", err
		}
	}
	ms, err := tx.ListUserMemberships(ctx, acct.ID)
	if err != nil {
		return "", err
	}
	member, shared := false, false
	for _, m := range ms {
		member = member || m.OrgID == orgID
		shared = shared || m.OrgID != orgID
	}
	if !shared {
		next := acct
		next.Email, next.GivenName, next.FamilyName, next.DisplayName, next.Locale = want.Email, want.GivenName, want.FamilyName, want.DisplayName, want.Locale
		if pwHash != "" {
			next.PasswordHash = pwHash
		}
		if next != acct {
			next.UpdatedAt = s.now()
			if _, err := tx.UpdateUser(ctx, next); err != nil {
				return "", err
			}
		}
	}
	if !member {
		if err := s.join(ctx, tx, orgID, acct.ID); err != nil {
			return "", err
		}
	}
	return acct.ID, nil
}

func (s *Server) join(ctx context.Context, tx store.Store, orgID, userID string) error {
	_, err := tx.AddMembership(ctx, store.Membership{OrgID: orgID, UserID: userID, Role: store.RoleMember, Source: store.SourceSCIM, CreatedAt: s.now()})
	return err
}

// deprovision detaches an account from the organization and its teams (the
// store's RemoveMembership ends its sessions there too) and deletes the
// account when no other organization holds it (SCIM-06, SCIM-11, SCIM-12).
// It reports whether the account was deleted.
func (s *Server) deprovision(ctx context.Context, tx store.Store, orgID, userID string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	if err := tx.RemoveMembership(ctx, orgID, userID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	ms, err := tx.ListUserMemberships(ctx, userID)
	if err != nil || len(ms) > 0 {
		return false, err
	}
	if err := tx.DeleteUser(ctx, userID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	return true, nil
}

// retryStale runs fn in a transaction, again (up to three times) when a
// concurrent change to the same resource made the version check fail. A
// request with If-Match is not retried: its precondition is the client's.
func (s *Server) retryStale(ctx context.Context, retry bool, fn func(tx store.Store) error) error {
	for attempt := 0; ; attempt++ {
		err := s.store.InTx(ctx, fn)
		if !retry || attempt == 2 || !errors.Is(err, store.ErrStale) {
			return err
		}
	}
}

// etag is the entity tag of a version, as meta.version and the ETag header.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

func meta(created, modified time.Time, version int64) scim.Meta {
	return scim.Meta{Created: &created, LastModified: &modified, Version: etag(version)}
}

func preconditionFailed() error {
	return scimErr(http.StatusPreconditionFailed, "", "The resource has changed since the version named in If-Match.")
}
