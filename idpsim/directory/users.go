package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// UserStatus is an Okta user lifecycle status. Only ACTIVE users can sign in.
type UserStatus string

// The user statuses the fake org knows.
const (
	StatusActive        UserStatus = "ACTIVE"
	StatusStaged        UserStatus = "STAGED"
	StatusSuspended     UserStatus = "SUSPENDED"
	StatusDeprovisioned UserStatus = "DEPROVISIONED"
)

// Valid reports whether s is one of the known statuses.
func (s UserStatus) Valid() bool {
	switch s {
	case StatusActive, StatusStaged, StatusSuspended, StatusDeprovisioned:
		return true
	}
	return false
}

// User is an Okta user. The password hash never leaves the directory.
type User struct {
	ID          string     `json:"id"`
	Login       string     `json:"login"`
	Email       string     `json:"email"`
	FirstName   string     `json:"firstName"`
	LastName    string     `json:"lastName"`
	Status      UserStatus `json:"status"`
	Created     time.Time  `json:"created"`
	LastUpdated time.Time  `json:"lastUpdated"`
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Login     string // required, an email address; unique case-insensitively
	Email     string // defaults to Login
	FirstName string // required
	LastName  string // required
	Password  string // plain text, hashed with bcrypt; empty means no password (cannot sign in)
	Status    UserStatus
}

// UserUpdate changes the fields that are set.
type UserUpdate struct {
	Login     *string // an email address, unique case-insensitively
	Email     *string
	FirstName *string
	LastName  *string
	Password  *string // plain text; "" removes the password
	Status    *UserStatus
}

// ValidateLogin checks that login is usable as an Okta login: Okta's default
// username format is an email address. It returns the login trimmed.
func ValidateLogin(login string) (string, error) {
	login = strings.TrimSpace(login)
	if login == "" {
		return "", fmt.Errorf("%w: login is required", ErrInvalid)
	}
	addr, err := mail.ParseAddress(login)
	if err != nil || addr.Address != login || addr.Name != "" {
		return "", fmt.Errorf("%w: login %q is not an email address", ErrInvalid, login)
	}
	return login, nil
}

func loginKey(login string) string { return strings.ToLower(strings.TrimSpace(login)) }

func (n *NewUser) normalize() error {
	login, err := ValidateLogin(n.Login)
	if err != nil {
		return err
	}
	n.Login = login
	if n.Email == "" {
		n.Email = login
	}
	n.FirstName = strings.TrimSpace(n.FirstName)
	n.LastName = strings.TrimSpace(n.LastName)
	if n.FirstName == "" {
		return fmt.Errorf("%w: firstName is required", ErrInvalid)
	}
	if n.LastName == "" {
		return fmt.Errorf("%w: lastName is required", ErrInvalid)
	}
	if n.Status == "" {
		n.Status = StatusActive
	}
	if !n.Status.Valid() {
		return fmt.Errorf("%w: unknown status %q", ErrInvalid, n.Status)
	}
	return nil
}

func (s *Store) hashPassword(password string) (string, error) {
	if password == "" {
		return "", nil
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.bcryptCost)
	if err != nil {
		// bcrypt refuses passwords over 72 bytes.
		return "", fmt.Errorf("%w: password: %v", ErrInvalid, err)
	}
	return string(h), nil
}

const userColumns = `id, login, email, first_name, last_name, status, created, last_updated`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var created, updated string
	if err := row.Scan(&u.ID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Status, &created, &updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return User{}, ErrNotFound
		}
		return User{}, err
	}
	var err error
	if u.Created, err = parseTime(created); err != nil {
		return User{}, err
	}
	if u.LastUpdated, err = parseTime(updated); err != nil {
		return User{}, err
	}
	return u, nil
}

