import { describe, expect, it } from '@jest/globals';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codepipelineActions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MigrationWorkflow } from '../../infra/migration-workflow.ts';
import { PIPELINE_EXECUTION_ID, type pipelineAction } from '../../infra/pipeline-action.ts';
import {
  PipelineStack,
  type PipelineStackProps,
  pipelineSourceFromContext,
} from '../../infra/stacks/pipeline-stack.ts';
import { FIXTURE_HANDLERS, FIXTURE_MIGRATIONS, testApp } from './support/workflow-stack.ts';

const env = { account: '123456789012', region: 'eu-west-1' };

function workflowIn(stack: Stack): MigrationWorkflow {
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
  return new MigrationWorkflow(stack, 'Workflow', {
    migrationsDirectory: FIXTURE_MIGRATIONS,
    handlersDirectory: FIXTURE_HANDLERS,
    databaseSecret: new secretsmanager.Secret(stack, 'DatabaseSecret'),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    databaseName: 'orders',
  });
}

interface StageJson {
  Name: string;
  Actions: Array<{
    Name: string;
    ActionTypeId: { Provider: string };
    Configuration: Record<string, unknown>;
  }>;
}

function stagesOf(template: Template): StageJson[] {
  const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  expect(pipelines).toHaveLength(1);
  return pipelines[0]!.Properties.Stages as StageJson[];
}

/** A workflow stack and, in the same app, a pipeline stack that deploys it and runs it. */
function pipelineApp(props: Pick<PipelineStackProps, 'manualApproval' | 'input'>) {
  const app = testApp();
  const workflowStack = new Stack(app, 'OrdersMigrations', { env });
  const workflow = workflowIn(workflowStack);
  const pipelineStack = new PipelineStack(app, 'OrdersMigrationsPipeline', {
    env,
    source: { kind: 'codecommit', repositoryName: 'orders-schema' },
    stateMachine: workflow.stateMachine,
    workflowStackName: workflowStack.stackName,
    ...props,
  });
  return { app, workflowStack, workflow, pipelineStack };
}

function synthPipeline(manualApproval: boolean) {
  const { workflowStack, workflow, pipelineStack } = pipelineApp({
    manualApproval,
    input: { bakeSeconds: 300 },
  });
  const stateMachineId = workflowStack.getLogicalId(workflow.stateMachine.node.defaultChild as never);
  return { template: Template.fromStack(pipelineStack), stateMachineId };
}

describe('pipeline stack', () => {
  it('runs the migration workflow in a stage after the deploy stage, with the pipeline execution id', () => {
    const { template, stateMachineId } = synthPipeline(false);

    const stages = stagesOf(template);
    const names = stages.map((stage) => stage.Name);
    expect(names).toEqual(['Source', 'Deploy', 'Migrate']);
    const migrate = stages[names.indexOf('Migrate')]!.Actions[0]!;
    expect(migrate.ActionTypeId.Provider).toBe('StepFunctions');
    // The workflow lives in its own stack: the ARN is imported from that stack's export.
    expect(JSON.stringify(migrate.Configuration.StateMachineArn)).toContain(stateMachineId);
    const input = JSON.parse(migrate.Configuration.Input as string);
    expect(input).toEqual({ bakeSeconds: 300, requestedBy: '#{codepipeline.PipelineExecutionId}' });
    expect(migrate.Configuration.InputType).toBe('Literal');
  });

  it('deploys the workflow stack with cdk deploy through the bootstrap roles only', () => {
    const { template } = synthPipeline(false);

    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: {
        BuildSpec: Match.stringLikeRegexp('npx cdk deploy OrdersMigrations --require-approval never'),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sts:AssumeRole',
            Resource: { 'Fn::Join': ['', Match.arrayWith([':role/cdk-hnb659fds-*'])] },
          }),
        ]),
      },
    });
  });

  it('puts the manual approval between deploy and migrate when asked', () => {
    const { template } = synthPipeline(true);

    expect(stagesOf(template).map((stage) => stage.Name)).toEqual(['Source', 'Deploy', 'Approve', 'Migrate']);
  });

  it('reads the source from context and says what is missing', () => {
    const context = (values: Record<string, string>) => (key: string) => values[key];
    expect(
      pipelineSourceFromContext(
        context({
          pipelineConnectionArn: 'arn:aws:codestar-connections:eu-west-1:1:connection/x',
          pipelineRepository: 'acme/orders',
        }),
      ),
    ).toMatchObject({ kind: 'connection', owner: 'acme', repo: 'orders', connectionArn: expect.any(String) });
    expect(() => pipelineSourceFromContext(context({}))).toThrow(/pipelineConnectionArn/);
  });
});

