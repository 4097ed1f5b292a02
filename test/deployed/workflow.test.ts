// The deployed composition, run for real: the default CDK app synthesized with bundling,
// its state machine definition executed with every Task bound to the bundled asset from
// cdk.out, each invocation a fresh `node` process in a directory with no node_modules above
// it, with exactly the environment the template gives that function and its timeout
// enforced. AWS is s3rver and dynalite over real HTTP plus recording stand-ins for Secrets
// Manager, CloudWatch, SNS and Step Functions' execution history; every recorded call is
// checked against the calling function's IAM policy in the template. The failure notifier,
// the target of the EventBridge rule, is invoked the same way once an execution has failed. PostgreSQL accepts TLS only, and the migration role is shaped
// like RDS's master user (no SUPERUSER; CREATEDB, CREATEROLE).
import { join } from 'node:path';
import { type CreateTableCommandInput, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../../infra/bundling.ts';
import { LEASE_PARTITION_KEY } from '../../lambdas/adapters/dynamodb-schema.ts';
import { type Emulator, startDynamoDb, startS3 } from '../support/aws-emulators.ts';
import { printSkipNote } from '../support/debian-postgres.ts';
import { type AwsWorld, closeServer, startBlackHole, startGateway } from './support/aws-gateway.ts';
import { coldStartReport, coldStartRows, nodeFloorMs } from './support/cold-start-report.ts';
import { type DeployedApp, synthDeployedApp } from './support/deployed-app.ts';
import {
  type DeployedRun,
  executionHistory,
  runDeployedWorkflow,
  TaskTokens,
} from './support/deployed-workflow.ts';
import { isAllowed } from './support/iam-policy.ts';
import { DeployedLambda, type LambdaFunctionError } from './support/lambda-process.ts';
import { opensslMissing, startTlsPostgres, type TlsPostgres } from './support/tls-postgres.ts';

const FIXTURE_MIGRATIONS = join(PROJECT_ROOT, 'test', 'deployed', 'fixtures', 'migrations');
const BAKE_ALARM = 'DeployedSuiteErrors';
const skipReason = opensslMissing();
const suite = skipReason ? describe.skip : describe;
if (skipReason) printSkipNote('deployed-artifact workflow', skipReason);

let app: DeployedApp;
let postgres: TlsPostgres;
let s3: Emulator<unknown>;
let dynamodb: Emulator<DynamoDBClient>;
const servers: Array<{ close(): Promise<void> }> = [];
const lambdas = new Map<string, DeployedLambda>();
const tokens = new TaskTokens();
let world: AwsWorld;
let secretArn: string;
let blackHoleRun: Promise<{ failure: LambdaFunctionError; elapsedMs: number }>;
const timings: Record<string, number> = {};

/** The function of a step, by the name its logical id carries (WorkflowValidateStepFunction…). */
function lambdaOf(step: string): DeployedLambda {
  const found = [...lambdas.values()].find((l) => l.fn.logicalId.startsWith(`Workflow${step}Step`));
  if (!found) throw new Error(`no deployed function for ${step}`);
  return found;
}

/** Points the database secret at `database` (RDS format, as DatabaseInstance.secret holds it). */
function useDatabase(database: string): void {
  world.secrets.set(
    secretArn,
    JSON.stringify({
      engine: 'postgres',
      host: '127.0.0.1',
      port: postgres.port,
      dbname: database,
      username: postgres.role.username,
      password: postgres.role.password,
    }),
  );
}

function tablesFromTemplate(): CreateTableCommandInput[] {
  return app.resolver.resourcesOfType('AWS::DynamoDB::Table').map(([logicalId, properties]) => ({
    TableName: logicalId,
    KeySchema: properties.KeySchema as CreateTableCommandInput['KeySchema'],
    AttributeDefinitions: properties.AttributeDefinitions as CreateTableCommandInput['AttributeDefinitions'],
    GlobalSecondaryIndexes:
      properties.GlobalSecondaryIndexes as CreateTableCommandInput['GlobalSecondaryIndexes'],
    BillingMode: 'PAY_PER_REQUEST',
  }));
}

async function run(database: string, input: Record<string, unknown>) {
  useDatabase(database);
  const started = Date.now();
  const result = await runDeployedWorkflow(app, lambdas, tokens, input);
  timings[`${database} ${JSON.stringify(input)}`] = Date.now() - started;
  return result;
}

const history = (database: string) =>
  postgres.query<{ version: string; state: string }>(
    database,
    'SELECT version, state FROM stepmigrate.schema_history ORDER BY version',
  );
const appTables = (database: string) =>
  postgres.query<{ table_name: string }>(
    database,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1",
  );
const publishedMessages = () => world.calls.filter((call) => call.action === 'sns:Publish');

beforeAll(async () => {
  if (skipReason) return;
  const started = Date.now();
  [app, postgres] = await Promise.all([
    synthDeployedApp({ migrationsDirectory: FIXTURE_MIGRATIONS, bakeAlarmNames: BAKE_ALARM }),
    startTlsPostgres(),
  ]);
  timings.synthMs = app.synthMs;
  s3 = await startS3(app.resolver.resourcesOfType('AWS::S3::Bucket').map(([id]) => app.resolver.ref(id)));
  dynamodb = await startDynamoDb(tablesFromTemplate());
  world = {
    secrets: new Map(),
    alarms: new Map([[BAKE_ALARM, 'OK']]),
    calls: [],
    executions: new Map(),
    topicKeys: new Map(
      app.resolver
        .resourcesOfType('AWS::SNS::Topic')
        .filter(([, properties]) => properties.KmsMasterKeyId !== undefined)
        .map(([id, properties]) => [app.resolver.ref(id), app.resolver.resolve(properties.KmsMasterKeyId)]),
    ),
    dynamodbEndpoint: dynamodb.endpoint,
    s3Endpoint: s3.endpoint,
  };
  for (const fn of app.functions.values()) {
    const gateway = await startGateway(world, fn.logicalId);
    servers.push({ close: () => closeServer(gateway.server) });
    const lambda = await DeployedLambda.install(fn, {
      AWS_ENDPOINT_URL: gateway.url,
      // s3rver accepts only its own key pair; the runtime hands every function role credentials.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_SESSION_TOKEN: 'local-session',
    });
    lambdas.set(fn.logicalId, lambda);
  }
  // Every function reads the CA bundle the construct names (the Lambda runtime's, RDS CAs inside).
  for (const lambda of lambdas.values()) lambda.paths = { '/var/runtime/ca-cert.pem': postgres.caFile };
  secretArn = lambdaOf('Validate').fn.environment.STEPMIGRATE_DB_SECRET_ARN ?? '';
  timings.setUpMs = Date.now() - started;
  // Waits out the SDK's timeouts and retries: started now, so the other scenarios run meanwhile.
  blackHoleRun = invokeAgainstBlackHole();
}, 150_000);

afterAll(async () => {
  if (lambdas.size > 0) {
    process.stdout.write(
      `\n${coldStartReport(coldStartRows(lambdas.values()), nodeFloorMs())}[deployed] timings ms: ${JSON.stringify(timings)}\n`,
    );
  }
  for (const server of servers) await server.close();
  for (const lambda of lambdas.values()) await lambda.remove();
  await s3?.stop();
  await dynamodb?.stop();
  await postgres?.stop();
  await app?.remove();
});

suite('the deployed workflow', () => {
  it('runs against a PostgreSQL that refuses plain connections, as a role without SUPERUSER', async () => {
    expect(await postgres.refusesPlainConnections()).toBe(true);
    await postgres.createDatabase('first');
    const [role] = await postgres.query<{ rolsuper: boolean; rolcreatedb: boolean }>(
      'first',
      'SELECT rolsuper, rolcreatedb FROM pg_roles WHERE rolname = current_user',
    );
    expect(role).toEqual({ rolsuper: false, rolcreatedb: true });
  });

  it('applies on a fresh database: the first run creates the history', async () => {
    const result = await run('first', { target: '0002' });
    expect(result.failure).toBeUndefined();
    expect(result.output).toMatchObject({ status: 'succeeded', applied: ['0001', '0002'] });
    expect(await history('first')).toEqual([
      { version: '0001', state: 'applied' },
      { version: '0002', state: 'applied' },
    ]);
  });

  it('does nothing the second time (noop) and changes nothing on a dry run', async () => {
    const noop = await run('first', { target: '0002' });
    expect(noop.output).toMatchObject({ status: 'noop', applied: [] });
    const dry = await run('first', { dryRun: true });
    expect(dry.output).toMatchObject({ status: 'dry_run', plan: { pending: ['0003', '0004'] } });
    expect((await history('first')).map((row) => row.version)).toEqual(['0001', '0002']);
  });

  it('takes over a database dbmate migrated: its history is imported and only what is new runs', async () => {
    await postgres.createDatabase('adopted');
    // What `dbmate up` leaves after 0001 and 0002: their objects and its own bookkeeping.
    await postgres.query(
      'adopted',
      `CREATE SCHEMA app;
       CREATE TABLE app.accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL, note text);
       INSERT INTO app.accounts (email) VALUES ('Ada@Example.com');
       CREATE TABLE public.schema_migrations (version varchar(128) PRIMARY KEY);
       INSERT INTO public.schema_migrations (version) VALUES ('0001'), ('0002');`,
    );
    const result = await run('adopted', { target: '0003' });
    expect(result.failure).toBeUndefined();
    expect(result.output).toMatchObject({ status: 'succeeded', fromVersion: '0002', applied: ['0003'] });
    const rows = await postgres.query<{ version: string; execution_id: string }>(
      'adopted',
      'SELECT version, execution_id FROM stepmigrate.schema_history ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual(['0001', '0002', '0003']);
    expect(rows[0]?.execution_id).toBe('imported-from-dbmate');
    expect(await postgres.query('adopted', 'SELECT email FROM app.accounts')).toEqual([
      { email: 'ada@example.com' },
    ]);
  });

  it('takes over at once the lease of an execution that ended without releasing it', async () => {
    // A run that died before Report (a crashed Lambda, an aborted execution) leaves its lease.
    await postgres.createDatabase('takeover');
    const ended = await run('takeover', { dryRun: true });
    world.executions.set(ended.executionArn, [{ type: 'ExecutionFailed', id: 1 }]);
    const [[leaseTable] = []] = app.resolver
      .resourcesOfType('AWS::DynamoDB::Table')
      // The lease table is keyed by the database alone (the audit table adds a sort key).
      .filter(([, properties]) => (properties.KeySchema as unknown[]).length === 1);
    await dynamodb.client.send(
      new PutItemCommand({
        TableName: leaseTable,
        Item: {
          [LEASE_PARTITION_KEY]: { S: 'app' },
          owner: { S: ended.executionArn },
          expiresAt: { N: String(Date.now() + 60 * 60 * 1000) },
          acquiredAt: { S: new Date().toISOString() },
        },
      }),
    );
    const result = await run('takeover', { target: '0001' });
    expect(result.failure).toBeUndefined();
    expect(result.output).toMatchObject({ status: 'succeeded', applied: ['0001'] });
    expect(world.calls).toContainEqual(
      expect.objectContaining({ action: 'states:DescribeExecution', resource: ended.executionArn }),
    );
  });

  it('refuses bad input with a named error and fails the execution', async () => {
    const result = await run('first', { target: 'latest', bogus: true });
    expect(result.status).toBe('FAILED');
    expect(result.failure?.error).toBe('InputError');
    expect(result.output?.error?.message).toContain('bogus');
  });

  it('rolls back a migration that fails after data changed, restoring the data from the S3 backup', async () => {
    await postgres.query(
      'first',
      "INSERT INTO app.accounts (email) VALUES ('Alice@Example.COM'), ('BOB@example.com')",
    );
    const result = await run('first', {});
    expect(result.status).toBe('FAILED');
    expect(result.output).toMatchObject({ status: 'rolled_back', rolledBack: ['0003'] });
    // The database error keeps readable names all the way to the Fail state.
    expect(result.failure?.error).toBe('MigrationError');
    expect(result.output?.error).toMatchObject({ name: 'MigrationError', migration: '0004' });
    expect(result.output?.error?.message).toContain('cannot insert a non-DEFAULT value into column "id"');
    const emails = await postgres.query<{ email: string }>(
      'first',
      'SELECT email FROM app.accounts ORDER BY id',
    );
    expect(emails.map((row) => row.email)).toEqual(['Alice@Example.COM', 'BOB@example.com']);
    const backupCalls = world.calls.filter((call) => call.service === 's3').map((call) => call.action);
    expect(backupCalls).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject']));

    // What the failure e-mail says: the notifier's bundle, invoked as the EventBridge rule's
    // target with the status-change event, reads this execution's history from Step Functions
    // and publishes to the topic.
    const calls = world.calls.length;
    const notifier = failureNotifier();
    await notifier.invoke(statusChangeEvent(result));
    const notifierCalls = world.calls.slice(calls).filter((c) => c.functionId === notifier.fn.logicalId);
    const topicArn = notifier.fn.environment.STEPMIGRATE_TOPIC_ARN ?? '';
    const topicKey = world.topicKeys.get(topicArn);
    expect(topicKey).toBeDefined();
    expect(notifierCalls.map((call) => `${call.action} ${call.resource}`)).toEqual(
      expect.arrayContaining([
        `states:GetExecutionHistory ${result.executionArn}`,
        `sns:Publish ${topicArn}`,
        `kms:GenerateDataKey ${topicKey}`,
      ]),
    );
    const published = notifierCalls.filter((call) => call.action === 'sns:Publish');
    expect(published).toHaveLength(1);
    const subject = String(published[0]?.body.Subject);
    const text = String(published[0]?.body.Message);
    expect(text).toMatch(/Database: +app\n/);
    expect(text).toContain('0004');
    expect(text).toContain('MigrationError');
    expect(text).toContain('cannot insert a non-DEFAULT value');
    expect(subject).toContain('rolled back');
    expect(text).toContain(
      `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${result.executionArn}`,
    );
    expect(`${subject}\n${text}`).not.toMatch(/\b[A-Z][a-z]\b:/);
  });

  it('waits at Approval, publishes the token, and applies once it is approved', async () => {
    await postgres.createDatabase('approved');
    const published = publishedMessages().length;
    const running = run('approved', { target: '0001', requireApproval: true });
    const token = await tokenFromTopic(published);
    tokens.sendTaskSuccess(token, {});
    const result = await running;
    expect(result.output).toMatchObject({ status: 'succeeded', applied: ['0001'] });
  });

  it('changes nothing when the approval is rejected', async () => {
    await postgres.createDatabase('rejected');
    const published = publishedMessages().length;
    const running = run('rejected', { requireApproval: true });
    const token = await tokenFromTopic(published);
    tokens.sendTaskFailure(token, 'ApprovalRejectedError', 'not during the sale');
    const result = await running;
    expect(result.status).toBe('FAILED');
    expect(result.output).toMatchObject({ status: 'failed', error: { name: 'ApprovalRejectedError' } });
    expect(await appTables('rejected')).toEqual([]);
  });

  it('rolls back when a bake alarm fires', async () => {
    world.alarms.set(BAKE_ALARM, 'ALARM');
    try {
      const result = await run('approved', { target: '0002', bakeSeconds: 1 });
      expect(result.output).toMatchObject({ status: 'rolled_back', error: { name: 'BakeAlarmError' } });
      expect(
        (await history('approved')).filter((row) => row.state === 'applied').map((r) => r.version),
      ).toEqual(['0001']);
    } finally {
      world.alarms.set(BAKE_ALARM, 'OK');
    }
  });

  it('reads an RDS-managed master user secret, the endpoint coming from the function environment', async () => {
    // ManageMasterUserPassword keeps only the credentials; the construct sets the endpoint.
    world.secrets.set(
      secretArn,
      JSON.stringify({ username: postgres.role.username, password: postgres.role.password }),
    );
    const state = await lambdaOf('Validate').invoke(
      {
        executionId: 'arn:aws:states:us-east-1:000000000000:execution:StepMigrate:master-user',
        input: { dryRun: true },
      },
      {
        env: {
          STEPMIGRATE_DB_HOST: '127.0.0.1',
          STEPMIGRATE_DB_PORT: String(postgres.port),
          STEPMIGRATE_DB_NAME: 'first',
        },
      },
    );
    expect(state).toMatchObject({ status: 'dry_run', plan: { fromVersion: '0002' } });
  });

  it('fails fast with a named error when an AWS endpoint accepts connections and never answers', async () => {
    const { failure, elapsedMs } = await blackHoleRun;
    timings.blackHoleMs = elapsedMs;
    expect(failure.errorType).toBe('PreflightError');
    expect(failure.errorMessage).toMatch(/cannot read the database secret .*TimeoutError/);
    // Long before the function's own timeout, which is what it waited for without client timeouts.
    expect(elapsedMs).toBeLessThan((lambdaOf('Validate').fn.timeoutSeconds * 1000) / 5);
  });

  it('reports a database error that escapes a step under its real class name, not a minified one', async () => {
    // An administrator created the history table by hand and never granted it to the migration role.
    await postgres.createDatabase('denied');
    await postgres.adminQuery(
      'denied',
      'CREATE SCHEMA stepmigrate; CREATE TABLE stepmigrate.schema_history (version text PRIMARY KEY)',
    );
    useDatabase('denied');
    const executionId = 'arn:aws:states:us-east-1:000000000000:execution:StepMigrate:denied';
    const run = {
      executionId,
      database: 'app',
      input: {
        target: 'latest',
        dryRun: false,
        requireApproval: false,
        allowIrreversible: false,
        bakeSeconds: 0,
      },
      status: 'pending',
      plan: {
        fromVersion: '0',
        toVersion: '0001',
        direction: 'up',
        steps: [],
        affectedTables: [],
        backupTables: [],
        findings: [],
      },
      fingerprintBefore: 'x',
      startedAt: new Date().toISOString(),
    };
    const failure = (await lambdaOf('Apply')
      .invoke({ executionId, run, step: { version: '0001', name: 'create_accounts', direction: 'up' } })
      .catch((error: unknown) => error)) as LambdaFunctionError;
    expect(failure.errorType).toBe('DatabaseError');
    expect(failure.errorMessage).toContain('permission denied for schema stepmigrate');
  });

  it('made only AWS calls that each function’s IAM policy allows', () => {
    const denied = world.calls
      .filter((call) => !isAllowed(app.functions.get(call.functionId)?.statements ?? [], call))
      .map((call) => `${call.functionId}: ${call.action} ${call.resource}`);
    expect(world.calls.length).toBeGreaterThan(20);
    expect([...new Set(denied)]).toEqual([]);
  });
});

/** The function the EventBridge rule on the state machine's status changes targets. */
function failureNotifier(): DeployedLambda {
  const rules = app.resolver.resourcesOfType('AWS::Events::Rule').filter(([, properties]) => {
    const pattern = properties.EventPattern as {
      'detail-type'?: string[];
      detail?: { stateMachineArn?: unknown[]; status?: string[] };
    };
    return (
      pattern['detail-type']?.includes('Step Functions Execution Status Change') &&
      pattern.detail?.status?.includes('FAILED') &&
      pattern.detail.stateMachineArn?.map((arn) => app.resolver.resolve(arn)).includes(app.stateMachineArn)
    );
  });
  const targets = rules.flatMap(([, properties]) =>
    (properties.Targets as Array<{ Arn: { 'Fn::GetAtt'?: [string, string] } }>).map(
      (target) => target.Arn['Fn::GetAtt']?.[0],
    ),
  );
  const [logicalId] = targets;
  const lambda = logicalId === undefined ? undefined : lambdas.get(logicalId);
  if (targets.length !== 1 || !lambda) throw new Error(`no single deployed failure notifier: ${targets}`);
  return lambda;
}

/** What EventBridge delivers when `run` has ended; its history goes to the Step Functions stand-in. */
function statusChangeEvent(run: DeployedRun) {
  const machine = app.resolver.resourcesOfType('AWS::StepFunctions::StateMachine')[0]?.[1];
  world.executions.set(run.executionArn, executionHistory(run, app.resolver.resolve(machine?.RoleArn)));
  return {
    version: '0',
    id: `event-${run.name}`,
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: '000000000000',
    time: new Date(run.stopDate).toISOString(),
    region: 'us-east-1',
    resources: [run.executionArn],
    detail: {
      executionArn: run.executionArn,
      stateMachineArn: app.stateMachineArn,
      name: run.name,
      status: run.status,
      startDate: run.startDate,
      stopDate: run.stopDate,
      input: '{}',
      output: null,
      error: run.failure?.error ?? null,
      cause: run.failure?.cause ?? null,
    },
  };
}

async function invokeAgainstBlackHole() {
  const blackHole = await startBlackHole();
  servers.push({ close: () => closeServer(blackHole.server) });
  const started = Date.now();
  const failure = (await lambdaOf('Validate')
    .invoke(
      { executionId: 'arn:aws:states:us-east-1:000000000000:execution:StepMigrate:black-hole', input: {} },
      { env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: blackHole.url } },
    )
    .catch((error: unknown) => error)) as LambdaFunctionError;
  return { failure, elapsedMs: Date.now() - started };
}

/** The task token from the newest approval request on the topic, as an approver reads it. */
async function tokenFromTopic(publishedBefore: number): Promise<string> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const message = publishedMessages()[publishedBefore];
    const token = message && /stepmigrate approve '([^']+)'/.exec(String(message.body.Message))?.[1];
    if (token) {
      await tokens.waitingOn(token);
      return token;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no approval request was published');
}
