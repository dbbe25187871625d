-- +goose Up
-- An exam's start writes an attempt and its slots in one statement (attempt_start.go); the
-- slots' two foreign keys checked each slot alone, twenty lookups and row locks a start (in
-- the exam trial of 10,000, PostgreSQL used 9.7 s of CPU over the start with them, 7.9 with no
-- check at all, 8.6 with the checks below: BENCHMARKS.md, the seventh day). The same rules are now checked once per statement, for all
-- its slots together: every slot names an attempt and a question version that exist; an
-- attempt's slots go with it; a question version a slot names is never deleted; a slot never
-- changes its attempt or its version. (The row locks a foreign key takes kept a parent from
-- being deleted while a child was being written: Aula deletes neither attempts nor question
-- versions while they are in use, and a version is never deleted at all.)
ALTER TABLE attempt_slots DROP CONSTRAINT attempt_slots_attempt_id_fkey;
ALTER TABLE attempt_slots DROP CONSTRAINT attempt_slots_question_version_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION attempt_slots_keys_exist() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_slots n WHERE NOT EXISTS (SELECT 1 FROM quiz_attempts a WHERE a.id = n.attempt_id)) THEN
        RAISE EXCEPTION 'attempt_slots: a slot of an attempt that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM new_slots n WHERE NOT EXISTS (SELECT 1 FROM question_versions v WHERE v.id = n.question_version_id)) THEN
        RAISE EXCEPTION 'attempt_slots: a slot of a question version that does not exist' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER attempt_slots_keys_exist AFTER INSERT ON attempt_slots
    REFERENCING NEW TABLE AS new_slots FOR EACH STATEMENT EXECUTE FUNCTION attempt_slots_keys_exist();

-- +goose StatementBegin
CREATE FUNCTION attempt_slots_keys_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.attempt_id IS DISTINCT FROM OLD.attempt_id OR NEW.question_version_id IS DISTINCT FROM OLD.question_version_id THEN
        RAISE EXCEPTION 'attempt_slots: a slot keeps its attempt and its question version' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER attempt_slots_keys_fixed BEFORE UPDATE OF attempt_id, question_version_id ON attempt_slots
    FOR EACH ROW EXECUTE FUNCTION attempt_slots_keys_fixed();

-- +goose StatementBegin
CREATE FUNCTION quiz_attempts_slots_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM attempt_slots s USING old_attempts o WHERE s.attempt_id = o.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER quiz_attempts_slots_deleted AFTER DELETE ON quiz_attempts
    REFERENCING OLD TABLE AS old_attempts FOR EACH STATEMENT EXECUTE FUNCTION quiz_attempts_slots_deleted();

-- +goose StatementBegin
CREATE FUNCTION question_versions_in_slots() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attempt_slots s JOIN old_versions o ON o.id = s.question_version_id) THEN
        RAISE EXCEPTION 'question_versions: a version an attempt shows is kept' USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER question_versions_in_slots AFTER DELETE ON question_versions
    REFERENCING OLD TABLE AS old_versions FOR EACH STATEMENT EXECUTE FUNCTION question_versions_in_slots();

-- +goose Down
DROP TRIGGER question_versions_in_slots ON question_versions;
DROP FUNCTION question_versions_in_slots();
DROP TRIGGER quiz_attempts_slots_deleted ON quiz_attempts;
DROP FUNCTION quiz_attempts_slots_deleted();
DROP TRIGGER attempt_slots_keys_fixed ON attempt_slots;
DROP FUNCTION attempt_slots_keys_fixed();
DROP TRIGGER attempt_slots_keys_exist ON attempt_slots;
DROP FUNCTION attempt_slots_keys_exist();
ALTER TABLE attempt_slots ADD CONSTRAINT attempt_slots_attempt_id_fkey FOREIGN KEY (attempt_id) REFERENCES quiz_attempts (id) ON DELETE CASCADE;
ALTER TABLE attempt_slots ADD CONSTRAINT attempt_slots_question_version_id_fkey FOREIGN KEY (question_version_id) REFERENCES question_versions (id) ON DELETE RESTRICT;
