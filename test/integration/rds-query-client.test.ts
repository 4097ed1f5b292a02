// (Integration: it talks to the RDS stand-in over loopback HTTP.)
// The local runner's RDS Query client translates between the Step Functions SDK integration's
// names and the Query API's, both ways, as Step Functions does for the deployed workflow.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callRds, parseXml, queryParameters, RdsApiError } from '../../cli/local-runner/rds-query-client.ts';
import { summaryLines } from '../../cli/local-runner/summary.ts';
import type { RunOutput } from '../../lambdas/engine/run-state.ts';
import { type RdsStandIn, startRdsStandIn } from '../support/rds-stand-in.ts';

let rds: RdsStandIn;
beforeAll(async () => {
  rds = await startRdsStandIn({ clusters: ['orders-cluster'], pollsUntilDone: 0 });
});
afterAll(async () => {
  await rds.close();
});

describe('the local RDS Query client', () => {
  it('sends the SDK integration parameters under the Query API names, lists as Name.Member.n', () => {
    const form = queryParameters('createDBClusterSnapshot', {
      DbClusterIdentifier: 'orders-cluster',
      DbClusterSnapshotIdentifier: 'stepmigrate-abc',
      Tags: [{ Key: 'stepmigrate:database', Value: 'orders & more' }],
    });
    expect(Object.fromEntries(form)).toEqual({
      Action: 'CreateDBClusterSnapshot',
      Version: '2014-10-31',
      DBClusterIdentifier: 'orders-cluster',
      DBClusterSnapshotIdentifier: 'stepmigrate-abc',
      'Tags.Tag.1.Key': 'stepmigrate:database',
      'Tags.Tag.1.Value': 'orders & more',
    });
  });

  it('reads XML elements, text and entities', () => {
    const document = parseXml('<?xml version="1.0"?><A x="1"><B>one &amp; two</B><C/></A>');
    expect(document.children[0]).toMatchObject({
      name: 'A',
      children: [
        { name: 'B', text: 'one & two' },
        { name: 'C', text: '' },
      ],
    });
  });

  it('answers in the SDK integration shape: Db names, lists as arrays', async () => {
    const created = (await callRds(rds.endpoint, 'createDBClusterSnapshot', {
      DbClusterIdentifier: 'orders-cluster',
      DbClusterSnapshotIdentifier: 'stepmigrate-abc',
      Tags: [{ Key: 'k', Value: 'v' }],
    })) as { DbClusterSnapshot: Record<string, unknown> };
    expect(created.DbClusterSnapshot).toMatchObject({
      DbClusterSnapshotIdentifier: 'stepmigrate-abc',
      DbClusterIdentifier: 'orders-cluster',
      Status: 'creating',
      DbClusterSnapshotArn: 'arn:aws:rds:us-east-1:000000000000:cluster-snapshot:stepmigrate-abc',
      TagList: [{ Key: 'k', Value: 'v' }],
    });
    const described = (await callRds(rds.endpoint, 'describeDBClusterSnapshots', {
      DbClusterSnapshotIdentifier: 'stepmigrate-abc',
    })) as { DbClusterSnapshots: Array<Record<string, unknown>> };
    expect(described.DbClusterSnapshots).toHaveLength(1);
    expect(described.DbClusterSnapshots[0]?.Status).toBe('available');
  });

  it('raises API errors under the names the definition catches', async () => {
    const again = callRds(rds.endpoint, 'createDBClusterSnapshot', {
      DbClusterIdentifier: 'orders-cluster',
      DbClusterSnapshotIdentifier: 'stepmigrate-abc',
    });
    await expect(again).rejects.toThrow(RdsApiError);
    await expect(again).rejects.toMatchObject({
      name: 'Rds.DbClusterSnapshotAlreadyExistsException',
      message: 'Snapshot stepmigrate-abc already exists.',
    });
    await expect(
      callRds(rds.endpoint, 'describeDBClusterSnapshots', { DbClusterSnapshotIdentifier: 'nope' }),
    ).rejects.toMatchObject({ name: 'Rds.DbClusterSnapshotNotFoundException' });
    // Codes ending in Fault are named after the SDK's exception class too.
    await expect(
      callRds(rds.endpoint, 'createDBClusterSnapshot', {
        DbClusterIdentifier: 'other-cluster',
        DbClusterSnapshotIdentifier: 'stepmigrate-def',
      }),
    ).rejects.toMatchObject({ name: 'Rds.DbClusterNotFoundException' });
  });
});

describe('the run summary', () => {
  it('names the database snapshot a run took', () => {
    const output = {
      status: 'succeeded',
      executionId: 'local-1',
      database: 'orders',
      fromVersion: '0001',
      toVersion: '0002',
      applied: ['0002'],
      rolledBack: [],
      plan: { pending: ['0002'], findings: [], findingsTotal: 0 },
      steps: [],
      databaseSnapshot: {
        kind: 'db-snapshot',
        identifier: 'stepmigrate-abc',
        arn: 'arn:aws:rds:us-east-1:000000000000:snapshot:stepmigrate-abc',
        source: 'orders-db',
        createdAt: '2026-12-02T02:00:00.000Z',
      },
    } satisfies RunOutput;
    expect(summaryLines(output, 1000, { colour: false })).toContain(
      '  database snapshot: db-snapshot stepmigrate-abc of instance orders-db, taken 2026-12-02T02:00:00.000Z',
    );
  });
});
