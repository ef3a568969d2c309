-- SCIM provisioning: users and groups as one organization's IdP sees them.
-- The indexes are the ones the SCIM server's hot paths need: Okta filters by
-- userName before every create, imports page through all users in creation
-- order, and resolves group members by id.

-- The locale the IdP manages for the account (SCIM-05).
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT '';

-- SCIM requests authenticate with a token whose public id finds the
-- integration; the hash is then compared.
CREATE INDEX integrations_scim_token ON integrations (scim_token_id);

-- A SCIM user stays when deactivated (active false); user_id is NULL once the
-- account is gone, and becomes NULL by itself if the account is deleted some
-- other way. An account is one SCIM user per organization at most.
-- seq is the key here, as the rowid is in SQLite: a page is read as the seqs
-- of its rows first (index-only on scim_users_org), then those rows by seq.
CREATE TABLE scim_users (
	seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id            text NOT NULL UNIQUE,
	org_id        text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	external_id   text NOT NULL,
	user_name     text NOT NULL,
	user_name_key text NOT NULL,
	active        boolean NOT NULL,
	user_id       text REFERENCES users (id) ON DELETE SET NULL,
	emails        text NOT NULL, -- JSON array, as given; scim_user_emails indexes it
	profile       text NOT NULL,
	version       bigint NOT NULL,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL,
	UNIQUE (org_id, user_name_key),
	-- user_id first: it also serves the ON DELETE SET NULL above, which
	-- looks rows up by user_id alone.
	UNIQUE (user_id, org_id)
);
-- Paging in creation order, index-only for the page's keys.
CREATE INDEX scim_users_org ON scim_users (org_id, seq);
CREATE INDEX scim_users_external ON scim_users (org_id, external_id);

-- How many SCIM users each organization has, kept with every create and
-- delete, so that each page of a 100,000-user import can give the total
-- without counting the users again.
CREATE TABLE scim_user_counts (
	org_id text PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
	users  bigint NOT NULL CHECK (users >= 0)
);

-- Every email of a SCIM user, for emails.value filters.
CREATE TABLE scim_user_emails (
	org_id       text NOT NULL,
	email_key    text NOT NULL,
	scim_user_id text NOT NULL REFERENCES scim_users (id) ON DELETE CASCADE,
	PRIMARY KEY (org_id, email_key, scim_user_id)
);
CREATE INDEX scim_user_emails_user ON scim_user_emails (scim_user_id);

-- A pushed group is a team; the group record dies with it.
CREATE TABLE scim_groups (
	id          text PRIMARY KEY,
	seq         bigint GENERATED ALWAYS AS IDENTITY,
	org_id      text NOT NULL,
	team_id     text NOT NULL UNIQUE,
	external_id text NOT NULL,
	version     bigint NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	FOREIGN KEY (team_id, org_id) REFERENCES teams (id, org_id) ON DELETE CASCADE
);
CREATE INDEX scim_groups_org ON scim_groups (org_id, seq);
CREATE INDEX scim_groups_external ON scim_groups (org_id, external_id);
