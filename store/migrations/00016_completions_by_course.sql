-- +goose Up
-- A trainee's finished lessons carry their lesson's course, so that the course and lesson
-- pages (on every view) and My learning find a trainee's in one course by one index range,
-- where they probed the completions for every lesson of the course. A lesson never moves to
-- another course. Whoever writes a completion names its course (CompleteLesson, the large
-- school's COPY): a trigger looking it up cost a bulk load of two million rows a minute more.
ALTER TABLE lesson_completions ADD COLUMN course_id bigint;
UPDATE lesson_completions lc SET course_id = m.course_id
    FROM lessons l JOIN modules m ON m.id = l.module_id WHERE l.id = lc.lesson_id;
ALTER TABLE lesson_completions ALTER COLUMN course_id SET NOT NULL;
CREATE INDEX lesson_completions_course_idx ON lesson_completions (user_id, course_id) INCLUDE (lesson_id);

-- +goose Down
DROP INDEX lesson_completions_course_idx;
ALTER TABLE lesson_completions DROP COLUMN course_id;
