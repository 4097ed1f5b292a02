-- Projects belong to a user. The foreign key is added by the next two migrations,
-- the way it must be added to a table that already holds rows.

-- migrate:up
CREATE TABLE IF NOT EXISTS app.projects (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner_id bigint NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT projects_name_not_blank CHECK (btrim(name) <> '')
);

-- migrate:down
DROP TABLE IF EXISTS app.projects;

-- migrate:verify
SELECT id, owner_id, name, created_at FROM app.projects WHERE false;
