-- +goose Up
-- A course's version: a new number whenever the course, its texts, its modules, its lessons or
-- their texts, or its quizzes are written. The course and lesson pages read it in the same statement (so the
-- same snapshot) as the rest, and an app instance keeps a course's outline in memory under it:
-- a version it has not seen means the outline is read again. Triggers number every write, so no
-- path that edits a course (the editor, the import, a migration) can forget to. The numbers come
-- from one sequence, so no two courses ever share one: an outline kept under a slug can never be
-- taken for another course's that took the slug later. A table of its own, so that a number
-- taken does not rewrite the course's row (and its search vector).
CREATE SEQUENCE course_versions_seq;
CREATE TABLE course_versions (
    course_id bigint PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
    version   bigint NOT NULL DEFAULT nextval('course_versions_seq')
);
INSERT INTO course_versions (course_id) SELECT id FROM courses;

-- +goose StatementBegin
CREATE FUNCTION aula_course_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO course_versions (course_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- OLD is NULL on an insert and NEW on a delete: both sides of an update count (a lesson moved
-- to another module changes both courses, were that ever to happen).
-- +goose StatementBegin
CREATE FUNCTION aula_course_written() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER course_created AFTER INSERT ON courses FOR EACH ROW EXECUTE FUNCTION aula_course_created();
CREATE TRIGGER course_written AFTER UPDATE ON courses FOR EACH ROW EXECUTE FUNCTION aula_course_written();
CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON course_texts FOR EACH ROW EXECUTE FUNCTION aula_course_written();
CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON modules FOR EACH ROW EXECUTE FUNCTION aula_course_written();
CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON lessons FOR EACH ROW EXECUTE FUNCTION aula_course_written();
CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON lesson_texts FOR EACH ROW EXECUTE FUNCTION aula_course_written();
CREATE TRIGGER course_written AFTER INSERT OR UPDATE OR DELETE ON quizzes FOR EACH ROW EXECUTE FUNCTION aula_course_written();

-- +goose Down
DROP TRIGGER course_written ON quizzes;
DROP TRIGGER course_written ON lesson_texts;
DROP TRIGGER course_written ON lessons;
DROP TRIGGER course_written ON modules;
DROP TRIGGER course_written ON course_texts;
DROP TRIGGER course_written ON courses;
DROP TRIGGER course_created ON courses;
DROP FUNCTION aula_course_written();
DROP FUNCTION aula_course_created();
DROP TABLE course_versions;
DROP SEQUENCE course_versions_seq;
