-- +goose Up
-- A trainee's finished lessons carry their lesson's course, so that the course and lesson
-- pages (on every view) and My learning find a trainee's in one course by one index range,
-- where they probed the completions for every lesson of the course. A lesson never moves to
-- another course. Aula's writers name the course (CompleteLesson, the large school's COPY);
-- a row written without it (an instance still running the previous release during an
-- upgrade) gets it from the trigger, which costs a bulk load little when the course is named.
-- A lesson that does not exist leaves it empty, and the foreign key refuses the row as before.
ALTER TABLE lesson_completions ADD COLUMN course_id bigint;
UPDATE lesson_completions lc SET course_id = m.course_id
    FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = lc.lesson_id;
-- +goose StatementBegin
CREATE FUNCTION aula_completion_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.course_id IS NULL THEN
        SELECT m.course_id INTO NEW.course_id FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = NEW.lesson_id;
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER lesson_completions_course BEFORE INSERT ON lesson_completions
    FOR EACH ROW EXECUTE FUNCTION aula_completion_course();
CREATE INDEX lesson_completions_course_idx ON lesson_completions (user_id, course_id) INCLUDE (lesson_id);

-- +goose Down
DROP INDEX lesson_completions_course_idx;
DROP TRIGGER lesson_completions_course ON lesson_completions;
DROP FUNCTION aula_completion_course();
ALTER TABLE lesson_completions DROP COLUMN course_id;
