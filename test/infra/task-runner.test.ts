// The long-running task runner as deployed: its task definitions, what each task role may
// do, the network it runs in, and how the state machine routes work to it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { TASK_RUNNER_STEPS, type TaskRunnerStep } from '../../infra/task-contract.ts';
import { bundleTaskEntry } from '../../infra/task-runner.ts';
import { allStatements, grantsAny, logicalId, roleId, type Statement } from './support/iam.ts';
import { FIXTURE_MIGRATIONS, synthWorkflowStack, type WorkflowStack } from './support/workflow-stack.ts';

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Next?: string;
  Default?: string;
  Choices?: Array<Record<string, unknown> & { Next: string }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string; ResultPath?: string }>;
  Retry?: Array<{ ErrorEquals: string[] }>;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
  ItemProcessor?: { StartAt: string; States: Record<string, State> };
}

let synthesized: WorkflowStack;
let states: Map<string, State>;
let statements: Statement[];

/** The template's definition with every intrinsic written as `<Ref X>` / `<X.Attr>`, parsed. */
function definitionOf(stack: WorkflowStack): Map<string, State> {
  const [machine] = Object.values(stack.template.findResources('AWS::StepFunctions::StateMachine'));
  const [, parts] = machine!.Properties.DefinitionString['Fn::Join'] as [string, unknown[]];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const intrinsic = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return intrinsic.Ref ? `<Ref ${intrinsic.Ref}>` : `<${intrinsic['Fn::GetAtt']?.join('.')}>`;
    })
    .join('');
  const all = new Map<string, State>();
  const visit = (named: Record<string, State>) => {
    for (const [name, state] of Object.entries(named)) {
      all.set(name, state);
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
    }
  };
  visit((JSON.parse(text) as { States: Record<string, State> }).States);
  return all;
}

function state(name: string): State {
  const found = states.get(name);
  if (!found) throw new Error(`no state ${name}`);
  return found;
}

beforeAll(() => {
  synthesized = synthWorkflowStack();
  states = definitionOf(synthesized);
  statements = allStatements(synthesized.template);
});

const taskRoleId = (step: TaskRunnerStep) =>
  roleId(synthesized.stack, synthesized.workflow.taskRunner!.taskRole(step));
const actionsOf = (role: string) => statements.filter((s) => s.role === role).flatMap((s) => s.actions);

describe('the task definitions', () => {
  it('runs backup, apply and rollback on Fargate with the same environment as their Lambdas, no credentials in it', () => {
    const definitions = Object.values(synthesized.template.findResources('AWS::ECS::TaskDefinition'));
    expect(definitions).toHaveLength(TASK_RUNNER_STEPS.length);
    for (const definition of definitions) {
      expect(definition.Properties).toMatchObject({
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
      });
      const [container] = definition.Properties.ContainerDefinitions;
      const environment = Object.fromEntries(
        (container.Environment as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, e.Value]),
      );
      expect(environment).toMatchObject({
        STEPMIGRATE_DATABASE: 'orders',
        STEPMIGRATE_MIGRATIONS_DIR: '/var/task/migrations',
      });
      expect(environment.STEPMIGRATE_DB_SECRET_ARN).toEqual({
        Ref: expect.stringContaining('DatabaseSecret'),
      });
      expect(JSON.stringify(environment)).not.toMatch(/password/i);
      expect(container.LogConfiguration.LogDriver).toBe('awslogs');
      expect(container.ReadonlyRootFilesystem).toBe(true);
    }
  });

  it('gives each task role only its step: the lease to Apply, writing backups to Backup, reading them to Rollback', () => {
    const lease = logicalId(synthesized.stack, synthesized.workflow.leaseTable);
    const bucket = logicalId(synthesized.stack, synthesized.workflow.backupBucket);
    const may = (step: TaskRunnerStep, actions: string[], id: string) =>
      statements.some(
        (s) =>
          s.role === taskRoleId(step) &&
          s.resources.some((r) => r.includes(id)) &&
          s.actions.some((a) => grantsAny(a, actions)),
      );
    expect(TASK_RUNNER_STEPS.filter((step) => may(step, ['dynamodb:PutItem'], lease))).toEqual(['apply']);
    expect(
      TASK_RUNNER_STEPS.filter((step) => may(step, ['s3:PutObject', 's3:DeleteObject'], bucket)),
    ).toEqual(['backup']);
    expect(TASK_RUNNER_STEPS.filter((step) => may(step, ['s3:GetObject'], bucket))).toEqual([
      'backup',
      'rollback',
    ]);
    for (const step of TASK_RUNNER_STEPS) {
      const actions = actionsOf(taskRoleId(step));
      expect(actions).toEqual(
        expect.arrayContaining([
          'states:SendTaskSuccess',
          'states:SendTaskFailure',
          'states:SendTaskHeartbeat',
        ]),
      );
      // Nothing a Lambda needs and a task does not: no network interfaces, no X-Ray, no invoking.
      expect(actions.filter((a) => /^(ec2|xray|lambda|iam):/.test(a))).toEqual([]);
      expect(actions.some((a) => grantsAny(a, ['dynamodb:DeleteItem', 's3:DeleteObjectVersion']))).toBe(
        false,
      );
    }
  });

  it('lets the state machine start the tasks and pass only their roles', () => {
    const machineRole = roleId(synthesized.stack, synthesized.workflow.stateMachine.role);
    const passRole = statements.filter((s) => s.role === machineRole && s.actions.includes('iam:PassRole'));
    const passed = passRole.flatMap((s) => s.resources).join(' ');
    for (const step of TASK_RUNNER_STEPS) expect(passed).toContain(taskRoleId(step));
    expect(passRole.flatMap((s) => s.resources)).not.toContain('"*"');
    expect(actionsOf(machineRole)).toContain('ecs:RunTask');
  });
});

