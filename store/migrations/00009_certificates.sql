-- +goose Up
-- A course's certificate rules: issued on completion, by an administrator, or not at all; how
-- many months one stays valid (0: no expiry); the signatories its certificates print.
ALTER TABLE courses
    ADD COLUMN certificate_issue text NOT NULL DEFAULT 'auto' CHECK (certificate_issue IN ('auto', 'manual', 'none')),
    ADD COLUMN certificate_months integer NOT NULL DEFAULT 0 CHECK (certificate_months BETWEEN 0 AND 120),
    ADD COLUMN signatories jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(signatories) = 'array');

-- The school's Ed25519 signing keys. The private half is sealed (AES-256-GCM) with the
-- school's secret, which lives in the environment or a file, never in the database. Retired
-- keys stay: they verify what they signed. One key signs at a time.
CREATE TABLE signing_keys (
    id          text PRIMARY KEY,
    public_key  bytea NOT NULL CHECK (length(public_key) = 32),
    private_key bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_current_idx ON signing_keys ((true)) WHERE retired_at IS NULL;

-- A certificate's place in the revocation list that Open Badges verifiers read.
CREATE SEQUENCE certificate_status_index_seq MINVALUE 0 START 0;

CREATE TABLE certificates (
    id             bigserial PRIMARY KEY,
    code           text NOT NULL UNIQUE CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{28}$'),
    credential_id  uuid NOT NULL UNIQUE,
    status_index   integer NOT NULL UNIQUE DEFAULT nextval('certificate_status_index_seq'),
    enrolment_id   bigint NOT NULL REFERENCES enrolments (id),
    user_id        bigint NOT NULL REFERENCES users (id),
    course_id      bigint NOT NULL REFERENCES courses (id),
    cohort_id      bigint NOT NULL REFERENCES cohorts (id),
    -- what was signed, as it was at issue
    holder_name    text NOT NULL,
    holder_email   text NOT NULL,
    language       text NOT NULL CHECK (language IN ('es', 'en', 'pt')),
    school         text NOT NULL,
    course_slug    text NOT NULL,
    course_title   text NOT NULL,
    cohort_name    text NOT NULL,
    hours          integer NOT NULL,
    completed_on   date NOT NULL,
    issued_at      timestamptz NOT NULL,
    expires_on     date,
    signatories    jsonb NOT NULL,
    key_id         text NOT NULL REFERENCES signing_keys (id),
    signature      bytea NOT NULL,
    issued_by      bigint REFERENCES users (id), -- NULL: on completion
    -- what happened after
    revoked_at     timestamptz,
    revoked_reason text NOT NULL DEFAULT '',
    -- A reissue points the old certificate at the new one; the new row is inserted after the
    -- old one is pointed at it, so the reference is checked at commit.
    replaced_by    bigint REFERENCES certificates (id) DEFERRABLE INITIALLY DEFERRED
);
-- One current certificate per trainee and course run (enrolment): a double click, a retry or
-- two app instances cannot issue two. A reissue first retires the old one.
CREATE UNIQUE INDEX certificates_one_current_idx ON certificates (enrolment_id) WHERE replaced_by IS NULL;
CREATE INDEX certificates_user_idx ON certificates (user_id);
CREATE INDEX certificates_course_idx ON certificates (course_id, issued_at);
CREATE INDEX certificates_cohort_idx ON certificates (cohort_id);
-- The revocation list reads only these.
CREATE INDEX certificates_revoked_idx ON certificates (status_index) WHERE revoked_at IS NOT NULL OR replaced_by IS NOT NULL;

-- The issuance log: every issue, reissue, revoke and un-revoke, each entry holding the hash of
-- the one before. Entries are appended under an advisory lock, numbered without gaps.
CREATE TABLE certificate_log (
    seq            bigint PRIMARY KEY CHECK (seq > 0),
    certificate_id bigint NOT NULL REFERENCES certificates (id),
    action         text NOT NULL CHECK (action IN ('issue', 'reissue', 'revoke', 'unrevoke')),
    code           text NOT NULL,
    actor_id       bigint REFERENCES users (id),
    reason         text NOT NULL DEFAULT '',
    at             timestamptz NOT NULL,
    digest         bytea NOT NULL,
    key_id         text NOT NULL DEFAULT '',
    signature      bytea NOT NULL DEFAULT '',
    prev_hash      bytea NOT NULL,
    hash           bytea NOT NULL UNIQUE,
    -- HMAC-SHA256 of hash under a key drawn from the school's secret, which the database never
    -- holds: an entry written by anyone but Aula (even with a correct chain hash) is found.
    mac            bytea NOT NULL
);
CREATE INDEX certificate_log_certificate_idx ON certificate_log (certificate_id);
CREATE INDEX certificate_log_revocations_idx ON certificate_log (seq) WHERE action IN ('revoke', 'unrevoke');

-- Nothing in Aula edits or deletes an entry; the database refuses it too.
-- +goose StatementBegin
CREATE FUNCTION aula_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the certificate log is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER certificate_log_append_only BEFORE UPDATE OR DELETE ON certificate_log
    FOR EACH ROW EXECUTE FUNCTION aula_log_append_only();

-- Issuing a cohort's certificates in the background: one row per request, its progress kept
-- here so a page can show it and a restarted job can go on.
CREATE TABLE certificate_batches (
    id           bigserial PRIMARY KEY,
    cohort_id    bigint NOT NULL REFERENCES cohorts (id),
    requested_by bigint NOT NULL REFERENCES users (id),
    -- issue: certificates for those who completed and have none; renew: reissue those that
    -- have expired or soon will (courses.RenewalWindow), with reason
    kind         text NOT NULL DEFAULT 'issue' CHECK (kind IN ('issue', 'renew')),
    reason       text NOT NULL DEFAULT '',
    total        integer NOT NULL DEFAULT 0,
    issued       integer NOT NULL DEFAULT 0,
    -- the last enrolment a step looked at: each step goes on after it, so a batch always ends
    last_enrolment_id bigint NOT NULL DEFAULT 0,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    error        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
-- One batch at a time per cohort.
CREATE UNIQUE INDEX certificate_batches_one_live_idx ON certificate_batches (cohort_id) WHERE status IN ('queued', 'running');

-- +goose Down
DROP TABLE certificate_batches;
DROP TABLE certificate_log;
DROP FUNCTION aula_log_append_only();
DROP TABLE certificates;
DROP SEQUENCE certificate_status_index_seq;
DROP TABLE signing_keys;
ALTER TABLE courses DROP COLUMN certificate_issue, DROP COLUMN certificate_months, DROP COLUMN signatories;
