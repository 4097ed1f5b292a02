// Adopting a database the real sqitch deployed (Debian's sqitch, with psql from Debian's
// PostgreSQL beside its server): stepmigrate imports sqitch.changes — reworked changes
// included — checks each script_hash against the deploy script, applies nothing again, then
// applies and reverts a new change. Skipped with a note where sqitch or PostgreSQL 15 is absent.
import { execFile } from 'node:child_process';
import { access, appendFile, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import { PgDatabase } from '../../lambdas/adapters/pg-database.ts';
import { sqitchScriptHash } from '../../lambdas/engine/adopt/sqitch-script-hash.ts';
import type { EngineContext } from '../../lambdas/engine/context.ts';
import { readHistory } from '../../lambdas/engine/history.ts';
import {
  debianBinDir,
  debianPostgresMissing,
  printSkipNote,
  startDebianCluster,
} from '../support/debian-postgres.ts';
import { engineContext, runSteps } from '../support/engine.ts';

const exec = promisify(execFile);
const fixture = 'test/fixtures/adopt/sqitch/ledger';

let missing: string | undefined;
let cluster: TemporaryCluster | undefined;
let project: string;
let url: string;
let db: PgDatabase;
let executions = 0;

beforeAll(async () => {
  missing =
    (await access('/usr/bin/sqitch').then(
      () => undefined,
      () => 'sqitch is not installed (apt-get install -y sqitch libdbd-pg-perl)',
    )) ?? (await debianPostgresMissing());
  if (missing) {
    printSkipNote('adopting a Sqitch database', missing);
    return;
  }
  cluster = await startDebianCluster();
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE ledger');
  await admin.end();
  const target = new URL(cluster.url);
  target.pathname = '/ledger';
  url = target.toString();
  db = new PgDatabase(url);
  project = await mkdtemp(join(tmpdir(), 'stepmigrate-sqitch-ledger-'));
  await cp(fixture, project, { recursive: true });
}, 60_000);

afterAll(async () => {
  await db?.close();
  await cluster?.stop();
  if (project) await rm(project, { recursive: true, force: true });
});

function sqitch(...args: string[]) {
  const target = `db:${url.replace(/^postgres(ql)?:/, 'pg:')}`;
  return exec('sqitch', [...args, target], {
    cwd: project,
    env: {
      ...process.env,
      PATH: `${debianBinDir()}:${process.env.PATH}`,
      SQITCH_FULLNAME: 'Grace Hopper',
      SQITCH_EMAIL: 'grace@example.com',
      HOME: project,
    },
  });
}

function context(): Promise<EngineContext> {
  return engineContext(db, project);
}

async function migrate(input: Record<string, unknown>): Promise<string[]> {
  return runSteps(await context(), input, `exec-${++executions}`);
}

describe('a database sqitch deployed', () => {
  it('is adopted: reworked changes imported, script hashes checked, a new change applied and reverted', async () => {
    if (missing) return;
    await sqitch('deploy', '--verify');

    // A deploy script changed since sqitch deployed it is refused, showing both hashes.
    const script = join(project, 'deploy', 'accounts.sql');
    const recorded = (
      await db.withConnection((conn) =>
        conn.query<{ script_hash: string }>(
          "SELECT script_hash FROM sqitch.changes WHERE change = 'accounts' ORDER BY committed_at DESC LIMIT 1",
        ),
      )
    ).rows[0]!.script_hash;
    await appendFile(script, '-- tidied up\n');
    const error = await migrate({}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ChecksumMismatchError', migration: 'accounts.2' });
    expect((error as Error).message).toContain(recorded);
    expect((error as Error).message).toContain(sqitchScriptHash(await readFile(script)));
    await cp(join(fixture, 'deploy', 'accounts.sql'), script);

    expect(await migrate({})).toEqual([]);

    await appendFile(
      join(project, 'sqitch.plan'),
      'entries [accounts] 2024-03-09T08:00:00Z Ada Lovelace <ada@example.com> # Ledger entries.\n',
    );
    await writeFile(
      join(project, 'deploy', 'entries.sql'),
      'BEGIN;\nCREATE TABLE ledger.entries (account text NOT NULL REFERENCES ledger.accounts, cents bigint NOT NULL);\nCOMMIT;\n',
    );
    await writeFile(join(project, 'revert', 'entries.sql'), 'BEGIN;\nDROP TABLE ledger.entries;\nCOMMIT;\n');
    await writeFile(
      join(project, 'verify', 'entries.sql'),
      'SELECT account, cents FROM ledger.entries WHERE false;\n',
    );
    expect(await migrate({})).toEqual(['up entries']);
    const history = await db.withConnection((conn) => readHistory(conn, 'stepmigrate'));
    expect(history.map((row) => [row.version, row.executionId]).sort()).toEqual([
      ['accounts', 'imported-from-sqitch'],
      ['accounts.2', 'imported-from-sqitch'],
      ['appschema', 'imported-from-sqitch'],
      ['entries', expect.stringMatching(/^exec-/)],
    ]);
    expect(history.find((row) => row.version === 'appschema')?.appliedBy).toBe(
      'Grace Hopper <grace@example.com>',
    );

    expect(await migrate({ target: 'accounts.2' })).toEqual(['down entries']);
    const tables = await db.withConnection((conn) =>
      conn.query("SELECT 1 FROM pg_tables WHERE schemaname = 'ledger' AND tablename = 'entries'"),
    );
    expect(tables.rows).toEqual([]);
  }, 60_000);
});
