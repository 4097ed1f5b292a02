-- A nullable column without a default: a catalog-only change, no table rewrite.
-- The backfill is a separate migration so this one holds its lock for a moment only.

-- migrate:up
ALTER TABLE app.users ADD COLUMN IF NOT EXISTS email_normalized text;

-- migrate:down
ALTER TABLE app.users DROP COLUMN IF EXISTS email_normalized;

-- migrate:verify
SELECT email_normalized FROM app.users WHERE false;
