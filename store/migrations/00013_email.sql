-- +goose Up
-- The outbox: every email Aula sends is a row here, written in the transaction of the change
-- that causes it, with the River job that sends it. The rendered message is kept once made,
-- so that the outbox page shows what was sent and a retry sends the same message.
CREATE TABLE emails (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL,
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    to_address  text NOT NULL CHECK (to_address <> ''),
    language    text NOT NULL CHECK (language IN ('es', 'en', 'pt')),
    data        jsonb NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'kept', 'failed')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    message_id  text NOT NULL UNIQUE, -- the same on every retry, so that a duplicate is recognisable
    subject     text NOT NULL DEFAULT '',
    body_text   text NOT NULL DEFAULT '',
    body_html   text NOT NULL DEFAULT '',
    attachment_name text NOT NULL DEFAULT '',
    attachment_type text NOT NULL DEFAULT '',
    attachment  bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX emails_created_idx ON emails (created_at DESC, id DESC);
CREATE INDEX emails_status_idx ON emails (status, created_at DESC) WHERE status IN ('queued', 'failed');
CREATE INDEX emails_user_idx ON emails (user_id, kind);

-- The notification groups a user turned off (courses.NotificationGroups).
ALTER TABLE users ADD COLUMN notifications_off text[] NOT NULL DEFAULT '{}';

-- A change of address waits for a click on the link sent to the new one.
CREATE TABLE email_changes (
    token_hash text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    new_email  text NOT NULL CHECK (new_email = lower(new_email) AND new_email <> ''),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_changes_user_idx ON email_changes (user_id) WHERE used_at IS NULL;

-- +goose Down
DROP TABLE email_changes;
ALTER TABLE users DROP COLUMN notifications_off;
DROP TABLE emails;
