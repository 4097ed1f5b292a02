// Differential tests of the layouts: the same project deployed by its own tool and by
// stepmigrate (through the real workflow definition), on one cluster of Debian's PostgreSQL
// per test file, a database per case, and the schemas compared with Debian's pg_dump -s.
// Bookkeeping of either tool (stepmigrate's, Sqitch's registry, schema_migrations,
// flyway_schema_history) is left out of the comparison: only what the migrations built counts.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import type { TemporaryCluster } from '../../cli/local/embedded-postgres.ts';
import type { LayoutName } from '../../lambdas/engine/model.ts';
import { debianBinDir, debianPostgresMissing, printSkipNote, startDebianCluster } from './debian-postgres.ts';
import { runWorkflow, type WorkflowRun } from './local-workflow.ts';

export const run = promisify(execFile);

/** Why the suite cannot run here (Debian's PostgreSQL or another tool missing), printed once. */
export async function skipReason(suite: string, ...tools: string[]): Promise<string | undefined> {
  let reason = await debianPostgresMissing();
  for (const tool of tools) {
    if (reason) break;
    const found = await access(tool).then(
      () => true,
      () => false,
    );
    if (!found) reason = `${tool} is not installed (.ci/run installs it)`;
  }
  if (reason) printSkipNote(suite, reason);
  return reason;
}

export interface DifferentialCluster {
  /** A new empty database; its URL. */
  database(label: string): Promise<string>;
  /** `pg_dump -s` of a database without either tool's bookkeeping, comments and settings lines. */
  schema(url: string): Promise<string>;
  /** Runs SQL on a database (simple-query protocol: several statements in one string run as one exec). */
  exec(url: string, sql: string): Promise<void>;
  /** Runs `work` with one connection, each `exec` one simple-query call, as a migration tool's session. */
  session(url: string, work: (exec: (sql: string) => Promise<void>) => Promise<void>): Promise<void>;
  readonly url: string;
}

const BOOKKEEPING = [
  '-N',
  'stepmigrate',
  '-N',
  'sqitch',
  '-T',
  '*.schema_migrations',
  '-T',
  '*.flyway_schema_history',
];

/** Starts the cluster before the file's tests (when `enabled`) and stops it after them. */
export function useDifferentialCluster(enabled: boolean): DifferentialCluster {
  let cluster: TemporaryCluster | undefined;
  let counter = 0;
  beforeAll(async () => {
    if (enabled) cluster = await startDebianCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  const urlOf = (name: string) => {
    const url = new URL(cluster!.url);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const exec = async (url: string, sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    get url() {
      return cluster!.url;
    },
    async database(label) {
      counter += 1;
      const name = `${label}_${counter}`;
      await exec(cluster!.url, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return urlOf(name);
    },
    async schema(url) {
      const { stdout } = await run(
        path.join(debianBinDir(), 'pg_dump'),
        ['--schema-only', '--no-owner', ...BOOKKEEPING, '--dbname', url],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      return stdout
        .split('\n')
        .filter((line) => !line.startsWith('--') && !/^\\(un)?restrict /.test(line) && line.trim() !== '')
        .join('\n');
    },
    exec,
    async session(url, work) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await work(async (sql) => {
          await client.query(sql);
        });
      } finally {
        await client.end();
      }
    },
  };
}

/** Deploys (or rolls back, with a lower target) through the real workflow; fails the test on anything but success. */
export async function stepmigrate(
  url: string,
  migrationsDir: string,
  input: Record<string, unknown> = {},
  layout?: LayoutName,
): Promise<WorkflowRun> {
  const started = Date.now();
  const result = await runWorkflow({
    databaseUrl: url,
    migrationsDir,
    input: { requestedBy: 'differential', ...input },
    ...(layout ? { layout } : {}),
  });
  const status = (result.output as { status?: string } | undefined)?.status;
  if (result.exitCode !== 0 || (status !== 'succeeded' && status !== 'noop')) {
    throw new Error(
      `stepmigrate run ended ${status} (exit ${result.exitCode}): ${JSON.stringify(result.output).slice(0, 2000)}`,
    );
  }
  if (process.env.DIFFERENTIAL_TIMING)
    process.stdout.write(`stepmigrate ${JSON.stringify(input)} ${Date.now() - started} ms\n`);
  return result;
}
