-- The application's schema and its first table.

-- migrate:up
CREATE SCHEMA IF NOT EXISTS app;

CREATE TABLE IF NOT EXISTS app.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  display_name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_email_key UNIQUE (email)
);

-- migrate:down
DROP TABLE IF EXISTS app.users;

-- Not CASCADE: if anything else lives in the schema, refuse rather than drop it.
DROP SCHEMA IF EXISTS app;

-- migrate:verify
SELECT id, email, display_name, created_at FROM app.users WHERE false;
