-- +goose Up
-- An attempt's start reads the current questions of its course's bank (attempt_start.go);
-- without an index by course it read every course's questions (by their category's index,
-- the start's pools planning without sequential scans), on every start of an exam.
CREATE INDEX questions_course ON questions (course_id) WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX questions_course;
