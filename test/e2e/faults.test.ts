// DESIGN §3 "Nothing lost": a run is killed at every step — its database connection
// terminated before or in the middle of a statement, its backup store or audit log failing —
// and after each the database must be exactly at the start state or exactly at the target
// state (schema fingerprint and table data), or flagged (exit 3, RollbackFailedError, dirty
// row) with a message that says what to do. Runs go through the local runner: the
// synthesized definition with its Retry/Catch, the real handlers and middleware.
import { writeFile } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditLog, BackupStore, Database } from '../../lambdas/ports.ts';
import { runCli } from '../support/cli-process.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { type MigrationDirectory, migration, migrationDirectory } from '../support/engine.ts';
import { type ConnectionFault, FaultyDatabase } from '../support/faulty-database.ts';
import { type DatabaseSnapshot, runWorkflow, snapshot, type WorkflowRun } from '../support/local-workflow.ts';

const ROWS = 200_000;
const TABLES = ['app.accounts'];

// 0001 rewrites data (so Backup copies app.accounts); 0002 runs outside a transaction.
// Each pg_sleep has its own length so a fault can pick the statement it kills.
const files = {
  '0001_add_note.sql': `-- lint:allow ddl-with-large-dml the test needs a data change to back up\n${migration(
    {
      up: "ALTER TABLE app.accounts ADD COLUMN note text;\nUPDATE app.accounts SET note = 'n' || id;\nSELECT pg_sleep(1.01);",
      down: 'SELECT pg_sleep(1.04);\nALTER TABLE app.accounts DROP COLUMN note;',
      verify: 'SELECT note FROM app.accounts WHERE false;',
    },
  )}`,
  '0002_index_note.sql': migration({
    upOptions: 'transaction:false',
    downOptions: 'transaction:false',
    up: 'CREATE INDEX CONCURRENTLY accounts_note_idx ON app.accounts (note);\nSELECT pg_sleep(1.02);',
    down: 'DROP INDEX CONCURRENTLY IF EXISTS app.accounts_note_idx;',
    verify: 'SELECT pg_sleep(1.03);',
  }),
  '0003_drop_balance.sql': `-- lint:allow ban-drop-column no code reads app.accounts.balance any more\n${migration(
    {
      up: 'ALTER TABLE app.accounts DROP COLUMN balance;',
      down: 'ALTER TABLE app.accounts ADD COLUMN balance numeric;',
    },
  )}`,
};

let directory: MigrationDirectory;
let startRowsDigest: string;
let start: DatabaseSnapshot;
let target: DatabaseSnapshot;
const databases: TestDatabase[] = [];
const observed: Record<string, unknown>[] = [];

async function seededDatabase(label: string): Promise<TestDatabase> {
  // As RDS's master user would run it: no SUPERUSER.
  const database = await createTestDatabase(label, { asMasterUser: true });
  databases.push(database);
  await database.db.withConnection((conn) =>
    conn.query(
      `CREATE SCHEMA app;
       CREATE TABLE app.accounts (id bigint PRIMARY KEY, email text NOT NULL, balance numeric);
       INSERT INTO app.accounts SELECT g, 'user' || g || '@example.com', g * 1.5 FROM generate_series(1, ${ROWS}) g;`,
    ),
  );
  return database;
}

/** The rows as they were before any migration: the columns the start state has. */
async function startRows(database: TestDatabase): Promise<string> {
  const { rows } = await database.db.withConnection((conn) =>
    conn.query<{ digest: string }>(
      `SELECT md5(string_agg(format('%s,%s,%s', id, email, balance), E'\\n' ORDER BY id)) AS digest FROM app.accounts`,
    ),
  );
  return rows[0]!.digest;
}

const sleeping = (seconds: string) => (sql: string) => sql.includes(`pg_sleep(${seconds})`);

type Outcome = 'start' | 'target' | 'flagged' | 'IN BETWEEN';

function outcomeOf(after: DatabaseSnapshot, run: WorkflowRun): Outcome {
  const same = (s: DatabaseSnapshot) =>
    after.fingerprint === s.fingerprint && JSON.stringify(after.data) === JSON.stringify(s.data);
  const versions = (s: DatabaseSnapshot) =>
    s.history
      .filter((r) => r.state === 'applied')
      .map((r) => r.version)
      .sort()
      .join(',');
  if (same(start) && versions(after) === '' && !after.history.some((r) => r.state === 'dirty'))
    return 'start';
  if (same(target) && versions(after) === versions(target)) return 'target';
  if (run.exitCode === 3 && run.output?.error?.name === 'RollbackFailedError') return 'flagged';
  return 'IN BETWEEN';
}

