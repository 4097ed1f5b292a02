import { describe, expect, it } from '@jest/globals';
import { canRunInTransaction } from '../../../lambdas/engine/loader/transaction-hint.ts';

describe('canRunInTransaction', () => {
  it.each([
    'CREATE INDEX CONCURRENTLY i ON t (c);',
    'create unique index concurrently if not exists i on t (c);',
    'DROP INDEX CONCURRENTLY IF EXISTS i;',
    'REINDEX INDEX CONCURRENTLY i;',
    'ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;',
    'VACUUM ANALYZE t;',
    'BEGIN;\nCREATE TABLE t ();\nCOMMIT;',
    'SELECT 1;\nCOMMIT;',
  ])('no: %s', (sql) => {
    expect(canRunInTransaction(sql)).toBe(false);
  });

  it.each([
    'CREATE TABLE t (id bigint);',
    '-- CREATE INDEX CONCURRENTLY later\nCREATE INDEX i ON t (c);',
    "INSERT INTO notes VALUES ('run CREATE INDEX CONCURRENTLY by hand');",
    'DO $$\nBEGIN\n  PERFORM 1;\nEND;\n$$;',
    'CREATE FUNCTION f() RETURNS void AS $body$ BEGIN COMMIT; END $body$ LANGUAGE plpgsql;',
  ])('yes: %s', (sql) => {
    expect(canRunInTransaction(sql)).toBe(true);
  });
});
