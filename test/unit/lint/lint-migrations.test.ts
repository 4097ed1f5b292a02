import { beforeAll, describe, expect, it } from '@jest/globals';
import { lintMigrations } from '../../../lambdas/engine/lint/index.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { lint, migration } from './lint-fixture.ts';

beforeAll(async () => {
  await loadSqlParser();
});

const dropColumn = 'ALTER TABLE app.users DROP COLUMN legacy_flags;';

describe('lintMigrations', () => {
  it('keeps a finding silenced by -- lint:allow as info, with the reason for the audit log', () => {
    const findings = lint({
      up: dropColumn,
      verify: 'SELECT 1;',
      allows: [{ rule: 'ban-drop-column', reason: 'unused since release 41', line: 1 }],
    });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'ban-drop-column',
        severity: 'info',
        allowedBecause: 'unused since release 41',
      }),
    ]);
  });

  it('silences only the named rule', () => {
    const findings = lint({ up: dropColumn, allows: [{ rule: 'ban-drop-table', reason: 'x', line: 1 }] });
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['ban-drop-column', 'error'],
      ['destructive-without-verify', 'warning'],
    ]);
  });

  it('warns about a lint:allow that names no rule, at its line', () => {
    const findings = lint({ up: 'SELECT 1;', allows: [{ rule: 'ban-drop-colum', reason: 'typo', line: 3 }] });
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'invalid-lint-allow',
        severity: 'warning',
        line: 3,
        file: '0042_change.sql',
      }),
    ]);
    expect(findings[0]!.message).toContain('ban-drop-colum');
  });

  it('applies stepmigrate.json settings: off drops the rule, a severity overrides the default', () => {
    const config = {
      rules: { 'ban-drop-column': 'warning' as const, 'destructive-without-verify': 'off' as const },
    };
    expect(lint({ up: dropColumn }, { config }).map((f) => [f.rule, f.severity])).toEqual([
      ['ban-drop-column', 'warning'],
    ]);
  });

  it('points at the file line and column of the statement, after multibyte text', () => {
    const findings = lint({
      up: "-- Zürich, 東京\nINSERT INTO app.cities (name) VALUES ('Zürich');   DROP INDEX app.cities_name_idx;",
    });
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'require-concurrent-index-deletion', line: 3, column: 52 }),
    ]);
  });

  it('reports findings of the down section against the down lines', () => {
    const findings = lint({
      up: 'CREATE TABLE app.t (id bigint);',
      down: 'DROP TABLE app.t;\nDROP TABLE app.other;',
    });
    expect(findings).toEqual([expect.objectContaining({ rule: 'ban-drop-table', line: 5 })]);
    expect(findings[0]!.message).toContain('app.other');
  });

  it('uses earlier migrations only as context, and a CHECK from an earlier pending migration counts', () => {
    const addCheck = migration({
      version: '0001',
      up: 'ALTER TABLE app.users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;',
      down: 'ALTER TABLE app.users DROP CONSTRAINT users_email_nn;',
    });
    const validate = migration({
      version: '0002',
      up: 'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_nn;',
    });
    const setNotNull = migration({
      version: '0003',
      up: 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;',
      down: 'ALTER TABLE app.users ALTER COLUMN email DROP NOT NULL;',
    });
    expect(lintMigrations([addCheck, validate, setNotNull]).filter((f) => f.severity === 'error')).toEqual(
      [],
    );
    expect(
      lintMigrations([setNotNull], { earlier: [addCheck, validate] }).filter((f) => f.severity === 'error'),
    ).toEqual([]);
    expect(lintMigrations([setNotNull]).map((f) => f.rule)).toContain('adding-not-nullable-field');
  });

  it('accepts an expand-style migration with no findings', () => {
    expect(
      lint({
        up: [
          'CREATE SCHEMA IF NOT EXISTS billing;',
          'CREATE TABLE billing.invoices (',
          '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
          '  customer_id bigint NOT NULL REFERENCES app.users (id),',
          '  total numeric(12,2) NOT NULL CHECK (total >= 0),',
          '  issued_at timestamptz NOT NULL DEFAULT now()',
          ');',
          'CREATE INDEX invoices_customer_idx ON billing.invoices (customer_id);',
        ].join('\n'),
        down: 'DROP TABLE billing.invoices;\nDROP SCHEMA billing;',
      }),
    ).toEqual([]);
  });

  it('reports a syntax error as a finding naming the migration and line', () => {
    expect(lint({ up: 'ALTER TABLE app.users\n  ADD COLUMN;' })).toEqual([
      expect.objectContaining({
        rule: 'syntax-error',
        severity: 'error',
        migration: '0042',
        file: '0042_change.sql',
        line: 3,
      }),
    ]);
  });

  it('lints every migration when some cannot be parsed, and reports each syntax error', () => {
    const broken = (version: string, up: string) => migration({ version, up });
    const findings = lintMigrations([
      broken('0001', 'CREATE TABLE app.a (id bigint;'),
      migration({ version: '0002', up: 'ALTER TABLE app.users DROP COLUMN legacy;', verify: 'SELECT 1;' }),
      broken('0003', 'SELEC 1;'),
    ]);
    expect(findings.map((f) => [f.migration, f.rule])).toEqual([
      ['0001', 'syntax-error'],
      ['0002', 'ban-drop-column'],
      ['0003', 'syntax-error'],
    ]);
  });
});

describe('finding positions', () => {
  beforeAll(async () => {
    await loadSqlParser();
  });

  it('points at the offending column of a multi-line CREATE TABLE', () => {
    const findings = lint({
      up: [
        'CREATE TABLE app.events (',
        '  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,',
        '  kind varchar(20) NOT NULL,',
        '  at timestamp NOT NULL',
        ');',
      ].join('\n'),
      down: 'DROP TABLE app.events;',
    });
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['prefer-text-field', 4, 3],
      ['prefer-timestamp-tz', 5, 3],
    ]);
  });

  it('points at the constraint clause inside an ALTER TABLE', () => {
    const findings = lint({
      up: 'ALTER TABLE app.orders\n  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES app.users (id);',
      down: 'ALTER TABLE app.orders DROP CONSTRAINT orders_user_fk;',
    });
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['adding-foreign-key-constraint', 3, 7],
      ['constraint-missing-not-valid', 3, 7],
    ]);
  });
});
