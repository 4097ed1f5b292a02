// Local S3 (s3rver) and DynamoDB (dynalite) for adapter integration tests: each starts on a
// free loopback port and is stopped by the test file that started it.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { s3ClientConfig } from '../../lambdas/handlers/aws/sdk-client-config.ts';

const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const region = 'us-east-1';

export interface Emulator<Client> {
  client: Client;
  endpoint: string;
  stop(): Promise<void>;
}

export async function startS3(buckets: string[]): Promise<Emulator<S3Client>> {
  const directory = await mkdtemp(join(tmpdir(), 'stepmigrate-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // Exactly production's configuration (timeouts, retries, checksums only where S3 requires
  // them: s3rver would store an aws-chunked checksum trailer as object data); only where and
  // as whom differ. An IP endpoint gets path-style requests without forcePathStyle.
  const client = new S3Client({ ...s3ClientConfig(), endpoint, region, credentials });
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export async function startDynamoDb(tables: CreateTableCommandInput[]): Promise<Emulator<DynamoDBClient>> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region, credentials });
  for (const table of tables) await client.send(new CreateTableCommand(table));
  return {
    client,
    endpoint,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
