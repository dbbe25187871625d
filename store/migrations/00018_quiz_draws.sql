-- +goose Up
-- What an attempt's start draws from (attempt_start.go): the quiz, its items and the current
-- questions of the bank they draw. Every start of an exam read all of it anew, the same for
-- each of its trainees; an app instance now keeps it under the course's version (migration
-- 00008), which the bank and the quiz's items now move as well, and reads it again only
-- when the version is another. A function, as aula_course_outline is: PostgreSQL starts up
-- every subquery of a plan on each execution, run or not.
-- +goose StatementBegin
CREATE FUNCTION aula_quiz_draw(quiz bigint, course bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT json_build_object('id', z.id, 'module_id', z.module_id, 'key', z.key, 'position', z.position,
        'titles', z.titles, 'settings', z.settings,
        'items', (SELECT coalesce(json_agg(json_build_object('question_id', coalesce(i.question_id, 0),
            'category_id', coalesce(i.category_id, 0), 'count', i.count) ORDER BY i.position), '[]')
            FROM quiz_items i WHERE i.quiz_id = z.id),
        'bank', (SELECT json_build_object('ids', coalesce(array_agg(q.id ORDER BY q.id), '{}'),
            'categories', coalesce(array_agg(q.category_id ORDER BY q.id), '{}'),
            'versions', coalesce(array_agg(v.id ORDER BY q.id), '{}'))
            FROM questions q JOIN question_versions v ON v.question_id = q.id AND v.version = q.version
            WHERE q.course_id = course AND q.deleted_at IS NULL
                AND EXISTS (SELECT 1 FROM quiz_items i WHERE i.quiz_id = z.id AND (i.category_id = q.category_id OR i.question_id = q.id))))
        FROM quizzes z JOIN modules m ON m.id = z.module_id WHERE z.id = quiz AND m.course_id = course);
END $$;
-- +goose StatementEnd

-- The course's version now also moves with its quizzes' items and its question bank. A new
-- version of a question is written with the question's row, which names it current, so
-- question_versions needs no trigger of its own.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION aula_course_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'courses' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq') WHERE course_id = NEW.id;
    WHEN 'course_texts', 'modules', 'questions' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (OLD.course_id, NEW.course_id);
    WHEN 'lessons', 'quizzes' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (SELECT m.course_id FROM modules m WHERE m.id IN (OLD.module_id, NEW.module_id));
    WHEN 'lesson_texts' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (SELECT m.course_id FROM lessons l JOIN modules m ON m.id = l.module_id
            WHERE l.id IN (OLD.lesson_id, NEW.lesson_id));
    WHEN 'quiz_items' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (SELECT m.course_id FROM quizzes z JOIN modules m ON m.id = z.module_id
            WHERE z.id IN (OLD.quiz_id, NEW.quiz_id));
    END CASE;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON quiz_items FOR EACH ROW EXECUTE FUNCTION aula_course_written();
CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON questions FOR EACH ROW EXECUTE FUNCTION aula_course_written();

-- +goose Down
DROP TRIGGER course_written ON questions;
DROP TRIGGER course_written ON quiz_items;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION aula_course_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'courses' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq') WHERE course_id = NEW.id;
    WHEN 'course_texts', 'modules' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (OLD.course_id, NEW.course_id);
    WHEN 'lessons', 'quizzes' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (SELECT m.course_id FROM modules m WHERE m.id IN (OLD.module_id, NEW.module_id));
    WHEN 'lesson_texts' THEN
        UPDATE course_versions SET version = nextval('course_versions_seq')
        WHERE course_id IN (SELECT m.course_id FROM lessons l JOIN modules m ON m.id = l.module_id
            WHERE l.id IN (OLD.lesson_id, NEW.lesson_id));
    END CASE;
    RETURN NULL;
END $$;
-- +goose StatementEnd
DROP FUNCTION aula_quiz_draw(bigint, bigint);
