-- +goose Up
-- The audit trail: every change a person (an administrator, an instructor) makes to people's
-- records, written in the transaction of the change itself. The subjects' ids are kept as
-- plain numbers, without foreign keys: an entry outlives what it names, and a foreign key's
-- ON DELETE would have to change an entry the trigger below refuses to change.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       bigint,      -- NULL: the command line
    actor_ip       inet,        -- the request's address as Aula sees it behind its trusted proxies
    action         text NOT NULL CHECK (action ~ '^[a-z]+(_[a-z]+)*$'),
    user_id        bigint,      -- the person whose record changed
    course_id      bigint,
    cohort_id      bigint,
    certificate_id bigint,
    detail         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object' AND octet_length(detail::text) <= 4096)
);
-- The admin's searches: newest first, by who acted, whose record, which action, which course.
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);
CREATE INDEX audit_log_user_idx ON audit_log (user_id, at DESC) WHERE user_id IS NOT NULL;
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
CREATE INDEX audit_log_course_idx ON audit_log (course_id, at DESC) WHERE course_id IS NOT NULL;

-- Nothing in Aula edits or deletes an entry; the database refuses it too, row by row and
-- by TRUNCATE.
-- +goose StatementBegin
CREATE FUNCTION aula_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION aula_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION aula_audit_append_only();

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION aula_audit_append_only();
