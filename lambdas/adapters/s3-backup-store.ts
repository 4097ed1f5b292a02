// The BackupStore port on S3: `s3://<bucket>/<prefix><key>`, S3BackupReader's reads plus the
// writes. Objects are streamed with a multipart upload (bounded memory, any size); a retried
// Backup step overwrites the same keys, and the bucket's versioning keeps what was there before.

import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { DeleteObjectsCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BackupError } from '../engine/errors.ts';
import type { StoredObject } from '../ports.ts';
import { messageOf, S3BackupReader, type S3BackupReaderOptions } from './s3-backup-reader.ts';

export interface S3BackupStoreOptions extends S3BackupReaderOptions {
  /** Bytes per part, at least 5 MiB. @default 8 MiB */
  partSize?: number;
  /** Parts in flight at once (memory is about partSize × queueSize). @default 4 */
  queueSize?: number;
}

const DELETE_BATCH = 1000;

/**
 * Each part is retried by the client's retry strategy; the upload as a whole cannot be
 * retried here, because its body stream has already been consumed: the step is retried instead.
 */
export class S3BackupStore extends S3BackupReader {
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3BackupStoreOptions) {
    super(options);
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    this.queueSize = options.queueSize ?? 4;
  }

  override async put(key: string, body: Readable): Promise<StoredObject> {
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

  override async delete(keys: readonly string[]): Promise<void> {
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
}

/** Passes bytes through and counts them: the upload result does not say how big the object is. */
class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}
