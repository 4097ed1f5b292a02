// The props a deployment against an existing database uses: an RDS-managed master user secret
// (credentials only) under a customer-managed key, a VPC without NAT, another runtime, and
// lease/approval timing. One synth for all of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STEP_FUNCTION_NAMES } from '../../infra/workflow-states.ts';
import { allStatements, logicalId, roleId } from './support/iam.ts';
import { synthWorkflowStack, type WorkflowStack } from './support/workflow-stack.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-0a1b2c3d-AbCdEf';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-1111-2222-3333-444455556666';
const DATABASE_STEPS = ['apply', 'backup', 'rollback', 'validate', 'verify'];

let synthesized: WorkflowStack;

beforeAll(() => {
  synthesized = synthWorkflowStack((stack) => ({
    databaseSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'MasterUserSecret', SECRET_ARN),
    databaseSecretKey: kms.Key.fromKeyArn(stack, 'MasterUserKey', KEY_ARN),
    databaseEndpoint: {
      host: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
      port: '6432',
      dbname: 'orders',
    },
    vpcEndpoints: true,
    runtime: lambda.Runtime.NODEJS_24_X,
    leaseTtl: Duration.minutes(45),
    approvalTimeout: Duration.hours(2),
  }));
});

function variables(step: (typeof STEP_FUNCTION_NAMES)[number]): Record<string, unknown> {
  const id = logicalId(synthesized.stack, synthesized.workflow.functions[step]);
  return synthesized.template.findResources('AWS::Lambda::Function')[id]!.Properties.Environment.Variables;
}

describe('a secret that holds only username and password', () => {
  it('tells the database steps the host, port and database name', () => {
    for (const step of DATABASE_STEPS as (typeof STEP_FUNCTION_NAMES)[number][]) {
      expect(variables(step)).toMatchObject({
        STEPMIGRATE_DB_SECRET_ARN: SECRET_ARN,
        STEPMIGRATE_DB_HOST: 'orders.cluster-abc.eu-west-1.rds.amazonaws.com',
        STEPMIGRATE_DB_PORT: '6432',
        STEPMIGRATE_DB_NAME: 'orders',
      });
    }
    expect(variables('report').STEPMIGRATE_DB_HOST).toBeUndefined();
  });

  it('lets exactly the database steps decrypt it with its customer-managed key, through Secrets Manager only', () => {
    const decrypt = allStatements(synthesized.template).filter((statement) =>
      statement.resources.includes(JSON.stringify(KEY_ARN)),
    );
    const roles = Object.fromEntries(
      STEP_FUNCTION_NAMES.map((step) => [
        roleId(synthesized.stack, synthesized.workflow.functions[step].role),
        step,
      ]),
    );
    expect(decrypt.map((statement) => roles[statement.role]).sort()).toEqual(DATABASE_STEPS);
    for (const statement of decrypt) {
      expect(statement.actions).toEqual(['kms:Decrypt']);
      expect(statement.condition).toEqual({
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      });
    }
  });
});

describe('vpcEndpoints', () => {
  const endpoints = () => Object.values(synthesized.template.findResources('AWS::EC2::VPCEndpoint'));
  const serviceOf = (endpoint: { [key: string]: unknown }) => {
    const name = JSON.stringify((endpoint.Properties as { ServiceName: unknown }).ServiceName);
    return /\.([a-z0-9-]+)"/.exec(name)?.[1] ?? name;
  };

  it('creates gateway endpoints for S3 and DynamoDB and interface endpoints for the other APIs the steps call', () => {
    const byType = (type: string) =>
      endpoints()
        .filter((endpoint) => endpoint.Properties.VpcEndpointType === type)
        .map(serviceOf)
        .sort();
    expect(byType('Gateway')).toEqual(['dynamodb', 's3']);
    expect(byType('Interface')).toEqual(['monitoring', 'secretsmanager', 'sns', 'states']);
  });

  it('lets only the database steps reach the interface endpoints, on HTTPS, with private DNS', () => {
    const stepGroup = synthesized.stack.resolve(
      (synthesized.workflow.connections.securityGroups[0] as ec2.SecurityGroup).securityGroupId,
    );
    const interfaces = endpoints().filter((endpoint) => endpoint.Properties.VpcEndpointType === 'Interface');
    const ingress = Object.values(synthesized.template.findResources('AWS::EC2::SecurityGroupIngress'));
    for (const endpoint of interfaces) {
      expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
      const [group] = endpoint.Properties.SecurityGroupIds as [{ 'Fn::GetAtt': [string, string] }];
      const rules = ingress.filter(
        (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify(group),
      );
      expect(rules.map((rule) => [rule.Properties.FromPort, rule.Properties.SourceSecurityGroupId])).toEqual([
        [443, stepGroup],
      ]);
    }
  });
});

describe('cdk-nag AwsSolutions with every option on', () => {
  it('finds nothing unacknowledged in the workflow', () => {
    const findings = new AwsSolutionsChecks(synthesized.app)
      .validateScope(synthesized.app)
      .violations.flatMap((violation) =>
        violation.violatingResources
          .filter((resource) => resource.constructPath?.includes('/Workflow/'))
          .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
    expect(findings).toEqual([]);
  });
});

describe('runtime, lease and approval timing', () => {
  it('runs every function, the failure notifier included, on the runtime given', () => {
    const runtimes = Object.values(synthesized.template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Runtime,
    );
    expect(runtimes).toHaveLength(STEP_FUNCTION_NAMES.length + 1);
    expect(new Set(runtimes)).toEqual(new Set(['nodejs24.x']));
  });

  it('gives the steps that take the lease its time to live and the approval timeout', () => {
    for (const step of ['validate', 'apply'] as const) {
      expect(variables(step)).toMatchObject({
        STEPMIGRATE_LEASE_TTL_MS: String(45 * 60 * 1000),
        STEPMIGRATE_APPROVAL_TIMEOUT_MS: String(2 * 60 * 60 * 1000),
      });
    }
  });

  it('refuses a runtime older than the bundles target and a lease shorter than a step', () => {
    expect(() =>
      synthWorkflowStack({ runtime: lambda.Runtime.NODEJS_20_X, leaseTtl: Duration.minutes(5) }),
    ).toThrow(
      /runtime must be Node.js 22 or later \(the bundles target node22\), got nodejs20.x; leaseTtl must be at least 20 minutes/,
    );
  });

  it('refuses a handlers directory without an entry file for every step, naming the missing file', () => {
    const empty = mkdtempSync(join(tmpdir(), 'stepmigrate-no-handlers-'));
    try {
      expect(() => synthWorkflowStack({ handlersDirectory: empty })).toThrow(
        /the Lambda entry file \S+[\\/][a-z]+\.ts does not exist \(handlersDirectory holds one file per step, named after it\)/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
