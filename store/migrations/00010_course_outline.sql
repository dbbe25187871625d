-- +goose Up
-- A course's outline as the course and lesson pages read it: its modules in order, each with its
-- lessons' titles in lang and the course's default language (or, for a lesson with neither,
-- every language it has) and its quizzes. A function rather than a subquery of the pages'
-- statement: PostgreSQL starts up every subquery of a plan on each execution, and the pages
-- need the outline only when the instance keeps no copy of the course's version (about a
-- sixth of the course page's statement, measured, for an outline not read).
-- +goose StatementBegin
CREATE FUNCTION aula_course_outline(course bigint, lang text, default_language text) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(json_agg(json_build_object('id', m.id, 'key', m.key, 'titles', m.titles, 'lessons',
        (SELECT coalesce(json_agg(json_build_object('id', l.id, 'key', l.key, 'titles',
            (SELECT coalesce(json_object_agg(lt.language, lt.title), '{}') FROM (SELECT t.language, t.title,
                rank() OVER (ORDER BY t.language IN (lang, default_language) DESC) AS wanted
                FROM lesson_texts t WHERE t.lesson_id = l.id) lt WHERE lt.wanted = 1)) ORDER BY l.position), '[]')
        FROM lessons l WHERE l.module_id = m.id), 'quizzes',
        (SELECT coalesce(json_agg(json_build_object('id', z.id, 'key', z.key, 'position', z.position, 'titles', z.titles,
            'settings', z.settings) ORDER BY z.position, z.id), '[]')
        FROM quizzes z WHERE z.module_id = m.id)) ORDER BY m.position), '[]')
        FROM modules m WHERE m.course_id = course);
END $$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION aula_course_outline(bigint, text, text);
