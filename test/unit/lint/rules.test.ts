// One failing and at least one passing case per rule, with the SQL people actually write.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { type LintConfig, RULE_IDS, RULES } from '../../../lambdas/engine/lint/index.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { findingsOf, type MigrationSpec } from './lint-fixture.ts';

beforeAll(async () => {
  await loadSqlParser();
});

interface CaseOptions {
  allowIrreversible?: boolean;
  earlier?: MigrationSpec[];
  config?: LintConfig;
}

interface Case {
  fails: MigrationSpec & { line?: number; mentions?: string; options?: CaseOptions };
  passes: (MigrationSpec & { options?: CaseOptions })[];
}

const PG19: CaseOptions = { config: { rules: {}, postgresVersion: 19 } };
const TABLE_SCHEMA_ON: CaseOptions = { config: { rules: { 'require-table-schema': 'warning' } } };

const CASES: Record<string, Case> = {
  'adding-field-with-default': {
    fails: {
      up: 'ALTER TABLE app.users ADD COLUMN api_key uuid NOT NULL DEFAULT gen_random_uuid();',
      mentions: 'app.users.api_key',
    },
    passes: [
      { up: "ALTER TABLE app.users ADD COLUMN status text NOT NULL DEFAULT 'active';" },
      { up: 'ALTER TABLE app.users ADD COLUMN seen_at timestamptz DEFAULT now();' },
      {
        up: 'CREATE TABLE app.keys (id bigint);\nALTER TABLE app.keys ADD COLUMN k uuid DEFAULT gen_random_uuid();',
      },
    ],
  },
  'adding-foreign-key-constraint': {
    fails: {
      up: 'ALTER TABLE app.projects\n  ADD CONSTRAINT projects_owner_fk FOREIGN KEY (owner_id) REFERENCES app.users (id);',
      line: 3,
      mentions: 'app.users',
    },
    passes: [
      {
        up: 'ALTER TABLE app.projects ADD CONSTRAINT projects_owner_fk FOREIGN KEY (owner_id) REFERENCES app.users (id) NOT VALID;',
      },
      {
        up: 'CREATE TABLE app.tags (id bigint PRIMARY KEY, project_id bigint REFERENCES app.projects (id));',
      },
    ],
  },
  'adding-not-nullable-field': {
    fails: {
      up: 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;',
      options: {
        earlier: [
          { up: 'ALTER TABLE app.users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;' },
        ],
      },
      mentions: 'NOT VALID',
    },
    passes: [
      {
        up: 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;',
        options: {
          earlier: [
            {
              up: 'ALTER TABLE app.users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;',
            },
            { up: 'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_nn;' },
          ],
        },
      },
    ],
  },
  'adding-not-nullable-field (no check at all, formerly set-not-null-without-check)': {
    fails: {
      up: 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;',
      mentions: 'CHECK (email IS NOT NULL)',
    },
    passes: [
      {
        up: 'ALTER TABLE app.users ALTER COLUMN email SET NOT NULL;\nALTER TABLE app.users DROP CONSTRAINT users_email_nn;',
        options: {
          earlier: [
            {
              up: 'ALTER TABLE app.users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;',
            },
            { up: 'ALTER TABLE app.users VALIDATE CONSTRAINT users_email_nn;' },
          ],
        },
      },
      { up: 'CREATE TABLE app.t (a int);\nALTER TABLE app.t ALTER COLUMN a SET NOT NULL;' },
    ],
  },
  'adding-required-field': {
    fails: {
      up: 'ALTER TABLE app.users ADD COLUMN tenant_id bigint NOT NULL;',
      mentions: 'app.users.tenant_id',
    },
    passes: [
      { up: 'ALTER TABLE app.users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 1;' },
      { up: 'ALTER TABLE app.users ADD COLUMN tenant_id bigint;' },
    ],
  },
  'adding-serial-primary-key-field': {
    fails: { up: 'ALTER TABLE app.audit ADD PRIMARY KEY (id);', mentions: 'app.audit' },
    passes: [
      { up: 'ALTER TABLE app.audit ADD CONSTRAINT audit_pkey PRIMARY KEY USING INDEX audit_id_idx;' },
      { up: 'CREATE TABLE app.audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);' },
    ],
  },
  'ban-char-field': {
    fails: {
      up: 'CREATE TABLE app.countries (code char(2) PRIMARY KEY, name text);',
      mentions: 'app.countries.code',
    },
    passes: [
      { up: 'CREATE TABLE app.countries (code text PRIMARY KEY CHECK (length(code) = 2), name text);' },
    ],
  },
  'ban-concurrent-index-creation-in-transaction': {
    fails: {
      up: 'CREATE INDEX CONCURRENTLY users_email_idx ON app.users (email);',
      mentions: 'transaction:false',
    },
    passes: [
      {
        up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON app.users (email);',
        upTransaction: false,
      },
    ],
  },
  'ban-drop-column': {
    fails: { up: 'ALTER TABLE app.users DROP COLUMN legacy_flags;', mentions: 'app.users.legacy_flags' },
    passes: [
      {
        up: 'ALTER TABLE app.users ADD COLUMN nickname text;',
        down: 'ALTER TABLE app.users DROP COLUMN nickname;',
      },
      { up: 'CREATE TABLE app.tmp (a int, b int);\nALTER TABLE app.tmp DROP COLUMN b;' },
    ],
  },
  'ban-drop-database': {
    fails: { up: 'DROP DATABASE analytics_old;', upTransaction: false, mentions: 'analytics_old' },
    passes: [{ up: 'DROP TABLE IF EXISTS app.tmp_import;', allows: [] }],
  },
  'ban-drop-not-null': {
    fails: {
      up: 'ALTER TABLE app.users ALTER COLUMN display_name DROP NOT NULL;',
      mentions: 'app.users.display_name',
    },
    passes: [
      {
        up: 'ALTER TABLE app.users ALTER COLUMN display_name SET NOT NULL;',
        down: 'ALTER TABLE app.users ALTER COLUMN display_name DROP NOT NULL;',
      },
    ],
  },
  'ban-drop-table': {
    fails: { up: 'DROP TABLE app.sessions_2019;', mentions: 'app.sessions_2019' },
    passes: [{ up: 'CREATE TABLE app.invites (id bigint PRIMARY KEY);', down: 'DROP TABLE app.invites;' }],
  },
  'ban-truncate-cascade': {
    fails: { up: 'TRUNCATE app.users CASCADE;', mentions: 'foreign key' },
    passes: [{ up: 'TRUNCATE app.import_staging;' }],
  },
  'changing-column-type': {
    fails: {
      up: 'ALTER TABLE app.orders ALTER COLUMN amount TYPE numeric(12,2);',
      mentions: 'app.orders.amount',
    },
    passes: [
      {
        up: 'CREATE TABLE app.orders2 (amount int);\nALTER TABLE app.orders2 ALTER COLUMN amount TYPE bigint;',
      },
    ],
  },
  'constraint-missing-not-valid': {
    fails: {
      up: 'ALTER TABLE app.orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);',
      mentions: 'orders_amount_positive',
    },
    passes: [
      { up: 'ALTER TABLE app.orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0) NOT VALID;' },
      { up: 'ALTER TABLE app.orders VALIDATE CONSTRAINT orders_amount_positive;' },
    ],
  },
  'disallowed-unique-constraint': {
    fails: {
      up: 'ALTER TABLE app.users ADD CONSTRAINT users_handle_key UNIQUE (handle);',
      mentions: 'USING INDEX',
    },
    passes: [
      { up: 'ALTER TABLE app.users ADD CONSTRAINT users_handle_key UNIQUE USING INDEX users_handle_idx;' },
    ],
  },
  'prefer-bigint-over-int': {
    fails: {
      up: 'CREATE TABLE app.events (id integer PRIMARY KEY, payload jsonb);',
      mentions: 'app.events.id',
    },
    passes: [
      { up: 'CREATE TABLE app.events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);' },
    ],
  },
  'prefer-identity': {
    fails: {
      up: 'CREATE TABLE app.events (id bigserial PRIMARY KEY);',
      mentions: 'GENERATED ALWAYS AS IDENTITY',
    },
    passes: [{ up: 'CREATE TABLE app.events (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);' }],
  },
  'prefer-robust-stmts': {
    fails: { up: 'CREATE INDEX CONCURRENTLY users_email_idx ON app.users (email);', upTransaction: false },
    passes: [
      {
        up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON app.users (email);',
        upTransaction: false,
      },
      { up: 'CREATE TABLE app.notes (id bigint);' },
      {
        up: 'ALTER TABLE app.t DROP CONSTRAINT IF EXISTS t_c;\nALTER TABLE app.t ADD CONSTRAINT t_c CHECK (c > 0) NOT VALID;',
        upTransaction: false,
      },
    ],
  },
  'prefer-text-field': {
    fails: { up: 'ALTER TABLE app.users ADD COLUMN nickname varchar(32);', mentions: 'varchar(32)' },
    passes: [
      { up: 'ALTER TABLE app.users ADD COLUMN nickname text;' },
      { up: 'ALTER TABLE app.users ADD COLUMN nickname varchar;' },
    ],
  },
  'prefer-timestamp-tz': {
    fails: { up: 'ALTER TABLE app.users ADD COLUMN last_login timestamp;', mentions: 'app.users.last_login' },
    passes: [{ up: 'ALTER TABLE app.users ADD COLUMN last_login timestamptz;' }],
  },
  'renaming-column': {
    fails: { up: 'ALTER TABLE app.users RENAME COLUMN name TO full_name;', mentions: 'full_name' },
    passes: [
      { up: 'CREATE TABLE app.drafts (nme text);\nALTER TABLE app.drafts RENAME COLUMN nme TO name;' },
    ],
  },
  'renaming-table': {
    fails: { up: 'ALTER TABLE app.people RENAME TO users;', mentions: 'app.people' },
    passes: [{ up: 'CREATE TABLE app.stage (id bigint);\nALTER TABLE app.stage RENAME TO staging;' }],
  },
  'require-concurrent-index-creation': {
    fails: { up: 'CREATE INDEX projects_owner_idx ON app.projects (owner_id);', mentions: 'SHARE lock' },
    passes: [
      {
        up: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS projects_owner_idx ON app.projects (owner_id);',
        upTransaction: false,
      },
      {
        up: 'CREATE TABLE app.labels (id bigint, name text);\nCREATE INDEX labels_name_idx ON app.labels (name);',
      },
    ],
  },
  'require-concurrent-index-deletion': {
    fails: { up: 'DROP INDEX app.projects_owner_idx;', mentions: 'CONCURRENTLY' },
    passes: [{ up: 'DROP INDEX CONCURRENTLY IF EXISTS app.projects_owner_idx;', upTransaction: false }],
  },
  'transaction-nesting': {
    fails: { up: 'BEGIN;\nALTER TABLE app.users ADD COLUMN bio text;\nCOMMIT;', line: 2 },
    passes: [
      { up: 'BEGIN;\nUPDATE app.users SET bio = NULL WHERE id < 1000;\nCOMMIT;', upTransaction: false },
      { up: 'SAVEPOINT before_bio;\nALTER TABLE app.users ADD COLUMN bio text;' },
    ],
  },
  'destructive-without-backup': {
    fails: { up: 'DROP SCHEMA reporting CASCADE;', mentions: 'every table in the schema' },
    passes: [
      {
        up: 'DROP TABLE reporting.daily; DROP SCHEMA reporting;',
        allows: [{ rule: 'ban-drop-table', reason: 'x', line: 1 }],
      },
      { up: 'CREATE SCHEMA reporting;', down: 'DROP SCHEMA reporting CASCADE;' },
    ],
  },
  'down-does-not-undo': {
    fails: {
      up: 'ALTER TABLE app.users ADD COLUMN bio text;\nCREATE INDEX CONCURRENTLY users_bio_idx ON app.users (bio);',
      down: 'ALTER TABLE app.users DROP COLUMN bio;',
      line: 3,
      mentions: 'app.users_bio_idx',
    },
    passes: [
      {
        up: 'CREATE TABLE app.invites (id bigint PRIMARY KEY, email text);\nCREATE INDEX invites_email_idx ON app.invites (email);',
        down: 'DROP TABLE app.invites;',
      },
      {
        up: 'CREATE OR REPLACE VIEW app.active_users AS SELECT * FROM app.users;',
        down: 'CREATE OR REPLACE VIEW app.active_users AS SELECT id FROM app.users;',
      },
      { up: 'ALTER TABLE app.users ADD COLUMN bio text;', down: null, options: { allowIrreversible: true } },
    ],
  },
  'down-syntax-error': {
    fails: {
      up: 'CREATE TABLE app.t (a int);',
      down: null,
      downSyntaxError: {
        file: '0042_change.down.sql',
        line: 3,
        column: 6,
        message: 'syntax error at or near "TABEL"',
      },
      line: 3,
      mentions: '0042_change.down.sql:3',
    },
    passes: [{ up: 'CREATE TABLE app.t (a int);', down: 'DROP TABLE app.t;' }],
  },
  'destructive-without-verify': {
    fails: {
      up: "DELETE FROM app.sessions WHERE expires_at < now() - interval '90 days';",
      mentions: 'app.sessions',
    },
    passes: [
      {
        up: "DELETE FROM app.sessions WHERE expires_at < now() - interval '90 days';",
        verify:
          "SELECT 1 / (CASE WHEN EXISTS (SELECT 1 FROM app.sessions WHERE expires_at < now() - interval '91 days') THEN 0 ELSE 1 END);",
      },
      { up: 'CREATE TABLE app.tmp (id bigint);\nDELETE FROM app.tmp;' },
    ],
  },
  'irreversible-not-allowed': {
    fails: { up: 'ALTER TABLE app.users DROP COLUMN legacy;', down: null, mentions: '0042' },
    passes: [
      { up: 'ALTER TABLE app.users DROP COLUMN legacy;', down: null, options: { allowIrreversible: true } },
    ],
  },
  'non-transactional-statement-in-transaction': {
    fails: { up: 'DROP INDEX CONCURRENTLY IF EXISTS app.users_old_idx;', mentions: 'transaction:false' },
    passes: [
      { up: 'DROP INDEX CONCURRENTLY IF EXISTS app.users_old_idx;', upTransaction: false },
      { up: 'ANALYZE app.users;' },
    ],
  },
  'ban-alter-domain-with-add-constraint': {
    fails: {
      up: "ALTER DOMAIN app.email ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%');",
      mentions: 'CHECK',
    },
    passes: [{ up: 'ALTER DOMAIN app.email VALIDATE CONSTRAINT email_at;' }],
  },
  'ban-create-domain-with-constraint': {
    fails: { up: 'CREATE DOMAIN app.positive AS bigint CHECK (VALUE > 0);', mentions: 'NOT VALID' },
    passes: [
      { up: 'CREATE DOMAIN app.cents AS bigint;' },
      { up: 'CREATE DOMAIN app.flag AS boolean DEFAULT false;' },
    ],
  },
  'ban-duplicate-column-assignments': {
    fails: { up: "UPDATE app.users SET name = 'a', name = 'b' WHERE id = 1;", mentions: 'name' },
    passes: [
      { up: "UPDATE app.users SET name = 'a', bio = 'b' WHERE id = 1;" },
      { up: 'UPDATE app.grid SET cells[1] = 0, cells[2] = 0 WHERE id = 1;' },
    ],
  },
  'ban-uncommitted-transaction': {
    fails: {
      up: 'BEGIN;\nUPDATE app.users SET bio = NULL WHERE id < 10;',
      upTransaction: false,
      mentions: 'COMMIT',
    },
    passes: [{ up: 'BEGIN;\nUPDATE app.users SET bio = NULL WHERE id < 10;\nCOMMIT;', upTransaction: false }],
  },
  'identifier-too-long': {
    fails: {
      up: 'CREATE TABLE app.a_table_name_that_goes_on_and_on_well_past_the_limit_of_sixty_three_bytes (id bigint);',
      mentions: '63 bytes',
    },
    passes: [{ up: `CREATE TABLE app.${'x'.repeat(63)} (id bigint);` }],
  },
  'prefer-bigint-over-smallint': {
    fails: { up: 'ALTER TABLE app.users ADD COLUMN age smallint;', mentions: '32,767' },
    passes: [
      { up: 'ALTER TABLE app.users ADD COLUMN age bigint;' },
      { up: 'ALTER TABLE app.users ADD COLUMN n int;' },
    ],
  },
  'prefer-repack': {
    fails: { up: 'VACUUM FULL app.users;', upTransaction: false, options: PG19, mentions: 'REPACK' },
    passes: [
      { up: 'VACUUM FULL app.users;', upTransaction: false },
      { up: 'VACUUM (FULL FALSE) app.users;', upTransaction: false, options: PG19 },
    ],
  },
  'require-concurrent-partition-detach': {
    fails: { up: 'ALTER TABLE app.events DETACH PARTITION app.events_2020;', mentions: 'CONCURRENTLY' },
    passes: [
      { up: 'ALTER TABLE app.events DETACH PARTITION app.events_2020 CONCURRENTLY;', upTransaction: false },
    ],
  },
  'require-concurrent-reindex': {
    fails: { up: 'REINDEX TABLE app.users;', mentions: 'CONCURRENTLY' },
    passes: [{ up: 'REINDEX TABLE CONCURRENTLY app.users;', upTransaction: false }],
  },
  'require-enum-value-ordering': {
    fails: { up: "ALTER TYPE app.status ADD VALUE 'archived';", mentions: 'AFTER' },
    passes: [{ up: "ALTER TYPE app.status ADD VALUE 'archived' AFTER 'closed';" }],
  },
  'require-table-schema': {
    fails: { up: 'CREATE TABLE widgets (id bigint);', options: TABLE_SCHEMA_ON, mentions: 'public.widgets' },
    passes: [
      { up: 'CREATE TABLE app.widgets (id bigint);', options: TABLE_SCHEMA_ON },
      { up: 'CREATE TABLE widgets (id bigint);' },
    ],
  },
  'ddl-with-large-dml': {
    fails: {
      up: 'ALTER TABLE app.users ADD COLUMN email_lower text;\nUPDATE app.users SET email_lower = lower(email);',
      line: 3,
      mentions: 'app.users',
    },
    passes: [
      { up: 'UPDATE app.users SET email_lower = lower(email) WHERE email_lower IS NULL;' },
      {
        up: 'CREATE TABLE app.archive (id bigint);\nINSERT INTO app.archive SELECT id FROM app.users WHERE deleted;',
      },
    ],
  },
};

