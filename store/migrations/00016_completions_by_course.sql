-- +goose Up
-- A trainee's finished lessons carry their lesson's course, so that the course and lesson
-- pages (on every view) and My learning find a trainee's in one course by one index range,
-- where they probed the completions for every lesson of the course. A lesson never moves to
-- another course; the trigger fills the column whatever writes the row (a lesson that does
-- not exist leaves it empty, and the foreign key refuses the row as before).
ALTER TABLE lesson_completions ADD COLUMN course_id bigint;
UPDATE lesson_completions lc SET course_id = m.course_id
    FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = lc.lesson_id;
-- +goose StatementBegin
CREATE FUNCTION aula_completion_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.course_id IS NULL OR TG_OP = 'UPDATE' THEN
        SELECT m.course_id INTO NEW.course_id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = NEW.lesson_id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER lesson_completions_course BEFORE INSERT OR UPDATE OF lesson_id, course_id ON lesson_completions
    FOR EACH ROW EXECUTE FUNCTION aula_completion_course();
CREATE INDEX lesson_completions_course_idx ON lesson_completions (user_id, course_id) INCLUDE (lesson_id);

-- +goose Down
DROP INDEX lesson_completions_course_idx;
DROP TRIGGER lesson_completions_course ON lesson_completions;
DROP FUNCTION aula_completion_course();
ALTER TABLE lesson_completions DROP COLUMN course_id;
