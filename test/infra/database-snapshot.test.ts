// The database snapshot states (`databaseSnapshot`), read from synthesized templates: where the
// run enters and leaves them, how the wait loop is bounded, where each failure goes, and that
// only the state machine role may snapshot, and only the configured instance or cluster.
import '../../cli/local-runner/polyfill.ts';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AslDefinition, AslState } from '../../cli/local-runner/resolve-definition.ts';
import { allStates } from '../../cli/local-runner/resolve-definition.ts';
import { allStatements, roleId, type Statement } from './support/iam.ts';
import { synthWorkflowStack, type WorkflowStack } from './support/workflow-stack.ts';

const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText(separator?: string): string;
};

/** The definition as plain ASL: the partition is `aws`, every other intrinsic a placeholder. */
function definitionOf(synthesized: WorkflowStack): AslDefinition {
  const [machine] = Object.values(synthesized.template.findResources('AWS::StepFunctions::StateMachine'));
  const join = machine?.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
  const text = (part: unknown) =>
    typeof part === 'string' ? part : (part as { Ref?: string }).Ref === 'AWS::Partition' ? 'aws' : 'TOKEN';
  return JSON.parse(join[1].map(text).join(join[0]));
}

let instance: WorkflowStack;
let cluster: WorkflowStack;
let definition: AslDefinition;

beforeAll(() => {
  instance = synthWorkflowStack({
    databaseSnapshot: {
      dbInstanceIdentifier: 'orders-db',
      pollInterval: Duration.seconds(20),
      maxWait: Duration.minutes(10),
    },
  });
  definition = definitionOf(instance);
  cluster = synthWorkflowStack({ databaseSnapshot: { dbClusterIdentifier: 'orders-cluster' } });
});

const state = (name: string, from = definition): AslState => {
  const found = allStates(from).find(([stateName]) => stateName === name);
  if (!found) throw new Error(`no state ${name}`);
  return found[1];
};
const catches = (name: string) => (state(name).Catch ?? []) as { ErrorEquals: string[]; Next: string }[];

function rdsStatements(synthesized: WorkflowStack): Statement[] {
  return allStatements(synthesized.template).filter((s) => s.actions.some((a) => a.startsWith('rds:')));
}

const arn = (resource: string) =>
  `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":rds:eu-west-1:123456789012:${resource}"]]}`;

