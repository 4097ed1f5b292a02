// What reading the database secret takes, for a step Lambda and its task-runner role alike:
// GetSecretValue on the one secret (not CDK's grantRead, which adds DescribeSecret that no step
// calls), and Decrypt on a customer-managed key only when Secrets Manager asks for it.
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

export function secretReadStatements(
  secret: secretsmanager.ISecret,
  secretKey?: kms.IKey,
): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretFullArn ?? `${secret.secretArn}-??????`],
    }),
  ];
  const key = secretKey ?? secret.encryptionKey;
  if (key) {
    statements.push(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
      }),
    );
  }
  return statements;
}
