package sqlite

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSCIMQueriesUseIndexes checks the plans of the SCIM server's hot queries
// (the shapes the store builds): a lookup must search an index, never scan the
// organization's users, which at 100,000 users is the difference between
// microseconds and tens of milliseconds.
func TestSCIMQueriesUseIndexes(t *testing.T) {
	s := openTemp(t)
	// A filter must not walk the organization's index (all its users) either.
	const walksOrg = "scim_users_org"
	for name, tc := range map[string]struct{ query, mustNot string }{
		"userName filter":   {`SELECT seq FROM scim_users WHERE (scim_users.org_id = 'o' AND scim_users.user_name_key = 'a@x.test')`, walksOrg},
		"externalId filter": {`SELECT seq FROM scim_users WHERE (scim_users.org_id = 'o' AND scim_users.external_id = '00u1')`, walksOrg},
		"email filter": {`SELECT seq FROM scim_users WHERE scim_users.id IN (SELECT scim_user_emails.scim_user_id FROM scim_user_emails
			WHERE scim_user_emails.org_id = 'o' AND scim_user_emails.email_key = 'a@x.test')`, walksOrg},
		"or of two filters": {`SELECT seq FROM scim_users WHERE scim_users.id IN (
			SELECT scim_users.id FROM scim_users WHERE (scim_users.org_id = 'o' AND scim_users.user_name_key = 'a')
			UNION SELECT scim_users.id FROM scim_users WHERE (scim_users.org_id = 'o' AND scim_users.external_id = 'b'))`, walksOrg},
		"and of two filters": {`SELECT seq FROM scim_users WHERE ((scim_users.org_id = 'o' AND scim_users.user_name_key = 'a')
			AND scim_users.id IN (SELECT scim_user_emails.scim_user_id FROM scim_user_emails
				WHERE scim_user_emails.org_id = 'o' AND scim_user_emails.email_key = 'a@x.test'))`, walksOrg},
		"filtered page keys": {`SELECT scim_users.seq FROM scim_users WHERE (scim_users.org_id = 'o' AND scim_users.user_name_key = 'a')
			ORDER BY scim_users.seq LIMIT 100 OFFSET 0`, walksOrg},
		"page keys": {`SELECT scim_users.seq FROM scim_users WHERE scim_users.org_id = 'o' ORDER BY scim_users.seq LIMIT 100 OFFSET 99900`, ""},
		"page rows": {`SELECT id FROM scim_users WHERE scim_users.seq IN (SELECT scim_users.seq FROM scim_users WHERE scim_users.org_id = 'o'
			ORDER BY scim_users.seq LIMIT 100 OFFSET 99900) ORDER BY scim_users.seq`, ""},
		"account unlink": {`SELECT seq FROM scim_users WHERE user_id = 'u'`, ""},
		"group by name": {`SELECT scim_groups.id FROM scim_groups JOIN teams ON teams.id = scim_groups.team_id
			WHERE (teams.org_id = 'o' AND teams.name_key = 'eng')`, ""},
		"token": {`SELECT id FROM integrations WHERE scim_token_id = 't'`, ""},
	} {
		query := tc.query
		rows, err := s.db.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query)
		require.NoError(t, err, name)
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
			plan = append(plan, detail)
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
		for _, step := range plan {
			// "SCAN t USING COVERING INDEX" walks an index, which is the
			// point of the page-keys query; a bare "SCAN t" reads the table.
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "INDEX") {
				require.Failf(t, "full scan", "%s: %v", name, plan)
			}
		}
		if tc.mustNot != "" {
			require.NotContains(t, strings.Join(plan, "; "), tc.mustNot, "%s: %v", name, plan)
		}
	}
}