describe('a workflow with a database snapshot', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(definition);
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('takes the snapshot after Approval and before the Backup runner choice, on both paths', () => {
    expect(state('NeedsApproval').Default).toBe('NameDatabaseSnapshot');
    expect(state('Approval').Next).toBe('NameDatabaseSnapshot');
    expect(state('NameDatabaseSnapshot').Next).toBe('CreateDatabaseSnapshot');
    expect(state('CreateDatabaseSnapshot').Next).toBe('DatabaseSnapshotWait');
    expect(state('DatabaseSnapshotWait')).toMatchObject({ Seconds: 20, Next: 'DescribeDatabaseSnapshot' });
    expect(state('DescribeDatabaseSnapshot').Next).toBe('DatabaseSnapshotReady');
    expect(state('RecordDatabaseSnapshot')).toMatchObject({
      Next: 'TrimDatabaseSnapshotPoll',
      ResultPath: '$.run.databaseSnapshot',
    });
    // The last Describe answer (every tag of the snapshot) does not travel with the run.
    expect(state('TrimDatabaseSnapshotPoll')).toMatchObject({
      Parameters: {
        'identifier.$': '$.databaseSnapshotPoll.identifier',
        'polls.$': '$.databaseSnapshotPoll.polls',
      },
      ResultPath: '$.databaseSnapshotPoll',
      Next: 'BackupRunner',
    });
  });

  it('names the snapshot after the execution and tags it with the run', () => {
    expect(state('NameDatabaseSnapshot').Parameters).toEqual({
      'identifier.$': "States.Format('stepmigrate-{}', States.Hash($$.Execution.Id, 'MD5'))",
      polls: 0,
    });
    expect(state('CreateDatabaseSnapshot')).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:createDBSnapshot',
      Parameters: {
        DbInstanceIdentifier: 'orders-db',
        'DbSnapshotIdentifier.$': '$.databaseSnapshotPoll.identifier',
        Tags: [
          { Key: 'stepmigrate:execution', 'Value.$': '$$.Execution.Id' },
          { Key: 'stepmigrate:database', Value: 'orders' },
        ],
      },
    });
  });

  it('polls at most maxWait / pollInterval times, and fails on any status but creating and available', () => {
    const ready = state('DatabaseSnapshotReady');
    expect(ready.Choices).toEqual([
      {
        Variable: '$.databaseSnapshotPoll.last.snapshot.Status',
        StringEquals: 'available',
        Next: 'RecordDatabaseSnapshot',
      },
      {
        Not: { Variable: '$.databaseSnapshotPoll.last.snapshot.Status', StringEquals: 'creating' },
        Next: 'DatabaseSnapshotFailed',
      },
      // 10 minutes / 20 s = 30 polls; the count starts at 0.
      {
        Variable: '$.databaseSnapshotPoll.polls',
        NumericGreaterThanEquals: 29,
        Next: 'DatabaseSnapshotTimedOut',
      },
    ]);
    expect(ready.Default).toBe('CountDatabaseSnapshotPoll');
    expect(state('CountDatabaseSnapshotPoll').Next).toBe('DatabaseSnapshotWait');
  });

  it('waits for a snapshot an earlier attempt created, and sends every other failure to Report as DatabaseSnapshotError', () => {
    expect(catches('CreateDatabaseSnapshot')).toEqual([
      {
        ErrorEquals: ['Rds.DbSnapshotAlreadyExistsException'],
        ResultPath: null,
        Next: 'DatabaseSnapshotWait',
      },
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.databaseSnapshotFailure',
        Next: 'DatabaseSnapshotNotCreated',
      },
    ]);
    expect(catches('DescribeDatabaseSnapshot')).toEqual([
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.databaseSnapshotFailure',
        Next: 'DatabaseSnapshotNotCreated',
      },
    ]);
    for (const name of ['DatabaseSnapshotNotCreated', 'DatabaseSnapshotFailed', 'DatabaseSnapshotTimedOut']) {
      // Report, not Rollback: nothing has changed yet.
      expect(state(name)).toMatchObject({
        Type: 'Pass',
        ResultPath: '$.error',
        Parameters: { Error: 'DatabaseSnapshotError' },
        Next: 'Report',
      });
    }
    expect(state('DatabaseSnapshotTimedOut').Parameters?.['Cause.$']).toContain(
      'was not available after 30 polls 20 s apart',
    );
  });

  it.each([
    [
      'DatabaseSnapshotNotCreated',
      'could not take the db-snapshot stepmigrate-0a1b of DB instance orders-db: Rds.InvalidDbInstanceStateException: Instance is stopped. Nothing was changed: check that the DB instance exists and is available',
    ],
    [
      'DatabaseSnapshotFailed',
      'the db-snapshot stepmigrate-0a1b of DB instance orders-db ended with status incompatible-restore instead of available. Nothing was changed',
    ],
    [
      'DatabaseSnapshotTimedOut',
      'the db-snapshot stepmigrate-0a1b of DB instance orders-db was not available after 30 polls 20 s apart (status incompatible-restore). Nothing was changed and the snapshot is left to finish: raise databaseSnapshot.maxWait',
    ],
  ])('%s says which snapshot, what happened and that nothing changed', async (name, message) => {
    // The Pass state alone, as Step Functions evaluates it: its States.Format must parse.
    const { Next: _next, ...pass } = state(name);
    const machine = new StateMachine(
      { StartAt: name, States: { [name]: { ...pass, End: true } } } as unknown as StateMachineDefinition,
      { validationOptions: { noValidate: true } },
    );
    const output = (await machine.run({
      databaseSnapshotPoll: {
        identifier: 'stepmigrate-0a1b',
        polls: 29,
        last: { snapshot: { Status: 'incompatible-restore' } },
      },
      databaseSnapshotFailure: { Error: 'Rds.InvalidDbInstanceStateException', Cause: 'Instance is stopped' },
    } as never).result) as { error: { Error: string; Cause: string } };
    expect(output.error.Error).toBe('DatabaseSnapshotError');
    expect(output.error.Cause).toContain(message);
  });

  it('lets only the state machine snapshot the instance, and only as stepmigrate-* snapshots', () => {
    const machineRole = roleId(instance.stack, instance.workflow.stateMachine.role);
    const statements = rdsStatements(instance);
    expect(statements.every((s) => s.role === machineRole)).toBe(true);
    const byAction = Object.fromEntries(statements.flatMap((s) => s.actions.map((a) => [a, s.resources])));
    expect(byAction).toEqual({
      'rds:CreateDBSnapshot': [arn('db:orders-db'), arn('snapshot:stepmigrate-*')],
      'rds:AddTagsToResource': [arn('snapshot:stepmigrate-*')],
      'rds:DescribeDBSnapshots': [arn('db:orders-db'), arn('snapshot:stepmigrate-*')],
    });
  });

  it('passes cdk-nag with the snapshot grants acknowledged', () => {
    const findings = new AwsSolutionsChecks(instance.app)
      .validateScope(instance.app)
      .violations.filter((v) => v.violatingResources.some((r) => r.constructPath?.includes('/Workflow/')))
      .map((v) => v.ruleName);
    expect(findings).toEqual([]);
  });
});

