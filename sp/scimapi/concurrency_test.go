package scimapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

// TestConcurrentCreateSameUserName: Okta may run the same assignment twice at
// once. 32 POSTs of one userName (in 32 spellings) give one 201 and 31 409s,
// and one SCIM user, one account and one membership.
func TestConcurrentCreateSameUserName(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			e := newEnvWith(t, b.open(t), 0)
			const racers = 32
			statuses := make([]int, racers)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range racers {
				wg.Go(func() {
					<-start
					name := "race@acme.test"
					if i%2 == 1 {
						name = strings.ToUpper(name)
					}
					res := e.do(http.MethodPost, "/Users", oktaUser(name, "Race", "Condition"))
					statuses[i] = res.status
					if res.status != http.StatusCreated {
						requireSCIMError(t, res, http.StatusConflict, "uniqueness")
					}
				})
			}
			close(start)
			wg.Wait()
			created := 0
			for _, s := range statuses {
				if s == http.StatusCreated {
					created++
				}
			}
			require.Equal(t, 1, created, "statuses: %v", statuses)

			ctx := t.Context()
			list, err := e.store.ListSCIMUsers(ctx, e.org.org.ID, store.SCIMQuery{Limit: 100})
			require.NoError(t, err)
			require.Len(t, list, 1, "one row")
			acct := e.account("race@acme.test")
			require.Equal(t, acct.ID, list[0].UserID)
			ms, err := e.store.ListMemberships(ctx, e.org.org.ID)
			require.NoError(t, err)
			require.Len(t, ms, 1)
		})
	}
}
