-- +goose Up

-- A course's question bank, in categories. A question's every version is kept
-- (question_versions), whole, as JSON: an attempt points at the version its trainee saw,
-- and an edit makes a new version instead of changing that one.
CREATE TABLE question_categories (
    id        bigserial PRIMARY KEY,
    course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name      text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    UNIQUE (course_id, name)
);

CREATE TABLE questions (
    id          bigserial PRIMARY KEY,
    course_id   bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    category_id bigint NOT NULL REFERENCES question_categories (id) ON DELETE RESTRICT,
    version     integer NOT NULL DEFAULT 1 CHECK (version >= 1), -- the current one
    deleted_at  timestamptz, -- kept for the attempts that used it; gone from the bank
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_category ON questions (category_id) WHERE deleted_at IS NULL;

CREATE TABLE question_versions (
    id          bigserial PRIMARY KEY,
    question_id bigint NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    version     integer NOT NULL CHECK (version >= 1),
    body        jsonb NOT NULL, -- courses.Question
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  bigint REFERENCES users (id),
    UNIQUE (question_id, version)
);

-- A quiz sits in a module among its lessons: position lessons come before it.
CREATE TABLE quizzes (
    id        bigserial PRIMARY KEY,
    module_id bigint NOT NULL REFERENCES modules (id) ON DELETE RESTRICT,
    key       text NOT NULL,
    position  integer NOT NULL CHECK (position >= 0),
    titles    jsonb NOT NULL DEFAULT '{}',
    settings  jsonb NOT NULL, -- courses.QuizSettings
    UNIQUE (module_id, key)
);

-- A quiz's items in order: a fixed question, or count questions drawn from a category.
CREATE TABLE quiz_items (
    quiz_id     bigint NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    position    integer NOT NULL,
    question_id bigint REFERENCES questions (id) ON DELETE CASCADE,
    category_id bigint REFERENCES question_categories (id) ON DELETE CASCADE,
    count       integer NOT NULL DEFAULT 1 CHECK (count BETWEEN 1 AND 200),
    PRIMARY KEY (quiz_id, position),
    CHECK ((question_id IS NULL) <> (category_id IS NULL))
);

-- An attempt holds everything about itself: its questions (slots), their order, the
-- options' order, the start, the deadline and the grace. Nothing is recomputed from the
-- quiz's current settings once it has started.
CREATE TABLE quiz_attempts (
    id           bigserial PRIMARY KEY,
    quiz_id      bigint NOT NULL REFERENCES quizzes (id) ON DELETE RESTRICT,
    user_id      bigint NOT NULL REFERENCES users (id),
    number       integer NOT NULL CHECK (number >= 1),
    language     text NOT NULL CHECK (language IN ('es', 'en', 'pt')),
    started_at   timestamptz NOT NULL,
    deadline     timestamptz, -- NULL: untimed and the quiz never closes
    grace_ms     bigint NOT NULL DEFAULT 0 CHECK (grace_ms >= 0),
    navigation   text NOT NULL CHECK (navigation IN ('free', 'sequential')),
    per_page     integer NOT NULL CHECK (per_page >= 0),
    page         integer NOT NULL DEFAULT 0, -- the furthest page reached (sequential navigation)
    finished_at  timestamptz,
    score        double precision,
    max_score    double precision,
    pending      boolean NOT NULL DEFAULT false, -- an essay awaits its mark
    passed       boolean NOT NULL DEFAULT false,
    UNIQUE (quiz_id, user_id, number)
);
-- At most one attempt in progress per trainee and quiz: a second "start" resumes it.
CREATE UNIQUE INDEX quiz_attempts_open ON quiz_attempts (quiz_id, user_id) WHERE finished_at IS NULL;
-- What the sweeper looks for: attempts in progress with a deadline.
CREATE INDEX quiz_attempts_due ON quiz_attempts (deadline) WHERE finished_at IS NULL AND deadline IS NOT NULL;

CREATE TABLE attempt_slots (
    attempt_id          bigint NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    slot                integer NOT NULL CHECK (slot >= 0),
    question_version_id bigint NOT NULL REFERENCES question_versions (id) ON DELETE RESTRICT,
    option_order        integer[] NOT NULL DEFAULT '{}', -- answer indexes in the order shown
    option_ids          text[] NOT NULL DEFAULT '{}',    -- the opaque ids the page sends, parallel to option_order
    response            jsonb, -- courses.Response, in the question's own indexes
    seq                 bigint NOT NULL DEFAULT 0, -- the newest save's sequence number
    saved_at            timestamptz,
    fraction            double precision, -- set when graded
    pending             boolean NOT NULL DEFAULT false,
    marked_by           bigint REFERENCES users (id), -- an essay's marker
    marked_at           timestamptz,
    PRIMARY KEY (attempt_id, slot)
);

-- Extra attempts and extra time an instructor gave one trainee: kept, never edited.
CREATE TABLE quiz_grants (
    id         bigserial PRIMARY KEY,
    quiz_id    bigint NOT NULL REFERENCES quizzes (id) ON DELETE CASCADE,
    user_id    bigint NOT NULL REFERENCES users (id),
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts BETWEEN 0 AND 100),
    minutes    integer NOT NULL DEFAULT 0 CHECK (minutes BETWEEN 0 AND 1440),
    granted_by bigint NOT NULL REFERENCES users (id),
    granted_at timestamptz NOT NULL,
    CHECK (attempts > 0 OR minutes > 0)
);
CREATE INDEX quiz_grants_user ON quiz_grants (quiz_id, user_id);

-- +goose Down
DROP TABLE quiz_grants;
DROP TABLE attempt_slots;
DROP TABLE quiz_attempts;
DROP TABLE quiz_items;
DROP TABLE quizzes;
DROP TABLE question_versions;
DROP TABLE questions;
DROP TABLE question_categories;
