package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ssoharness/ssoharness/sp/store"
)

var integrationTests = []subtest{
	{"CreateDefaultsAndGet", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		before := time.Now()
		i, err := s.CreateIntegration(ctxOf(t), store.Integration{OrgID: o.ID})
		require.NoError(t, err)
		require.NotEmpty(t, i.ID)
		require.Equal(t, store.StatusPending, i.Status, "a new integration is pending")
		requireRecent(t, before, i.CreatedAt)
		requireRecent(t, before, i.UpdatedAt)
		require.False(t, i.Configured())

		got, err := s.GetIntegration(ctxOf(t), i.ID)
		require.NoError(t, err)
		require.Equal(t, i, got)
		got, err = s.GetIntegrationByOrg(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, i, got)
	}},
	{"IDsAreUnguessable", func(t *testing.T, s store.Store) {
		a := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		b := mustIntegration(t, s, mustOrg(t, s, "Globex").ID)
		require.NotEqual(t, a.ID, b.ID)
		require.GreaterOrEqual(t, len(a.ID), 26, "at least 128 random bits, base32")
	}},
	{"OnePerOrganization", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		first := mustIntegration(t, s, o.ID)
		_, err := s.CreateIntegration(ctxOf(t), store.Integration{OrgID: o.ID, Status: store.StatusConnected})
		require.ErrorIs(t, err, store.ErrConflict)
		got, err := s.GetIntegrationByOrg(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, first, got)
	}},
	{"Update", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		i := mustIntegration(t, s, o.ID)
		i.Status = store.StatusConnected
		i.MetadataURL = "https://idp.test/app/abc/sso/saml/metadata"
		i.IdPEntityID = "http://www.okta.com/abc"
		i.SSOURL = "https://idp.test/app/abc/sso/saml"
		i.CertPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
		i.ProvisioningEnabled = true
		i.SCIMTokenID = "tok_1"
		i.SCIMTokenHash = "sha256:…"
		i.UpdatedAt = t0
		updated, err := s.UpdateIntegration(ctxOf(t), i)
		require.NoError(t, err)
		requireSameInstant(t, t0, updated.UpdatedAt)
		require.True(t, updated.Configured())
		i.UpdatedAt = updated.UpdatedAt
		require.Equal(t, i, updated)

		got, err := s.GetIntegration(ctxOf(t), i.ID)
		require.NoError(t, err)
		require.Equal(t, updated, got)

		i.ProvisioningEnabled = false
		i.Status = store.StatusDisabled
		updated, err = s.UpdateIntegration(ctxOf(t), i)
		require.NoError(t, err)
		got, err = s.GetIntegrationByOrg(ctxOf(t), o.ID)
		require.NoError(t, err)
		require.Equal(t, updated, got)
		require.False(t, got.ProvisioningEnabled)
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		_, err := s.CreateIntegration(ctxOf(t), store.Integration{})
		require.ErrorIs(t, err, store.ErrInvalid, "no organization")
		_, err = s.CreateIntegration(ctxOf(t), store.Integration{OrgID: acme.ID, Status: "active"})
		require.ErrorIs(t, err, store.ErrInvalid, "unknown status")
		_, err = s.CreateIntegration(ctxOf(t), store.Integration{OrgID: "org_missing"})
		require.ErrorIs(t, err, store.ErrNotFound, "unknown organization")

		i := mustIntegration(t, s, acme.ID)
		bad := i
		bad.Status = ""
		_, err = s.UpdateIntegration(ctxOf(t), bad)
		require.ErrorIs(t, err, store.ErrInvalid)
		moved := i
		moved.OrgID = globex.ID
		_, err = s.UpdateIntegration(ctxOf(t), moved)
		require.ErrorIs(t, err, store.ErrNotFound, "an integration never moves to another organization")
		got, err := s.GetIntegration(ctxOf(t), i.ID)
		require.NoError(t, err)
		require.Equal(t, i, got)
	}},
}

