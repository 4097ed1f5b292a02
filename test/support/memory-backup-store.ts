// An in-memory BackupStore for tests: objects are Buffers, and hooks let a test fail or
// delay a write to exercise retries and snapshots.
import { Readable } from 'node:stream';
import { BackupError } from '../../lambdas/engine/errors.ts';
import type { BackupStore, StoredObject } from '../../lambdas/ports.ts';

export class MemoryBackupStore implements BackupStore {
  readonly objects = new Map<string, { body: Buffer; modifiedAt: string }>();
  puts = 0;
  /** Called before each put reads its body; throwing fails that put. */
  beforePut?: (key: string, attempt: number) => Promise<void> | void;

  async put(key: string, body: Readable): Promise<StoredObject> {
    this.puts++;
    await this.beforePut?.(key, this.puts);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    this.objects.set(key, { body: data, modifiedAt: new Date().toISOString() });
    return { key, bytes: data.length, location: `memory://${key}` };
  }

  async get(key: string): Promise<Readable> {
    const object = this.objects.get(key);
    if (!object) throw new BackupError(`backup object ${key} does not exist`);
    return Readable.from([object.body]);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, object]) => ({
        key,
        bytes: object.body.length,
        location: `memory://${key}`,
        modifiedAt: object.modifiedAt,
      }));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }
}
