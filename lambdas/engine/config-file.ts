// `stepmigrate.json` at the project root: read and parsed once, then each section (lint,
// liveLint, adopt, check) is read from the same object by its own parser. A missing file
// means the defaults; a file that cannot be read or is not a JSON object is an InputError
// naming it, so a typo never silently changes what runs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from './errors.ts';

export const CONFIG_FILE = 'stepmigrate.json';

export interface ConfigFile {
  /** The file's path, for messages. */
  file: string;
  /** Its top-level object; empty when there is no file. */
  json: Record<string, unknown>;
}

/** Parses the text of stepmigrate.json into its top-level object. */
export function parseConfigText(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`, { file, cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InputError(`${file}: the file must hold a JSON object`, { file });
  return json as Record<string, unknown>;
}

export async function readConfigFile(projectDir: string): Promise<ConfigFile> {
  const file = join(projectDir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, json: {} };
    throw new InputError(`${file}: cannot read it: ${(error as Error).message}`, { file, cause: error });
  }
  return { file, json: parseConfigText(text, file) };
}
