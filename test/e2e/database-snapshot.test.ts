// The database snapshot safety net, locally: a workflow synthesized with `databaseSnapshot` runs
// its snapshot states (AWS SDK integration calls to RDS) against a recording stand-in of the RDS
// Query API. A snapshot that becomes available is recorded in the manifest, the audit log, the
// run output and `stepmigrate backups`; one that fails stops the run before Backup, unchanged.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { listBackups } from '../../cli/commands/backups.ts';
import { type LocalRunResult, runWorkflowLocally } from '../../cli/local-runner/run-workflow.ts';
import { LocalAuditLog } from '../../lambdas/adapters/local-audit-log.ts';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { readManifest } from '../../lambdas/engine/backup/manifest.ts';
import { ExitCode } from '../../lambdas/engine/errors.ts';
import { migration } from '../support/engine.ts';
import { type RdsStandIn, type RdsStandInOptions, startRdsStandIn } from '../support/rds-stand-in.ts';
import { useLocalRunProject, WORKFLOW_CACHE_DIR } from './local-run-project.ts';

const INSTANCE = 'orders-db';

const project = useLocalRunProject('database_snapshot', 'stepmigrate-snapshot-');
let rds: RdsStandIn | undefined;

beforeEach(async () => {
  await project.database.db.withConnection((conn) =>
    conn.query(
      "CREATE SCHEMA app; CREATE TABLE app.items (id bigint PRIMARY KEY, note text); INSERT INTO app.items VALUES (1, 'kept')",
    ),
  );
});
afterEach(async () => {
  await rds?.close();
  rds = undefined;
});

// Drops a column: Backup copies app.items, so the manifest has a table beside the snapshot.
const dropNote = migration({
  up: '-- lint:allow ban-drop-column the test drops it on purpose\nALTER TABLE app.items DROP COLUMN note;',
  down: 'ALTER TABLE app.items ADD COLUMN note text;',
});

async function run(
  standIn: RdsStandInOptions,
  limits: { backupTaskThresholdBytes?: number } = {},
): Promise<LocalRunResult> {
  rds = await startRdsStandIn({ instances: [INSTANCE], ...standIn });
  return runWorkflowLocally({
    projectDir: project.projectDir,
    migrationsDir: await project.migrations({ '0001_drop_note.sql': dropNote }),
    databaseUrl: project.database.url,
    approval: 'refuse',
    input: { requestedBy: 'database-snapshot-test' },
    cacheDir: WORKFLOW_CACHE_DIR,
    retryPauseMs: 20,
    databaseSnapshot: { dbInstanceIdentifier: INSTANCE },
    rdsEndpoint: rds.endpoint,
    snapshotPollMs: 20,
    ...limits,
  });
}

const columns = async (): Promise<string[]> =>
  project.database.db.withConnection(async (conn) =>
    (
      await conn.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'app' AND table_name = 'items' ORDER BY ordinal_position",
      )
    ).rows.map((r) => r.column_name),
  );

