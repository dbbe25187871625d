-- +goose Up
-- What the periodic notifications have sent: one row per reminder, written in the
-- transaction that puts its email in the outbox, so that a second run, a second instance or a
-- restart finds it and sends nothing again.
CREATE TABLE session_reminders (
    session_id bigint NOT NULL REFERENCES cohort_sessions (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id),
    sent_at    timestamptz NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE TABLE certificate_expiry_notices (
    certificate_id bigint PRIMARY KEY REFERENCES certificates (id),
    sent_at        timestamptz NOT NULL
);
CREATE TABLE quiz_closing_notices (
    quiz_id bigint NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users (id),
    sent_at timestamptz NOT NULL,
    PRIMARY KEY (quiz_id, user_id)
);
-- What the jobs look for: sessions about to start, current certificates about to expire.
CREATE INDEX cohort_sessions_starts_idx ON cohort_sessions (starts_at);
CREATE INDEX certificates_expiry_idx ON certificates (expires_on)
    WHERE replaced_by IS NULL AND revoked_at IS NULL AND expires_on IS NOT NULL;

-- +goose Down
DROP INDEX certificates_expiry_idx;
DROP INDEX cohort_sessions_starts_idx;
DROP TABLE quiz_closing_notices;
DROP TABLE certificate_expiry_notices;
DROP TABLE session_reminders;
