package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Limits on what a member's details may hold.
const (
	MaxEmail = 254 // RFC 5321's path limit, less the brackets
	MaxName  = 200
)

// Member is a user as one organization sees them.
type Member struct {
	User       store.User
	Membership store.Membership
	TeamIDs    []string
}

// NewMember is a person an admin adds to the organization.
type NewMember struct {
	Email      string
	GivenName  string
	FamilyName string
	Role       store.Role // empty means member
}

// ListMembers returns the members of orgID, in the order they joined.
func (s *Service) ListMembers(ctx context.Context, orgID string) ([]Member, error) {
	ms, err := s.store.ListMemberships(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		mem, err := s.member(ctx, s.store, m)
		if errors.Is(err, store.ErrNotFound) {
			continue // left between the two reads
		}
		if err != nil {
			return nil, err
		}
		out = append(out, mem)
	}
	return out, nil
}

// GetMember returns a member of orgID; a user who is not one is store.ErrNotFound.
func (s *Service) GetMember(ctx context.Context, orgID, userID string) (Member, error) {
	m, err := s.store.GetMembership(ctx, orgID, userID)
	if err != nil {
		return Member{}, fmt.Errorf("member %q: %w", userID, err)
	}
	return s.member(ctx, s.store, m)
}

func (s *Service) member(ctx context.Context, st store.Store, m store.Membership) (Member, error) {
	u, err := st.GetUser(ctx, m.UserID)
	if err != nil {
		return Member{}, fmt.Errorf("user %q: %w", m.UserID, err)
	}
	teams, err := st.ListUserTeams(ctx, m.OrgID, m.UserID)
	if err != nil {
		return Member{}, fmt.Errorf("teams of %q: %w", m.UserID, err)
	}
	ids := make([]string, 0, len(teams))
	for _, t := range teams {
		ids = append(ids, t.ID)
	}
	return Member{User: u, Membership: m, TeamIDs: ids}, nil
}

// AddMember adds a local member to orgID (source local): a new account, or an
// existing one (someone who belongs to another organization) attached, never
// duplicated. The names of an existing account are left as they are. A refusal
// is an *InputError (someone already a member wraps store.ErrConflict).
func (s *Service) AddMember(ctx context.Context, orgID string, nm NewMember) (Member, error) {
	email := strings.TrimSpace(nm.Email)
	given := strings.TrimSpace(nm.GivenName)
	family := strings.TrimSpace(nm.FamilyName)
	role := nm.Role
	if role == "" {
		role = store.RoleMember
	}
	switch {
	case email == "":
		return Member{}, inputErr(FieldEmail, "Enter an email address.")
	case len(email) > MaxEmail || !validEmail(email):
		return Member{}, inputErr(FieldEmail, "Enter a valid email address, such as ada@acme.com.")
	case utf8.RuneCountInString(given) > MaxName || strings.ContainsFunc(given, isControl) || !utf8.ValidString(given):
		return Member{}, inputErr(FieldGivenName, fmt.Sprintf("A first name is at most %d characters, without control characters.", MaxName))
	case utf8.RuneCountInString(family) > MaxName || strings.ContainsFunc(family, isControl) || !utf8.ValidString(family):
		return Member{}, inputErr(FieldFamilyName, fmt.Sprintf("A last name is at most %d characters, without control characters.", MaxName))
	case role != store.RoleAdmin && role != store.RoleMember:
		return Member{}, inputErr(FieldRole, `The role is "admin" or "member".`)
	}
	var out Member
	err := s.store.InTx(ctx, func(tx store.Store) error {
		if _, err := tx.GetOrganization(ctx, orgID); err != nil {
			return fmt.Errorf("organization %q: %w", orgID, err)
		}
		u, err := tx.GetUserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) {
			u, err = tx.CreateUser(ctx, store.User{
				Email: email, GivenName: given, FamilyName: family,
				DisplayName: strings.TrimSpace(given + " " + family),
				CreatedAt:   s.now(), UpdatedAt: s.now(),
			})
		}
		if err != nil {
			return fmt.Errorf("account: %w", err)
		}
		m, err := tx.AddMembership(ctx, store.Membership{UserID: u.ID, OrgID: orgID, Role: role, Source: store.SourceLocal, CreatedAt: s.now()})
		switch {
		case errors.Is(err, store.ErrConflict):
			return conflict(FieldEmail, fmt.Sprintf("%s is already a member of this organization.", u.Email))
		case err != nil:
			return fmt.Errorf("membership: %w", err)
		}
		out, err = s.member(ctx, tx, m)
		return err
	})
	if err != nil {
		return Member{}, err
	}
	return out, nil
}

// validEmail is a plain shape check: one @, something on each side, a dot in the
// domain, no spaces or angle brackets. Delivery is not this SP's business.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.Count(s, "@") != 1 {
		return false
	}
	if strings.ContainsAny(s, " \t\r\n<>,;\"") || strings.ContainsFunc(s, isControl) {
		return false
	}
	_, err := NormalizeDomain(s[at+1:])
	return err == nil
}
