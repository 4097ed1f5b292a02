-- A foreign key column needs an index, or every delete from app.users scans app.projects.
-- CONCURRENTLY builds it without blocking writes, and cannot run in a transaction.
-- If a build is interrupted it leaves an INVALID index behind; the verify section
-- catches that, since IF NOT EXISTS would otherwise accept the broken index.

-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS projects_owner_id_idx ON app.projects (owner_id);

-- migrate:down transaction:false
DROP INDEX CONCURRENTLY IF EXISTS app.projects_owner_id_idx;

-- migrate:verify
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_index WHERE indexrelid = 'app.projects_owner_id_idx'::regclass AND indisvalid
  ) THEN
    RAISE EXCEPTION 'index app.projects_owner_id_idx is invalid; drop it and apply this migration again';
  END IF;
END
$$;
