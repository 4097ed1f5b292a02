// The example app as `cdk deploy` builds it (infra/example-app.ts, which infra/app.ts runs):
// the demo stack with the pipeline behind -c pipeline=true, and the stack for an existing
// database without NAT. Each synth runs the app's cdk-nag plugin (an unacknowledged finding
// fails it, as it fails `cdk synth`), and
// cfn-lint, when installed, must find no error in any template.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../../infra/example-app.ts';
import { printSkipNote } from '../support/debian-postgres.ts';

const outdirs: string[] = [];

interface Synthesized {
  app: App;
  templates: Record<string, string>;
  template: (stack: string) => {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  };
}

function synthExampleApp(context: Record<string, string>): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'stepmigrate-example-app-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  buildExampleApp(app);
  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacks.map((stack) => [stack.stackName, join(outdir, stack.templateFile)]),
  );
  return {
    app,
    templates,
    template: (stack) => JSON.parse(readFileSync(templates[stack]!, 'utf8')),
  };
}

const PIPELINE_CONTEXT = {
  pipeline: 'true',
  pipelineCodeCommitRepository: 'orders-schema',
  pipelineManualApproval: 'true',
  pipelineApprovalEmails: 'dba@example.com',
  alarmEmail: 'oncall@example.com',
};

const EXISTING_DATABASE_CONTEXT = {
  stackName: 'OrdersMigrations',
  databaseName: 'orders',
  databaseSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf',
  databaseSecretKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666',
  databaseHost: 'orders.abc123.eu-west-1.rds.amazonaws.com',
  databaseDbName: 'orders',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  routeTableIds: 'rtb-0123456789abcdef0,rtb-0123456789abcdef1',
  vpcEndpoints: 'true',
  databaseSnapshotInstance: 'orders-db',
};

let demo: Synthesized;
let existing: Synthesized;

beforeAll(() => {
  demo = synthExampleApp(PIPELINE_CONTEXT);
  existing = synthExampleApp(EXISTING_DATABASE_CONTEXT);
});
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('the example app', () => {
  it('adds the pipeline stack with -c pipeline=true, and its deploy stage synthesizes the same app', () => {
    expect(Object.keys(demo.templates).sort()).toEqual(['StepMigrate', 'StepMigratePipeline']);
    const project = Object.values(demo.template('StepMigratePipeline').Resources).find(
      (resource) => resource.Type === 'AWS::CodeBuild::Project',
    )!;
    const buildSpec = String((project.Properties!.Source as { BuildSpec: string }).BuildSpec);
    expect(buildSpec).toContain(
      'npx cdk deploy StepMigrate -c alarmEmail=oncall@example.com -c pipeline=true ' +
        '-c pipelineCodeCommitRepository=orders-schema',
    );
    expect(buildSpec).toContain('-c pipelineApprovalEmails=dba@example.com --require-approval never');
  });

  it('sends the pipeline approval mails through an encrypted, TLS-only topic', () => {
    const resources = Object.values(demo.template('StepMigratePipeline').Resources);
    const topics = resources.filter((resource) => resource.Type === 'AWS::SNS::Topic');
    expect(topics).toHaveLength(1);
    expect(topics[0]!.Properties!.KmsMasterKeyId).toBeDefined();
    const policies = resources.filter((resource) => resource.Type === 'AWS::SNS::TopicPolicy');
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });

  it('gives every cdk-nag acknowledgement a specific reason', () => {
    const reasons = [demo.app, existing.app]
      .flatMap((app) => app.node.findAll())
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
      .flatMap((entry) => Object.values(entry.data as Record<string, string>));

    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });

  it('adds no pipeline without the flag', () => {
    expect(Object.keys(existing.templates)).toEqual(['OrdersMigrations']);
  });

  it('deploys against an existing database with a credentials-only secret and VPC endpoints', () => {
    const resources = Object.values(existing.template('OrdersMigrations').Resources);
    expect(resources.filter((resource) => resource.Type === 'AWS::EC2::VPCEndpoint')).toHaveLength(6);
    const validate = resources.find(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' &&
        JSON.stringify(resource.Properties).includes('STEPMIGRATE_DB_HOST'),
    );
    expect(validate).toBeDefined();
  });

  it('takes a snapshot of the instance given with -c databaseSnapshotInstance, cdk-nag clean', () => {
    const policies = Object.values(existing.template('OrdersMigrations').Resources).filter(
      (resource) => resource.Type === 'AWS::IAM::Policy',
    );
    const snapshotGrant = JSON.stringify(policies).match(/"rds:CreateDBSnapshot".*?:db:orders-db"/);
    expect(snapshotGrant).not.toBeNull();
  });

  it('refuses VPC endpoints without the route table of each subnet, saying what to pass', () => {
    expect(() =>
      synthExampleApp({ ...EXISTING_DATABASE_CONTEXT, routeTableIds: 'rtb-0123456789abcdef0' }),
    ).toThrow(
      /vpcEndpoints needs the route table of each subnet.*-c routeTableIds=rtb-…,rtb-… in the order of subnetIds \(2 subnets, 1 route tables given\)/,
    );
  });
});

/**
 * cfn-lint warnings accepted, each for a reason; every other warning and every error fails.
 * - W3005: CDK writes a DependsOn next to a Ref or GetAtt of the same resource (the custom
 *   resources and the VPC's default route); redundant, not wrong.
 * - W3691: cfn-lint's list of RDS engine versions has only minor versions; the demo database
 *   asks for major version "17" on purpose, and RDS then picks the current default minor.
 */
const ACCEPTED_WARNINGS = new Set(['W3005', 'W3691']);

describe('cfn-lint', () => {
  const version = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const available = version.status === 0;
  if (!available)
    printSkipNote('cfn-lint', 'cfn-lint is not installed (pip install cfn-lint); templates not linted');

  (available ? it : it.skip)(
    'finds no error and no unexplained warning in the workflow, demo and pipeline templates',
    () => {
      const files = [
        existing.templates.OrdersMigrations!,
        demo.templates.StepMigrate!,
        demo.templates.StepMigratePipeline!,
      ];
      // Informational findings (I…) are left out; one process lints all three templates.
      const result = spawnSync('cfn-lint', ['--format', 'json', '--ignore-checks', 'I', '--', ...files], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(result.stderr).toBe('');
      const matches = JSON.parse(result.stdout || '[]') as Array<{
        Level: string;
        Rule: { Id: string };
        Message: string;
        Filename: string;
      }>;
      const findings = matches
        .filter((match) => match.Level === 'Error' || !ACCEPTED_WARNINGS.has(match.Rule.Id))
        .map((match) => `${match.Level} ${match.Rule.Id} ${match.Message} (${match.Filename})`);
      expect(findings).toEqual([]);
    },
  );
});
