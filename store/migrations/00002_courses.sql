-- +goose Up
-- unaccent is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it reads a dictionary); an IMMUTABLE wrapper naming the
-- dictionary lets the catalog's search use an expression index.
CREATE FUNCTION aula_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

CREATE TABLE courses (
    id               bigserial PRIMARY KEY,
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    audiences        text[] NOT NULL CHECK (cardinality(audiences) > 0
                     AND audiences <@ ARRAY['police', 'media', 'local_government', 'civil_society']),
    level            text NOT NULL CHECK (level IN ('introductory', 'intermediate', 'advanced')),
    hours            integer NOT NULL CHECK (hours BETWEEN 1 AND 1000),
    default_language text NOT NULL CHECK (default_language IN ('es', 'en', 'pt')),
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    owner_id         bigint NOT NULL REFERENCES users (id),
    -- every title, summary and lesson title in every language, for the catalog's search
    search_text      text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courses_status_idx ON courses (status);
CREATE INDEX courses_search_idx ON courses USING gin (to_tsvector('simple', aula_unaccent(search_text)));

CREATE TABLE course_texts (
    course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    language  text NOT NULL CHECK (language IN ('es', 'en', 'pt')),
    title     text NOT NULL CHECK (title <> ''),
    summary   text NOT NULL DEFAULT '',
    PRIMARY KEY (course_id, language)
);

CREATE TABLE course_instructors (
    course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id   bigint NOT NULL REFERENCES users (id),
    PRIMARY KEY (course_id, user_id)
);

CREATE TABLE modules (
    id        bigserial PRIMARY KEY,
    course_id bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    key       text NOT NULL,
    position  integer NOT NULL,
    titles    jsonb NOT NULL DEFAULT '{}',
    UNIQUE (course_id, key),
    -- deferred, so that two modules can swap places in one transaction
    UNIQUE (course_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE lessons (
    id        bigserial PRIMARY KEY,
    module_id bigint NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    key       text NOT NULL,
    position  integer NOT NULL,
    UNIQUE (module_id, key),
    UNIQUE (module_id, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE lesson_texts (
    lesson_id bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    language  text NOT NULL CHECK (language IN ('es', 'en', 'pt')),
    title     text NOT NULL CHECK (title <> ''),
    body      text NOT NULL DEFAULT '',
    PRIMARY KEY (lesson_id, language)
);

-- A trainee's finished lessons. A lesson someone has completed cannot be deleted
-- (RESTRICT): the record of their learning must not vanish.
CREATE TABLE lesson_completions (
    user_id      bigint NOT NULL REFERENCES users (id),
    lesson_id    bigint NOT NULL REFERENCES lessons (id) ON DELETE RESTRICT,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, lesson_id)
);

-- Images live in PostgreSQL so that every app instance serves them and none keeps state on disk.
CREATE TABLE course_images (
    course_id    bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$'),
    content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_id, name)
);

-- +goose Down
DROP TABLE course_images;
DROP TABLE lesson_completions;
DROP TABLE lesson_texts;
DROP TABLE lessons;
DROP TABLE modules;
DROP TABLE course_instructors;
DROP TABLE course_texts;
DROP TABLE courses;
DROP FUNCTION aula_unaccent(text);