describe('a workflow configured with a database snapshot', () => {
  it('takes the RDS snapshot before Backup, waits until it is available, and records it everywhere', async () => {
    // The instance is busy at first (an automated backup): the create is retried.
    const result = await run({ pollsUntilDone: 1, busyCreates: 1 });

    expect(result.failure).toBeUndefined();
    expect(result.output?.status).toBe('succeeded');
    // Deterministic: the identifier is derived from the execution, as on AWS from its ARN.
    const identifier = `stepmigrate-${createHash('md5').update(result.executionId).digest('hex')}`;
    const snapshot = {
      kind: 'db-snapshot',
      identifier,
      arn: `arn:aws:rds:us-east-1:000000000000:snapshot:${identifier}`,
      source: INSTANCE,
    };
    expect(result.output?.databaseSnapshot).toMatchObject(snapshot);
    expect(Date.parse(result.output?.databaseSnapshot?.createdAt ?? '')).not.toBeNaN();

    // The create, retried once, tagged with the run; then polls until available (creating once).
    expect(rds?.calls.map((c) => c.action)).toEqual([
      'CreateDBSnapshot',
      'CreateDBSnapshot',
      'DescribeDBSnapshots',
      'DescribeDBSnapshots',
    ]);
    expect(rds?.calls[1]?.parameters).toEqual({
      Version: '2014-10-31',
      DBInstanceIdentifier: INSTANCE,
      DBSnapshotIdentifier: identifier,
      'Tags.Tag.1.Key': 'stepmigrate:execution',
      'Tags.Tag.1.Value': result.executionId,
      'Tags.Tag.2.Key': 'stepmigrate:database',
      'Tags.Tag.2.Value': 'local',
    });

    const store = LocalBackupStore.forProject(project.projectDir);
    const [listing] = await listBackups(store);
    const manifest = await readManifest(store, listing?.manifest ?? '');
    expect(manifest.tables.map((t) => t.name)).toEqual(['app.items']);
    expect(manifest.databaseSnapshot).toEqual(result.output?.databaseSnapshot);
    expect(listing?.databaseSnapshot).toEqual(result.output?.databaseSnapshot);

    const records = await LocalAuditLog.forProject(project.projectDir).list({
      executionId: result.executionId,
    });
    const backup = records.find((r) => r.step === 'Backup' && r.event === 'succeeded');
    expect(backup?.detail?.databaseSnapshot).toEqual(result.output?.databaseSnapshot);
  });

  it('hands the snapshot record to a Backup that runs on the task runner', async () => {
    const result = await run({ pollsUntilDone: 0 }, { backupTaskThresholdBytes: 1 });

    expect(result.output?.status).toBe('succeeded');
    expect(result.output?.databaseSnapshot?.source).toBe(INSTANCE);
    const records = await LocalAuditLog.forProject(project.projectDir).list({
      executionId: result.executionId,
    });
    const backup = records.find((r) => r.step === 'Backup' && r.event === 'succeeded');
    expect(backup?.detail?.runner).toBe('task');
    expect(backup?.detail?.databaseSnapshot).toEqual(result.output?.databaseSnapshot);
    const store = LocalBackupStore.forProject(project.projectDir);
    const [listing] = await listBackups(store);
    expect(listing?.databaseSnapshot).toEqual(result.output?.databaseSnapshot);
  });

  it('fails the run before Backup, with nothing changed, when the snapshot ends failed', async () => {
    const result = await run({ pollsUntilDone: 2, finalStatus: 'failed' });

    expect(result.output?.status).toBe('failed');
    expect(result.exitCode).toBe(ExitCode.refused);
    expect(result.failure?.error).toBe('DatabaseSnapshotError');
    expect(result.output?.error?.name).toBe('DatabaseSnapshotError');
    expect(result.output?.error?.message).toMatch(
      /^the db-snapshot stepmigrate-[0-9a-f]{32} of DB instance orders-db ended with status failed instead of available\. Nothing was changed/,
    );
    expect(rds?.calls.filter((c) => c.action === 'DescribeDBSnapshots')).toHaveLength(3);
    expect(result.output?.databaseSnapshot).toBeUndefined();
    // No Backup, no Apply: only Validate ran (Report is still running when it builds the output).
    expect(result.output?.steps.map((s) => s.name)).toEqual(['Validate']);
    expect(await columns()).toEqual(['id', 'note']);
    expect(await listBackups(LocalBackupStore.forProject(project.projectDir))).toEqual([]);
  });

  it('fails the run before Backup when RDS refuses the snapshot, naming the API error', async () => {
    const result = await run({ instances: ['another-db'] });

    expect(result.exitCode).toBe(ExitCode.refused);
    expect(result.output?.error?.name).toBe('DatabaseSnapshotError');
    expect(result.output?.error?.message).toContain(
      'of DB instance orders-db: Rds.DbInstanceNotFoundException: DBInstance orders-db not found.',
    );
    expect(rds?.calls.map((c) => c.action)).toEqual(['CreateDBSnapshot']);
    expect(await columns()).toEqual(['id', 'note']);
  });
});
