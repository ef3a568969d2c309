-- Provisioning: groups, group assignments, the SCIM client's settings and
-- state per app, group push, provisioning tasks and the SCIM request log,
-- plus the user profile and lifecycle details Okta's API shows.

-- Okta groups (type OKTA_GROUP). name_key is the lower-cased name: Okta
-- group names are unique case-insensitively.
CREATE TABLE groups (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    name_key                TEXT NOT NULL UNIQUE,
    description             TEXT NOT NULL DEFAULT '',
    created                 TEXT NOT NULL,
    last_updated            TEXT NOT NULL,
    last_membership_updated TEXT NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created  TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

-- app_assignments is the set of the app's users (Okta's "app users"): a
-- row exists while the user is assigned directly (direct = 1, Okta's scope
-- USER) or only through an assigned group (direct = 0, scope GROUP).
ALTER TABLE app_assignments ADD COLUMN direct INTEGER NOT NULL DEFAULT 1;

CREATE TABLE app_group_assignments (
    app_id       TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    group_id     TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    priority     INTEGER NOT NULL DEFAULT 0,
    created      TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    PRIMARY KEY (app_id, group_id)
);
CREATE INDEX app_group_assignments_group ON app_group_assignments (group_id);

-- Profile attributes beyond the columns of users (displayName, locale…),
-- as a JSON object of strings.
CREATE TABLE user_profiles (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    attributes TEXT NOT NULL DEFAULT '{}'
);

-- The user's current password, kept so that "Sync Password" can push it to
-- apps, as Okta does. This is a test fake: its passwords are test data.
CREATE TABLE user_sync_passwords (
    user_id  TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password TEXT NOT NULL
);

-- Lifecycle timestamps of Okta's user object, kept by triggers so that every
-- path that changes a user (seeds, the Go API, the admin API) stamps them.
CREATE TABLE user_events (
    user_id          TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    activated        TEXT,
    status_changed   TEXT,
    password_changed TEXT,
    last_login       TEXT
);
INSERT INTO user_events (user_id, activated, status_changed, password_changed)
    SELECT id, CASE WHEN status = 'ACTIVE' THEN created END,
           CASE WHEN status <> 'STAGED' THEN created END,
           CASE WHEN password_hash <> '' THEN created END
    FROM users;

CREATE TRIGGER user_events_insert AFTER INSERT ON users
BEGIN
    INSERT OR IGNORE INTO user_events (user_id, activated, status_changed, password_changed)
    VALUES (NEW.id, CASE WHEN NEW.status = 'ACTIVE' THEN NEW.created END,
            CASE WHEN NEW.status <> 'STAGED' THEN NEW.created END,
            CASE WHEN NEW.password_hash <> '' THEN NEW.created END);
END;

CREATE TRIGGER user_events_status AFTER UPDATE OF status ON users
WHEN NEW.status <> OLD.status
BEGIN
    INSERT OR IGNORE INTO user_events (user_id) VALUES (NEW.id);
    UPDATE user_events SET
        status_changed = NEW.last_updated,
        activated = CASE WHEN NEW.status = 'ACTIVE' AND OLD.status IN ('STAGED', 'DEPROVISIONED')
                         THEN NEW.last_updated ELSE activated END
    WHERE user_id = NEW.id;
END;

CREATE TRIGGER user_events_password AFTER UPDATE OF password_hash ON users
WHEN NEW.password_hash <> OLD.password_hash
BEGIN
    INSERT OR IGNORE INTO user_events (user_id) VALUES (NEW.id);
    UPDATE user_events SET password_changed = CASE WHEN NEW.password_hash <> '' THEN NEW.last_updated END
    WHERE user_id = NEW.id;
END;

CREATE TRIGGER user_events_login AFTER INSERT ON sessions
BEGIN
    INSERT OR IGNORE INTO user_events (user_id) VALUES (NEW.user_id);
    UPDATE user_events SET last_login = NEW.created WHERE user_id = NEW.user_id;
END;

