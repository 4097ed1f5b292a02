-- NOT VALID: the constraint applies to new and updated rows at once, but existing rows
-- are not scanned, so the lock on both tables is held only for a moment. The next
-- migration validates it without blocking writes.

-- migrate:up lock_timeout_ms:2000
ALTER TABLE app.projects
  ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES app.users (id) NOT VALID;

-- migrate:down
ALTER TABLE app.projects DROP CONSTRAINT IF EXISTS projects_owner_id_fkey;

-- migrate:verify
DO $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_constraint
    WHERE conname = 'projects_owner_id_fkey' AND conrelid = 'app.projects'::regclass AND contype = 'f'
  ) THEN
    RAISE EXCEPTION 'foreign key app.projects.projects_owner_id_fkey is missing';
  END IF;
END
$$;
