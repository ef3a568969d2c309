-- Admin API tokens. Only the SHA-256 of a token's secret is kept (hash), so a
-- copy of the database does not hand out access; the secret is shown once, when
-- the token is created. A token dies with its organization.
CREATE TABLE admin_tokens (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	hash       TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX admin_tokens_org ON admin_tokens (org_id);
