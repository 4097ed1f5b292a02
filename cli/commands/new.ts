// `stepmigrate new <name>`: writes the next NNNN_name.sql from the template.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import { detectLayoutFromNames } from '../../lambdas/engine/loader/detect.ts';
import {
  checkMigrationName,
  nativeFileName,
  nextNativeVersion,
} from '../../lambdas/engine/loader/new-migration.ts';
import { nativeMigrationTemplate } from '../../lambdas/engine/loader/template.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface NewMigrationOptions {
  migrations: string;
  json?: boolean;
}

export interface CreatedMigration {
  version: string;
  name: string;
  /** File name, relative to the migrations directory. */
  file: string;
  path: string;
}

/** Creates the directory if needed; never overwrites a file. */
export async function createMigration(directory: string, name: string): Promise<CreatedMigration> {
  checkMigrationName(name);
  await mkdir(directory, { recursive: true });
  const names = await readdir(directory);
  const layout = detectLayoutFromNames(names, directory);
  if (layout !== 'native') {
    throw new InputError(
      `${directory} holds ${layout} migrations; \`stepmigrate new\` writes native NNNN_name.sql files, so add the next ${layout} migration by hand`,
    );
  }
  const version = nextNativeVersion(names);
  const file = nativeFileName(version, name);
  const path = join(directory, file);
  try {
    await writeFile(path, nativeMigrationTemplate(name), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new InputError(`${path} already exists; run \`stepmigrate new\` again for the next version`, {
      cause: error,
    });
  }
  return { version, name, file, path };
}

export async function newCommand(
  name: string,
  options: NewMigrationOptions,
  sink: OutputSink,
): Promise<ExitCode> {
  const created = await createMigration(options.migrations, name);
  if (options.json) sink.out(JSON.stringify(created, null, 2));
  else sink.out(`created ${created.path}: write its up and down sections`);
  return ExitCode.ok;
}

export function register(program: Command): void {
  program
    .command('new')
    .description('write the next NNNN_name.sql migration from the template')
    .argument('<name>', 'lowercase snake_case name, e.g. add_user_email')
    .option('--migrations <dir>', 'migrations directory', './migrations')
    .option('--json', 'print machine-readable JSON only')
    .action(async (name: string, options: NewMigrationOptions) => {
      process.exitCode = await newCommand(name, options, processSink());
    });
}
