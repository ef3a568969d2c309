package ssosaml

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/crewjam/saml"

	"github.com/ssoharness/ssoharness/sp/store"
)

// provision is just-in-time provisioning (JIT-01, JIT-02): a person Okta signed
// in who is not a member of the integration's organization joins it when a team
// of that organization pre-approves their email domain. The account (created,
// or found when the person already belongs to another organization), the
// membership (source jit, role member) and the team membership are made in one
// transaction: a failure part-way leaves nothing behind.
func (s *Service) provision(ctx context.Context, in store.Integration, email string, a *saml.Assertion) (store.User, error) {
	no := func(reason Reason, cause error) (store.User, error) {
		return store.User{}, &Refusal{Reason: reason, IntegrationID: in.ID, Cause: cause}
	}
	domain := emailDomain(email)
	given, family := assertionNames(a)
	var user store.User
	err := s.store.InTx(ctx, func(tx store.Store) error {
		td, err := tx.FindTeamDomain(ctx, in.OrgID, domain)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return &Refusal{Reason: ReasonNotMember, IntegrationID: in.ID,
				Cause: fmt.Errorf("%q is not a member of organization %s and no team pre-approves %q", email, in.OrgID, domain)}
		case err != nil:
			return fmt.Errorf("find team domain: %w", err)
		}
		if err := jitAllowed(ctx, tx, in.OrgID, email); err != nil {
			var ref *Refusal
			if errors.As(err, &ref) {
				ref.IntegrationID = in.ID
			}
			return err
		}
		action := "jit.attach"
		user, err = tx.GetUserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			action = "jit.create"
			user, err = tx.CreateUser(ctx, store.User{
				Email:       strings.TrimSpace(email),
				GivenName:   given,
				FamilyName:  family,
				DisplayName: strings.TrimSpace(given + " " + family),
				CreatedAt:   s.now(),
				UpdatedAt:   s.now(),
			})
		}
		if err != nil {
			return fmt.Errorf("account: %w", err)
		}
		if _, err := tx.AddMembership(ctx, store.Membership{
			UserID: user.ID, OrgID: in.OrgID, Role: store.RoleMember, Source: store.SourceJIT, CreatedAt: s.now(),
		}); err != nil {
			return fmt.Errorf("membership: %w", err)
		}
		err = tx.AddTeamMember(ctx, td.TeamID, user.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// The team went away since it was looked up, and its pre-approved
			// domains with it.
			return &Refusal{Reason: ReasonNotMember, IntegrationID: in.ID,
				Cause: fmt.Errorf("team %s, which pre-approved %q, is gone: %w", td.TeamID, domain, err)}
		case err != nil:
			return fmt.Errorf("team membership: %w", err)
		}
		_, err = tx.AppendAudit(ctx, store.AuditEvent{
			OrgID: in.OrgID, Actor: "sso:" + in.ID, Action: action, Target: "user:" + user.ID,
			Detail: "team " + td.TeamID + " pre-approves " + domain, At: s.now(),
		})
		return err
	})
	var ref *Refusal
	switch {
	case err == nil:
		return user, nil
	case errors.As(err, &ref):
		return store.User{}, ref
	case errors.Is(err, store.ErrConflict):
		// The same person's first sign-in ran at the same time on another
		// replica and made the account or membership first. If that left them a
		// member, this sign-in is simply a sign-in.
		if u, gerr := s.store.GetUserByEmail(ctx, email); gerr == nil {
			if _, merr := s.store.GetMembership(ctx, in.OrgID, u.ID); merr == nil {
				return u, nil
			}
		}
		return no(ReasonInternal, fmt.Errorf("just-in-time provisioning of %q: %w", email, err))
	default:
		return no(ReasonInternal, fmt.Errorf("just-in-time provisioning of %q: %w", email, err))
	}
}

// jitAllowed is the last word on joining email to organization orgID by JIT,
// asked inside the provisioning transaction tx.
//
// JIT-03: it refuses a person whom SCIM deactivated in orgID — a SCIM user
// record of orgID for this email (by userName, or by any of its emails, compared
// case-insensitively) with active=false — so that signing in through Okta never
// brings back someone the IdP removed. Only the IdP reactivating them over SCIM
// does (SCIM-13).
func jitAllowed(ctx context.Context, tx store.Store, orgID, email string) error {
	f := &store.SCIMFilter{Logic: store.SCIMOr,
		Left:  &store.SCIMFilter{Attr: store.SCIMAttrUserName, Value: email},
		Right: &store.SCIMFilter{Attr: store.SCIMAttrEmail, Value: email},
	}
	users, err := tx.ListSCIMUsers(ctx, orgID, store.SCIMQuery{Filter: f, Limit: 10})
	if err != nil {
		return fmt.Errorf("look up SCIM users for %q: %w", email, err)
	}
	for _, u := range users {
		if !u.Active {
			return &Refusal{Reason: ReasonDeprovisioned,
				Cause: fmt.Errorf("%q was deactivated over SCIM in organization %s (SCIM user %s)", email, orgID, u.ID)}
		}
	}
	return nil
}

// emailDomain is the lowercase domain part of an email address.
func emailDomain(email string) string {
	return strings.ToLower(strings.TrimSpace(email[strings.LastIndexByte(email, '@')+1:]))
}

// assertionNames returns the person's given and family names from the
// attribute statements: Okta's catalog app sends firstName and lastName; the
// other names are what other IdPs commonly use.
func assertionNames(a *saml.Assertion) (given, family string) {
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			if len(attr.Values) == 0 {
				continue
			}
			v := strings.TrimSpace(attr.Values[0].Value)
			switch strings.ToLower(attr.Name) {
			case "firstname", "givenname", "first_name", "urn:oid:2.5.4.42",
				"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname":
				if given == "" {
					given = v
				}
			case "lastname", "familyname", "surname", "sn", "last_name", "urn:oid:2.5.4.4",
				"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname":
				if family == "" {
					family = v
				}
			}
		}
	}
	return limit(given, 200), limit(family, 200)
}

// limit cuts s to at most n bytes on a rune boundary: names come from the IdP,
// and a huge one would otherwise land in the database as is.
func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
