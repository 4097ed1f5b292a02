// An explicit BEGIN … COMMIT inside a transaction:false section is a transaction block, as
// PostgreSQL runs it: the rules that care whether a statement is in a transaction see it.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { RULES } from '../../../lambdas/engine/lint/index.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { lint, type MigrationSpec } from './lint-fixture.ts';

beforeAll(async () => {
  await loadSqlParser();
});

const outside = (up: string): MigrationSpec => ({ up, upTransaction: false, down: '-- nothing to undo' });
/** stepmigrate's own rules (rollback, verify, backup) are not what these cases are about. */
const squawkRules = new Set(RULES.filter((rule) => rule.parity === 'squawk').map((rule) => rule.id));
const rulesOf = (spec: MigrationSpec) =>
  lint(spec)
    .filter((finding) => squawkRules.has(finding.rule))
    .map((finding) => [finding.rule, finding.line]);

describe('explicit transaction blocks in a transaction:false section', () => {
  it('report CREATE INDEX CONCURRENTLY inside BEGIN … COMMIT, which PostgreSQL refuses', () => {
    const spec = outside(
      'BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_bio_idx ON app.users (bio);\nCOMMIT;',
    );
    expect(rulesOf(spec)).toEqual([['ban-concurrent-index-creation-in-transaction', 3]]);
  });

  it('accept CREATE INDEX CONCURRENTLY after the block is committed', () => {
    const spec = outside(
      'BEGIN;\nUPDATE app.users SET bio = NULL WHERE id < 0;\nCOMMIT;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS users_bio_idx ON app.users (bio);',
    );
    expect(rulesOf(spec)).toEqual([]);
  });

  it('report BEGIN inside an open BEGIN, and COMMIT with none open', () => {
    expect(rulesOf(outside('BEGIN;\nBEGIN;\nCOMMIT;'))).toEqual([['transaction-nesting', 3]]);
    expect(rulesOf(outside('COMMIT;'))).toEqual([['transaction-nesting', 2]]);
  });

  it('report a BEGIN that is never committed', () => {
    expect(rulesOf(outside('BEGIN;\nUPDATE app.users SET bio = NULL WHERE id < 0;'))).toEqual([
      ['ban-uncommitted-transaction', 2],
    ]);
  });

  it('report NOT VALID validated in the same block, not in a later one', () => {
    const add = 'ALTER TABLE app.t ADD CONSTRAINT t_c CHECK (c > 0) NOT VALID;';
    const validate = 'ALTER TABLE app.t VALIDATE CONSTRAINT t_c;';
    expect(rulesOf(outside(`BEGIN;\n${add}\n${validate}\nCOMMIT;`))).toEqual([
      ['constraint-missing-not-valid', 4],
    ]);
    expect(rulesOf(outside(`BEGIN;\n${add}\nCOMMIT;\nBEGIN;\n${validate}\nCOMMIT;`))).toEqual([]);
  });

  it('need no IF [NOT] EXISTS inside the block, and do outside it', () => {
    const statements = 'ALTER TABLE app.users ADD COLUMN bio text;\nDROP TYPE app.mood;';
    expect(rulesOf(outside(`BEGIN;\n${statements}\nCOMMIT;`))).toEqual([]);
    expect(rulesOf(outside(statements))).toEqual([
      ['prefer-robust-stmts', 2],
      ['prefer-robust-stmts', 3],
    ]);
  });

  it('count a table as new only inside the block that created it', () => {
    const create = 'CREATE TABLE IF NOT EXISTS app.drafts (id bigint PRIMARY KEY, body text);';
    const index = 'CREATE INDEX IF NOT EXISTS drafts_body_idx ON app.drafts (body);';
    expect(rulesOf(outside(`BEGIN;\n${create}\n${index}\nCOMMIT;`))).toEqual([]);
    expect(rulesOf(outside(`${create}\n${index}`))).toEqual([['require-concurrent-index-creation', 3]]);
  });
});

describe('a transactional section', () => {
  it.each(['BEGIN;', 'COMMIT;', 'ROLLBACK;', "COMMIT PREPARED 'tx1';"])(
    'reports %s as transaction-nesting',
    (sql) => {
      expect(rulesOf({ up: sql, down: '-- nothing to undo' })).toContainEqual(['transaction-nesting', 2]);
    },
  );
});

describe('prefer-robust-stmts outside a transaction', () => {
  it.each([
    ['DROP TYPE', 'DROP TYPE app.mood;'],
    ['ROW LEVEL SECURITY', 'ALTER TABLE app.users ENABLE ROW LEVEL SECURITY;'],
    [
      'DETACH PARTITION CONCURRENTLY',
      'ALTER TABLE app.events DETACH PARTITION app.events_2020 CONCURRENTLY;',
    ],
    [
      'ADD CONSTRAINT … USING INDEX',
      'ALTER TABLE app.users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;',
    ],
    ['SET NOT NULL', 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;'],
  ])('reports %s', (_what, up) => {
    expect(lint(outside(up)).map((f) => f.rule)).toContain('prefer-robust-stmts');
  });

  it.each([
    [
      'an unnamed CREATE INDEX CONCURRENTLY, which cannot take IF NOT EXISTS',
      'CREATE INDEX CONCURRENTLY ON app.users (bio);',
    ],
    ['a TEMP table dropped at commit', 'CREATE TEMP TABLE scratch (id bigint) ON COMMIT DROP;'],
  ])('accepts %s', (_what, up) => {
    expect(lint(outside(up)).map((f) => f.rule)).not.toContain('prefer-robust-stmts');
  });
});
