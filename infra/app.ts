// The example CDK app (`npx cdk synth`, `npx cdk deploy`). With no context it deploys the
// workflow with a demo database; to migrate an existing database pass its connection:
//   npx cdk deploy -c databaseSecretArn=arn:aws:secretsmanager:… -c vpcId=vpc-… \
//     -c subnetIds=subnet-a,subnet-b [-c securityGroupId=sg-…] [-c alarmEmail=ops@example.com] \
//     [-c databaseName=orders] [-c migrationsDirectory=./migrations] [-c bakeAlarmNames=a,b]
// Every stack is checked with cdk-nag's AwsSolutions rules; a finding fails the synth.
import { resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ExistingDatabase, StepMigrateStack } from './stacks/stepmigrate-stack.ts';

const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key);
  return value === undefined || value === '' ? undefined : String(value);
};
const list = (key: string): string[] | undefined =>
  context(key)
    ?.split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function existingDatabase(): ExistingDatabase | undefined {
  const secretArn = context('databaseSecretArn');
  const vpcId = context('vpcId');
  const subnetIds = list('subnetIds');
  if (secretArn === undefined && vpcId === undefined && subnetIds === undefined) return undefined;
  const missing = [
    secretArn === undefined && 'databaseSecretArn',
    vpcId === undefined && 'vpcId',
    subnetIds === undefined && 'subnetIds',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new Error(
      `An existing database needs databaseSecretArn, vpcId and subnetIds together; missing ${missing.join(', ')} ` +
        '(pass them with -c name=value, or none of them for the demo database)',
    );
  }
  return {
    secretArn: secretArn!,
    vpcId: vpcId!,
    subnetIds: subnetIds!,
    securityGroupId: context('securityGroupId'),
  };
}

new StepMigrateStack(app, context('stackName') ?? 'StepMigrate', {
  description: 'stepmigrate: PostgreSQL schema migrations as a guarded Step Functions workflow',
  migrationsDirectory: resolve(context('migrationsDirectory') ?? 'migrations'),
  databaseName: context('databaseName') ?? 'app',
  existingDatabase: existingDatabase(),
  alarmEmail: context('alarmEmail'),
  bakeAlarmNames: list('bakeAlarmNames'),
});

Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
