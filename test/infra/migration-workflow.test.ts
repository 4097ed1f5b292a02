import { beforeAll, describe, expect, it } from '@jest/globals';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { TASK_RUNNER_STEPS } from '../../infra/task-contract.ts';
import { STEP_FUNCTION_NAMES, type StepFunctionName } from '../../infra/workflow-states.ts';
import { allStatements, grantsAny, logicalId, roleId, type Statement } from './support/iam.ts';
import { synthWorkflowStack, type WorkflowStack } from './support/workflow-stack.ts';

let synthesized: WorkflowStack;
let statements: Statement[];
let ids: {
  auditTable: string;
  leaseTable: string;
  backupBucket: string;
  roles: Record<StepFunctionName, string>;
};

beforeAll(() => {
  synthesized = synthWorkflowStack();
  const { stack, workflow } = synthesized;
  statements = allStatements(synthesized.template);
  ids = {
    auditTable: logicalId(stack, workflow.auditTable),
    leaseTable: logicalId(stack, workflow.leaseTable),
    backupBucket: logicalId(stack, workflow.backupBucket),
    roles: Object.fromEntries(
      STEP_FUNCTION_NAMES.map((step) => [step, roleId(stack, workflow.functions[step].role)]),
    ) as Record<StepFunctionName, string>,
  };
});

/** The step whose function has the role with logical id `role` ("notifier" for the failure notifier). */
function roleStep(stack: WorkflowStack['stack'], workflow: WorkflowStack['workflow'], role: string): string {
  if (roleId(stack, workflow.notifications.failureNotifier.role) === role) return 'notifier';
  // A step's task-runner role counts as the step: it must hold no more than the step's Lambda.
  const taskStep = TASK_RUNNER_STEPS.find(
    (step) => workflow.taskRunner && roleId(stack, workflow.taskRunner.taskRole(step)) === role,
  );
  return (
    STEP_FUNCTION_NAMES.find((step) => roleId(stack, workflow.functions[step].role) === role) ??
    taskStep ??
    role
  );
}
const stepOfRole = (role: string) => roleStep(synthesized.stack, synthesized.workflow, role);
const on = (statement: Statement, id: string) =>
  statement.resources.some((resource) => resource.includes(id));

/** The steps whose role may do any of `actions` to the resource with logical id `id`. */
function stepsAllowed(actions: string[], id: string): string[] {
  const steps = statements
    .filter((statement) => statement.effect === 'Allow' && on(statement, id))
    .filter((statement) => statement.actions.some((action) => grantsAny(action, actions)))
    .map((statement) => stepOfRole(statement.role));
  return [...new Set(steps)].sort();
}

const S3_WRITES = [
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectAcl',
  's3:PutBucketPolicy',
];

