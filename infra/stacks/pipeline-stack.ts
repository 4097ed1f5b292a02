// An example delivery pipeline for schema changes: source → deploy the workflow stack with
// `cdk deploy` (new migrations ship inside the step Lambdas) → optional manual approval →
// run the migration workflow. A failed migration fails the Migrate stage and the pipeline.
import { Aws, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as codepipelineActions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { ExecutionInput } from '../../lambdas/engine/run-state.ts';
import { pipelineAction } from '../pipeline-action.ts';
import { acknowledgeGrantWildcards } from './pipeline-nag.ts';

/** Where the pipeline gets the repository (CDK app + migrations) from. */
export type PipelineSource =
  | { readonly kind: 'codecommit'; readonly repositoryName: string; readonly branch?: string }
  | {
      readonly kind: 'connection';
      /** A CodeStar connection (GitHub, GitLab, Bitbucket) created and authorised in the console. */
      readonly connectionArn: string;
      readonly owner: string;
      readonly repo: string;
      readonly branch?: string;
    }
  | { readonly kind: 's3'; readonly bucketName: string; readonly objectKey: string };

export interface PipelineStackProps extends StackProps {
  readonly source: PipelineSource;
  /** The migration state machine, e.g. `workflowStack.workflow.stateMachine`. */
  readonly stateMachine: sfn.IStateMachine;
  /** The stack that holds the workflow; the Deploy stage runs `cdk deploy` on it. */
  readonly workflowStackName: string;
  /**
   * Extra arguments for `cdk deploy`, e.g. `['-c', 'databaseName=orders']`.
   * @default - none
   */
  readonly cdkDeployArguments?: string[];
  /**
   * Stop for a person's approval between Deploy and Migrate.
   * @default false
   */
  readonly manualApproval?: boolean;
  /**
   * Addresses that get the manual approval request.
   * @default - none; approvers watch the pipeline
   */
  readonly approvalEmails?: string[];
  /**
   * Execution input of the Migrate action.
   * @default - target latest, deployment defaults
   */
  readonly input?: Partial<ExecutionInput>;
  /**
   * Qualifier of the CDK bootstrap stack whose roles `cdk deploy` assumes.
   * @default 'hnb659fds'
   */
  readonly cdkBootstrapQualifier?: string;
}

const DEFAULT_QUALIFIER = 'hnb659fds';

export class PipelineStack extends Stack {
  readonly pipeline: codepipeline.Pipeline;
  readonly deployProject: codebuild.PipelineProject;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const sourceOutput = new codepipeline.Artifact('Source');
    this.deployProject = this.createDeployProject(props);

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      restartExecutionOnUpdate: false,
      enableKeyRotation: true,
    });
    this.pipeline.addStage({ stageName: 'Source', actions: [this.sourceAction(props.source, sourceOutput)] });
    this.pipeline.addStage({
      stageName: 'Deploy',
      actions: [
        new codepipelineActions.CodeBuildAction({
          actionName: 'CdkDeploy',
          project: this.deployProject,
          input: sourceOutput,
        }),
      ],
    });
    if (props.manualApproval) {
      this.pipeline.addStage({
        stageName: 'Approve',
        actions: [
          new codepipelineActions.ManualApprovalAction({
            actionName: 'ApproveMigration',
            notificationTopic: this.approvalTopic(props.approvalEmails),
            notifyEmails: props.approvalEmails,
            additionalInformation: `Approve to run the schema migrations of ${props.workflowStackName}.`,
          }),
        ],
      });
    }
    this.pipeline.addStage({
      stageName: 'Migrate',
      actions: [pipelineAction(props.stateMachine, { input: props.input })],
    });
    this.acknowledgeFindings(props.cdkBootstrapQualifier ?? DEFAULT_QUALIFIER);
  }

  /**
   * The topic of the approval e-mails: encrypted and TLS-only. Left to itself the action
   * creates a plain topic, which cdk-nag reports (AwsSolutions-SNS2, AwsSolutions-SNS3).
   */
  private approvalTopic(emails: readonly string[] | undefined): sns.ITopic | undefined {
    if (emails === undefined || emails.length === 0) return undefined;
    const key = new kms.Key(this, 'ApprovalTopicKey', {
      description: 'Encrypts the pipeline approval topic',
      enableKeyRotation: true,
    });
    return new sns.Topic(this, 'ApprovalTopic', {
      displayName: 'stepmigrate pipeline approvals',
      masterKey: key,
      enforceSSL: true,
    });
  }

  private acknowledgeFindings(qualifier: string): void {
    Validations.of(this.pipeline.artifactBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The artifacts bucket only passes source zips between stages; it is KMS-encrypted, TLS-only and reached ' +
        'through the pipeline roles alone, whose S3 data events CloudTrail can record.',
    });
    acknowledgeGrantWildcards(this, [
      {
        finding:
          /^Action::(s3:(GetObject|GetBucket|List|DeleteObject|Abort|PutObject)\*|kms:(ReEncrypt|GenerateDataKey)\*)$/,
        reason:
          "CDK's grants on the pipeline's own artifacts bucket and key: the wildcards cover variants of the read, " +
          "write and encrypt actions on that one bucket, which holds only this pipeline's artifacts.",
      },
      {
        finding: /^Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>\/\*$/,
        reason:
          'Artifact object keys are generated per pipeline execution; the grant is limited to this bucket.',
      },
      {
        finding:
          /^Resource::arn:<AWS::Partition>:(logs:.*:log-group:\/aws\/codebuild\/<DeployProject[0-9A-F]{8}>:\*|codebuild:.*:report-group\/<DeployProject[0-9A-F]{8}>-\*)$/,
        reason:
          "CodeBuild's default grants for the deploy project's own log group streams and report groups.",
      },
      {
        finding: new RegExp(
          `^Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-${qualifier}-\\*$`,
        ),
        reason:
          '`cdk deploy` works through the CDK bootstrap roles (deploy, file and image publishing, lookup) of this ' +
          'account; the project may assume those and nothing else.',
      },
      {
        finding: /^Resource::.*:execution:.*\*$/,
        reason:
          'Execution names are generated per pipeline run; DescribeExecution is limited to executions of the ' +
          "migration state machine that carry the action's name prefix.",
      },
    ]);
  }

  private sourceAction(source: PipelineSource, output: codepipeline.Artifact): codepipeline.IAction {
    switch (source.kind) {
      case 'codecommit':
        return new codepipelineActions.CodeCommitSourceAction({
          actionName: 'Source',
          repository: codecommit.Repository.fromRepositoryName(this, 'Repository', source.repositoryName),
          branch: source.branch ?? 'main',
          output,
        });
      case 'connection':
        return new codepipelineActions.CodeStarConnectionsSourceAction({
          actionName: 'Source',
          connectionArn: source.connectionArn,
          owner: source.owner,
          repo: source.repo,
          branch: source.branch ?? 'main',
          output,
        });
      case 's3':
        return new codepipelineActions.S3SourceAction({
          actionName: 'Source',
          bucket: s3.Bucket.fromBucketName(this, 'SourceBucket', source.bucketName),
          bucketKey: source.objectKey,
          output,
        });
    }
  }

  private createDeployProject(props: PipelineStackProps): codebuild.PipelineProject {
    const deployArguments = [props.workflowStackName, ...(props.cdkDeployArguments ?? [])]
      .map(shellWord)
      .join(' ');
    const project = new codebuild.PipelineProject(this, 'DeployProject', {
      description: `cdk deploy ${props.workflowStackName}: ships the migrations with the workflow`,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { variables: { CDK_DISABLE_CLI_TELEMETRY: 'true' } },
        phases: {
          install: { 'runtime-versions': { nodejs: '20' }, commands: ['npm ci'] },
          build: { commands: [`npx cdk deploy ${deployArguments} --require-approval never --no-notices`] },
        },
      }),
    });
    // cdk deploy works through the bootstrap roles; the project needs nothing else.
    const qualifier = props.cdkBootstrapQualifier ?? DEFAULT_QUALIFIER;
    project.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-${qualifier}-*`],
      }),
    );
    return project;
  }
}

/**
 * The source from context: `-c pipelineConnectionArn=… -c pipelineRepository=owner/repo`,
 * `-c pipelineCodeCommitRepository=name`, or `-c pipelineSourceBucket=b -c pipelineSourceKey=k`;
 * `-c pipelineBranch=…` (default main).
 */
export function pipelineSourceFromContext(context: (key: string) => string | undefined): PipelineSource {
  const branch = context('pipelineBranch');
  const connectionArn = context('pipelineConnectionArn');
  if (connectionArn !== undefined) {
    const [owner, repo] = (context('pipelineRepository') ?? '').split('/');
    if (!owner || !repo) {
      throw new Error(
        `pipelineConnectionArn needs pipelineRepository as "owner/repo", got "${context('pipelineRepository') ?? ''}"`,
      );
    }
    return { kind: 'connection', connectionArn, owner, repo, branch };
  }
  const repositoryName = context('pipelineCodeCommitRepository');
  if (repositoryName !== undefined) return { kind: 'codecommit', repositoryName, branch };
  const bucketName = context('pipelineSourceBucket');
  if (bucketName !== undefined) {
    return { kind: 's3', bucketName, objectKey: context('pipelineSourceKey') ?? 'source.zip' };
  }
  throw new Error(
    'The pipeline needs a source: -c pipelineConnectionArn=… -c pipelineRepository=owner/repo, ' +
      '-c pipelineCodeCommitRepository=name, or -c pipelineSourceBucket=bucket [-c pipelineSourceKey=key]',
  );
}

/** One argument of the buildspec's shell command, quoted only when it has to be. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