var sessionTests = []subtest{
	{"ExpireAtExpiresAt", func(t *testing.T, s store.Store) {
		o, u := mustOrg(t, s, "Acme"), mustUser(t, s, "ada@x.test")
		mustMember(t, s, o.ID, u.ID)
		sess := mustSession(t, s, "hash-1", u.ID, o.ID)
		for _, tc := range []struct {
			name  string
			now   time.Time
			valid bool
		}{
			{"at creation", sess.CreatedAt, true},
			{"a millisecond before expiry", sess.ExpiresAt.Add(-time.Millisecond), true},
			{"at expiry", sess.ExpiresAt, false},
			{"after expiry", sess.ExpiresAt.Add(time.Minute), false},
		} {
			got, err := s.GetSession(ctxOf(t), "hash-1", tc.now)
			if !tc.valid {
				require.ErrorIs(t, err, store.ErrNotFound, tc.name)
				continue
			}
			require.NoError(t, err, tc.name)
			require.Equal(t, sess.IDHash, got.IDHash)
			require.Equal(t, sess.UserID, got.UserID)
			require.Equal(t, sess.OrgID, got.OrgID)
			requireSameInstant(t, sess.CreatedAt, got.CreatedAt)
			requireSameInstant(t, sess.ExpiresAt, got.ExpiresAt)
		}
	}},
	{"OutsideAnyOrganization", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "ada@x.test")
		before := time.Now()
		require.NoError(t, s.CreateSession(ctxOf(t), store.Session{IDHash: "h", UserID: u.ID, ExpiresAt: before.Add(time.Hour)}))
		got, err := s.GetSession(ctxOf(t), "h", before)
		require.NoError(t, err)
		require.Empty(t, got.OrgID)
		requireRecent(t, before, got.CreatedAt)
	}},
	{"Delete", func(t *testing.T, s store.Store) {
		u := mustUser(t, s, "ada@x.test")
		mustSession(t, s, "h1", u.ID, "")
		mustSession(t, s, "h2", u.ID, "")
		require.NoError(t, s.DeleteSession(ctxOf(t), "h1"))
		require.False(t, sessionLive(t, s, "h1"))
		require.True(t, sessionLive(t, s, "h2"))
		require.ErrorIs(t, s.DeleteSession(ctxOf(t), "h1"), store.ErrNotFound)
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		o, u := mustOrg(t, s, "Acme"), mustUser(t, s, "ada@x.test")
		mustSession(t, s, "h", u.ID, "")
		exp := t0.Add(time.Hour)
		for _, tc := range []struct {
			name string
			s    store.Session
			want error
		}{
			{"same id hash", store.Session{IDHash: "h", UserID: u.ID, ExpiresAt: exp}, store.ErrConflict},
			{"unknown user", store.Session{IDHash: "h2", UserID: "usr_missing", ExpiresAt: exp}, store.ErrNotFound},
			{"organization the user is not a member of", store.Session{IDHash: "h3", UserID: u.ID, OrgID: o.ID, ExpiresAt: exp}, store.ErrNotFound},
			{"no id hash", store.Session{UserID: u.ID, ExpiresAt: exp}, store.ErrInvalid},
			{"no user", store.Session{IDHash: "h4", ExpiresAt: exp}, store.ErrInvalid},
			{"no expiry", store.Session{IDHash: "h5", UserID: u.ID}, store.ErrInvalid},
		} {
			require.ErrorIs(t, s.CreateSession(ctxOf(t), tc.s), tc.want, tc.name)
		}
		for _, h := range []string{"h2", "h3", "h4", "h5"} {
			require.False(t, sessionLive(t, s, h), h)
		}
	}},
}