describe('MigrationWorkflow permissions', () => {
  it('lets every step append to the audit table and none change or delete a record', () => {
    expect(stepsAllowed(['dynamodb:PutItem'], ids.auditTable)).toEqual([...STEP_FUNCTION_NAMES].sort());
    expect(
      stepsAllowed(
        ['dynamodb:DeleteItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:DeleteTable'],
        ids.auditTable,
      ),
    ).toEqual([]);
  });

  it('lets only Backup write to the backup bucket, and Rollback read from it', () => {
    expect(stepsAllowed(S3_WRITES, ids.backupBucket)).toEqual(['backup']);
    expect(stepsAllowed(['s3:GetObject'], ids.backupBucket)).toEqual(['backup', 'rollback']);
  });

  // Rollback reads the objects its own manifest names, never an older version of them.
  it('grants no step an object version read it never makes', () => {
    expect(stepsAllowed(['s3:GetObjectVersion'], ids.backupBucket)).toEqual([]);
  });

  it('lets no step delete a backup version for good', () => {
    expect(
      stepsAllowed(
        ['s3:DeleteObjectVersion', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning'],
        ids.backupBucket,
      ),
    ).toEqual([]);
  });

  it('keeps bucket access under the backup prefix', () => {
    const objectStatements = statements.filter(
      (statement) => on(statement, ids.backupBucket) && statement.actions.includes('s3:GetObject'),
    );
    expect(objectStatements.length).toBeGreaterThan(0);
    for (const statement of objectStatements) expect(statement.resources.join()).toContain('/backups/*');
  });

  it('lets Validate take the lease, Apply renew it and Report give it back, nobody else', () => {
    expect(stepsAllowed(['dynamodb:PutItem'], ids.leaseTable)).toEqual(['apply', 'validate']);
    expect(stepsAllowed(['dynamodb:DeleteItem'], ids.leaseTable)).toEqual(['report']);
    expect(stepsAllowed(['dynamodb:UpdateItem', 'dynamodb:Scan'], ids.leaseTable)).toEqual([]);
  });

  it('gives the database secret only to the steps that talk to the database', () => {
    expect(
      stepsAllowed(
        ['secretsmanager:GetSecretValue'],
        logicalId(synthesized.stack, synthesized.stack.node.findChild('DatabaseSecret')),
      ),
    ).toEqual(['apply', 'backup', 'rollback', 'validate', 'verify']);
  });

  it('grants GetSecretValue only: no step describes the secret', () => {
    const secretActions = statements.flatMap((statement) =>
      statement.actions.filter((action) => action.startsWith('secretsmanager:')),
    );
    expect(new Set(secretActions)).toEqual(new Set(['secretsmanager:GetSecretValue']));
  });

  it('lets Bake describe exactly the configured alarms', () => {
    const describe = statements.filter((statement) =>
      statement.actions.includes('cloudwatch:DescribeAlarms'),
    );
    expect(describe.map((statement) => stepOfRole(statement.role))).toEqual(['bake']);
    expect(describe[0]!.resources.join()).toContain(':alarm:orders-5xx');
    expect(describe[0]!.resources.join()).toContain(':alarm:orders-latency');
  });

  it('lets only Approval and the failure notifier publish to the topic', () => {
    const publish = statements.filter((statement) => statement.actions.includes('sns:Publish'));
    expect(publish.map((statement) => stepOfRole(statement.role)).sort()).toEqual(['approval', 'notifier']);
  });

  it('limits PutMetricData to the StepMigrate namespace', () => {
    const put = statements.filter((statement) => statement.actions.includes('cloudwatch:PutMetricData'));
    // One per step Lambda, one per task-runner role.
    expect(put).toHaveLength(STEP_FUNCTION_NAMES.length + TASK_RUNNER_STEPS.length);
    for (const statement of put) {
      expect(statement.condition).toEqual({ StringEquals: { 'cloudwatch:namespace': 'StepMigrate' } });
    }
  });

  it('takes no database snapshot unless configured: no RDS permission, no AWS SDK state', () => {
    expect(statements.filter((s) => s.actions.some((action) => action.startsWith('rds:')))).toEqual([]);
    const [machine] = Object.values(synthesized.template.findResources('AWS::StepFunctions::StateMachine'));
    expect(JSON.stringify(machine?.Properties.DefinitionString)).not.toContain('aws-sdk:');
  });

  it('attaches no AWS managed policy to a step role', () => {
    for (const step of STEP_FUNCTION_NAMES) {
      const role = synthesized.template.findResources('AWS::IAM::Role')[ids.roles[step]];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('MigrationWorkflow functions', () => {
  it('runs each step on Node.js 22, arm64, with its handler bundle', () => {
    synthesized.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      },
      STEP_FUNCTION_NAMES.length,
    );
    // The failure notifier runs on the same runtime.
    synthesized.template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs22.x' },
      STEP_FUNCTION_NAMES.length + 1,
    );
  });

  it("creates no VPC endpoint unless asked: the VPC is not the construct's own", () => {
    synthesized.template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  it('puts the database steps, and only those, in the VPC', () => {
    const functions = synthesized.template.findResources('AWS::Lambda::Function');
    const inVpc = STEP_FUNCTION_NAMES.filter((step) => {
      const id = logicalId(synthesized.stack, synthesized.workflow.functions[step]);
      return functions[id]?.Properties.VpcConfig !== undefined;
    });
    expect(inVpc.sort()).toEqual(['apply', 'backup', 'rollback', 'validate', 'verify']);
  });

  it('tells the handlers where everything is through the shared environment variable names', () => {
    const id = logicalId(synthesized.stack, synthesized.workflow.functions.backup);
    const variables =
      synthesized.template.findResources('AWS::Lambda::Function')[id]!.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      STEPMIGRATE_MIGRATIONS_DIR: '/var/task/migrations',
      STEPMIGRATE_DATABASE: 'orders',
      STEPMIGRATE_BACKUP_PREFIX: 'backups/',
      STEPMIGRATE_LOCK_TIMEOUT_MS: '3000',
      STEPMIGRATE_STATEMENT_TIMEOUT_MS: '900000',
      STEPMIGRATE_HISTORY_SCHEMA: 'stepmigrate',
      STEPMIGRATE_METRICS_NAMESPACE: 'StepMigrate',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
    for (const name of [
      'STEPMIGRATE_DB_SECRET_ARN',
      'STEPMIGRATE_BACKUP_BUCKET',
      'STEPMIGRATE_AUDIT_TABLE',
    ]) {
      expect(variables[name]).toBeDefined();
    }
    expect(variables.STEPMIGRATE_LEASE_TABLE).toBeUndefined();
    const withLease = STEP_FUNCTION_NAMES.filter((step) => {
      const fn =
        synthesized.template.findResources('AWS::Lambda::Function')[
          logicalId(synthesized.stack, synthesized.workflow.functions[step])
        ];
      return fn?.Properties.Environment.Variables.STEPMIGRATE_LEASE_TABLE !== undefined;
    });
    expect(withLease.sort()).toEqual(['apply', 'report', 'validate']);
    // The lease must outlast an approval wait, which no step renews.
    for (const step of ['validate', 'apply'] as const) {
      const fn =
        synthesized.template.findResources('AWS::Lambda::Function')[
          logicalId(synthesized.stack, synthesized.workflow.functions[step])
        ]!;
      expect(fn.Properties.Environment.Variables).toMatchObject({
        STEPMIGRATE_LEASE_TTL_MS: String(30 * 60 * 1000),
        STEPMIGRATE_APPROVAL_TIMEOUT_MS: String(24 * 60 * 60 * 1000),
      });
    }
    const bake = logicalId(synthesized.stack, synthesized.workflow.functions.bake);
    expect(
      synthesized.template.findResources('AWS::Lambda::Function')[bake]!.Properties.Environment.Variables,
    ).toMatchObject({
      STEPMIGRATE_BAKE_ALARMS: 'orders-5xx,orders-latency',
    });
  });
});

describe('MigrationWorkflow storage', () => {
  it('keeps backups encrypted, TLS-only, versioned, private, expiring and retained', () => {
    const { template } = synthesized;
    const bucket = template.findResources('AWS::S3::Bucket')[ids.backupBucket]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'backup-bucket/' },
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({
        ExpirationInDays: 30,
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        Status: 'Enabled',
      }),
    ]);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.backupBucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('encrypts backups with a customer key when one is given, and lets Backup and Rollback use it', () => {
    const { stack, template, workflow } = synthWorkflowStack((scope) => ({
      backupEncryptionKey: new kms.Key(scope, 'BackupKey', { enableKeyRotation: true }),
      backupRetentionDays: 7,
      backupBucketRemovalPolicy: RemovalPolicy.DESTROY,
    }));
    const keyId = logicalId(stack, stack.node.findChild('BackupKey'));
    const bucket = template.findResources('AWS::S3::Bucket')[logicalId(stack, workflow.backupBucket)]!;
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
      BucketKeyEnabled: true,
    });
    expect(bucket.Properties.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(7);
    expect(bucket.DeletionPolicy).toBe('Delete');
    const keyUsers = allStatements(template)
      .filter((statement) => statement.resources.some((resource) => resource.includes(keyId)))
      .map((statement) => [roleStep(stack, workflow, statement.role), statement.actions.join(',')]);
    // Each step's Lambda and its task-runner role hold the same grant.
    expect(keyUsers.sort()).toEqual([
      ['backup', 'kms:GenerateDataKey,kms:Decrypt'],
      ['backup', 'kms:GenerateDataKey,kms:Decrypt'],
      ['rollback', 'kms:Decrypt'],
      ['rollback', 'kms:Decrypt'],
    ]);
  });

  it('keeps the audit table with point-in-time recovery, encryption and a per-execution index', () => {
    const table = synthesized.template.findResources('AWS::DynamoDB::Table')[ids.auditTable]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: 'database', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        expect.objectContaining({
          IndexName: 'byExecution',
          KeySchema: [
            { AttributeName: 'executionId', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      ],
    });
  });

  it('keeps one lease item per database', () => {
    const table = synthesized.template.findResources('AWS::DynamoDB::Table')[ids.leaseTable]!;
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: 'database', KeyType: 'HASH' }]);
  });
});

describe('MigrationWorkflow state machine', () => {
  // Outside /aws/vendedlogs/ every log delivery adds to the account's 5120-byte CloudWatch
  // Logs resource policy; the stack id keeps the name unique across `cdk destroy` and deploy.
  it('logs executions to a log group under /aws/vendedlogs/states/, named per stack', () => {
    const id = logicalId(synthesized.stack, synthesized.workflow.logGroup);
    const name = synthesized.template.findResources('AWS::Logs::LogGroup')[id]!.Properties.LogGroupName;
    expect(name['Fn::Join'][1][0]).toBe('/aws/vendedlogs/states/stepmigrate-orders-');
    expect(JSON.stringify(name)).toContain('AWS::StackId');
  });

  it('is a standard state machine with X-Ray and full execution logging without execution data', () => {
    synthesized.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
    });
  });

  it('offers StepMigrate metrics of its database', () => {
    const metric = synthesized.workflow.metricRunsFailed();
    expect([metric.namespace, metric.metricName, metric.dimensions]).toEqual([
      'StepMigrate',
      'RunFailed',
      { Database: 'orders' },
    ]);
    expect(synthesized.workflow.metricStepDuration('Apply').dimensions).toEqual({
      Database: 'orders',
      Step: 'Apply',
    });
  });
});

describe('MigrationWorkflow props', () => {
  it('reports every bad prop at once, naming what it got', () => {
    expect(() =>
      synthWorkflowStack({
        migrationsDirectory: '/nonexistent/migrations',
        lockTimeoutMs: -1,
        historySchema: 'Bad-Schema',
        bakeAlarmNames: ['a,b'],
      }),
    ).toThrow(
      /migrationsDirectory "\/nonexistent\/migrations" is not a directory; lockTimeoutMs must be a positive whole number, got -1; historySchema "Bad-Schema".*bakeAlarmNames/,
    );
  });
});
