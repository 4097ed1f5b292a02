// The deployed Lambda package, not the source: builds the Validate step the way the construct
// does, runs it in a plain Node.js process against local DynamoDB and a stand-in Secrets
// Manager, and checks it gets as far as the database (ESM shims, bundled migrations and the
// parser's WebAssembly all in place) without ever printing the secret.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDbAuditLog } from '../../lambdas/adapters/dynamodb-audit-log.ts';
import { type Emulator, startDynamoDb } from '../support/aws-emulators.ts';
import { auditTableInput, leaseTableInput } from '../support/dynamodb-tables.ts';
import { buildStepPackage } from '../support/lambda-bundle.ts';

const SECRET_PASSWORD = 'pw-that-must-never-be-printed-7f3a';
const INVOKE = `
const { handler } = await import(process.argv[1]);
try {
  console.log(JSON.stringify({ result: await handler(JSON.parse(process.argv[2]), {}) }));
} catch (error) {
  console.log(JSON.stringify({ error: { name: error.name, message: error.message } }));
}`;

let packageDir: string;
let dynamodb: Emulator<DynamoDBClient>;
let secretsManager: Server;
let secretRequests = 0;

/** Answers GetSecretValue with an RDS-format secret for a port where nothing listens. */
function startSecretsManager(): Promise<string> {
  secretsManager = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (String(request.headers['x-amz-target']).startsWith('secretsmanager.')) secretRequests += 1;
      const secret = {
        host: '127.0.0.1',
        port: 9,
        username: 'stepmigrate',
        password: SECRET_PASSWORD,
        dbname: 'app',
      };
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:db-AbCdEf',
          SecretString: JSON.stringify(secret),
        }),
      );
    });
  });
  return new Promise((resolve) =>
    secretsManager.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}`),
    ),
  );
}

beforeAll(async () => {
  packageDir = await mkdtemp(join(tmpdir(), 'stepmigrate-validate-'));
  buildStepPackage('validate', packageDir);
  dynamodb = await startDynamoDb([auditTableInput('audit'), leaseTableInput('lease')]);
}, 120_000);

afterAll(async () => {
  await dynamodb?.stop();
  await new Promise((resolve) => (secretsManager ? secretsManager.close(resolve) : resolve(undefined)));
  if (packageDir) await rm(packageDir, { recursive: true, force: true });
});

describe('the Validate Lambda package', () => {
  it('holds the bundle, its source map, the migrations and the parser WebAssembly', async () => {
    expect((await readdir(packageDir)).sort()).toEqual([
      'index.mjs',
      'index.mjs.map',
      'libpg-query.wasm',
      'migrations',
    ]);
    expect((await readdir(join(packageDir, 'migrations'))).some((file) => file.endsWith('.sql'))).toBe(true);
  });

  it('starts, reads the secret and reaches the database, auditing the attempt without printing the secret', async () => {
    const secretsEndpoint = await startSecretsManager();
    const executionId = 'arn:aws:states:us-east-1:123456789012:execution:stepmigrate:bundle-smoke';
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        INVOKE,
        join(packageDir, 'index.mjs'),
        JSON.stringify({ executionId, input: {} }),
      ],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          AWS_MAX_ATTEMPTS: '1',
          AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsEndpoint,
          AWS_ENDPOINT_URL_CLOUDWATCH: secretsEndpoint,
          STEPMIGRATE_DATABASE: 'app',
          STEPMIGRATE_AUDIT_TABLE: 'audit',
          STEPMIGRATE_LEASE_TABLE: 'lease',
          STEPMIGRATE_MIGRATIONS_DIR: join(packageDir, 'migrations'),
          STEPMIGRATE_DB_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf',
        },
        timeout: 60_000,
      },
    );

    const outcome = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(outcome.error).toMatchObject({ name: 'PreflightError' });
    expect(outcome.error.message).toContain('127.0.0.1:9/app');
    expect(secretRequests).toBe(1);
    expect(`${stdout}${stderr}`).not.toContain(SECRET_PASSWORD);
    const audit = await new DynamoDbAuditLog({ client: dynamodb.client, tableName: 'audit' }).list({
      executionId,
    });
    expect(audit.map((record) => `${record.step}:${record.event}`)).toEqual([
      'Validate:failed',
      'Validate:started',
    ]);
    expect(JSON.stringify(audit)).not.toContain(SECRET_PASSWORD);
  });
});
