// Package password hashes and checks local account passwords with bcrypt.
//
// bcrypt's encoding carries its own salt and cost, so a stored hash stays
// verifiable if the cost is raised later.
package password

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// ErrTooLong is returned by Hash for passwords bcrypt cannot hold (over 72 bytes):
// silently truncating them would let a prefix sign in.
var ErrTooLong = errors.New("password: longer than 72 bytes")

// Hash returns the bcrypt hash of pw at bcrypt's default cost.
func Hash(pw string) (string, error) { return HashCost(pw, bcrypt.DefaultCost) }

// HashCost returns the bcrypt hash of pw at cost (bcrypt.MinCost to
// bcrypt.MaxCost). Test deployments lower it: a SCIM create carrying Okta's
// random password is otherwise dominated by the hash.
func HashCost(pw string, cost int) (string, error) {
	if len(pw) > 72 {
		return "", ErrTooLong
	}
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return "", fmt.Errorf("password: bcrypt cost %d is outside %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// Verify reports whether pw matches hash. An empty or malformed hash never matches.
func Verify(hash, pw string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// dummyHash is a bcrypt hash (at the default cost) of a random value nobody knows.
// VerifyNobody compares against it so that an unknown email costs as much time as
// a wrong password, and response times do not reveal which emails have accounts.
const dummyHash = "$2a$10$55s2m5W7/Zjv.82PuwYgPOR5BU1y14BafI0f2jt3dvKZGddoWCYZe"

// VerifyNobody spends the time of one Verify and always returns false.
func VerifyNobody(pw string) bool {
	_ = bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte(pw))
	return false
}
