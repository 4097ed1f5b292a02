// `stepmigrate lint [files…]`: lints migrations without touching a database. With no files,
// every migration in --migrations; with files, those only (a file inside the migrations
// directory is linted with the migrations before it as context). Exit 2 on error findings
// or a syntax error, 0 otherwise. A file with a syntax error does not stop the others.
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { ExitCode, InputError } from '../../lambdas/engine/errors.ts';
import { lintMigrations, loadLintConfig, RULES } from '../../lambdas/engine/lint/index.ts';
import { loadMigrations } from '../../lambdas/engine/loader/load.ts';
import { parseNativeMigration } from '../../lambdas/engine/loader/native.ts';
import type { Finding, LayoutName, Migration } from '../../lambdas/engine/model.ts';
import { loadSqlParser } from '../../lambdas/engine/sql/parse.ts';
import { type LintFormat, printFindings, summarize } from '../lint-output.ts';
import { projectRoot } from '../local/project-root.ts';
import { type OutputSink, processSink } from '../sink.ts';

export interface LintCommandOptions {
  migrations: string;
  layout?: LayoutName;
  json?: boolean;
  format?: LintFormat;
  allowIrreversible?: boolean;
  listRules?: boolean;
  /** Where stepmigrate.json is looked for; the current directory by default. */
  projectDir?: string;
}

/** One lint unit: migrations to lint, their context, and how their files are shown. */
interface LintTarget {
  migrations: Migration[];
  earlier: Migration[];
  displayPath: (file: string) => string;
}

export async function lintCommand(
  files: readonly string[],
  options: LintCommandOptions,
  sink: OutputSink,
  cwd = process.cwd(),
): Promise<ExitCode> {
  const format: LintFormat = options.json ? 'json' : (options.format ?? 'human');
  if (options.listRules) return listRules(sink, format);
  const config = await loadLintConfig(options.projectDir ?? cwd);
  await loadSqlParser();
  const targets = await lintTargets(files, options, cwd);
  const findings: Finding[] = [];
  let count = 0;
  for (const target of targets) {
    // A migration with a syntax error comes back as a syntax-error finding; the rest are linted.
    const found = lintMigrations(target.migrations, {
      config,
      earlier: target.earlier,
      allowIrreversible: options.allowIrreversible ?? false,
    });
    findings.push(...found.map((f) => ({ ...f, file: target.displayPath(f.file ?? '') })));
    count += target.migrations.length;
  }
  const summary = summarize(findings, count);
  printFindings(findings, summary, format, sink);
  return summary.error > 0 ? ExitCode.refused : ExitCode.ok;
}

async function lintTargets(
  files: readonly string[],
  options: LintCommandOptions,
  cwd: string,
): Promise<LintTarget[]> {
  const directory = resolve(cwd, options.migrations);
  const inDirectory = (file: string) => {
    const path = join(directory, file);
    const shown = relative(cwd, path);
    return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
  };
  const load = () => loadMigrations(directory, { layout: options.layout ?? 'auto' });
  if (files.length === 0) {
    const set = await load();
    return [{ migrations: set.migrations, earlier: [], displayPath: inDirectory }];
  }
  let all: Migration[] | undefined;
  const targets: LintTarget[] = [];
  for (const file of files) {
    const path = resolve(cwd, file);
    const inside = relative(directory, path);
    if (inside.startsWith('..') || isAbsolute(inside)) {
      targets.push(await standalone(file, path));
      continue;
    }
    all ??= (await load()).migrations;
    const index = all.findIndex((m) => [m.file, m.downFile, m.verifyFile].includes(inside));
    if (index === -1) throw new InputError(`${file} is not a migration in ${options.migrations}`, { file });
    targets.push({ migrations: [all[index]!], earlier: all.slice(0, index), displayPath: inDirectory });
  }
  return targets;
}

/** A native migration file outside the migrations directory, linted on its own. */
async function standalone(shownAs: string, path: string): Promise<LintTarget> {
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new InputError(`${shownAs}: cannot read it: ${(error as Error).message}`, {
      file: shownAs,
      cause: error,
    });
  });
  const migration = parseNativeMigration(basename(path), text);
  return { migrations: [migration], earlier: [], displayPath: () => shownAs };
}

function listRules(sink: OutputSink, format: LintFormat): ExitCode {
  const rules = RULES.map(({ id, aliases, severity, catches, instead }) => ({
    id,
    severity,
    catches,
    instead,
    aliases: aliases ?? [],
  }));
  if (format === 'json') sink.out(JSON.stringify(rules, null, 2));
  else {
    for (const rule of rules) {
      const alias = rule.aliases.length > 0 ? ` (formerly ${rule.aliases.join(', ')})` : '';
      sink.out(`${rule.id.padEnd(45)} ${rule.severity.padEnd(8)} ${rule.catches}${alias}`);
    }
  }
  return ExitCode.ok;
}

export function register(program: Command): void {
  program
    .command('lint')
    .description('lint migrations for locking, data-loss and rollback problems; exit 2 on error findings')
    .argument('[files...]', 'migration files to lint (default: every migration in --migrations)')
    .option('--migrations <dir>', 'migrations directory', './migrations')
    .addOption(
      new Option('--layout <name>', 'migration layout (default: detected)').choices([
        'native',
        'sqitch',
        'golang-migrate',
        'flyway',
        'dbmate',
      ]),
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['human', 'json', 'github']).default('human'),
    )
    .option('--json', 'same as --format json')
    .option('--allow-irreversible', 'accept migrations marked `-- migrate:down irreversible`')
    .option('--list-rules', 'print every rule with its default severity and exit')
    .action(async (files: string[], options: LintCommandOptions) => {
      process.exitCode = await lintCommand(
        files,
        { ...options, projectDir: options.projectDir ?? projectRoot(options.migrations) },
        processSink(),
      );
    });
}
