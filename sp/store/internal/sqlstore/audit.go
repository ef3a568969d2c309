package sqlstore

import (
	"context"

	"github.com/ssoharness/ssoharness/sp/store"
)

// Audit events carry no foreign keys: the record of a deletion must outlive
// what was deleted.

func (s *Store) AppendAudit(ctx context.Context, e store.AuditEvent) (store.AuditEvent, error) {
	if e.OrgID == "" || e.Action == "" {
		return store.AuditEvent{}, invalid("audit event needs an organization and an action")
	}
	if e.ID == "" {
		e.ID = store.NewID("aud_")
	}
	e.At = stamp(e.At)
	_, err := s.exec(ctx, `INSERT INTO audit_events (id, org_id, actor, action, target, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.OrgID, e.Actor, e.Action, e.Target, e.Detail, e.At)
	if err != nil {
		return store.AuditEvent{}, err
	}
	return e, nil
}

// ListAudit breaks ties in At by insertion, newest first.
func (s *Store) ListAudit(ctx context.Context, orgID string, limit int) ([]store.AuditEvent, error) {
	if limit <= 0 {
		return nil, invalid("audit limit %d", limit)
	}
	return list(ctx, s, `SELECT id, org_id, actor, action, target, detail, at FROM audit_events
		WHERE org_id = ? ORDER BY at DESC, seq DESC LIMIT ?`, []any{orgID, limit},
		func(r rowScanner) (store.AuditEvent, error) {
			var e store.AuditEvent
			err := scanRow(r, &e.ID, &e.OrgID, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.At)
			return e, err
		})
}