describe('the task network', () => {
  it('runs in the subnets and security groups of the database step Lambdas, without a public IP', () => {
    const [lambda] = Object.values(synthesized.template.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.VpcConfig !== undefined,
    );
    const { SubnetIds, SecurityGroupIds } = lambda!.Properties.VpcConfig as {
      SubnetIds: Array<{ Ref: string }>;
      SecurityGroupIds: Array<{ 'Fn::GetAtt': string[] }>;
    };
    for (const name of ['BackupOnTask', 'ApplyMigrationOnTask', 'RollbackOnTask']) {
      const parameters = state(name).Parameters as {
        NetworkConfiguration: {
          AwsvpcConfiguration: { Subnets: string[]; SecurityGroups: string[]; AssignPublicIp?: string };
        };
      };
      const network = parameters.NetworkConfiguration.AwsvpcConfiguration;
      expect(network.Subnets).toEqual(SubnetIds.map((s) => `<Ref ${s.Ref}>`));
      expect(network.SecurityGroups).toEqual(SecurityGroupIds.map((g) => `<${g['Fn::GetAtt'].join('.')}>`));
      // Omitted means DISABLED for awsvpc tasks.
      expect(network.AssignPublicIp ?? 'DISABLED').toBe('DISABLED');
    }
  });
});

