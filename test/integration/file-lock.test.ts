import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { withFileLock } from '../../cli/local/file-lock.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'stepmigrate-lock-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withFileLock', () => {
  it('lets one holder in at a time, and frees the lock afterwards', async () => {
    const lock = path.join(dir, 'serial.lock');
    let inside = 0;
    let most = 0;
    const hold = () =>
      withFileLock(lock, 5000, async () => {
        inside += 1;
        most = Math.max(most, inside);
        await pause(30);
        inside -= 1;
      });
    await Promise.all([hold(), hold(), hold()]);
    expect(most).toBe(1);
    await expect(readFile(lock)).rejects.toThrow(/ENOENT/);
  });

  it('takes over a lock whose owner died', async () => {
    const lock = path.join(dir, 'abandoned.lock');
    const { stdout } = await promisify(execFile)('sh', ['-c', 'echo $$']);
    await writeFile(lock, `${stdout.trim()} 1`);
    await expect(withFileLock(lock, 2000, async () => 'got it')).resolves.toBe('got it');
  });

  it('gives up after the timeout, naming the lock file, while a live process holds it', async () => {
    const lock = path.join(dir, 'held.lock');
    await writeFile(lock, `${process.pid} 999999`);
    await expect(withFileLock(lock, 200, async () => 'never')).rejects.toThrow(
      `waited 0.2 s for the lock ${lock} held by another stepmigrate process — wait for it to finish, or delete the file if no stepmigrate is running`,
    );
    expect(await readFile(lock, 'utf8')).toBe(`${process.pid} 999999`);
  });
});
