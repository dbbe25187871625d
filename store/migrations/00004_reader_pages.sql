-- +goose Up
-- A lesson's HTML, rendered and sanitised when it is saved, under the policy version
-- courses.MarkdownPolicyVersion names: pages show it as it is and no longer render Markdown
-- per view. A row whose version is not the current one (0: never rendered, or the course's
-- slug, and so its image folder, changed) is rendered again the first time it is read.
ALTER TABLE lesson_texts
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN html_version integer NOT NULL DEFAULT 0;

-- The key the catalog sorts titles by, computed when a title is written: aula_unaccent is a
-- SQL function that cannot be inlined, and calling it for every row of every catalog page
-- cost more than the rest of the query.
ALTER TABLE course_texts
    ADD COLUMN sort_title text GENERATED ALWAYS AS (lower(aula_unaccent(title))) STORED;

-- The catalog's search, as a stored vector: computing it from search_text for every course on
-- every search cost milliseconds, and a plan prepared for any filter cannot use an index on
-- the expression.
ALTER TABLE courses
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', aula_unaccent(search_text))) STORED;
DROP INDEX courses_search_idx;
CREATE INDEX courses_search_vector_idx ON courses USING gin (search_vector);

-- The course page counts the active trainees of each cohort with a capacity: from the index.
CREATE INDEX enrolments_active_idx ON enrolments (cohort_id) WHERE status = 'active';

-- +goose Down
DROP INDEX enrolments_active_idx;
CREATE INDEX courses_search_idx ON courses USING gin (to_tsvector('simple', aula_unaccent(search_text)));
ALTER TABLE courses DROP COLUMN search_vector;
ALTER TABLE course_texts DROP COLUMN sort_title;
ALTER TABLE lesson_texts DROP COLUMN html, DROP COLUMN html_version;
