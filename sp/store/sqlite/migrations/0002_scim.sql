-- SCIM provisioning: users and groups as one organization's IdP sees them.
-- The indexes are the ones the SCIM server's hot paths need: Okta filters by
-- userName before every create, imports page through all users in creation
-- order, and resolves group members by id.

-- The locale the IdP manages for the account (SCIM-05).
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';

-- SCIM requests authenticate with a token whose public id finds the
-- integration; the hash is then compared.
CREATE INDEX integrations_scim_token ON integrations (scim_token_id);

-- A SCIM user stays when deactivated (active = 0); user_id is NULL once the
-- account is gone, and becomes NULL by itself if the account is deleted some
-- other way. An account is one SCIM user per organization at most.
CREATE TABLE scim_users (
	seq           INTEGER PRIMARY KEY,
	id            TEXT NOT NULL UNIQUE,
	org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	external_id   TEXT NOT NULL,
	user_name     TEXT NOT NULL,
	user_name_key TEXT NOT NULL,
	active        INTEGER NOT NULL CHECK (active IN (0, 1)),
	user_id       TEXT REFERENCES users (id) ON DELETE SET NULL,
	emails        TEXT NOT NULL, -- JSON array, as given; scim_user_emails indexes it
	profile       TEXT NOT NULL,
	version       INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	UNIQUE (org_id, user_name_key),
	-- user_id first: it also serves the ON DELETE SET NULL above, which
	-- looks rows up by user_id alone.
	UNIQUE (user_id, org_id)
) STRICT;
-- Paging in creation order: seq is the rowid, which every SQLite index
-- carries, so (org_id) alone orders an organization's rows by seq.
CREATE INDEX scim_users_org ON scim_users (org_id);
CREATE INDEX scim_users_external ON scim_users (org_id, external_id);

-- How many SCIM users each organization has, kept with every create and
-- delete, so that each page of a 100,000-user import can give the total
-- without counting the users again.
CREATE TABLE scim_user_counts (
	org_id TEXT PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
	users  INTEGER NOT NULL CHECK (users >= 0)
) STRICT, WITHOUT ROWID;

-- Every email of a SCIM user, for emails.value filters.
CREATE TABLE scim_user_emails (
	org_id       TEXT NOT NULL,
	email_key    TEXT NOT NULL,
	scim_user_id TEXT NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
	PRIMARY KEY (org_id, email_key, scim_user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX scim_user_emails_user ON scim_user_emails (scim_user_id);

-- A pushed group is a team; the group record dies with it.
CREATE TABLE scim_groups (
	seq         INTEGER PRIMARY KEY,
	id          TEXT NOT NULL UNIQUE,
	org_id      TEXT NOT NULL,
	team_id     TEXT NOT NULL UNIQUE,
	external_id TEXT NOT NULL,
	version     INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	FOREIGN KEY (team_id, org_id) REFERENCES teams (id, org_id) ON DELETE CASCADE
) STRICT;
CREATE INDEX scim_groups_org ON scim_groups (org_id);
CREATE INDEX scim_groups_external ON scim_groups (org_id, external_id);