interface FaultCase {
  name: string;
  faults?: ConnectionFault[];
  backupStore?: (store: BackupStore) => BackupStore;
  auditLog?: (log: AuditLog) => AuditLog;
  /** Outcomes this case may end in; anything else fails the test. */
  expected: Outcome[];
  exitCode: number;
  /** The run could not give its lease back: the next run must be told how to free it. */
  leaseLeft?: boolean;
}

/** A store whose writes fail after reading part of the body, like an upload cut off mid-way. */
function failingStore(store: BackupStore): BackupStore {
  return {
    put: async (key: string, body: Readable) => {
      const sink = new PassThrough();
      body.pipe(sink);
      for await (const _ of sink) break;
      body.destroy();
      throw new Error(`simulated store outage while writing ${key}: connection reset by peer`);
    },
    get: (key) => store.get(key),
    list: (prefix) => store.list(prefix),
    delete: (keys) => store.delete(keys),
  };
}

/** A store that keeps what Backup writes but cannot give it back, as during an outage. */
function unreadableStore(store: BackupStore): BackupStore {
  return {
    put: (key, body) => store.put(key, body),
    get: async (key) => {
      throw new Error(`simulated store outage while reading ${key}: service unavailable`);
    },
    list: (prefix) => store.list(prefix),
    delete: (keys) => store.delete(keys),
  };
}

/** An audit log that stops accepting records once `step` starts for the (skip+1)-th time. */
function auditFailingFrom(step: string, skip = 0) {
  return (log: AuditLog): AuditLog => {
    let down = false;
    let seen = 0;
    return {
      append: async (record) => {
        if (record.step === step && record.event === 'started' && seen++ >= skip) down = true;
        if (down) throw new Error('simulated audit store outage: ProvisionedThroughputExceededException');
        await log.append(record);
      },
      list: (query) => log.list(query),
    };
  };
}

const cases: FaultCase[] = [
  {
    name: 'Validate: connection killed on its first statement',
    faults: [{ match: () => true }],
    expected: ['start'],
    exitCode: 2,
  },
  {
    name: 'Backup: connection killed mid-COPY',
    faults: [{ match: (sql) => sql.startsWith('COPY'), afterMs: 0 }],
    expected: ['start'],
    exitCode: 1,
  },
  {
    name: 'Backup: store write fails mid-stream',
    backupStore: failingStore,
    expected: ['start'],
    exitCode: 1,
  },
  {
    name: 'Apply (transactional): connection killed mid-statement',
    faults: [{ match: sleeping('1.01'), afterMs: 300 }],
    expected: ['start'],
    exitCode: 1,
  },
  {
    name: 'Apply (transaction:false): connection killed mid-statement',
    faults: [{ match: sleeping('1.02'), afterMs: 300 }],
    expected: ['flagged'],
    exitCode: 3,
  },
  {
    name: 'Verify: connection killed mid-verify',
    faults: [{ match: sleeping('1.03'), afterMs: 300 }],
    expected: ['start'],
    exitCode: 1,
  },
  {
    name: 'Rollback: connection killed mid-way through a down section',
    faults: [
      { match: sleeping('1.03'), afterMs: 300 },
      { match: sleeping('1.04'), afterMs: 300 },
    ],
    expected: ['flagged'],
    exitCode: 3,
  },
  {
    name: 'Rollback: the backup cannot be read back to restore a dropped column',
    faults: [{ match: sleeping('1.03'), afterMs: 300 }],
    backupStore: unreadableStore,
    expected: ['flagged'],
    exitCode: 3,
  },
  {
    name: 'Report: connection killed while giving the lease back',
    faults: [{ match: (sql) => /^DELETE FROM \S*lease/.test(sql) }],
    expected: ['target'],
    exitCode: 0,
    leaseLeft: true,
  },
  {
    name: 'Audit log fails from Apply on',
    auditLog: auditFailingFrom('Apply'),
    expected: ['start'],
    exitCode: 1,
  },
  {
    name: 'Audit log fails from the second Apply on',
    auditLog: auditFailingFrom('Apply', 1),
    expected: ['start'],
    exitCode: 1,
  },
  {
    name: 'Audit log fails from Validate on',
    auditLog: auditFailingFrom('Validate'),
    expected: ['start'],
    exitCode: 2,
  },
];

