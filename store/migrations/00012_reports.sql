-- +goose Up
-- The school's reports read copies of what they count, each row with the trainee's country,
-- sector, gender, language and institution and the course's audiences beside it: counting the
-- live tables meant joining 300,000 enrolments to 100,000 users for every figure (about 300 ms
-- each on the bench machine, and a dashboard needs a dozen). A River job refreshes them every
-- store.ReportsFreshness; report_refreshes says when it last did.

-- One row per enrolment (every status: activity counts for those waiting too).
CREATE MATERIALIZED VIEW report_enrolments AS
SELECT e.id AS enrolment_id, e.user_id, e.course_id, e.cohort_id,
    e.status IN ('active', 'withdrawn') AS accepted, -- an enrolment that counts as one
    e.created_at, e.completed_at,
    (date_trunc('month', e.created_at AT TIME ZONE 'UTC'))::date AS created_month,
    (date_trunc('month', e.completed_at AT TIME ZONE 'UTC'))::date AS completed_month,
    u.country, u.sector, u.gender, u.language, u.institution, c.audiences
FROM enrolments e JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id;
CREATE UNIQUE INDEX report_enrolments_key ON report_enrolments (enrolment_id);

-- One row per current certificate: neither replaced by a reissue nor revoked.
CREATE MATERIALIZED VIEW report_certificates AS
SELECT ct.id AS certificate_id, ct.user_id, ct.course_id, ct.cohort_id, ct.issued_at,
    (date_trunc('month', ct.issued_at AT TIME ZONE 'UTC'))::date AS issued_month,
    u.country, u.sector, u.gender, u.language, u.institution, c.audiences
FROM certificates ct JOIN users u ON u.id = ct.user_id JOIN courses c ON c.id = ct.course_id
WHERE ct.replaced_by IS NULL AND ct.revoked_at IS NULL;
CREATE UNIQUE INDEX report_certificates_key ON report_certificates (certificate_id);

-- A trainee's last activity in each course run they were active in over the last 31 days
-- when it was refreshed (a day more than the 30 the figure looks at, so that a refresh a
-- while ago still holds them): a lesson read, a quiz attempt started, a session attended.
CREATE MATERIALIZED VIEW report_activity AS
SELECT e.id AS enrolment_id, e.user_id, e.course_id, e.cohort_id,
    greatest(CASE WHEN e.last_activity_at >= now() - interval '31 days' THEN e.last_activity_at END, qa.at, pa.at) AS active_at,
    u.country, u.sector, u.gender, u.language, u.institution, c.audiences
FROM enrolments e
LEFT JOIN (SELECT a.user_id, m.course_id, max(a.started_at) AS at FROM quiz_attempts a
    JOIN quizzes q ON q.id = a.quiz_id JOIN modules m ON m.id = q.module_id
    WHERE a.started_at >= now() - interval '31 days' GROUP BY 1, 2) qa ON qa.user_id = e.user_id AND qa.course_id = e.course_id
LEFT JOIN (SELECT t.user_id, s.cohort_id, max(s.starts_at) AS at FROM attendance t JOIN cohort_sessions s ON s.id = t.session_id
    WHERE t.status = 'present' AND s.starts_at >= now() - interval '31 days' GROUP BY 1, 2) pa ON pa.user_id = e.user_id AND pa.cohort_id = e.cohort_id
JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id
WHERE e.last_activity_at >= now() - interval '31 days' OR qa.at IS NOT NULL OR pa.at IS NOT NULL;
CREATE UNIQUE INDEX report_activity_key ON report_activity (enrolment_id);

CREATE TABLE report_refreshes (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    at  timestamptz NOT NULL
);
INSERT INTO report_refreshes (at) VALUES (now());

-- +goose Down
DROP TABLE report_refreshes;
DROP MATERIALIZED VIEW report_activity;
DROP MATERIALIZED VIEW report_certificates;
DROP MATERIALIZED VIEW report_enrolments;
