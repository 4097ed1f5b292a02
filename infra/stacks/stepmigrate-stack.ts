// The example deployment: one MigrationWorkflow against an existing PostgreSQL database, or,
// when none is given, against a small demo database created alongside it.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { MigrationWorkflow } from '../migration-workflow.ts';
import { DemoDatabase } from './demo-database.ts';

/** Where an existing database is and how to reach it. */
export interface ExistingDatabase {
  /** Complete ARN of an RDS-format JSON secret (host, port, username, password, dbname). */
  readonly secretArn: string;
  readonly vpcId: string;
  /** Subnets the database steps run in; they must reach the database and the AWS APIs. */
  readonly subnetIds: string[];
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
    const workflow = new MigrationWorkflow(this, 'Workflow', {
      ...common,
      databaseSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'DatabaseSecret', database.secretArn),
      vpc,
      vpcSubnets: {
        subnets: database.subnetIds.map((subnetId, index) =>
          ec2.Subnet.fromSubnetId(this, `Subnet${index}`, subnetId),
        ),
      },
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
