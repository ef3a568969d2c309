package idpsim

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/ssoharness/ssoharness/idpsim/directory"
	"github.com/ssoharness/ssoharness/idpsim/seed"
)

// Seed is a seed document; see package seed for the format.
type Seed = seed.Document

// SeedResult is what a seed made or found: every user and app of the
// document, with their ids and URLs.
type SeedResult struct {
	Users  []User  `json:"users"`
	Groups []Group `json:"groups,omitempty"`
	Apps   []App   `json:"apps"`
}

// ParseSeed reads a YAML (or JSON) seed document and validates it.
func ParseSeed(data []byte) (Seed, error) { return seed.Parse(data) }

// DefaultSeed returns the embedded default seed (three demo users).
func DefaultSeed() (Seed, error) { return seed.Parse(seed.Default()) }

// SeedYAML parses a YAML (or JSON) seed document and applies it.
func (s *Server) SeedYAML(ctx context.Context, data []byte) (SeedResult, error) {
	doc, err := seed.Parse(data)
	if err != nil {
		return SeedResult{}, err
	}
	return s.Seed(ctx, doc)
}

// Seed applies a seed document in one transaction: all of it, or nothing.
//
// It is an upsert, so applying the same document again changes nothing:
// users are matched by login (names, status and password updated to the
// document's; the password only if given), catalog apps by spBaseURL and
// integrationId, generic SAML apps by label. An existing app keeps its ids
// and signing key, so an SP configured with its metadata stays valid across
// restarts; its label and settings become the document's. Assignments are
// added, never removed.
//
// Errors about the document are *seed.Error, naming the field.
func (s *Server) Seed(ctx context.Context, doc Seed) (SeedResult, error) {
	if err := doc.Validate(); err != nil {
		return SeedResult{}, err
	}
	res := SeedResult{Users: []User{}, Apps: []App{}}
	err := s.dir.Update(ctx, func(tx *directory.Tx) error {
		for i, su := range doc.Users {
			u, err := s.seedUser(ctx, tx, su)
			if err != nil {
				return seedErr(fmt.Sprintf("users[%d]", i), err)
			}
			if su.Admin {
				if err := seedAdmin(ctx, tx, u.ID); err != nil {
					return err
				}
			}
			res.Users = append(res.Users, u)
		}
		for i, sg := range doc.Groups {
			g, err := seedGroup(ctx, tx, fmt.Sprintf("groups[%d]", i), sg)
			if err != nil {
				return err
			}
			res.Groups = append(res.Groups, g)
		}
		for i, sa := range doc.Apps {
			field := fmt.Sprintf("apps[%d]", i)
			a, err := s.seedApp(ctx, tx, sa)
			if err != nil {
				return seedErr(field, err)
			}
			for j, login := range sa.Assign {
				u, err := tx.UserByLogin(ctx, login)
				if errors.Is(err, directory.ErrNotFound) {
					return &seed.Error{Field: fmt.Sprintf("%s.assign[%d]", field, j),
						Message: fmt.Sprintf("no user with login %q (add it under users)", login)}
				}
				if err != nil {
					return err
				}
				if err := tx.Assign(ctx, a.ID, u.ID); err != nil {
					return err
				}
			}
			if err := seedAppExtras(ctx, tx, field, a.ID, sa); err != nil {
				return err
			}
			res.Apps = append(res.Apps, s.appView(a))
		}
		return nil
	})
	if err != nil {
		return SeedResult{}, err
	}
	s.log.Info("seed applied", "users", len(res.Users), "apps", len(res.Apps))
	return res, nil
}

// seedErr puts a directory validation error under the seed field it is
// about; other errors pass through.
func seedErr(field string, err error) error {
	var fe *directory.FieldError
	if errors.As(err, &fe) {
		return &seed.Error{Field: field + "." + fe.Field, Message: fe.Message}
	}
	if errors.Is(err, directory.ErrInvalid) {
		return &seed.Error{Field: field, Message: strings.TrimPrefix(err.Error(), directory.ErrInvalid.Error()+": ")}
	}
	return err
}

func (s *Server) seedUser(ctx context.Context, tx *directory.Tx, su seed.User) (User, error) {
	status := directory.UserStatus(su.Status)
	if status == "" {
		status = directory.StatusActive
	}
	u, err := tx.UserByLogin(ctx, su.Login)
	if errors.Is(err, directory.ErrNotFound) {
		return tx.CreateUser(ctx, directory.NewUser{
			Login: su.Login, FirstName: su.FirstName, LastName: su.LastName, Password: su.Password, Status: status,
		})
	}
	if err != nil {
		return User{}, err
	}
	var upd directory.UserUpdate
	if first := strings.TrimSpace(su.FirstName); first != u.FirstName {
		upd.FirstName = &first
	}
	if last := strings.TrimSpace(su.LastName); last != u.LastName {
		upd.LastName = &last
	}
	if status != u.Status {
		upd.Status = &status
	}
	if su.Password != "" {
		// Comparing first keeps a re-applied seed from touching the user
		// (lastUpdated stays put) and costs the same as hashing.
		same, err := tx.PasswordMatches(ctx, u.ID, su.Password)
		if err != nil {
			return User{}, err
		}
		if !same {
			upd.Password = &su.Password
		}
	}
	return tx.UpdateUser(ctx, u.ID, upd)
}

func (s *Server) seedApp(ctx context.Context, tx *directory.Tx, sa seed.App) (directory.App, error) {
	kind := directory.AppKind(sa.Kind)
	settings, err := directory.NormalizeSettings(kind, sa.Settings())
	if err != nil {
		return directory.App{}, err
	}
	signOn, err := directory.NormalizeSignOn(sa.SignOn(directory.DefaultSignOn()))
	if err != nil {
		return directory.App{}, err
	}
	label := strings.TrimSpace(sa.Label)

	var existing directory.App
	if kind == directory.KindCatalog {
		existing, err = tx.FindCatalogApp(ctx, settings.SPBaseURL, settings.IntegrationID)
	} else {
		existing, err = tx.FindSAMLAppByLabel(ctx, label)
	}
	switch {
	case errors.Is(err, directory.ErrNotFound):
		// A new app needs a key. Making it here holds the write lock for
		// the key generation, which is acceptable for a seed and keeps the
		// whole document one transaction.
		cred, err := s.newCredential()
		if err != nil {
			return directory.App{}, err
		}
		return s.insertApp(ctx, tx, kind, label, settings, signOn, cred)
	case err != nil:
		return directory.App{}, err
	}
	if existing.Label == label && reflect.DeepEqual(existing.Settings, settings) && existing.SignOn == signOn {
		return existing, nil
	}
	return tx.UpdateApp(ctx, existing.ID, directory.AppUpdate{Label: &label, Settings: &settings, SignOn: &signOn})
}