-- Administrator roles (Okta's role assignments). Any role opens the admin UI.
CREATE TABLE admin_roles (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type         TEXT NOT NULL,
    created      TEXT NOT NULL,
    last_updated TEXT NOT NULL,
    UNIQUE (user_id, type)
);

-- The Provisioning tab of an app: the SCIM connection and the "To App"
-- features. The Bearer token is kept as given (the client must send it) and
-- is never shown back in full.
CREATE TABLE app_provisioning (
    app_id           TEXT PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    enabled          INTEGER NOT NULL DEFAULT 0,
    base_url         TEXT NOT NULL DEFAULT '',
    token            TEXT NOT NULL DEFAULT '',
    username_format  TEXT NOT NULL DEFAULT 'OKTA_USERNAME',
    create_users     INTEGER NOT NULL DEFAULT 0,
    update_users     INTEGER NOT NULL DEFAULT 0,
    deactivate_users INTEGER NOT NULL DEFAULT 0,
    sync_password    INTEGER NOT NULL DEFAULT 0,
    mode             TEXT NOT NULL DEFAULT 'template' CHECK (mode IN ('template', 'custom')),
    created          TEXT NOT NULL,
    last_updated     TEXT NOT NULL
);

-- A user's account in an app, as the SCIM server knows it: the SCIM id the
-- server returned (Okta's app user externalId) and whether it is active there.
CREATE TABLE app_user_links (
    app_id      TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    active      INTEGER NOT NULL,
    last_sync   TEXT NOT NULL,
    created     TEXT NOT NULL,
    PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_user_links_user ON app_user_links (user_id);

-- Group push mappings. A pushed group cannot be deleted (no ON DELETE):
-- Okta refuses to delete a group used by a push mapping.
CREATE TABLE group_push_mappings (
    id            TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    group_id      TEXT NOT NULL REFERENCES groups (id),
    status        TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE', 'ERROR')),
    target_id     TEXT NOT NULL DEFAULT '',
    target_name   TEXT NOT NULL DEFAULT '',
    error_summary TEXT NOT NULL DEFAULT '',
    last_push     TEXT NOT NULL DEFAULT '',
    created       TEXT NOT NULL,
    last_updated  TEXT NOT NULL,
    UNIQUE (app_id, group_id)
);
CREATE INDEX group_push_mappings_group ON group_push_mappings (group_id);

-- The members the app's copy of a pushed group has, as last pushed.
CREATE TABLE group_push_members (
    mapping_id  TEXT NOT NULL REFERENCES group_push_mappings (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    display     TEXT NOT NULL,
    PRIMARY KEY (mapping_id, user_id)
);

-- Provisioning tasks: one per provisioning action, run in seq order.
CREATE TABLE provisioning_tasks (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    app_id       TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    action       TEXT NOT NULL,
    user_id      TEXT NOT NULL DEFAULT '',
    group_id     TEXT NOT NULL DEFAULT '',
    mapping_id   TEXT NOT NULL DEFAULT '',
    params       TEXT NOT NULL DEFAULT '{}',
    description  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('QUEUED', 'COMPLETED', 'FAILED')),
    reason       TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    created      TEXT NOT NULL,
    last_updated TEXT NOT NULL
);
CREATE INDEX provisioning_tasks_status ON provisioning_tasks (status, seq);
CREATE INDEX provisioning_tasks_app ON provisioning_tasks (app_id, seq);

-- Every SCIM exchange, with the Bearer token redacted.
CREATE TABLE scim_requests (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id           TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    task_id          TEXT NOT NULL DEFAULT '',
    method           TEXT NOT NULL,
    url              TEXT NOT NULL,
    request_headers  TEXT NOT NULL DEFAULT '{}',
    request_body     TEXT NOT NULL DEFAULT '',
    status           INTEGER NOT NULL DEFAULT 0,
    response_headers TEXT NOT NULL DEFAULT '{}',
    response_body    TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    started          TEXT NOT NULL,
    duration_ms      REAL NOT NULL DEFAULT 0
);
CREATE INDEX scim_requests_app ON scim_requests (app_id, id);
CREATE INDEX scim_requests_task ON scim_requests (task_id);
