// The BackupStore port on the local file system: `<project>/.stepmigrate/backups/<key>`.
// Writes go to a temporary file that is renamed into place, so a reader never sees a
// half-written object and a retried write replaces the old one in one step. A durable put
// flushes the file (and its directory) before it resolves; a put with `deferSync` starts the
// flush in the background and resolves at once, and `sync()` waits for every such flush and
// then flushes their directories: waiting for one fsync per small table was most of a small
// table's backup time, and the backup syncs before it writes its manifest.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError } from '../engine/errors.ts';
import type { BackupStore, PutOptions, StoredObject } from '../ports.ts';

/** The S3 bucket's lifecycle expiry, applied to local backups by `prune`. */
export const defaultRetentionDays = 30;

const temporarySuffix = '.partial';

export class LocalBackupStore implements BackupStore {
  readonly root: string;
  /** Flushes of objects written with `deferSync` under way: each resolves to its error, if any. */
  private readonly flushing: Promise<unknown>[] = [];
  /** Directories of those objects, flushed by sync(). */
  private readonly unsyncedDirectories = new Set<string>();
  /** Directories this store created or found; forgotten when it deletes anything. */
  private readonly directories = new Set<string>();

  /** `root` is the backups directory itself, e.g. `<project>/.stepmigrate/backups`. */
  constructor(root: string) {
    this.root = resolve(root);
  }

  static forProject(projectDir: string): LocalBackupStore {
    return new LocalBackupStore(join(projectDir, '.stepmigrate', 'backups'));
  }

  async put(key: string, body: Readable, options: PutOptions = {}): Promise<StoredObject> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomBytes(6).toString('hex')}${temporarySuffix}`;
    await this.directoryFor(path);
    const file = createWriteStream(temporary, { flush: !options.deferSync });
    try {
      await pipeline(body, file);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    if (options.deferSync) {
      // Flushed in the background while the next objects are written; sync() waits for it.
      this.flushing.push(syncPath(path).then(noError, (error: unknown) => error));
      this.unsyncedDirectories.add(dirname(path));
    } else await syncPath(dirname(path));
    return { key, bytes: file.bytesWritten, location: path, modifiedAt: new Date().toISOString() };
  }

  /** Creates an object's directory once per store: a backup writes many objects into one. */
  private async directoryFor(path: string): Promise<void> {
    const directory = dirname(path);
    if (this.directories.has(directory)) return;
    await mkdir(directory, { recursive: true });
    this.directories.add(directory);
  }

  /** Waits for every object put with `deferSync` to be flushed, then flushes their directories. */
  async sync(): Promise<void> {
    const flushing = this.flushing.splice(0);
    const directories = [...this.unsyncedDirectories];
    this.unsyncedDirectories.clear();
    const failed = (await Promise.all(flushing)).find((error) => error !== undefined);
    if (failed !== undefined) throw failed;
    await Promise.all(directories.map(syncPath));
  }

  async get(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    try {
      await stat(path);
    } catch (error) {
      throw new BackupError(`backup object ${key} does not exist (looked for ${path})`, { cause: error });
    }
    return createReadStream(path);
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const objects: StoredObject[] = [];
    // Walk only the prefix's directory: the backups of other executions are not read.
    const directory = prefix.includes('/')
      ? this.pathOf(prefix.slice(0, prefix.lastIndexOf('/')))
      : this.root;
    for (const path of await this.files(directory)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith(temporarySuffix)) continue;
      const info = await stat(path);
      objects.push({ key, bytes: info.size, location: path, modifiedAt: info.mtime.toISOString() });
    }
    return objects.sort((a, b) => a.key.localeCompare(b.key));
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.directories.clear(); // removing the last object removes its empty directories
    for (const key of keys) {
      const path = this.pathOf(key);
      await rm(path, { force: true });
      await this.removeEmptyParents(dirname(path));
    }
  }

  /** Deletes objects older than `retentionDays`; returns the keys it deleted. */
  async prune(retentionDays = defaultRetentionDays, now = new Date()): Promise<string[]> {
    const cutoff = now.getTime() - retentionDays * 86_400_000;
    const expired = (await this.list(''))
      .filter((object) => Date.parse(object.modifiedAt!) < cutoff)
      .map((object) => object.key);
    await this.delete(expired);
    return expired;
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (key === '' || !path.startsWith(`${this.root}${sep}`)) {
      throw new BackupError(`backup key "${key}" points outside ${this.root}`);
    }
    return path;
  }

  private async files(directory: string): Promise<string[]> {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const found: string[] = [];
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) found.push(...(await this.files(path)));
      else if (entry.isFile()) found.push(path);
    }
    return found;
  }

  private async removeEmptyParents(directory: string): Promise<void> {
    for (let current = directory; current.startsWith(`${this.root}${sep}`); current = dirname(current)) {
      try {
        await rmdir(current);
      } catch {
        return;
      }
    }
  }
}

const noError = (): undefined => undefined;

/** fsync of a file or directory: its content, or the names in it, survive a crash. */
async function syncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
