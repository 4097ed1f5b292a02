// The whole-database safety net (configured with `databaseSnapshot`): before the table backup,
// the state machine itself takes an RDS DB snapshot or an Aurora cluster snapshot through the
// Step Functions AWS SDK integration, waits until it is `available`, and records it in
// `$.run.databaseSnapshot`, from where Backup writes it into the manifest and its audit record
// and Report into the run output. No Lambda is involved: only the state machine role gets the
// RDS permissions, on this one instance or cluster and on snapshots named `stepmigrate-*`.
//
// It runs BEFORE the table backup, not beside it in a Parallel state: the snapshot is then the
// state of the database before the run touched anything, the manifest can name it, and a
// snapshot that cannot be taken stops the run before any work (Backup's locks, its objects).
// The cost is wall time: an incremental snapshot usually takes minutes (docs/operations.md).
//
// NameDatabaseSnapshot → CreateDatabaseSnapshot → DatabaseSnapshotWait → DescribeDatabaseSnapshot
//   → DatabaseSnapshotReady: available → RecordDatabaseSnapshot → TrimDatabaseSnapshotPoll → (Backup)
//                            creating, polls left → CountDatabaseSnapshotPoll → DatabaseSnapshotWait
//                            any other status → DatabaseSnapshotFailed → Report
//                            creating, no polls left → DatabaseSnapshotTimedOut → Report
//   (CreateDatabaseSnapshot or DescribeDatabaseSnapshot failing → DatabaseSnapshotNotCreated → Report)
// Each failure sets $.error to DatabaseSnapshotError before Report: the run ends `failed` with
// nothing changed, exit code 2, and the execution-failed alarm and message as any refusal.
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { DatabaseSnapshotKind } from '../lambdas/engine/database-snapshot.ts';
import { capitalize } from './capitalize.ts';
import {
  SNAPSHOT_IDENTIFIER_PREFIX,
  SNAPSHOT_IN_PROGRESS_STATUS,
  SNAPSHOT_POLL_PATH,
  SnapshotTag,
} from './database-snapshot-contract.ts';
import { nagResourceText } from './nag-resource-text.ts';
import { StateName } from './workflow-states.ts';

export interface DatabaseSnapshotOptions {
  /**
   * The RDS DB instance to snapshot (CreateDBSnapshot). Give this or `dbClusterIdentifier`.
   * @default - none
   */
  readonly dbInstanceIdentifier?: string;
  /**
   * The Aurora DB cluster to snapshot (CreateDBClusterSnapshot). Give this or `dbInstanceIdentifier`.
   * @default - none
   */
  readonly dbClusterIdentifier?: string;
  /**
   * How long the state machine waits between two DescribeDB(Cluster)Snapshots calls.
   * @default Duration.seconds(30)
   */
  readonly pollInterval?: Duration;
  /**
   * How long the snapshot may take to become available; the run then fails before Backup
   * with DatabaseSnapshotError (the snapshot itself is left to finish).
   * @default Duration.hours(2)
   */
  readonly maxWait?: Duration;
}

/** The snapshot settings with every default filled in and checked (validateDatabaseSnapshot). */
export interface DatabaseSnapshotSettings {
  readonly kind: DatabaseSnapshotKind;
  /** The instance or cluster identifier. */
  readonly source: string;
  readonly pollInterval: Duration;
  readonly maxPolls: number;
  /** Display name of the database, for the snapshot's tag. */
  readonly databaseName: string;
}

/** The RDS API of each kind of snapshot, in the SDK integration's names. */
const API: Readonly<
  Record<
    DatabaseSnapshotKind,
    {
      create: string;
      describe: string;
      sourceParameter: string;
      identifierParameter: string;
      listField: string;
      identifierField: string;
      arnField: string;
      sourceResource: string;
      snapshotResource: string;
      alreadyExists: string;
      notFound: string;
      sourceBusy: string;
      sourceWord: string;
    }
  >
