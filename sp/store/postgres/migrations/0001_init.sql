-- seq, an identity column, is each table's insertion order: lists sort by it.
-- *_key columns hold the case-folded form that uniqueness is on, computed by the
-- store so that PostgreSQL and SQLite fold case alike whatever the collation.
-- Tables are created in the first schema of search_path.

CREATE TABLE organizations (
	id         text PRIMARY KEY,
	seq        bigint GENERATED ALWAYS AS IDENTITY,
	name       text NOT NULL,
	created_at timestamptz NOT NULL
);

CREATE TABLE users (
	id            text PRIMARY KEY,
	seq           bigint GENERATED ALWAYS AS IDENTITY,
	email         text NOT NULL,
	email_key     text NOT NULL UNIQUE,
	given_name    text NOT NULL,
	family_name   text NOT NULL,
	display_name  text NOT NULL,
	password_hash text NOT NULL,
	created_at    timestamptz NOT NULL,
	updated_at    timestamptz NOT NULL
);

CREATE TABLE memberships (
	org_id     text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	seq        bigint GENERATED ALWAYS AS IDENTITY,
	role       text NOT NULL CHECK (role IN ('admin', 'member')),
	source     text NOT NULL CHECK (source IN ('local', 'invite', 'jit', 'scim')),
	created_at timestamptz NOT NULL,
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- UNIQUE (id, org_id) is the target of the composite foreign keys below, which
-- keep a team member or domain in the team's own organization.
CREATE TABLE teams (
	id            text PRIMARY KEY,
	seq           bigint GENERATED ALWAYS AS IDENTITY,
	org_id        text NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	name          text NOT NULL,
	name_key      text NOT NULL,
	scim_group_id text,
	created_at    timestamptz NOT NULL,
	UNIQUE (id, org_id),
	UNIQUE (org_id, name_key),
	UNIQUE (org_id, scim_group_id)
);

-- A team member must be a member of the organization: the second foreign key
-- enforces it and removes team memberships with the membership.
CREATE TABLE team_members (
	team_id text NOT NULL,
	user_id text NOT NULL,
	org_id  text NOT NULL,
	seq     bigint GENERATED ALWAYS AS IDENTITY,
	PRIMARY KEY (team_id, user_id),
	FOREIGN KEY (team_id, org_id) REFERENCES teams (id, org_id) ON DELETE CASCADE,
	FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_membership ON team_members (org_id, user_id);

CREATE TABLE team_domains (
	org_id  text NOT NULL,
	domain  text NOT NULL,
	team_id text NOT NULL,
	seq     bigint GENERATED ALWAYS AS IDENTITY,
	PRIMARY KEY (org_id, domain),
	FOREIGN KEY (team_id, org_id) REFERENCES teams (id, org_id) ON DELETE CASCADE
);
CREATE INDEX team_domains_team ON team_domains (team_id, org_id);

CREATE TABLE resources (
	id         text PRIMARY KEY,
	seq        bigint GENERATED ALWAYS AS IDENTITY,
	team_id    text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	kind       text NOT NULL,
	name       text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE INDEX resources_team ON resources (team_id);

CREATE TABLE integrations (
	id                   text PRIMARY KEY,
	seq                  bigint GENERATED ALWAYS AS IDENTITY,
	org_id               text NOT NULL UNIQUE REFERENCES organizations (id) ON DELETE CASCADE,
	status               text NOT NULL CHECK (status IN ('pending', 'connected', 'disabled')),
	metadata_url         text NOT NULL,
	idp_entity_id        text NOT NULL,
	sso_url              text NOT NULL,
	cert_pem             text NOT NULL,
	provisioning_enabled boolean NOT NULL,
	scim_token_id        text NOT NULL,
	scim_token_hash      text NOT NULL,
	created_at           timestamptz NOT NULL,
	updated_at           timestamptz NOT NULL
);

-- org_id is NULL for a session outside any organization; a NULL leaves the
-- composite foreign key unchecked (MATCH SIMPLE), so such sessions survive
-- RemoveMembership.
CREATE TABLE sessions (
	id_hash    text PRIMARY KEY,
	user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id     text,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	FOREIGN KEY (org_id, user_id) REFERENCES memberships (org_id, user_id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_membership ON sessions (org_id, user_id);

CREATE TABLE pending_requests (
	id             text PRIMARY KEY,
	integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
	relay_state    text NOT NULL,
	created_at     timestamptz NOT NULL,
	expires_at     timestamptz NOT NULL
);
CREATE INDEX pending_requests_integration ON pending_requests (integration_id);

CREATE TABLE assertions (
	integration_id text NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
	assertion_id   text NOT NULL,
	expires_at     timestamptz NOT NULL,
	PRIMARY KEY (integration_id, assertion_id)
);
CREATE INDEX assertions_expiry ON assertions (expires_at);

CREATE TABLE audit_events (
	id     text PRIMARY KEY,
	seq    bigint GENERATED ALWAYS AS IDENTITY,
	org_id text NOT NULL,
	actor  text NOT NULL,
	action text NOT NULL,
	target text NOT NULL,
	detail text NOT NULL,
	at     timestamptz NOT NULL
);
CREATE INDEX audit_events_org ON audit_events (org_id, at, seq);
