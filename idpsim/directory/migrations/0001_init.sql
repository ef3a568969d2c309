-- Users: Okta's user object, reduced to what the fake org needs so far.
-- login_key is the lower-cased login: logins are unique case-insensitively,
-- and SQLite's NOCASE only folds ASCII.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    login         TEXT NOT NULL,
    login_key     TEXT NOT NULL UNIQUE,
    email         TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('ACTIVE', 'STAGED', 'SUSPENDED', 'DEPROVISIONED')),
    created       TEXT NOT NULL,
    last_updated  TEXT NOT NULL
);

-- Apps: an Okta app instance with its own SAML signing key. name is Okta's
-- appName, which is shared by every instance of a catalog app, so it is not
-- unique. settings holds the kind-specific settings as JSON.
CREATE TABLE apps (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    label               TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('catalog', 'saml')),
    status              TEXT NOT NULL DEFAULT 'ACTIVE',
    settings            TEXT NOT NULL DEFAULT '{}',
    key_id              TEXT NOT NULL UNIQUE,
    private_key_pem     TEXT NOT NULL,
    certificate_pem     TEXT NOT NULL,
    link_id             TEXT NOT NULL UNIQUE,
    response_signed     INTEGER NOT NULL DEFAULT 1,
    assertion_signed    INTEGER NOT NULL DEFAULT 1,
    signature_algorithm TEXT NOT NULL DEFAULT 'RSA_SHA256' CHECK (signature_algorithm IN ('RSA_SHA256', 'RSA_SHA1')),
    default_relay_state TEXT NOT NULL DEFAULT '',
    created             TEXT NOT NULL,
    last_updated        TEXT NOT NULL
);
CREATE INDEX apps_name ON apps (name);
CREATE INDEX apps_label ON apps (kind, label);

-- Direct user assignments to apps (group assignments come with groups).
CREATE TABLE app_assignments (
    app_id  TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created TEXT NOT NULL,
    PRIMARY KEY (app_id, user_id)
);
CREATE INDEX app_assignments_user ON app_assignments (user_id);

-- Browser sessions of signed-in users. Only a SHA-256 of the cookie value is
-- kept, so a copy of the database cannot be used to sign in.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created      TEXT NOT NULL,
    authn_at     TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