beforeAll(async () => {
  directory = await migrationDirectory(files);
  const reference = await seededDatabase('faults_reference');
  start = await snapshot(reference.db, TABLES);
  startRowsDigest = await startRows(reference);
  const run = await runWorkflow({ databaseUrl: reference.url, migrationsDir: directory.path });
  expect({ status: run.output?.status, failure: run.failure, error: run.output?.error }).toEqual({
    status: 'succeeded',
  });
  target = await snapshot(reference.db, TABLES);
  expect(target.fingerprint).not.toBe(start.fingerprint);
});

afterAll(async () => {
  // What each case observed, for refreshing the table in docs/reliability.md.
  const report = process.env.STEPMIGRATE_FAULTS_REPORT;
  if (report) await writeFile(report, JSON.stringify(observed, null, 2));
  await directory.remove();
  for (const database of databases) await database.drop();
});

describe('a run killed at any step leaves the database at the start, at the target, or flagged', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, testCase) => {
    const database = await seededDatabase('faults');
    let faulty: FaultyDatabase | undefined;
    const run = await runWorkflow({
      databaseUrl: database.url,
      migrationsDir: directory.path,
      ports: {
        db: testCase.faults
          ? (db: Database) => {
              faulty = new FaultyDatabase(db, testCase.faults);
              return faulty;
            }
          : undefined,
        backupStore: testCase.backupStore,
        auditLog: testCase.auditLog,
      },
    });
    const after = await snapshot(database.db, TABLES);
    const outcome = outcomeOf(after, run);
    observed.push({
      case: testCase.name,
      killed: faulty?.killed,
      status: run.output?.status ?? run.status,
      exitCode: run.exitCode,
      error: run.output?.error ?? run.failure,
      outcome,
      history: after.history.map((r) => `${r.version}:${r.state}${r.message ? ` (${r.message})` : ''}`),
      leases: after.leases,
      auditFailed: run.audit.filter((r) => r.event === 'failed').map((r) => `${r.step}:${r.error?.name}`),
      metrics: run.metrics.filter((m) => m.value > 0 && m.name !== 'StepDurationMs').map((m) => m.name),
    });

    if (testCase.faults) expect(faulty?.killed).toHaveLength(testCase.faults.length);
    expect(testCase.expected).toContain(outcome);
    expect(run.exitCode).toBe(testCase.exitCode);
    // The table's rows are never lost: start or target data, or for a flagged run the
    // start rows either still there or brought back by the restore command it printed.
    if (outcome !== 'flagged') {
      expect([start.data['app.accounts'], target.data['app.accounts']]).toContain(after.data['app.accounts']);
    } else if ((await startRows(database)) !== startRowsDigest) {
      const command = /`stepmigrate (restore --from \S+(?: --table \S+)+)`/.exec(
        run.output?.error?.message ?? '',
      );
      expect(command).not.toBeNull();
      const restored = await runCli(run.projectDir, [
        ...command![1]!.split(' '),
        '--database-url',
        database.url,
      ]);
      expect(restored.code).toBe(0);
      expect(await startRows(database)).toBe(startRowsDigest);
    }
    // The lease is given back, so the next run is not blocked by this one; when it could
    // not be, the next run says how to free it.
    if (!testCase.leaseLeft) expect(after.leases).toEqual([]);
    else {
      expect(after.leases).toHaveLength(1);
      const next = await runWorkflow({
        databaseUrl: database.url,
        migrationsDir: directory.path,
        input: { target: '0' },
      });
      expect(next.exitCode).toBe(4);
      expect(next.output?.error?.message).toContain('repair --release-lease');
    }
    if (outcome === 'flagged') {
      expect(run.output?.error?.message).toMatch(/manual action needed|fix it by hand/);
      // The dirty row says where it stopped, even when the connection that failed was the one that would have said so.
      const dirty = after.history.filter((r) => r.state === 'dirty');
      expect(dirty).toHaveLength(1);
      expect(dirty[0]!.message).toMatch(
        /statement \d+ of \d+ failed|rollback of .* stopped here|rolled back, but rows of/,
      );
      const next = await runWorkflow({ databaseUrl: database.url, migrationsDir: directory.path });
      expect(next.exitCode).toBe(2);
      expect(next.output?.error?.name).toMatch(/DirtyStateError|ChecksumMismatchError|PreflightError/);
    }
    if (testCase.leaseLeft) {
      // Nothing failed but the release, which Report does best effort: it says so in its log.
      expect(run.log.some((line) => line.includes('could not release the lease'))).toBe(true);
      return;
    }
    if (!testCase.auditLog) {
      expect(run.audit.some((r) => r.event === 'failed')).toBe(true);
    }
    expect(run.metrics.some((m) => m.name === 'StepErrors' && m.value === 1)).toBe(true);
  });
});