// CreateUser adds a user with a fresh 00u… id.
func (tx *Tx) CreateUser(ctx context.Context, in NewUser) (User, error) {
	if err := in.normalize(); err != nil {
		return User{}, err
	}
	hash, err := tx.s.hashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := tx.s.now()
	u := User{
		ID: NewID(PrefixUser), Login: in.Login, Email: in.Email,
		FirstName: in.FirstName, LastName: in.LastName, Status: in.Status,
		Created: now.Truncate(time.Millisecond), LastUpdated: now.Truncate(time.Millisecond),
	}
	_, err = tx.tx.ExecContext(ctx, `INSERT INTO users
		(id, login, login_key, email, first_name, last_name, password_hash, status, created, last_updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Login, loginKey(u.Login), u.Email, u.FirstName, u.LastName, hash, string(u.Status), fmtTime(now), fmtTime(now))
	if isUniqueViolation(err) {
		return User{}, fmt.Errorf("%w: a user with login %q already exists", ErrConflict, in.Login)
	}
	if err != nil {
		return User{}, fmt.Errorf("directory: create user: %w", err)
	}
	if err := tx.setSyncPassword(ctx, u.ID, in.Password); err != nil {
		return User{}, err
	}
	return u, nil
}

// UpdateUser changes the fields of upd that are set and stamps lastUpdated.
func (tx *Tx) UpdateUser(ctx context.Context, id string, upd UserUpdate) (User, error) {
	u, err := getUser(ctx, tx.tx, `WHERE id = ?`, id)
	if err != nil {
		return User{}, err
	}
	sets := []string{}
	args := []any{}
	if upd.Login != nil {
		login, err := ValidateLogin(*upd.Login)
		if err != nil {
			return User{}, err
		}
		sets, args = append(sets, "login = ?", "login_key = ?"), append(args, login, loginKey(login))
	}
	if upd.Email != nil {
		e := strings.TrimSpace(*upd.Email)
		if _, err := ValidateLogin(e); err != nil {
			return User{}, fmt.Errorf("%w: email %q is not an email address", ErrInvalid, e)
		}
		sets, args = append(sets, "email = ?"), append(args, e)
	}
	if upd.FirstName != nil {
		v := strings.TrimSpace(*upd.FirstName)
		if v == "" {
			return User{}, fmt.Errorf("%w: firstName is required", ErrInvalid)
		}
		sets, args = append(sets, "first_name = ?"), append(args, v)
	}
	if upd.LastName != nil {
		v := strings.TrimSpace(*upd.LastName)
		if v == "" {
			return User{}, fmt.Errorf("%w: lastName is required", ErrInvalid)
		}
		sets, args = append(sets, "last_name = ?"), append(args, v)
	}
	if upd.Password != nil {
		hash, err := tx.s.hashPassword(*upd.Password)
		if err != nil {
			return User{}, err
		}
		sets, args = append(sets, "password_hash = ?"), append(args, hash)
		if err := tx.setSyncPassword(ctx, id, *upd.Password); err != nil {
			return User{}, err
		}
	}
	if upd.Status != nil {
		if !upd.Status.Valid() {
			return User{}, fmt.Errorf("%w: unknown status %q", ErrInvalid, *upd.Status)
		}
		sets, args = append(sets, "status = ?"), append(args, string(*upd.Status))
	}
	if len(sets) == 0 {
		return u, nil
	}
	sets, args = append(sets, "last_updated = ?"), append(args, fmtTime(tx.s.now()))
	args = append(args, id)
	if _, err := tx.tx.ExecContext(ctx, `UPDATE users SET `+strings.Join(sets, ", ")+` WHERE id = ?`, args...); err != nil {
		if isUniqueViolation(err) && upd.Login != nil {
			return User{}, fmt.Errorf("%w: a user with login %q already exists", ErrConflict, *upd.Login)
		}
		return User{}, fmt.Errorf("directory: update user: %w", err)
	}
	return getUser(ctx, tx.tx, `WHERE id = ?`, id)
}

// PasswordMatches reports whether password is the user's current password.
// Seeding uses it to leave an unchanged password (and lastUpdated) alone.
func (tx *Tx) PasswordMatches(ctx context.Context, id, password string) (bool, error) {
	var hash string
	err := tx.tx.QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, id).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNotFound
	}
	if err != nil {
		return false, err
	}
	if hash == "" {
		return password == "", nil
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil, nil
}

func getUser(ctx context.Context, q queryer, where string, args ...any) (User, error) {
	return scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users `+where, args...))
}

// UserByID returns the user with id, or ErrNotFound.
func (tx *Tx) UserByID(ctx context.Context, id string) (User, error) {
	return getUser(ctx, tx.tx, `WHERE id = ?`, id)
}

// UserByLogin returns the user whose login matches case-insensitively, or
// ErrNotFound.
func (tx *Tx) UserByLogin(ctx context.Context, login string) (User, error) {
	return getUser(ctx, tx.tx, `WHERE login_key = ?`, loginKey(login))
}

// UserByID returns the user with id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (User, error) {
	return getUser(ctx, s.db, `WHERE id = ?`, id)
}

// UserByLogin returns the user whose login matches case-insensitively, or
// ErrNotFound.
func (s *Store) UserByLogin(ctx context.Context, login string) (User, error) {
	return getUser(ctx, s.db, `WHERE login_key = ?`, loginKey(login))
}

// ListUsers returns all users, oldest first.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY created, id`)
	if err != nil {
		return nil, fmt.Errorf("directory: list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateUser adds a user; see Tx.CreateUser.
func (s *Store) CreateUser(ctx context.Context, in NewUser) (u User, err error) {
	err = s.Update(ctx, func(tx *Tx) error { u, err = tx.CreateUser(ctx, in); return err })
	return u, err
}

// UpdateUser changes a user; see Tx.UpdateUser.
func (s *Store) UpdateUser(ctx context.Context, id string, upd UserUpdate) (u User, err error) {
	err = s.Update(ctx, func(tx *Tx) error { u, err = tx.UpdateUser(ctx, id, upd); return err })
	return u, err
}

// dummyHash is compared against when the login is unknown, so that a wrong
// login takes as long as a wrong password and logins cannot be discovered by
// timing the sign-in page.
// It is computed on first use (and never changes) so that importing the
// package costs nothing.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)
	return h
})

// CheckPassword returns the user whose login and password match, or
// ErrBadCredentials. It does not look at the user's status: callers decide
// what a non-ACTIVE user may do.
func (s *Store) CheckPassword(ctx context.Context, login, password string) (User, error) {
	var hash string
	row := s.db.QueryRowContext(ctx, `SELECT password_hash, `+userColumns+` FROM users WHERE login_key = ?`, loginKey(login))
	var u User
	var created, updated string
	err := row.Scan(&hash, &u.ID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Status, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, fmt.Errorf("directory: check password: %w", err)
	}
	if hash == "" || password == "" {
		return User{}, ErrBadCredentials
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return User{}, ErrBadCredentials
	}
	if u.Created, err = parseTime(created); err != nil {
		return User{}, err
	}
	if u.LastUpdated, err = parseTime(updated); err != nil {
		return User{}, err
	}
	return u, nil
}
