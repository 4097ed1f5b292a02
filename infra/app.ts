// The example CDK app (`npx cdk synth`, `npx cdk deploy`). With no context it deploys the
// workflow with a demo database; to migrate an existing database pass its connection:
//   npx cdk deploy -c databaseSecretArn=arn:aws:secretsmanager:… -c vpcId=vpc-… \
//     -c subnetIds=subnet-a,subnet-b [-c securityGroupId=sg-…] [-c alarmEmail=ops@example.com] \
//     [-c databaseName=orders] [-c migrationsDirectory=./migrations] [-c bakeAlarmNames=a,b] \
//     [-c databaseSecretKeyArn=arn:aws:kms:…] \
//     [-c databaseHost=… -c databasePort=5432 -c databaseDbName=…]   (secret without host)
//     [-c vpcEndpoints=true -c routeTableIds=rtb-a,rtb-b]             (subnets without NAT)
// With -c pipeline=true it adds the example delivery pipeline (docs/codepipeline.md).
// Every stack is checked with cdk-nag's AwsSolutions rules; a finding fails the synth.
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from './example-app.ts';

buildExampleApp(new App());
