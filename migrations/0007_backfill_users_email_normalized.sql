-- Fills the new column for existing rows. Only rows still NULL are touched, so running
-- it again is harmless, and it takes row locks only (no ALTER TABLE in this transaction).
-- On a table with millions of rows, split it into batches by id range instead.

-- migrate:up
UPDATE app.users SET email_normalized = lower(btrim(email)) WHERE email_normalized IS NULL;

-- migrate:down
UPDATE app.users SET email_normalized = NULL WHERE email_normalized IS NOT NULL;

-- migrate:verify
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM app.users WHERE email_normalized IS NULL) THEN
    RAISE EXCEPTION 'app.users has rows without email_normalized after the backfill';
  END IF;
END
$$;
