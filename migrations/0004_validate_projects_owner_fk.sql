-- VALIDATE CONSTRAINT scans app.projects under a SHARE UPDATE EXCLUSIVE lock, which lets
-- reads and writes go on. The scan can take a while on a big table, hence the longer
-- statement timeout for this migration alone.

-- migrate:up statement_timeout_ms:1800000
ALTER TABLE app.projects VALIDATE CONSTRAINT projects_owner_id_fkey;

-- migrate:down
-- PostgreSQL cannot mark a constraint "not validated" again; dropping it and adding it
-- back NOT VALID returns the catalog to exactly where the previous migration left it.
ALTER TABLE app.projects DROP CONSTRAINT projects_owner_id_fkey;
ALTER TABLE app.projects
  ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES app.users (id) NOT VALID;

-- migrate:verify
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_constraint
    WHERE conname = 'projects_owner_id_fkey' AND conrelid = 'app.projects'::regclass AND convalidated
  ) THEN
    RAISE EXCEPTION 'foreign key app.projects.projects_owner_id_fkey is not validated';
  END IF;
END
$$;
