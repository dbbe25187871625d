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

-- +goose Down
ALTER TABLE course_texts DROP COLUMN sort_title;
ALTER TABLE lesson_texts DROP COLUMN html, DROP COLUMN html_version;