describe('the routing to the task runner', () => {
  const onTask = (choice: string) =>
    state(choice).Choices?.map((rule) => [
      JSON.stringify(rule).match(/"Variable":"([^"]+)"/g)?.[0],
      rule.Next,
    ]);

  it('sends Backup, each migration and Rollback to the task when Validate chose it, else to the Lambda', () => {
    expect(onTask('BackupRunner')).toEqual([['"Variable":"$.run.plan.runners.backup"', 'BackupOnTask']]);
    expect(state('BackupRunner').Default).toBe('Backup');
    expect(onTask('ApplyRunner')).toEqual([['"Variable":"$.step.runner"', 'ApplyMigrationOnTask']]);
    expect(state('ApplyRunner').Default).toBe('ApplyMigration');
    expect(onTask('RollbackRunner')).toEqual([
      ['"Variable":"$.run.plan.runners.rollback"', 'RollbackOnTask'],
    ]);
    expect(state('RollbackRunner').Default).toBe('Rollback');
    expect(state('BackupOnTask').Next).toBe('Apply');
    expect(state('RollbackOnTask').Next).toBe('Report');
  });

  it('hands a Backup or a migration that reached its Lambda deadline to the task runner', () => {
    for (const [lambda, task] of [
      ['Backup', 'BackupOnTask'],
      ['ApplyMigration', 'ApplyMigrationOnTask'],
    ]) {
      expect(state(lambda!).Catch?.[0]).toEqual({
        ErrorEquals: ['DeadlineReachedError'],
        Next: task,
        ResultPath: '$.handedOver',
      });
    }
  });

  it('rolls back any failure of a task, reports a failed rollback task, and retries lock timeouts on the task too', () => {
    expect(state('BackupOnTask').Catch).toContainEqual({
      ErrorEquals: ['States.ALL'],
      Next: 'RollbackRunner',
      ResultPath: '$.error',
    });
    expect(state('Apply').Catch).toContainEqual({
      ErrorEquals: ['States.ALL'],
      Next: 'RollbackRunner',
      ResultPath: '$.error',
    });
    // An oversized result is caught on its own, as on every step (States.ALL does not catch it).
    expect(state('RollbackOnTask').Catch).toEqual([
      { ErrorEquals: ['States.DataLimitExceeded'], Next: 'Report', ResultPath: '$.rollbackError' },
      { ErrorEquals: ['States.ALL'], Next: 'Report', ResultPath: '$.rollbackError' },
    ]);
    expect(state('ApplyMigrationOnTask').Retry?.flatMap((r) => r.ErrorEquals)).toContain('LockTimeoutError');
  });

  it('waits for the task token with a heartbeat, so a dead container fails its state instead of hanging', () => {
    for (const name of ['BackupOnTask', 'ApplyMigrationOnTask', 'RollbackOnTask']) {
      expect(state(name)).toMatchObject({
        Resource: expect.stringMatching(/:::ecs:runTask\.waitForTaskToken$/),
        TimeoutSeconds: 6 * 3600,
        HeartbeatSeconds: 300,
      });
    }
  });

  it('tells Validate the limits it plans with: the Lambda budget, and the task limit only when deployed', () => {
    const validateEnv = (stack: WorkflowStack) =>
      Object.values(stack.template.findResources('AWS::Lambda::Function')).find(
        (fn) =>
          fn.Properties.Environment?.Variables?.STEPMIGRATE_LEASE_TABLE && fn.Properties.Timeout === 300,
      )?.Properties.Environment.Variables;
    expect(validateEnv(synthesized)).toMatchObject({
      STEPMIGRATE_LAMBDA_BUDGET_MS: '900000',
      STEPMIGRATE_TASK_BUDGET_MS: String(6 * 3_600_000),
    });
    const without = synthWorkflowStack({ taskRunner: false });
    expect(validateEnv(without)?.STEPMIGRATE_TASK_BUDGET_MS).toBeUndefined();
    expect(without.template.findResources('AWS::ECS::TaskDefinition')).toEqual({});
    expect([...definitionOf(without).keys()].filter((name) => name.includes('Task'))).toEqual([]);
  });
});

describe('the task image', () => {
  it('is built from the same bundle as the Lambdas: the task entry point, the migrations, the parser', () => {
    const directory = mkdtempSync(join(tmpdir(), 'stepmigrate-task-image-'));
    try {
      bundleTaskEntry(directory, FIXTURE_MIGRATIONS);
      expect(readdirSync(directory).sort()).toEqual(
        ['Dockerfile', 'index.mjs', 'index.mjs.map', 'libpg-query.wasm', 'migrations'].sort(),
      );
      expect(readdirSync(join(directory, 'migrations'))).toEqual(['0001_create_users.sql']);
      const bundle = readFileSync(join(directory, 'index.mjs'), 'utf8');
      // Class names are minified, as in the Lambdas; pg's server errors get their name, the one
      // a Catch matches, as a literal (normalizeError). pg-protocol's export of the class is
      // named "DatabaseError" too, so the assignment itself is what is looked for.
      expect(bundle.includes('.name="DatabaseError"')).toBe(true);
      // Like the Apply and Rollback Lambdas, it reads only the adopt section of stepmigrate.json:
      // it never plans, so the lint rules stay out.
      expect(bundle.includes('prefer-identity')).toBe(false); // not toContain: it would print the bundle
      // The container runs the bundle with the Lambda runtime's Node.js and certificates.
      expect(readFileSync(join(directory, 'Dockerfile'), 'utf8')).toMatch(
        /FROM public\.ecr\.aws\/lambda\/nodejs:22[\s\S]*ENTRYPOINT \["node", "--enable-source-maps", "\/var\/task\/index\.mjs"\]/,
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
