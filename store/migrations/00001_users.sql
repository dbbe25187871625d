-- +goose Up
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL CHECK (email = lower(email) AND email <> ''),
    full_name     text NOT NULL CHECK (full_name <> ''),
    password_hash text NOT NULL,
    country       text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    institution   text NOT NULL DEFAULT '',
    sector        text NOT NULL DEFAULT ''
                  CHECK (sector IN ('', 'police', 'media', 'local_government', 'civil_society', 'other')),
    gender        text NOT NULL DEFAULT ''
                  CHECK (gender IN ('', 'woman', 'man', 'another', 'undisclosed')),
    language      text NOT NULL DEFAULT 'es' CHECK (language IN ('es', 'en', 'pt')),
    role          text NOT NULL DEFAULT 'trainee' CHECK (role IN ('trainee', 'instructor', 'admin')),
    active        boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One account per address, whatever its case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_idx ON users (role);

-- +goose Down
DROP TABLE users;
