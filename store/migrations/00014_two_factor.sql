-- +goose Up
-- Two-factor sign-in (TOTP) for staff. Secrets are sealed with a key drawn from the school's
-- secret (AES-256-GCM, the user's id as additional data), so that a copy of the database
-- alone gives no codes; recovery codes are kept as keyed hashes only.
CREATE TABLE two_factor (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     bytea NOT NULL,
    -- The last time step whose code was accepted: only a later one is, so that a code is
    -- good once, even when two instances check it at the same moment.
    last_step  bigint NOT NULL DEFAULT 0,
    enabled_at timestamptz NOT NULL DEFAULT now()
);

-- A secret shown on the enrolment page, not yet confirmed with a code from the app.
CREATE TABLE two_factor_enrolments (
    user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret     bytea NOT NULL,
    expires_at timestamptz NOT NULL
);

-- One row per recovery code not yet used; using one deletes it.
CREATE TABLE recovery_codes (
    user_id   bigint NOT NULL REFERENCES two_factor (user_id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);

-- +goose Down
DROP TABLE recovery_codes;
DROP TABLE two_factor_enrolments;
DROP TABLE two_factor;
