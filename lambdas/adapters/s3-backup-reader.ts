// The read half of the BackupStore port on S3 (`s3://<bucket>/<prefix><key>`): what Rollback
// needs, restoring from a backup it never writes (and the CLI's `restore`/`backups --from
// s3://…`). A module of its own so that the Rollback bundle leaves out the multipart upload
// (lib-storage); S3BackupStore adds the writes.

import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { BackupError } from '../engine/errors.ts';
import type { BackupStore, StoredObject } from '../ports.ts';

export interface S3BackupReaderOptions {
  /** Transient errors of every single request are retried by the client's retry strategy (`maxAttempts`). */
  client: S3Client;
  bucket: string;
  /** Key prefix of every object, e.g. "backups/"; keys passed to the store are relative to it. */
  prefix?: string;
}

export class S3BackupReader implements BackupStore {
  protected readonly client: S3Client;
  protected readonly bucket: string;
  protected readonly prefix: string;

  constructor(options: S3BackupReaderOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
  }

  async get(key: string): Promise<Readable> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        throw new BackupError(
          `backup object ${this.location(key)} does not exist — it may have expired (lifecycle retention) or ` +
            'the backup was written to another bucket or prefix',
          { cause: error },
        );
      }
      throw new BackupError(`could not read backup object ${this.location(key)}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.objectKey(prefix),
          ContinuationToken: continuationToken,
        }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        const key = object.Key.slice(this.prefix.length);
        objects.push({
          key,
          bytes: object.Size ?? 0,
          location: this.location(key),
          modifiedAt: object.LastModified?.toISOString(),
        });
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
    return objects.sort((a, b) => a.key.localeCompare(b.key));
  }

  /** Refuses: a step given the reader (Rollback) never writes backups, and its role may not. */
  async put(key: string, _body: Readable): Promise<StoredObject> {
    throw new BackupError(`cannot write backup object ${this.location(key)}: this step reads backups only`);
  }

  async delete(keys: readonly string[]): Promise<void> {
    throw new BackupError(
      `cannot delete ${keys.length} backup object(s) under s3://${this.bucket}/${this.prefix}: this step reads backups only`,
    );
  }

  protected objectKey(key: string): string {
    return `${this.prefix}${key}`;
  }

  protected location(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
