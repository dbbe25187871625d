-- +goose Up
-- The share of a blended or in-person cohort's sessions a trainee must attend to complete the course.
ALTER TABLE courses ADD COLUMN min_attendance integer NOT NULL DEFAULT 75 CHECK (min_attendance BETWEEN 0 AND 100);

CREATE TABLE cohorts (
    id            bigserial PRIMARY KEY,
    course_id     bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (name <> ''),
    starts_on     date,
    ends_on       date CHECK (ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on),
    capacity      integer NOT NULL DEFAULT 0 CHECK (capacity >= 0), -- 0: no limit
    mode          text NOT NULL CHECK (mode IN ('online', 'in_person', 'blended')),
    location      text NOT NULL DEFAULT '',
    policy        text NOT NULL CHECK (policy IN ('open', 'key', 'approval')),
    enrolment_key text NOT NULL DEFAULT '',
    is_default    boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cohorts_course_idx ON cohorts (course_id);
-- Every course has one open, self-paced cohort until instructors make others.
CREATE UNIQUE INDEX cohorts_one_default_idx ON cohorts (course_id) WHERE is_default;
INSERT INTO cohorts (course_id, name, mode, policy, is_default)
    SELECT id, 'default', 'online', 'open', true FROM courses;

CREATE TABLE enrolments (
    id               bigserial PRIMARY KEY,
    cohort_id        bigint NOT NULL REFERENCES cohorts (id) ON DELETE RESTRICT,
    course_id        bigint NOT NULL REFERENCES courses (id) ON DELETE RESTRICT,
    user_id          bigint NOT NULL REFERENCES users (id),
    status           text NOT NULL CHECK (status IN ('pending', 'waiting', 'active', 'withdrawn', 'rejected')),
    queued_at        timestamptz NOT NULL DEFAULT clock_timestamp(), -- the waiting list's order
    last_lesson_id   bigint REFERENCES lessons (id) ON DELETE SET NULL,
    last_activity_at timestamptz,
    completed_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (cohort_id, user_id)
);
-- One live enrolment per person and course, whichever the cohort: two racing requests cannot both make one.
CREATE UNIQUE INDEX enrolments_live_idx ON enrolments (course_id, user_id) WHERE status IN ('pending', 'waiting', 'active');
CREATE INDEX enrolments_user_idx ON enrolments (user_id);
CREATE INDEX enrolments_waiting_idx ON enrolments (cohort_id, queued_at, id) WHERE status = 'waiting';

CREATE TABLE cohort_sessions (
    id              bigserial PRIMARY KEY,
    cohort_id       bigint NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    starts_at       timestamptz NOT NULL,
    minutes         integer NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
    place           text NOT NULL CHECK (place <> ''),
    capacity        integer NOT NULL DEFAULT 0 CHECK (capacity >= 0),
    checkin_code    text NOT NULL DEFAULT '',
    checkin_opens   timestamptz,
    checkin_closes  timestamptz
);
CREATE INDEX cohort_sessions_cohort_idx ON cohort_sessions (cohort_id, starts_at);
CREATE INDEX cohort_sessions_code_idx ON cohort_sessions (checkin_code) WHERE checkin_code <> '';

CREATE TABLE attendance (
    session_id  bigint NOT NULL REFERENCES cohort_sessions (id) ON DELETE CASCADE,
    user_id     bigint NOT NULL REFERENCES users (id),
    status      text NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by bigint REFERENCES users (id), -- NULL: the trainee checked in with the code
    PRIMARY KEY (session_id, user_id)
);

-- One-time links with which people whose account an admin created set their password.
-- Only a SHA-256 of the token is kept.
CREATE TABLE password_tokens (
    token_hash text PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

-- +goose Down
DROP TABLE password_tokens;
DROP TABLE attendance;
DROP TABLE cohort_sessions;
DROP TABLE enrolments;
DROP TABLE cohorts;
ALTER TABLE courses DROP COLUMN min_attendance;
