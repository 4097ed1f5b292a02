// The local adapters keep their state in files under `.stepmigrate/`. A file that is not
// there yet means nothing was recorded, not an error.
import { appendFileSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The file's text, or undefined when the file does not exist. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Appends `text` to `file`, creating its directory the first time. Synchronous on purpose: a
 * step waits for its audit and metric lines, and one small append takes tens of microseconds
 * where the promise API's open, write and close are three thread-pool round trips (and a
 * `mkdir` before each would be a fourth).
 */
export function appendText(file: string, text: string): void {
  try {
    appendFileSync(file, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, text);
  }
}