describe('a workflow with an Aurora cluster snapshot', () => {
  it('calls the cluster snapshot API, polling every 30 s for at most 2 hours', () => {
    const clusterDefinition = definitionOf(cluster);
    expect(state('CreateDatabaseSnapshot', clusterDefinition)).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:createDBClusterSnapshot',
      Parameters: {
        DbClusterIdentifier: 'orders-cluster',
        'DbClusterSnapshotIdentifier.$': '$.databaseSnapshotPoll.identifier',
      },
    });
    expect(state('DescribeDatabaseSnapshot', clusterDefinition)).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:rds:describeDBClusterSnapshots',
      ResultSelector: { 'snapshot.$': '$.DbClusterSnapshots[0]' },
    });
    expect(state('DatabaseSnapshotWait', clusterDefinition).Seconds).toBe(30);
    expect(state('DatabaseSnapshotReady', clusterDefinition).Choices).toContainEqual({
      Variable: '$.databaseSnapshotPoll.polls',
      NumericGreaterThanEquals: 239,
      Next: 'DatabaseSnapshotTimedOut',
    });
  });

  it('grants the cluster snapshot actions on the cluster and stepmigrate-* cluster snapshots only', () => {
    const byAction = Object.fromEntries(
      rdsStatements(cluster).flatMap((s) => s.actions.map((a) => [a, s.resources])),
    );
    expect(byAction).toEqual({
      'rds:CreateDBClusterSnapshot': [arn('cluster:orders-cluster'), arn('cluster-snapshot:stepmigrate-*')],
      'rds:AddTagsToResource': [arn('cluster-snapshot:stepmigrate-*')],
      'rds:DescribeDBClusterSnapshots': [
        arn('cluster:orders-cluster'),
        arn('cluster-snapshot:stepmigrate-*'),
      ],
    });
  });
});

describe('the databaseSnapshot prop', () => {
  it.each([
    [
      'no identifier',
      {},
      'databaseSnapshot needs exactly one of dbInstanceIdentifier (RDS) or dbClusterIdentifier (Aurora)',
    ],
    [
      'both identifiers',
      { dbInstanceIdentifier: 'a', dbClusterIdentifier: 'b' },
      'databaseSnapshot needs exactly one of dbInstanceIdentifier (RDS) or dbClusterIdentifier (Aurora)',
    ],
    [
      'an identifier RDS refuses',
      { dbInstanceIdentifier: 'orders--db' },
      'databaseSnapshot.dbInstanceIdentifier "orders--db" is not an RDS identifier',
    ],
    [
      'a wait shorter than one poll',
      { dbClusterIdentifier: 'c', pollInterval: Duration.minutes(5), maxWait: Duration.minutes(1) },
      'databaseSnapshot.maxWait (1 minute) must be at least pollInterval (5 minutes)',
    ],
  ])('refuses %s at synth time', (_case, databaseSnapshot, message) => {
    expect(() => synthWorkflowStack({ databaseSnapshot })).toThrow(message);
  });
});
