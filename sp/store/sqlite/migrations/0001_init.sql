-- Every table has seq, an INTEGER PRIMARY KEY (the rowid), as its insertion
-- order: lists sort by it. Timestamps are INTEGER microseconds since the Unix
-- epoch, UTC. *_key columns hold the case-folded form that uniqueness is on,
-- computed by the store (SQLite's lower() folds ASCII only). STRICT makes a
-- value of the wrong type an error instead of a silent conversion.

CREATE TABLE organizations (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
	seq           INTEGER PRIMARY KEY,
	id            TEXT NOT NULL UNIQUE,
	email         TEXT NOT NULL,
	email_key     TEXT NOT NULL UNIQUE,
	given_name    TEXT NOT NULL,
	family_name   TEXT NOT NULL,
	display_name  TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
	seq        INTEGER PRIMARY KEY,
	org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
	source     TEXT NOT NULL CHECK (source IN ('local', 'invite', 'jit', 'scim')),
	created_at INTEGER NOT NULL,
	UNIQUE (org_id, user_id)
) STRICT;
CREATE INDEX memberships_user ON memberships (user_id);

-- UNIQUE (id, org_id) is the target of the composite foreign keys below, which
-- keep a team member or domain in the team's own organization.
CREATE TABLE teams (
	seq           INTEGER PRIMARY KEY,
	id            TEXT NOT NULL UNIQUE,
	org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name          TEXT NOT NULL,
	name_key      TEXT NOT NULL,
	scim_group_id TEXT,
	created_at    INTEGER NOT NULL,
	UNIQUE (id, org_id),
	UNIQUE (org_id, name_key),
	UNIQUE (org_id, scim_group_id)
) STRICT;

-- A team member must be a member of the organization: the second foreign key
-- enforces it and removes team memberships with the membership.
CREATE TABLE team_members (
	seq     INTEGER PRIMARY KEY,
	team_id TEXT NOT NULL,
	org_id  TEXT NOT NULL,
	user_id TEXT NOT NULL,
	UNIQUE (team_id, user_id),
	FOREIGN KEY (team_id, org_id) REFERENCES teams (id, org_id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX team_members_membership ON team_members (org_id, user_id);

CREATE TABLE team_domains (
	seq     INTEGER PRIMARY KEY,
	team_id TEXT NOT NULL,
	org_id  TEXT NOT NULL,
	domain  TEXT NOT NULL,
	UNIQUE (org_id, domain),
	FOREIGN KEY (team_id, org_id) REFERENCES teams (id, org_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX team_domains_team ON team_domains (team_id, org_id);

CREATE TABLE resources (
	seq        INTEGER PRIMARY KEY,
	id         TEXT NOT NULL UNIQUE,
	team_id    TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	kind       TEXT NOT NULL,
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX resources_team ON resources (team_id);

CREATE TABLE integrations (
	seq                  INTEGER PRIMARY KEY,
	id                   TEXT NOT NULL UNIQUE,
	org_id               TEXT NOT NULL UNIQUE REFERENCES organizations (id) ON DELETE CASCADE,
	status               TEXT NOT NULL CHECK (status IN ('pending', 'connected', 'disabled')),
	metadata_url         TEXT NOT NULL,
	idp_entity_id        TEXT NOT NULL,
	sso_url              TEXT NOT NULL,
	cert_pem             TEXT NOT NULL,
	provisioning_enabled INTEGER NOT NULL CHECK (provisioning_enabled IN (0, 1)),
	scim_token_id        TEXT NOT NULL,
	scim_token_hash      TEXT NOT NULL,
	created_at           INTEGER NOT NULL,
	updated_at           INTEGER NOT NULL
) STRICT;

-- org_id is NULL for a session outside any organization; a NULL leaves the
-- composite foreign key unchecked, so such sessions survive RemoveMembership.
CREATE TABLE sessions (
	id_hash    TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id     TEXT,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_membership ON sessions (org_id, user_id);

CREATE TABLE pending_requests (
	id             TEXT PRIMARY KEY,
	integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
	relay_state    TEXT NOT NULL,
	created_at     INTEGER NOT NULL,
	expires_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX pending_requests_integration ON pending_requests (integration_id);

CREATE TABLE assertions (
	integration_id TEXT NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
	assertion_id   TEXT NOT NULL,
	expires_at     INTEGER NOT NULL,
	PRIMARY KEY (integration_id, assertion_id)
) STRICT;
CREATE INDEX assertions_expiry ON assertions (expires_at);

CREATE TABLE audit_events (
	seq    INTEGER PRIMARY KEY,
	id     TEXT NOT NULL UNIQUE,
	org_id TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL,
	at     INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_events_org ON audit_events (org_id, at, seq);
