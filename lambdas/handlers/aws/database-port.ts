// The Database port of a step that talks to PostgreSQL: the secret named by
// STEPMIGRATE_DB_SECRET_ARN, and for a credentials-only secret the endpoint in
// STEPMIGRATE_DB_HOST / STEPMIGRATE_DB_PORT / STEPMIGRATE_DB_NAME. A step that backs up or
// restores passes COPY (pgCopyStreams); the others leave it out of their bundles.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PgCopyStreams } from '../../adapters/pg-database.ts';
import { SecretsManagerDatabase } from '../../adapters/secrets-manager-database.ts';
import { CancellableDatabase } from '../../engine/cancellable-database.ts';
import type { Database } from '../../ports.ts';
import { type Env, notConfigured, optionalPositiveInteger } from './environment.ts';
import { sdkClientConfig } from './sdk-client-config.ts';

export function secretsManagerDatabase(env: Env, name: string, copy?: PgCopyStreams): Database {
  const secretArn = env.STEPMIGRATE_DB_SECRET_ARN;
  if (!secretArn) return notConfigured<Database>(name, 'STEPMIGRATE_DB_SECRET_ARN');
  // Cancellable, so a step near its Lambda timeout can stop its statements and fail cleanly.
  return new CancellableDatabase(
    new SecretsManagerDatabase({
      client: new SecretsManagerClient(sdkClientConfig()),
      secretArn,
      name,
      copy,
      endpoint: {
        host: env.STEPMIGRATE_DB_HOST || undefined,
        port: optionalPositiveInteger(env, 'STEPMIGRATE_DB_PORT'),
        dbname: env.STEPMIGRATE_DB_NAME || undefined,
      },
    }),
  );
}
