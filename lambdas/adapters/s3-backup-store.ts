// The BackupStore port on S3: `s3://<bucket>/<prefix><key>`. Objects are streamed with a
// multipart upload (bounded memory, any size); a retried Backup step overwrites the same
// keys, and the bucket's versioning keeps what was there before.

import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BackupError } from '../engine/errors.ts';
import type { BackupStore, StoredObject } from '../ports.ts';

export interface S3BackupStoreOptions {
  /**
   * Transient errors of every single request (a part, a GET) are retried by the client's
   * retry strategy: configure it with `maxAttempts`. The upload as a whole cannot be retried
   * here, because its body stream has already been consumed; the step is retried instead.
   */
  client: S3Client;
  bucket: string;
  /** Key prefix of every object, e.g. "backups/"; keys passed to the store are relative to it. */
  prefix?: string;
  /** Bytes per part, at least 5 MiB. @default 8 MiB */
  partSize?: number;
  /** Parts in flight at once (memory is about partSize × queueSize). @default 4 */
  queueSize?: number;
}

const DELETE_BATCH = 1000;

export class S3BackupStore implements BackupStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3BackupStoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 4;
  }

  async put(key: string, body: Readable): Promise<StoredObject> {
    const counter = new ByteCounter();
    body.on('error', (error) => counter.destroy(error));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.objectKey(key), Body: body.pipe(counter) },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // Stop the producer too: an unread COPY stream would hold its connection open.
      body.destroy();
      counter.destroy();
      throw new BackupError(`could not write backup object ${this.location(key)}: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return { key, bytes: counter.bytes, location: this.location(key), modifiedAt: new Date().toISOString() };
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

  async delete(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const response = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((key) => ({ Key: this.objectKey(key) })), Quiet: true },
        }),
      );
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw new BackupError(
          `could not delete ${failed.length} backup object(s), e.g. s3://${this.bucket}/${first.Key}: ${first.Code} ${first.Message}`,
        );
      }
    }
  }

  private objectKey(key: string): string {
    return `${this.prefix}${key}`;
  }

  private location(key: string): string {
    return `s3://${this.bucket}/${this.objectKey(key)}`;
  }
}

/** Passes bytes through and counts them: the upload result does not say how big the object is. */
class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