> = {
  'db-snapshot': {
    create: 'createDBSnapshot',
    describe: 'describeDBSnapshots',
    sourceParameter: 'DbInstanceIdentifier',
    identifierParameter: 'DbSnapshotIdentifier',
    listField: 'DbSnapshots',
    identifierField: 'DbSnapshotIdentifier',
    arnField: 'DbSnapshotArn',
    sourceResource: 'db',
    snapshotResource: 'snapshot',
    alreadyExists: 'Rds.DbSnapshotAlreadyExistsException',
    notFound: 'Rds.DbSnapshotNotFoundException',
    sourceBusy: 'Rds.InvalidDbInstanceStateException',
    sourceWord: 'DB instance',
  },
  'db-cluster-snapshot': {
    create: 'createDBClusterSnapshot',
    describe: 'describeDBClusterSnapshots',
    sourceParameter: 'DbClusterIdentifier',
    identifierParameter: 'DbClusterSnapshotIdentifier',
    listField: 'DbClusterSnapshots',
    identifierField: 'DbClusterSnapshotIdentifier',
    arnField: 'DbClusterSnapshotArn',
    sourceResource: 'cluster',
    snapshotResource: 'cluster-snapshot',
    alreadyExists: 'Rds.DbClusterSnapshotAlreadyExistsException',
    notFound: 'Rds.DbClusterSnapshotNotFoundException',
    sourceBusy: 'Rds.InvalidDbClusterStateException',
    sourceWord: 'Aurora cluster',
  },
};

export const DEFAULT_SNAPSHOT_POLL_INTERVAL = Duration.seconds(30);
export const DEFAULT_SNAPSHOT_MAX_WAIT = Duration.hours(2);

// RDS identifiers: a letter first, then letters, digits and single hyphens, no hyphen at the end.
const RDS_IDENTIFIER = /^[A-Za-z](?:-?[A-Za-z0-9])*$/;

/** Checks the prop; returns the problems (reported with every other prop problem) or the settings. */
export function validateDatabaseSnapshot(
  options: DatabaseSnapshotOptions,
  databaseName: string,
): { settings?: DatabaseSnapshotSettings; problems: string[] } {
  const problems: string[] = [];
  const { dbInstanceIdentifier: instance, dbClusterIdentifier: cluster } = options;
  if ((instance === undefined) === (cluster === undefined)) {
    problems.push(
      'databaseSnapshot needs exactly one of dbInstanceIdentifier (RDS) or dbClusterIdentifier (Aurora)',
    );
    return { problems };
  }
  const source = (instance ?? cluster) as string;
  const name = instance !== undefined ? 'dbInstanceIdentifier' : 'dbClusterIdentifier';
  if (!Token.isUnresolved(source) && (source.length > 63 || !RDS_IDENTIFIER.test(source))) {
    problems.push(
      `databaseSnapshot.${name} "${source}" is not an RDS identifier (1-63 letters, digits or single hyphens, starting with a letter)`,
    );
  }
  const pollInterval = options.pollInterval ?? DEFAULT_SNAPSHOT_POLL_INTERVAL;
  const maxWait = options.maxWait ?? DEFAULT_SNAPSHOT_MAX_WAIT;
  if (pollInterval.toSeconds() < 1)
    problems.push(
      `databaseSnapshot.pollInterval must be at least 1 second, got ${pollInterval.toHumanString()}`,
    );
  if (maxWait.toSeconds() < pollInterval.toSeconds()) {
    problems.push(
      `databaseSnapshot.maxWait (${maxWait.toHumanString()}) must be at least pollInterval (${pollInterval.toHumanString()})`,
    );
  }
  if (problems.length > 0) return { problems };
  return {
    problems,
    settings: {
      kind: instance !== undefined ? 'db-snapshot' : 'db-cluster-snapshot',
      source,
      pollInterval,
      maxPolls: Math.max(1, Math.ceil(maxWait.toSeconds() / pollInterval.toSeconds())),
      databaseName,
    },
  };
}