var pendingRequestTests = []subtest{
	{"TakeOnce", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		p := store.PendingRequest{ID: "id-1", IntegrationID: i.ID, RelayState: "/teams/42", CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), p))

		got, err := s.TakePendingRequest(ctxOf(t), i.ID, "id-1", t0.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, p.ID, got.ID)
		require.Equal(t, p.IntegrationID, got.IntegrationID)
		require.Equal(t, p.RelayState, got.RelayState)
		requireSameInstant(t, p.CreatedAt, got.CreatedAt)
		requireSameInstant(t, p.ExpiresAt, got.ExpiresAt)

		_, err = s.TakePendingRequest(ctxOf(t), i.ID, "id-1", t0.Add(time.Minute))
		require.ErrorIs(t, err, store.ErrNotFound, "usable once")
	}},
	{"OnlyByItsIntegration", func(t *testing.T, s store.Store) {
		mine := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		theirs := mustIntegration(t, s, mustOrg(t, s, "Globex").ID)
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-1", IntegrationID: mine.ID, ExpiresAt: t0.Add(time.Minute)}))

		_, err := s.TakePendingRequest(ctxOf(t), theirs.ID, "id-1", t0)
		require.ErrorIs(t, err, store.ErrNotFound)
		_, err = s.TakePendingRequest(ctxOf(t), mine.ID, "id-1", t0)
		require.NoError(t, err, "another integration's attempt does not use the request up")
	}},
	{"Expired", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-1", IntegrationID: i.ID, ExpiresAt: t0}))
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-2", IntegrationID: i.ID, ExpiresAt: t0}))
		_, err := s.TakePendingRequest(ctxOf(t), i.ID, "id-1", t0)
		require.ErrorIs(t, err, store.ErrNotFound, "at expiry")
		_, err = s.TakePendingRequest(ctxOf(t), i.ID, "id-2", t0.Add(time.Hour))
		require.ErrorIs(t, err, store.ErrNotFound, "after expiry")
	}},
	{"ExpiredArePurgedOnCreate", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-1", IntegrationID: i.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-2", IntegrationID: i.ID, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		// Created after id-1 expired: id-1 is gone, so its ID is free again, and
		// id-2, still live, is kept.
		later := t0.Add(2 * time.Minute)
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-1", IntegrationID: i.ID, CreatedAt: later, ExpiresAt: later.Add(time.Minute)}))
		require.ErrorIs(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-2", IntegrationID: i.ID, CreatedAt: later, ExpiresAt: later.Add(time.Minute)}), store.ErrConflict)
		got, err := s.TakePendingRequest(ctxOf(t), i.ID, "id-2", later)
		require.NoError(t, err)
		requireSameInstant(t, t0.Add(time.Hour), got.ExpiresAt)
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		exp := t0.Add(time.Minute)
		require.NoError(t, s.CreatePendingRequest(ctxOf(t), store.PendingRequest{ID: "id-1", IntegrationID: i.ID, ExpiresAt: exp}))
		for _, tc := range []struct {
			name string
			p    store.PendingRequest
			want error
		}{
			{"same id", store.PendingRequest{ID: "id-1", IntegrationID: i.ID, ExpiresAt: exp}, store.ErrConflict},
			{"unknown integration", store.PendingRequest{ID: "id-2", IntegrationID: "int_missing", ExpiresAt: exp}, store.ErrNotFound},
			{"no id", store.PendingRequest{IntegrationID: i.ID, ExpiresAt: exp}, store.ErrInvalid},
			{"no integration", store.PendingRequest{ID: "id-3", ExpiresAt: exp}, store.ErrInvalid},
			{"no expiry", store.PendingRequest{ID: "id-4", IntegrationID: i.ID}, store.ErrInvalid},
		} {
			require.ErrorIs(t, s.CreatePendingRequest(ctxOf(t), tc.p), tc.want, tc.name)
		}
	}},
}

var assertionTests = []subtest{
	{"ReplayRefusedUntilExpiry", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		exp := t0.Add(5 * time.Minute)
		require.NoError(t, s.RecordAssertion(ctxOf(t), i.ID, "a-1", exp, t0))
		for _, now := range []time.Time{t0, t0.Add(time.Minute), exp.Add(-time.Millisecond)} {
			require.ErrorIs(t, s.RecordAssertion(ctxOf(t), i.ID, "a-1", exp, now), store.ErrConflict, "replay at %v", now)
		}

		// Once expired, the ID is forgotten and may be recorded again, with a new
		// expiry that is then enforced.
		require.NoError(t, s.RecordAssertion(ctxOf(t), i.ID, "a-1", exp.Add(5*time.Minute), exp))
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), i.ID, "a-1", exp.Add(10*time.Minute), exp.Add(time.Minute)), store.ErrConflict)
	}},
	{"PerIntegration", func(t *testing.T, s store.Store) {
		a := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		b := mustIntegration(t, s, mustOrg(t, s, "Globex").ID)
		exp := t0.Add(time.Minute)
		require.NoError(t, s.RecordAssertion(ctxOf(t), a.ID, "same", exp, t0))
		require.NoError(t, s.RecordAssertion(ctxOf(t), b.ID, "same", exp, t0))
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), b.ID, "same", exp, t0), store.ErrConflict)
	}},
	{"PurgeKeepsLiveEntries", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		require.NoError(t, s.RecordAssertion(ctxOf(t), i.ID, "short", t0.Add(time.Minute), t0))
		require.NoError(t, s.RecordAssertion(ctxOf(t), i.ID, "long", t0.Add(time.Hour), t0))
		// Recording at t0+2m purges "short"; "long" must survive the purge.
		require.NoError(t, s.RecordAssertion(ctxOf(t), i.ID, "other", t0.Add(time.Hour), t0.Add(2*time.Minute)))
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), i.ID, "long", t0.Add(time.Hour), t0.Add(3*time.Minute)), store.ErrConflict)
		require.NoError(t, s.RecordAssertion(ctxOf(t), i.ID, "short", t0.Add(time.Hour), t0.Add(3*time.Minute)))
	}},
	{"Refused", func(t *testing.T, s store.Store) {
		i := mustIntegration(t, s, mustOrg(t, s, "Acme").ID)
		exp := t0.Add(time.Minute)
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), "int_missing", "a", exp, t0), store.ErrNotFound)
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), "", "a", exp, t0), store.ErrInvalid)
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), i.ID, "", exp, t0), store.ErrInvalid)
		require.ErrorIs(t, s.RecordAssertion(ctxOf(t), i.ID, "a", time.Time{}, t0), store.ErrInvalid)
	}},
}

