// Package admin is the reference SP's organization administration: teams and
// their pre-approved email domains (for just-in-time provisioning), members, and
// admin API tokens. The settings pages (sp/web) and the JSON admin API
// (sp/adminapi) are thin layers over it, and the conformance suite calls it
// through *sp.Server, so each rule is written once, here.
//
// Every method is scoped to one organization: a team, member or token of
// another organization is store.ErrNotFound, exactly as if it did not exist.
package admin

import (
	"errors"
	"time"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Service administers organizations. It has no state of its own.
type Service struct {
	store store.Store
	now   func() time.Time
}

// New returns a Service on st; now nil means time.Now.
func New(st store.Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, now: now}
}

// Input fields an InputError can name; the JSON admin API reports them as
// "field", the pages mark the matching input.
const (
	FieldName       = "name"
	FieldDomain     = "domain"
	FieldDomains    = "domains"
	FieldEmail      = "email"
	FieldGivenName  = "givenName"
	FieldFamilyName = "familyName"
	FieldRole       = "role"
)

// InputError refuses a value someone typed or sent. Message is written for a
// person and safe to show; Err, when set, is the store sentinel behind it
// (store.ErrConflict for a duplicate), for callers that pick a status from it.
type InputError struct {
	Field   string
	Message string
	Err     error
}

func (e *InputError) Error() string { return e.Message }

func (e *InputError) Unwrap() error { return e.Err }

func inputErr(field, msg string) error { return &InputError{Field: field, Message: msg} }

func conflict(field, msg string) error {
	return &InputError{Field: field, Message: msg, Err: store.ErrConflict}
}

// AsInputError returns err as an *InputError, or nil.
func AsInputError(err error) *InputError {
	var ie *InputError
	if errors.As(err, &ie) {
		return ie
	}
	return nil
}
