// Small stream helpers the backup code shares.
import type { Readable } from 'node:stream';

/** Reads a (small) stream to the end: manifests only, never table data. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
