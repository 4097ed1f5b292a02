// A small PostgreSQL 17 to try stepmigrate against when no database is given: a VPC with one
// NAT gateway (the database steps reach Secrets Manager, CloudWatch, SNS and Step Functions
// through it; S3 and DynamoDB through free gateway endpoints, so backups never cross the NAT,
// which is why the workflow's own `vpcEndpoints` stays off here) and an
// encrypted db.t4g.micro instance whose credentials live in a generated secret.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';

export class DemoDatabase extends Construct {
  readonly vpc: ec2.Vpc;
  readonly instance: rds.DatabaseInstance;
  /** Subnets for the workflow's database steps. */
  readonly workflowSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS };

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'workflow', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.vpc.addFlowLog('FlowLogs', { trafficType: ec2.FlowLogTrafficType.REJECT });

    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      databaseName: 'app',
      credentials: rds.Credentials.fromGeneratedSecret('stepmigrate'),
      storageEncrypted: true,
      allocatedStorage: 20,
      iamAuthentication: true,
      backupRetention: Duration.days(1),
      deletionProtection: false,
      removalPolicy: RemovalPolicy.DESTROY,
      publiclyAccessible: false,
    });
    Validations.of(this.instance).acknowledge(
      {
        id: 'AwsSolutions-RDS3',
        reason: 'A single-AZ demo database; production databases are brought by the user.',
      },
      {
        id: 'AwsSolutions-RDS10',
        reason: 'A throw-away demo database: `cdk destroy` must be able to remove it without a manual step.',
      },
      {
        id: 'AwsSolutions-RDS11',
        reason:
          'The default port keeps the demo simple; the database is in isolated subnets and only the workflow security group may connect.',
      },
    );
    // instance.secret is the attachment; the generated secret itself is the instance's child.
    Validations.of(this.instance.node.findChild('Secret')).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Demo credentials for a throw-away database. For a production database enable rotation; the workflow reads the secret again on every cold start.',
    });
  }
}