/** A case name is the rule id, optionally followed by a note in parentheses. */
function ruleOf(name: string): string {
  return name.replace(/ \(.*\)$/, '');
}

describe('lint rules', () => {
  it('has a failing and a passing case for every rule that can report', () => {
    const reporting = RULES.filter((rule) => rule.parity !== 'satisfied-by-design').map((rule) => rule.id);
    expect([...new Set(Object.keys(CASES).map(ruleOf))].sort()).toEqual(reporting.sort());
  });

  describe.each(Object.entries(CASES))('%s', (name, { fails, passes }) => {
    const rule = ruleOf(name);
    it('reports the dangerous statement, saying why and what to write instead', () => {
      const { options, line, mentions, ...spec } = fails;
      const findings = findingsOf(rule, spec, options);
      expect(findings.length).toBeGreaterThanOrEqual(1);
      const [finding] = findings;
      expect(finding).toMatchObject({ rule, migration: spec.version ?? '0042', line: line ?? 2 });
      expect(finding!.column).toBeGreaterThanOrEqual(1);
      const severity = RULES.find((r) => r.id === rule)!.severity;
      expect(finding!.severity).toBe(severity === 'off' ? options?.config?.rules[rule] : severity);
      expect(finding!.message.length).toBeGreaterThan(60);
      expect(finding!.fix).toBeTruthy();
      if (mentions) expect(`${finding!.message} ${finding!.fix}`).toContain(mentions);
    });

    it.each(passes.map((spec, index) => [index, spec] as const))(
      'accepts the safe form #%i',
      (_index, spec) => {
        const { options, ...rest } = spec;
        expect(findingsOf(rule, rest, options)).toEqual([]);
      },
    );
  });

  it('knows every rule id, plus invalid-lint-allow', () => {
    expect(RULE_IDS).toContain('invalid-lint-allow');
    expect(new Set(RULE_IDS).size).toBe(RULE_IDS.length);
  });
});

describe('constraints written inline in ADD COLUMN', () => {
  it.each([
    [
      'adding-foreign-key-constraint',
      'ALTER TABLE app.projects ADD COLUMN owner_id bigint REFERENCES app.users (id);',
    ],
    ['adding-serial-primary-key-field', 'ALTER TABLE app.audit ADD COLUMN id bigint PRIMARY KEY;'],
    ['disallowed-unique-constraint', 'ALTER TABLE app.users ADD COLUMN handle text UNIQUE;'],
  ])('%s reports them like ADD CONSTRAINT', (rule, up) => {
    expect(findingsOf(rule, { up })).toHaveLength(1);
  });
});
