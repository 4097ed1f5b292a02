// Pass-through streams that measure COPY text as it flows: bytes, rows and SHA-256.
// In text COPY every row is exactly one line, so rows are newline bytes.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface DataDigest {
  bytes: number;
  rows: number;
  sha256: string;
}

const newline = 0x0a;

function countNewlines(chunk: Buffer): number {
  let count = 0;
  for (let at = chunk.indexOf(newline); at !== -1; at = chunk.indexOf(newline, at + 1)) count++;
  return count;
}

/** Passes bytes through unchanged; `digest()` is valid once the stream has ended. */
export class DigestStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private rows = 0;
  private result?: DataDigest;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.rows += countNewlines(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = { bytes: this.bytes, rows: this.rows, sha256: this.hash.digest('hex') };
    callback();
  }

  digest(): DataDigest {
    if (!this.result) throw new Error('DigestStream.digest() called before the stream ended');
    return this.result;
  }
}

/**
 * An order-independent digest of the rows (the sum of per-row SHA-256 values, lane by lane).
 * Used only when a restored table reads back in a different physical order than it was
 * backed up (rows deleted and re-inserted into free space), where the stream SHA-256
 * necessarily differs although the rows are the same.
 */
export class RowSetDigestStream extends Transform {
  private readonly lanes = new Uint32Array(8);
  private partial: Buffer = Buffer.alloc(0);
  private rows = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(newline); end !== -1; end = data.indexOf(newline, start)) {
      this.addRow(data.subarray(start, end + 1));
      start = end + 1;
    }
    data = data.subarray(start);
    this.partial = Buffer.from(data);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.partial.length > 0) this.addRow(this.partial);
    callback();
  }

  private addRow(row: Buffer): void {
    const digest = createHash('sha256').update(row).digest();
    for (let lane = 0; lane < 8; lane++)
      this.lanes[lane] = (this.lanes[lane]! + digest.readUInt32LE(lane * 4)) >>> 0;
    this.rows++;
  }

  /** "<rows>:<hex>" so a different row count never compares equal. */
  digest(): string {
    return `${this.rows}:${Buffer.from(this.lanes.buffer).toString('hex')}`;
  }
}
