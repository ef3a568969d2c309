package storetest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

// racers is how many goroutines each race runs.
const racers = 32

// race runs fn on racers goroutines released at the same moment and returns
// their results in goroutine order.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// requireOneWinner checks that exactly one call succeeded and every other one
// lost with ErrConflict (or want), and returns the winner's index.
func requireOneWinner(t *testing.T, errs []error, want error) int {
	t.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			require.Equal(t, -1, winner, "goroutines %d and %d both succeeded", winner, i)
			winner = i
		case !errors.Is(err, want):
			require.FailNow(t, "unexpected error", "goroutine %d: %v (want %v)", i, err, want)
		}
	}
	require.NotEqual(t, -1, winner, "no goroutine succeeded")
	return winner
}

// caseVariant spells email with the letters' case flipped after the bits of n,
// so that the racers all differ and all collide.
func caseVariant(email string, n int) string {
	var b strings.Builder
	bit := 0
	for _, r := range email {
		if unicode.IsLetter(r) {
			if n>>(bit%6)&1 == 1 {
				r = unicode.ToUpper(r)
			}
			bit++
		}
		b.WriteRune(r)
	}
	return b.String()
}

var concurrencyTests = []subtest{
	{"CreateUserSameEmail", func(t *testing.T, s store.Store) {
		ids := make([]string, racers)
		emails := make([]string, racers)
		errs := race(func(i int) error {
			emails[i] = caseVariant("race@concurrency.test", i)
			u, err := s.CreateUser(ctxOf(t), store.User{Email: emails[i]})
			ids[i] = u.ID
			return err
		})
		winner := requireOneWinner(t, errs, store.ErrConflict)

		for _, email := range emails {
			got, err := s.GetUserByEmail(ctxOf(t), email)
			require.NoError(t, err)
			require.Equal(t, ids[winner], got.ID)
		}
		// Exactly one row: once the winner's email changes, no other account
		// answers to the raced address.
		u, err := s.GetUser(ctxOf(t), ids[winner])
		require.NoError(t, err)
		u.Email = "renamed@concurrency.test"
		_, err = s.UpdateUser(ctxOf(t), u)
		require.NoError(t, err)
		_, err = s.GetUserByEmail(ctxOf(t), "race@concurrency.test")
		require.ErrorIs(t, err, store.ErrNotFound)
	}},
	{"RecordAssertionSameID", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		errs := race(func(int) error {
			return s.RecordAssertion(ctxOf(t), i.ID, "raced-assertion", t0.Add(5*time.Minute), t0)
		})
		requireOneWinner(t, errs, store.ErrConflict)
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), i.ID, "raced-assertion", t0.Add(5*time.Minute), t0), store.ErrConflict)
	}},
	{"TakePendingRequestOnce", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "raced-request", IntegrationID: i.ID, RelayState: "/", ExpiresAt: t0.Add(time.Minute)}))
		errs := race(func(int) error {
			_, err := s.TakePendingRequest(ctxOf(t), i.ID, "raced-request", t0)
			return err
		})
		requireOneWinner(t, errs, store.ErrNotFound)
	}},
	{"TransactionsQueue", func(t *testing.T, s store.Store) {
		// Read-then-write transactions racing each other must wait their turn,
		// not fail: each adds itself only if its email is not taken yet.
		errs := race(func(i int) error {
			return s.InTx(ctxOf(t), func(tx store.Store) error {
				// The read comes first: a transaction that has read and then
				// writes is the case where SQLite gives up without waiting
				// unless the transaction took the write lock up front.
				email := caseVariant("tx@concurrency.test", i%2)
				u, err := tx.GetUserByEmail(ctxOf(t), email)
				if errors.Is(err, store.ErrNotFound) {
					u, err = tx.CreateUser(ctxOf(t), store.User{Email: email})
				}
				if err != nil {
					return err
				}
				o, err := tx.CreateOrganization(ctxOf(t), store.Organization{Name: "Org"})
				if err != nil {
					return err
				}
				_, err = tx.AddMembership(ctxOf(t), store.Membership{OrgID: o.ID, UserID: u.ID, Role: store.RoleAdmin, Source: store.SourceLocal})
				return err
			})
		})
		// Under read committed, two transactions can both miss the account and
		// race to create it; the loser's ErrConflict is the documented outcome.
		// Anything else (SQLITE_BUSY, a deadlock) is a failure.
		committed := 0
		for i, err := range errs {
			if err == nil {
				committed++
				continue
			}
			require.ErrorIs(t, err, store.ErrConflict, "goroutine %d", i)
		}
		require.GreaterOrEqual(t, committed, 1)
		u, err := s.GetUserByEmail(ctxOf(t), "tx@concurrency.test")
		require.NoError(t, err)
		mine, err := s.ListUserMemberships(ctxOf(t), u.ID)
		require.NoError(t, err)
		require.Len(t, mine, committed, "every committed transaction left its membership")
		orgs, err := s.ListOrganizations(ctxOf(t))
		require.NoError(t, err)
		require.Len(t, orgs, committed, "every failed transaction left nothing")
	}},
}

var lifecycleTests = []subtest{
	{"CloseTwiceThenCallsFail", func(t *testing.T, s store.Store) {
		mustOrg(t, s, "Acme")
		require.NoError(t, s.Close())
		require.NoError(t, s.Close(), "Close is idempotent")
		_, err := s.ListOrganizations(ctxOf(t))
		require.Error(t, err, "a closed store reports an error rather than panicking")
		_, err = s.CreateOrganization(ctxOf(t), store.Organization{Name: "Globex"})
		require.Error(t, err)
	}},
}