var auditTests = []subtest{
	{"NewestFirstWithLimit", func(t *testing.T, s store.Store) {
		acme, globex := mustOrg(t, s, "Acme"), mustOrg(t, s, "Globex")
		var all []store.AuditEvent
		for n := range 5 {
			e, err := s.AppendAudit(ctxOf(t), store.AuditEvent{
				OrgID: acme.ID, Actor: "admin@acme.test", Action: "team.delete",
				Target: "team_" + string(rune('a'+n)), Detail: "{}", At: t0.Add(time.Duration(n) * time.Second),
			})
			require.NoError(t, err)
			all = append(all, e)
		}
		_, err := s.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: globex.ID, Action: "scim.token.rotate", At: t0.Add(time.Hour)})
		require.NoError(t, err)

		got, err := s.ListAudit(ctxOf(t), acme.ID, 3)
		require.NoError(t, err)
		require.Equal(t, []store.AuditEvent{all[4], all[3], all[2]}, got)
		got, err = s.ListAudit(ctxOf(t), acme.ID, 100)
		require.NoError(t, err)
		require.Len(t, got, 5)
		require.Equal(t, all[0], got[4])
	}},
	{"NewestByTimeThenByInsertion", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		var want []string
		// Recorded out of time order, and three at the same instant.
		for _, at := range []time.Time{t0, t0, t0.Add(-time.Hour), t0} {
			e, err := s.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: o.ID, Action: "x", At: at})
			require.NoError(t, err)
			want = append(want, e.ID)
		}
		got, err := s.ListAudit(ctxOf(t), o.ID, 10)
		require.NoError(t, err)
		require.Equal(t, []string{want[3], want[1], want[0], want[2]}, ids(got, func(e store.AuditEvent) string { return e.ID }))
	}},
	{"DefaultsAndRefusals", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		before := time.Now()
		e, err := s.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: o.ID, Action: "sso.connect"})
		require.NoError(t, err)
		require.NotEmpty(t, e.ID)
		requireRecent(t, before, e.At)

		_, err = s.AppendAudit(ctxOf(t), store.AuditEvent{Action: "x"})
		require.ErrorIs(t, err, store.ErrInvalid)
		_, err = s.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: o.ID})
		require.ErrorIs(t, err, store.ErrInvalid)
		for _, limit := range []int{0, -1} {
			_, err = s.ListAudit(ctxOf(t), o.ID, limit)
			require.ErrorIs(t, err, store.ErrInvalid, "limit %d", limit)
		}
	}},
	{"OutlivesWhatItRecords", func(t *testing.T, s store.Store) {
		o := mustOrg(t, s, "Acme")
		team := mustTeam(t, s, o.ID, "Platform")
		err := s.InTx(ctxOf(t), func(tx store.Store) error {
			if err := tx.DeleteTeam(ctxOf(t), team.ID); err != nil {
				return err
			}
			_, err := tx.AppendAudit(ctxOf(t), store.AuditEvent{OrgID: o.ID, Actor: "scim:tok_1", Action: "team.delete", Target: team.ID})
			return err
		})
		require.NoError(t, err)
		got, err := s.ListAudit(ctxOf(t), o.ID, 1)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, team.ID, got[0].Target)
	}},
}
