// The example deployment: one MigrationWorkflow against an existing PostgreSQL database, or,
// when none is given, against a small demo database created alongside it.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { DatabaseSnapshotOptions } from '../database-snapshot.ts';
import { type DatabaseEndpoint, MigrationWorkflow } from '../migration-workflow.ts';
import { DemoDatabase } from './demo-database.ts';

/** Where an existing database is and how to reach it. */
export interface ExistingDatabase {
  /**
   * Complete ARN of the database secret: RDS format (host, port, username, password, dbname),
   * or the RDS-managed master user secret (username, password) together with `endpoint`.
   */
  readonly secretArn: string;
  /** @default - the secret is encrypted with the AWS-managed key */
  readonly secretKeyArn?: string;
  /** @default - host, port and dbname come from the secret */
  readonly endpoint?: DatabaseEndpoint;
  readonly vpcId: string;
  /** Subnets the database steps run in; they must reach the database and the AWS APIs. */
  readonly subnetIds: string[];
  /** Route table of each subnet, in the same order; needed for `vpcEndpoints`. */
  readonly routeTableIds?: string[];
  /** Create the VPC endpoints the steps need (subnets without NAT). @default false */
  readonly vpcEndpoints?: boolean;
  /** A security group the database already admits. @default - a new one (see the output) */
  readonly securityGroupId?: string;
}

export interface StepMigrateStackProps extends StackProps {
  readonly migrationsDirectory: string;
  /** Display name of the database (metrics, audit log, messages). */
  readonly databaseName: string;
  /** @default - a demo VPC and PostgreSQL 17 instance */
  readonly existingDatabase?: ExistingDatabase;
  /** @default - no e-mail subscription */
  readonly alarmEmail?: string;
  /** @default - none */
  readonly bakeAlarmNames?: string[];
  /** An RDS or Aurora snapshot before each run's table backup. @default - none */
  readonly databaseSnapshot?: DatabaseSnapshotOptions;
}

export class StepMigrateStack extends Stack {
  readonly workflow: MigrationWorkflow;

  constructor(scope: Construct, id: string, props: StepMigrateStackProps) {
    super(scope, id, props);
    const common = {
      migrationsDirectory: props.migrationsDirectory,
      databaseName: props.databaseName,
      alarmEmail: props.alarmEmail,
      bakeAlarmNames: props.bakeAlarmNames,
      databaseSnapshot: props.databaseSnapshot,
    };
    if (props.existingDatabase) {
      this.workflow = this.workflowForExistingDatabase(common, props.existingDatabase);
    } else {
      const demo = new DemoDatabase(this, 'DemoDatabase');
      this.workflow = new MigrationWorkflow(this, 'Workflow', {
        ...common,
        databaseSecret: demo.instance.secret!,
        vpc: demo.vpc,
        vpcSubnets: demo.workflowSubnets,
      });
      demo.instance.connections.allowDefaultPortFrom(this.workflow, 'stepmigrate database steps');
      new CfnOutput(this, 'DemoDatabaseSecretArn', { value: demo.instance.secret!.secretArn });
    }
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'AuditTableName', { value: this.workflow.auditTable.tableName });
    new CfnOutput(this, 'BackupBucketName', { value: this.workflow.backupBucket.bucketName });
    new CfnOutput(this, 'TopicArn', { value: this.workflow.topic.topicArn });
  }

  private workflowForExistingDatabase(
    common: Omit<ConstructorParameters<typeof MigrationWorkflow>[2], 'databaseSecret' | 'vpc'>,
    database: ExistingDatabase,
  ): MigrationWorkflow {
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: database.vpcId,
      availabilityZones: this.availabilityZones,
    });
    const routeTableIds = database.routeTableIds ?? [];
    if (database.vpcEndpoints && routeTableIds.length !== database.subnetIds.length) {
      throw new Error(
        `vpcEndpoints needs the route table of each subnet for the S3 and DynamoDB gateway endpoints: ` +
          `pass -c routeTableIds=rtb-…,rtb-… in the order of subnetIds (${database.subnetIds.length} subnets, ` +
          `${routeTableIds.length} route tables given)`,
      );
    }
    const workflow = new MigrationWorkflow(this, 'Workflow', {
      ...common,
      databaseSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'DatabaseSecret', database.secretArn),
      databaseSecretKey: database.secretKeyArn
        ? kms.Key.fromKeyArn(this, 'DatabaseSecretKey', database.secretKeyArn)
        : undefined,
      databaseEndpoint: database.endpoint,
      vpc,
      vpcSubnets: {
        subnets: database.subnetIds.map((subnetId, index) =>
          ec2.Subnet.fromSubnetAttributes(this, `Subnet${index}`, {
            subnetId,
            routeTableId: routeTableIds[index],
          }),
        ),
      },
      vpcEndpoints: database.vpcEndpoints,
      securityGroups: database.securityGroupId
        ? [ec2.SecurityGroup.fromSecurityGroupId(this, 'SecurityGroup', database.securityGroupId)]
        : undefined,
    });
    if (!database.securityGroupId) {
      new CfnOutput(this, 'WorkflowSecurityGroupId', {
        description: 'Allow this security group into the database on its port',
        value: workflow.connections.securityGroups[0]!.securityGroupId,
      });
    }
    return workflow;
  }
}