function rdsArn(scope: Construct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({
    service: 'rds',
    resource,
    resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The ARNs the state machine role may act on: the instance or cluster, and the run snapshots. */
export function snapshotResources(
  scope: Construct,
  settings: DatabaseSnapshotSettings,
): { source: string; snapshots: string } {
  const api = API[settings.kind];
  return {
    source: rdsArn(scope, api.sourceResource, settings.source),
    snapshots: rdsArn(scope, api.snapshotResource, `${SNAPSHOT_IDENTIFIER_PREFIX}*`),
  };
}

const poll = (field: string) => `${SNAPSHOT_POLL_PATH}.${field}`;

/** A Pass that sets $.error to a DatabaseSnapshotError with this States.Format cause. */
function snapshotError(scope: Construct, name: string, cause: string, report: sfn.IChainable): sfn.Chain {
  return new sfn.Pass(scope, name, {
    stateName: name,
    parameters: { Error: 'DatabaseSnapshotError', 'Cause.$': cause },
    resultPath: '$.error',
  }).next(report);
}

export interface DatabaseSnapshotChain {
  /** Where the workflow enters the snapshot states (in place of Backup's entry). */
  readonly start: sfn.IChainable;
}

/**
 * The snapshot states. `backup` is where the run goes once the snapshot is available; `report`
 * is where a failure goes (with $.error set), as for every failure before Backup.
 */
export function databaseSnapshotStates(
  scope: Construct,
  settings: DatabaseSnapshotSettings,
  next: { backup: sfn.IChainable; report: sfn.IChainable },
): DatabaseSnapshotChain {
  const api = API[settings.kind];
  const resources = snapshotResources(scope, settings);
  const what = `${settings.kind} {} of ${api.sourceWord} ${settings.source}`;

  // Deterministic: the same execution always asks for the same snapshot, so a CreateDB*Snapshot
  // retried after an unclear failure meets its own snapshot (AlreadyExists) and waits for it.
  // MD5 only for a short name (44 characters, within Aurora's 63), not for secrecy.
  const name = new sfn.Pass(scope, StateName.nameDatabaseSnapshot, {
    stateName: StateName.nameDatabaseSnapshot,
    parameters: {
      'identifier.$': `States.Format('${SNAPSHOT_IDENTIFIER_PREFIX}{}', States.Hash($$.Execution.Id, 'MD5'))`,
      polls: 0,
    },
    resultPath: SNAPSHOT_POLL_PATH,
  });
  const create = new tasks.CallAwsService(scope, StateName.createDatabaseSnapshot, {
    stateName: StateName.createDatabaseSnapshot,
    service: 'rds',
    action: api.create,
    iamAction: `rds:${capitalize(api.create)}`,
    iamResources: [resources.source, resources.snapshots],
    additionalIamStatements: [
      // CreateDB*Snapshot with Tags needs AddTagsToResource on the new snapshot.
      new iam.PolicyStatement({ actions: ['rds:AddTagsToResource'], resources: [resources.snapshots] }),
    ],
    parameters: {
      [api.sourceParameter]: settings.source,
      [api.identifierParameter]: sfn.JsonPath.stringAt(poll('identifier')),
      Tags: [
        { Key: SnapshotTag.execution, Value: sfn.JsonPath.stringAt('$$.Execution.Id') },
        { Key: SnapshotTag.database, Value: settings.databaseName },
      ],
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  const wait = new sfn.Wait(scope, StateName.databaseSnapshotWait, {
    stateName: StateName.databaseSnapshotWait,
    time: sfn.WaitTime.duration(settings.pollInterval),
  });
  const describe = new tasks.CallAwsService(scope, StateName.describeDatabaseSnapshot, {
    stateName: StateName.describeDatabaseSnapshot,
    service: 'rds',
    action: api.describe,
    iamAction: `rds:${capitalize(api.describe)}`,
    iamResources: [resources.source, resources.snapshots],
    parameters: { [api.identifierParameter]: sfn.JsonPath.stringAt(poll('identifier')) },
    // Filtered by identifier: the answer holds exactly this snapshot (or the call fails NotFound).
    resultSelector: { 'snapshot.$': `$.${api.listField}[0]` },
    resultPath: poll('last'),
  });
  const count = new sfn.Pass(scope, StateName.countDatabaseSnapshotPoll, {
    stateName: StateName.countDatabaseSnapshotPoll,
    parameters: {
      'identifier.$': poll('identifier'),
      'polls.$': `States.MathAdd(${poll('polls')}, 1)`,
    },
    resultPath: SNAPSHOT_POLL_PATH,
  });
  // The last DescribeDB*Snapshots entry can be large (every tag of the snapshot): the rest of
  // the run carries only the identifier and the count, the record is in $.run.
  const trim = new sfn.Pass(scope, StateName.trimDatabaseSnapshotPoll, {
    stateName: StateName.trimDatabaseSnapshotPoll,
    parameters: { 'identifier.$': poll('identifier'), 'polls.$': poll('polls') },
    resultPath: SNAPSHOT_POLL_PATH,
  });
  const record = new sfn.Pass(scope, StateName.recordDatabaseSnapshot, {
    stateName: StateName.recordDatabaseSnapshot,
    parameters: {
      kind: settings.kind,
      'identifier.$': poll(`last.snapshot.${api.identifierField}`),
      'arn.$': poll(`last.snapshot.${api.arnField}`),
      source: settings.source,
      'createdAt.$': poll('last.snapshot.SnapshotCreateTime'),
    },
    resultPath: '$.run.databaseSnapshot',
  });

  const notCreated = snapshotError(
    scope,
    StateName.databaseSnapshotNotCreated,
    `States.Format('could not take the ${what}: {}: {}. Nothing was changed: check that the ${api.sourceWord} exists and is available and that the state machine role may snapshot it, then start the run again', ${poll('identifier')}, $.databaseSnapshotFailure.Error, $.databaseSnapshotFailure.Cause)`,
    next.report,
  );
  const failed = snapshotError(
    scope,
    StateName.databaseSnapshotFailed,
    `States.Format('the ${what} ended with status {} instead of available. Nothing was changed: see the events of the snapshot in the RDS console, then start the run again', ${poll('identifier')}, ${poll('last.snapshot.Status')})`,
    next.report,
  );
  const timedOut = snapshotError(
    scope,
    StateName.databaseSnapshotTimedOut,
    `States.Format('the ${what} was not available after ${settings.maxPolls} polls ${settings.pollInterval.toSeconds()} s apart (status {}). Nothing was changed and the snapshot is left to finish: raise databaseSnapshot.maxWait, or start the run again once snapshots of the ${api.sourceWord} complete sooner', ${poll('identifier')}, ${poll('last.snapshot.Status')})`,
    next.report,
  );

  create.addRetry({
    // The instance or cluster is busy (an automated backup, a modification): it passes.
    errors: [api.sourceBusy],
    maxAttempts: 5,
    interval: Duration.seconds(60),
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  // Only this execution names this snapshot: it exists because an earlier attempt of this
  // execution created it (a redriven execution, or a create whose answer was lost and retried).
  create.addCatch(wait, { errors: [api.alreadyExists], resultPath: sfn.JsonPath.DISCARD });
  create.addCatch(notCreated, { errors: [sfn.Errors.ALL], resultPath: '$.databaseSnapshotFailure' });
  describe.addRetry({
    // A snapshot just created may not be listed yet.
    errors: [api.notFound],
    maxAttempts: 3,
    interval: Duration.seconds(5),
    backoffRate: 2,
  });
  describe.addCatch(notCreated, { errors: [sfn.Errors.ALL], resultPath: '$.databaseSnapshotFailure' });

  const status = poll('last.snapshot.Status');
  const ready = new sfn.Choice(scope, StateName.databaseSnapshotReady, {
    stateName: StateName.databaseSnapshotReady,
  })
    .when(sfn.Condition.stringEquals(status, 'available'), record.next(trim).next(next.backup))
    .when(sfn.Condition.not(sfn.Condition.stringEquals(status, SNAPSHOT_IN_PROGRESS_STATUS)), failed)
    .when(sfn.Condition.numberGreaterThanEquals(poll('polls'), settings.maxPolls - 1), timedOut)
    .otherwise(count.next(wait));
  name.next(create).next(wait).next(describe).next(ready);
  return { start: name };
}

/** cdk-nag: the snapshot grants name `stepmigrate-*` snapshots, which only exist once a run made them. */
export function acknowledgeDatabaseSnapshotGrants(role: iam.IRole, settings: DatabaseSnapshotSettings): void {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!policy) return;
  const { snapshots } = snapshotResources(role, settings);
  Validations.of(policy).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResourceText(role, snapshots)}]`,
    reason:
      `Each run creates a snapshot with a new identifier (${SNAPSHOT_IDENTIFIER_PREFIX}<hash of the execution>); ` +
      `the grant covers only snapshots with that prefix, and only Create/AddTags/Describe on them.`,
  });
}
