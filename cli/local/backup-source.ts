// Where `restore --from` and `backups --from` read backups: an s3:// URI (the deployed
// stack's bucket) or the local backups directory / a manifest file on disk.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { LocalBackupStore } from '../../lambdas/adapters/local-backup-store.ts';
import { type BackupManifest, manifestKey, readManifest } from '../../lambdas/engine/backup/manifest.ts';
import { BackupError, InputError } from '../../lambdas/engine/errors.ts';
import type { BackupStore } from '../../lambdas/ports.ts';

export interface S3Location {
  bucket: string;
  key: string;
}

export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!match) throw new InputError(`"${uri}" is not an s3:// URI (expected s3://bucket/key)`);
  return { bucket: match[1]!, key: match[2]! };
}

/** The S3 client to read with: the default credential chain and region unless a caller passes one. */
export interface BackupSourceOptions {
  s3Client?: S3Client;
}

/**
 * The bucket's store, read only (restore and backups never write to S3), with the AWS SDK
 * loaded on first use: local backups never load it, and S3 ones never load the multipart upload.
 */
function s3Store(bucket: string, options: BackupSourceOptions): BackupStore {
  let loaded: Promise<BackupStore> | undefined;
  const store = () => {
    loaded ??= Promise.all([
      import('@aws-sdk/client-s3'),
      import('../../lambdas/adapters/s3-backup-reader.ts'),
    ]).then(
      ([{ S3Client }, { S3BackupReader }]) =>
        new S3BackupReader({ client: options.s3Client ?? new S3Client({}), bucket }),
    );
    return loaded;
  };
  return {
    put: async (key, body) => (await store()).put(key, body),
    get: async (key) => (await store()).get(key),
    list: async (prefix) => (await store()).list(prefix),
    delete: async (keys) => (await store()).delete(keys),
  };
}

export interface BackupSource {
  store: BackupStore;
  manifest: BackupManifest;
  /** Where the manifest was read, for messages. */
  from: string;
}

/** `--from`: a manifest (file, directory holding one, or s3:// URI of the manifest or its prefix). */
export async function openBackupSource(
  from: string,
  options: BackupSourceOptions = {},
): Promise<BackupSource> {
  if (from.startsWith('s3://')) {
    const { bucket, key } = parseS3Uri(from);
    const manifestAt = key.endsWith('.json') ? key : `${key.replace(/\/?$/, '/')}manifest.json`;
    const store = s3Store(bucket, options);
    return { store, manifest: await readManifest(store, manifestAt), from: `s3://${bucket}/${manifestAt}` };
  }
  const file = await manifestFile(from);
  const manifest = await readLocalManifest(file);
  // The store root is what is left of the path once the manifest's own key is taken off; a
  // backup copied somewhere else is read from the manifest's directory instead.
  const ownKey = manifestKey(manifest.database, manifest.executionId);
  if (file.endsWith(path.join(path.sep, ...ownKey.split('/')))) {
    return { store: new LocalBackupStore(file.slice(0, -ownKey.length - 1)), manifest, from: file };
  }
  const relocated = {
    ...manifest,
    tables: manifest.tables.map((table) => ({
      ...table,
      key: path.posix.basename(table.key),
      ...(table.chunks && {
        chunks: table.chunks.map((chunk) => ({ ...chunk, key: path.posix.basename(chunk.key) })),
      }),
    })),
  };
  return { store: new LocalBackupStore(path.dirname(file)), manifest: relocated, from: file };
}

async function manifestFile(from: string): Promise<string> {
  const resolved = path.resolve(from);
  try {
    return (await stat(resolved)).isDirectory() ? path.join(resolved, 'manifest.json') : resolved;
  } catch (error) {
    throw new InputError(
      `backup manifest ${resolved} does not exist — run \`stepmigrate backups\` to list backups`,
      {
        cause: error,
      },
    );
  }
}

async function readLocalManifest(file: string): Promise<BackupManifest> {
  const directory = path.dirname(file);
  const store = new LocalBackupStore(directory);
  try {
    return await readManifest(store, path.basename(file));
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`cannot read backup manifest ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** `backups --from`: an s3:// bucket/prefix, a backups directory, or the project's local backups. */
export function openBackupStore(
  from: string | undefined,
  options: BackupSourceOptions = {},
  projectDir = process.cwd(),
) {
  if (from?.startsWith('s3://')) {
    const { bucket, key } = parseS3Uri(from);
    return { store: s3Store(bucket, options), prefix: key, describe: from };
  }
  const local = from ? new LocalBackupStore(from) : LocalBackupStore.forProject(projectDir);
  return { store: local as BackupStore, local, prefix: '', describe: local.root };
}