describe('pipeline stack and cdk-nag AwsSolutions', () => {
  function pipelineFindings(extra?: (stack: PipelineStack) => void): string[] {
    const { app, pipelineStack } = pipelineApp({ manualApproval: true });
    extra?.(pipelineStack);
    const checks = new AwsSolutionsChecks(app);
    // The pipeline's acknowledgements are computed once references are resolved, during synth.
    app.synth();
    return checks
      .validateScope(app)
      .violations.flatMap((violation) =>
        violation.violatingResources
          .filter((resource) => resource.constructPath?.startsWith('OrdersMigrationsPipeline/'))
          .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
  }

  it('finds nothing unacknowledged', () => {
    expect(pipelineFindings()).toEqual([]);
  });

  it('still reports a wildcard it does not know', () => {
    const findings = pipelineFindings((stack) =>
      stack.deployProject.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })),
    );

    expect(findings).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Action::s3:*] OrdersMigrationsPipeline/DeployProject/Role/DefaultPolicy/Resource',
        'AwsSolutions-IAM5[Resource::*] OrdersMigrationsPipeline/DeployProject/Role/DefaultPolicy/Resource',
      ]),
    );
  });
});

describe('pipelineAction', () => {
  function stackWithAction(options: Parameters<typeof pipelineAction>[1]) {
    const app = testApp();
    const stack = new Stack(app, 'Together', { env });
    const workflow = workflowIn(stack);
    const sourceOutput = new codepipeline.Artifact('Source');
    new codepipeline.Pipeline(stack, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      stages: [
        {
          stageName: 'Source',
          actions: [
            new codepipelineActions.S3SourceAction({
              actionName: 'Source',
              bucket: s3.Bucket.fromBucketName(stack, 'Bucket', 'schema-source'),
              bucketKey: 'source.zip',
              output: sourceOutput,
            }),
          ],
        },
        { stageName: 'Migrate', actions: [workflow.pipelineAction(options)] },
      ],
    });
    const stateMachineId = stack.getLogicalId(workflow.stateMachine.node.defaultChild as never);
    return { template: Template.fromStack(stack), stateMachineId };
  }

  it('targets the state machine, names executions after the database, and may start and follow it', () => {
    const { template, stateMachineId } = stackWithAction({ database: 'orders', input: { target: '0005' } });

    const migrate = stagesOf(template)[1]!.Actions[0]!;
    expect(migrate.Configuration.StateMachineArn).toEqual({ Ref: stateMachineId });
    expect(migrate.Configuration.ExecutionNamePrefix).toBe('orders');
    expect(JSON.parse(migrate.Configuration.Input as string)).toEqual({
      target: '0005',
      database: 'orders',
      requestedBy: PIPELINE_EXECUTION_ID,
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['states:StartExecution', 'states:DescribeStateMachine'],
            Resource: { Ref: stateMachineId },
          }),
        ]),
      },
    });
  });

  it('refuses, at synth time, a database other than the one the workflow migrates', () => {
    expect(() => stackWithAction({ database: 'billing' })).toThrow(
      'pipelineAction: database "billing" is not the database this workflow migrates ("orders")',
    );
  });

  it('refuses input the workflow would refuse, at synth time', () => {
    expect(() => stackWithAction({ input: { lockTimeoutMs: -1 } })).toThrow(
      /pipelineAction: invalid execution input: lockTimeoutMs must be a whole number/,
    );
  });
});
