// The schema fingerprint sees what a restore must bring back besides definitions: owners,
// privileges and comments. Column positions it deliberately does not see (columns are
// compared by name; see docs/backup-and-restore.md, "Column order").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { diffSchemas, fingerprintHash, readSchema } from '../../lambdas/engine/fingerprint.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let test: TestDatabase;
const role = 'fingerprint_grantee';

beforeAll(async () => {
  test = await createTestDatabase('fingerprint_acl');
  await run(`DO $$ BEGIN CREATE ROLE ${role} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
    CREATE SCHEMA app;
    CREATE TABLE app.users (id int PRIMARY KEY, email text, nickname text);
    CREATE SEQUENCE app.ticket_seq;
    CREATE VIEW app.emails AS SELECT email FROM app.users;
    CREATE MATERIALIZED VIEW app.nicknames AS SELECT id FROM app.users WITH NO DATA;`);
});
afterAll(async () => {
  await test?.drop();
});

function run(sql: string): Promise<unknown> {
  return test.db.withConnection((conn) => conn.query(sql));
}
const read = () => test.db.withConnection((conn) => readSchema(conn, { excludeSchemas: ['stepmigrate'] }));

describe('the fingerprint sees owners, grants and comments', () => {
  it.each([
    [
      'a table grant',
      `GRANT SELECT ON app.users TO ${role}`,
      `REVOKE SELECT ON app.users FROM ${role}`,
      'table app.users',
    ],
    [
      'a column grant',
      `GRANT UPDATE (email) ON app.users TO ${role}`,
      `REVOKE UPDATE (email) ON app.users FROM ${role}`,
      'column app.users.email',
    ],
    [
      'a table comment',
      "COMMENT ON TABLE app.users IS 'people'",
      'COMMENT ON TABLE app.users IS NULL',
      'table app.users',
    ],
    [
      'a column comment',
      "COMMENT ON COLUMN app.users.email IS 'login'",
      'COMMENT ON COLUMN app.users.email IS NULL',
      'column app.users.email',
    ],
    [
      'a sequence owner',
      `ALTER SEQUENCE app.ticket_seq OWNER TO ${role}`,
      'ALTER SEQUENCE app.ticket_seq OWNER TO CURRENT_USER',
      'sequence app.ticket_seq',
    ],
    [
      'a view grant',
      `GRANT SELECT ON app.emails TO ${role}`,
      `REVOKE SELECT ON app.emails FROM ${role}`,
      'view app.emails',
    ],
    [
      'a materialized view populated',
      'REFRESH MATERIALIZED VIEW app.nicknames',
      'DROP MATERIALIZED VIEW app.nicknames; CREATE MATERIALIZED VIEW app.nicknames AS SELECT id FROM app.users WITH NO DATA',
      'materialized view app.nicknames',
    ],
    [
      'a table owner',
      `ALTER TABLE app.users OWNER TO ${role}`,
      'ALTER TABLE app.users OWNER TO CURRENT_USER',
      'table app.users',
    ],
  ])('%s', async (_what, change, undo, object) => {
    const before = await read();
    await run(change);
    const changed = await read();
    await run(undo);
    const undone = await read();
    expect(fingerprintHash(changed)).not.toBe(fingerprintHash(before));
    expect(diffSchemas(before, changed).join('\n')).toContain(`${object} changed`);
    expect(fingerprintHash(undone)).toBe(fingerprintHash(before));
  });

  it('sees sequence values only when asked: traffic moves them, a restore sets them back', async () => {
    const withValues = () =>
      test.db.withConnection((conn) =>
        readSchema(conn, { excludeSchemas: ['stepmigrate'], sequenceValues: true }),
      );
    const [before, beforeWithValues] = [await read(), await withValues()];
    await run("SELECT nextval('app.ticket_seq')");
    const [moved, movedWithValues] = [await read(), await withValues()];
    await run("SELECT setval('app.ticket_seq', 1, false)");
    expect(fingerprintHash(moved)).toBe(fingerprintHash(before));
    expect(fingerprintHash(movedWithValues)).not.toBe(fingerprintHash(beforeWithValues));
    expect(diffSchemas(beforeWithValues, movedWithValues)).toEqual([
      'sequence app.ticket_seq changed: value not called → 1',
    ]);
    expect(fingerprintHash(await withValues())).toBe(fingerprintHash(beforeWithValues));
  });

  it('compares columns by name: a column dropped and re-added last is the same schema', async () => {
    const before = await read();
    await run('ALTER TABLE app.users DROP COLUMN nickname; ALTER TABLE app.users ADD COLUMN nickname text');
    expect(fingerprintHash(await read())).toBe(fingerprintHash(before));
  });
});
