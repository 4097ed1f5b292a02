// Rule ids are Squawk's, spelled as Squawk spells them; the ids stepmigrate used before stay
// valid as aliases, so `-- lint:allow` lines and stepmigrate.json files written for them keep
// working.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parseLintConfig, RULE_ALIASES, RULES } from '../../../lambdas/engine/lint/index.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { lint } from './lint-fixture.ts';

beforeAll(async () => {
  await loadSqlParser();
});

const setNotNull = 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;';
const timestampColumn = 'CREATE TABLE app.visits (id bigint, seen_at timestamp);';
const dropVisits = 'DROP TABLE app.visits;';

describe('old rule ids', () => {
  it('are aliases of the Squawk rules that replaced them', () => {
    expect(Object.fromEntries(RULE_ALIASES)).toEqual({
      'set-not-null-without-check': 'adding-not-nullable-field',
      'prefer-timestamptz': 'prefer-timestamp-tz',
    });
  });

  it.each([
    ['set-not-null-without-check', 'adding-not-nullable-field', setNotNull],
    ['prefer-timestamptz', 'prefer-timestamp-tz', timestampColumn],
  ])('-- lint:allow %s still silences %s, with its reason', (alias, rule, up) => {
    const findings = lint({
      up,
      down: up === timestampColumn ? dropVisits : undefined,
      allows: [{ rule: alias, reason: 'checked by hand', line: 1 }],
    });
    expect(findings.map((f) => [f.rule, f.severity, f.allowedBecause])).toEqual([
      [rule, 'info', 'checked by hand'],
    ]);
  });

  it('are accepted in stepmigrate.json and apply to the renamed rule', () => {
    const config = parseLintConfig(
      JSON.stringify({
        lint: { rules: { 'prefer-timestamptz': 'off', 'set-not-null-without-check': 'warning' } },
      }),
      'stepmigrate.json',
    );
    expect(config.rules).toEqual({ 'prefer-timestamp-tz': 'off', 'adding-not-nullable-field': 'warning' });
    expect(lint({ up: timestampColumn, down: dropVisits }, { config })).toEqual([]);
    expect(lint({ up: setNotNull }, { config }).map((f) => [f.rule, f.severity])).toEqual([
      ['adding-not-nullable-field', 'warning'],
    ]);
  });

  it('apply when a caller passes them in a LintConfig directly', () => {
    expect(
      lint({ up: timestampColumn, down: dropVisits }, { config: { rules: { 'prefer-timestamptz': 'off' } } }),
    ).toEqual([]);
  });
});

describe('Squawk rules satisfied by design', () => {
  it('never report: stepmigrate sets lock_timeout and statement_timeout for every migration', () => {
    const byDesign = RULES.filter((rule) => rule.parity === 'satisfied-by-design').map((rule) => rule.id);
    expect(byDesign.sort()).toEqual(['require-lock-timeout', 'require-statement-timeout']);
    const findings = lint({
      up: 'ALTER TABLE app.users ADD COLUMN bio text;\nCREATE INDEX users_bio_idx ON app.users (bio);',
      down: 'DROP INDEX CONCURRENTLY IF EXISTS app.users_bio_idx;\nALTER TABLE app.users DROP COLUMN IF EXISTS bio;',
      downTransaction: false,
    });
    expect(findings.map((f) => f.rule)).toEqual(['require-concurrent-index-creation']);
  });

  it('are known ids, so a -- lint:allow of one is no typo', () => {
    const findings = lint({
      up: 'SELECT 1;',
      allows: [{ rule: 'require-lock-timeout', reason: 'x', line: 1 }],
    });
    expect(findings).toEqual([]);
  });
});

describe('smallint and integer', () => {
  it("are reported under Squawk's two ids", () => {
    const findings = lint({
      up: 'CREATE TABLE app.t (a smallint, b integer, c smallserial, d serial);',
      down: 'DROP TABLE app.t;',
    });
    expect(findings.filter((f) => f.rule.startsWith('prefer-bigint')).map((f) => f.rule)).toEqual([
      'prefer-bigint-over-smallint',
      'prefer-bigint-over-int',
      'prefer-bigint-over-smallint',
      'prefer-bigint-over-int',
    ]);
  });
});
