// The file `stepmigrate new` writes. The guidance sits above the first marker so the
// sections start empty: the loader then refuses the file until both up and down are
// written, instead of mistaking a comment for a deliberate no-op down section.

export function nativeMigrationTemplate(name: string): string {
  return `-- ${name}
--
-- up:     the change. Add "transaction:false" to its marker for CREATE INDEX CONCURRENTLY,
--         and "lock_timeout_ms:N" / "statement_timeout_ms:N" to override the run's timeouts.
-- down:   SQL that undoes the up section exactly. If the change cannot be undone, write
--         "-- migrate:down irreversible" and leave the section empty.
-- verify: optional; statements that raise an error when the change is not in place,
--         e.g. SELECT new_column FROM app.some_table WHERE false;
-- To silence one lint rule for this file, add "-- lint:allow <rule-id> <reason>".

-- migrate:up


-- migrate:down


-- migrate:verify

`;
}
