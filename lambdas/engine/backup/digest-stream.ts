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

/**
 * Passes bytes through unchanged; `digest()` is valid once the stream has ended.
 *
 * A table backed up in chunks (several COPY streams, one object each) has one SHA-256 per
 * chunk, and its own `sha256` is the SHA-256 of those digests, one hex line each — what
 * `for f in <chunk objects>; do gunzip -c $f | sha256sum | cut -c1-64; done | sha256sum`
 * prints. Given the chunks' row counts, this stream cuts the concatenated text at the same
 * row boundaries and computes that digest, so a restore and its read-back verify a chunked
 * table exactly as they verify a table of one object.
 */
export class DigestStream extends Transform {
  private hash: Hash = createHash('sha256');
  private bytes = 0;
  private rows = 0;
  private result?: DataDigest;
  /** Rows left in the current chunk; undefined: not chunked, or in the last chunk. */
  private leftInChunk?: number;
  private readonly chunkRows: readonly number[];
  private readonly chunkDigests: string[] = [];

  /** `chunkRows`: the row count of each chunk, in order, when the text is a chunked table's. */
  constructor(chunkRows: readonly number[] = []) {
    super();
    this.chunkRows = chunkRows.length > 1 ? chunkRows : [];
    this.nextChunk();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    let rest = chunk;
    while (this.leftInChunk !== undefined) {
      const end = nthNewline(rest, this.leftInChunk);
      if (end === -1) break;
      this.hash.update(rest.subarray(0, end));
      rest = rest.subarray(end);
      this.rows += this.leftInChunk;
      this.closeChunk();
    }
    this.hash.update(rest);
    const rows = countNewlines(rest);
    this.rows += rows;
    if (this.leftInChunk !== undefined) this.leftInChunk -= rows;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    // Chunks of no rows at the very start of an empty text were never reached by _transform.
    while (this.leftInChunk === 0) this.closeChunk();
    let sha256 = this.hash.digest('hex');
    if (this.chunkRows.length > 0) {
      // A stream that ended early leaves chunks without digests: pad so the digest differs.
      const digests = [...this.chunkDigests, sha256];
      while (digests.length < this.chunkRows.length) digests.push('');
      sha256 = chunkedDigest(digests);
    }
    this.result = { bytes: this.bytes, rows: this.rows, sha256 };
    callback();
  }

  digest(): DataDigest {
    if (!this.result) throw new Error('DigestStream.digest() called before the stream ended');
    return this.result;
  }

  private closeChunk(): void {
    this.chunkDigests.push(this.hash.digest('hex'));
    this.hash = createHash('sha256');
    this.nextChunk();
  }

  private nextChunk(): void {
    const index = this.chunkDigests.length;
    this.leftInChunk = index < this.chunkRows.length - 1 ? this.chunkRows[index] : undefined;
  }
}

/** The table digest of chunks backed up separately: SHA-256 of their digests, one hex line each. */
export function chunkedDigest(chunkSha256s: readonly string[]): string {
  return createHash('sha256')
    .update(chunkSha256s.map((d) => `${d}\n`).join(''))
    .digest('hex');
}

/** The offset just past the `n`th newline of `chunk` (n = 0: 0), or -1 when it has fewer. */
function nthNewline(chunk: Buffer, n: number): number {
  let at = 0;
  for (let seen = 0; seen < n; seen++) {
    const found = chunk.indexOf(newline, at);
    if (found === -1) return -1;
    at = found + 1;
  }
  return at;
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
