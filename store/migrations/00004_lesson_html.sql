-- +goose Up
-- A lesson's HTML, rendered and sanitised when it is saved, under the policy version
-- courses.MarkdownPolicyVersion names: pages show it as it is and no longer render Markdown
-- per view. A row whose version is not the current one (0: never rendered, or the course's
-- slug, and so its image folder, changed) is rendered again the first time it is read.
ALTER TABLE lesson_texts
    ADD COLUMN html text NOT NULL DEFAULT '',
    ADD COLUMN html_version integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE lesson_texts DROP COLUMN html, DROP COLUMN html_version;
