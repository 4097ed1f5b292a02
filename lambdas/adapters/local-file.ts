// The local adapters keep their state in files under `.stepmigrate/`. A file that is not
// there yet means nothing was recorded, not an error.
import { readFile } from 'node:fs/promises';

/** The file's text, or undefined when the file does not exist. */
export async function readTextIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
