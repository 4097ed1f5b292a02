// Where migration files come from. The loader reads through this small interface so
// layouts can be tested in memory; the engine bundles the directory next to the Lambda.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { normalizeLineEndings } from '../checksum.ts';
import { InputError } from '../errors.ts';

export type EntryKind = 'file' | 'directory' | 'other';

export interface DirectoryEntry {
  name: string;
  kind: EntryKind;
}

export interface MigrationFiles {
  /** The migrations directory as the user named it, for messages. */
  readonly root: string;
  /** Entries of a directory relative to the root ('' for the root), or null when it does not exist. */
  list(relativeDirectory?: string): Promise<DirectoryEntry[] | null>;
  /** Text of a file relative to the root (UTF-8). */
  read(relativePath: string): Promise<string>;
}

/** A file's name (relative to the migrations directory, '/'-separated) and its text. */
export interface SourceFile {
  name: string;
  text: string;
}

/** A file's text as every layout reads it: without a byte-order mark, with LF line endings. */
export function sourceText(raw: string): string {
  return normalizeLineEndings(raw.replace(/^\uFEFF/, ''));
}

/**
 * Every `*.sql` file (any case) under the root, skipping dotfiles and dot-directories;
 * subdirectories only when `recursive` (Flyway scans them, the other layouts do not).
 */
export async function readSqlFiles(files: MigrationFiles, recursive: boolean): Promise<SourceFile[]> {
  const paths = await filePaths(files, '', await listRoot(files), recursive);
  const names = paths.filter((path) => /\.sql$/i.test(path)).sort();
  return Promise.all(names.map(async (name) => ({ name, text: await files.read(name) })));
}

/**
 * Paths ('/'-separated, relative to the root) of the files among `entries` of `directory`,
 * skipping dotfiles and dot-directories; those of subdirectories too when `recursive`.
 */
export async function filePaths(
  files: MigrationFiles,
  directory: string,
  entries: readonly DirectoryEntry[],
  recursive: boolean,
): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
    if (entry.kind === 'file') paths.push(path);
    if (entry.kind === 'directory' && recursive) {
      paths.push(...(await filePaths(files, path, (await files.list(path)) ?? [], true)));
    }
  }
  return paths;
}

/** Lists the root, failing with an InputError that names the path when it is missing. */
export async function listRoot(files: MigrationFiles): Promise<DirectoryEntry[]> {
  const entries = await files.list('');
  if (entries === null) {
    throw new InputError(
      `migrations directory ${files.root} does not exist; create it (\`stepmigrate new <name>\` does) or pass --migrations <dir>`,
    );
  }
  return entries;
}

export function nodeMigrationFiles(root: string): MigrationFiles {
  return {
    root,
    async list(relativeDirectory = '') {
      const directory = join(root, relativeDirectory);
      try {
        const entries = await readdir(directory, { withFileTypes: true });
        return await Promise.all(
          entries.map(async (entry) => ({ name: entry.name, kind: await entryKind(directory, entry) })),
        );
      } catch (error) {
        if (isMissing(error)) return null;
        if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') {
          throw new InputError(`${directory} is a file, not a directory; pass the migrations directory`);
        }
        throw error;
      }
    },
    read: async (relativePath) => decodeUtf8(relativePath, await readFile(join(root, relativePath))),
  };
}

// ignoreBOM keeps a byte-order mark in the text, as readFile(…, 'utf8') did: each layout decides what it means.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of a file that must be UTF-8 (every tool we read says so, or uses the platform's
 * UTF-8 default). Read loosely, a bad byte would become U+FFFD and reach the database
 * changed; so it is refused, naming the file, line and byte.
 */
export function decodeUtf8(path: string, bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    const byte = bytes[offset]?.toString(16).padStart(2, '0') ?? 'end';
    throw new InputError(
      `${path}:${line}: the file is not valid UTF-8 (byte 0x${byte} at offset ${offset}); save it as UTF-8 (e.g. iconv -f latin1 -t utf-8)`,
      { file: path, line },
    );
  }
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0;
    if (length === 0) return i;
    if (length > 1) {
      try {
        strictUtf8.decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
    }
    i += length;
  }
  return bytes.length;
}

async function entryKind(
  directory: string,
  entry: { name: string; isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean },
): Promise<EntryKind> {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (!entry.isSymbolicLink()) return 'other';
  const target = await stat(join(directory, entry.name)).catch(() => null);
  if (target?.isFile()) return 'file';
  return target?.isDirectory() ? 'directory' : 'other';
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Files held in memory (text, or bytes read as UTF-8), keyed by '/'-separated path relative to the root. For tests and tools. */
export function memoryMigrationFiles(
  root: string,
  contents: Readonly<Record<string, string | Uint8Array>>,
): MigrationFiles {
  const paths = Object.keys(contents);
  return {
    root,
    async list(relativeDirectory = '') {
      const prefix =
        relativeDirectory === '' ? '' : `${posix.normalize(relativeDirectory).replace(/\/$/, '')}/`;
      const below = paths.filter((path) => path.startsWith(prefix)).map((path) => path.slice(prefix.length));
      if (below.length === 0 && prefix !== '') return null;
      const entries = new Map<string, EntryKind>();
      for (const rest of below) {
        const [head, ...tail] = rest.split('/');
        entries.set(head!, tail.length > 0 ? 'directory' : 'file');
      }
      return [...entries].map(([name, kind]) => ({ name, kind }));
    },
    async read(relativePath) {
      const text = contents[posix.normalize(relativePath)];
      if (text === undefined) throw new InputError(`${root}/${relativePath} does not exist`);
      return typeof text === 'string' ? text : decodeUtf8(relativePath, text);
    },
  };
}
