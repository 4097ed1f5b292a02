// Stands in for @aws-sdk/credential-provider-node inside the Lambda bundles (see
// LAMBDA_BUNDLE_ALIASES in infra/bundling.ts). The Lambda runtime always hands the function's
// role credentials over in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so
// the SDK's default chain (profiles, SSO, web identity, the instance metadata service and
// the STS and SSO clients they need: about 90 KB of every bundle) is never used there.

/** The shape of the SDK's AwsCredentialIdentity. */
interface LambdaCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export class LambdaCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LambdaCredentialsError';
  }
}

/** The credentials the Lambda runtime put in the environment. */
export function defaultProvider(): () => Promise<LambdaCredentials> {
  return async () => {
    const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new LambdaCredentialsError(
        'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: this bundle only runs in the Lambda runtime, which sets them from the function role',
      );
    }
    const sessionToken = process.env.AWS_SESSION_TOKEN;
    return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  };
}
