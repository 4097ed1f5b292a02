// The lint corpus (test/fixtures/lint-corpus/<rule>/NNNN_case.sql): native migrations whose up
// section is one case, each with its transaction mode (`transaction:false` or not) and, where
// the case depends on it, the server version (`-- postgres: N`). Both the Squawk parity test
// and the lint benchmark read it; this module also runs the real Squawk over it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintMigrations, RULES, SYNTAX_ERROR } from '../../lambdas/engine/lint/index.ts';
import { parseNativeMigration } from '../../lambdas/engine/loader/native.ts';
import type { Migration } from '../../lambdas/engine/model.ts';

export const CORPUS_DIR = fileURLToPath(new URL('../fixtures/lint-corpus/', import.meta.url));
export const SQUAWK_BIN = fileURLToPath(new URL('../../node_modules/.bin/squawk', import.meta.url));
const DEFAULT_POSTGRES = 17;

export interface CorpusCase {
  /** "rule-dir/NNNN_case.sql", relative to CORPUS_DIR: how the case is named everywhere. */
  name: string;
  inTransaction: boolean;
  postgresVersion: number;
  migration: Migration;
}

export function loadCorpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const group of readdirSync(CORPUS_DIR, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of readdirSync(join(CORPUS_DIR, group.name)).sort()) {
      if (!file.endsWith('.sql')) continue;
      const name = `${group.name}/${file}`;
      const text = readFileSync(join(CORPUS_DIR, name), 'utf8');
      const migration = { ...parseNativeMigration(basename(file), text), file: name };
      const version = /^-- postgres: (\d+)$/m.exec(text)?.[1];
      cases.push({
        name,
        inTransaction: migration.up.transaction,
        postgresVersion: version === undefined ? DEFAULT_POSTGRES : Number(version),
        migration,
      });
    }
  }
  return cases.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every id that Squawk 2.66 can report and that the corpus therefore compares. */
export const SQUAWK_IDS: ReadonlySet<string> = new Set([
  ...RULES.filter((rule) => rule.parity !== 'stepmigrate').map((rule) => rule.id),
  SYNTAX_ERROR,
]);

/** Squawk's opt-in rules: switched on in both tools so the corpus compares them too. */
export const OPT_IN_RULES = RULES.filter((rule) => rule.severity === 'off').map((rule) => rule.id);

/** The Squawk ids stepmigrate reports for one case, linted on its own as `stepmigrate lint` would. */
export function stepmigrateIds(corpusCase: CorpusCase): Set<string> {
  const rules = Object.fromEntries(OPT_IN_RULES.map((id) => [id, 'warning' as const]));
  const findings = lintMigrations([corpusCase.migration], {
    config: { rules, postgresVersion: corpusCase.postgresVersion },
    allowIrreversible: true,
  });
  return new Set(findings.map((finding) => finding.rule).filter((rule) => SQUAWK_IDS.has(rule)));
}

/** Why the real Squawk cannot run here, or undefined when it can. */
export function squawkMissing(): string | undefined {
  const result = spawnSync(SQUAWK_BIN, ['--version'], { encoding: 'utf8' });
  if (result.status === 0 && result.stdout.startsWith('squawk ')) return undefined;
  return `the squawk binary does not run (${(result.error?.message ?? result.stderr) || 'no output'}); npm install --include=optional installs squawk-cli's platform binary`;
}

interface SquawkFinding {
  file: string;
  rule_name: string;
}

/**
 * Runs Squawk once per (transaction mode, server version) group of cases — a handful of
 * processes over the whole corpus — and returns the set of ids it reports per case name.
 */
export function squawkIds(cases: readonly CorpusCase[]): Map<string, Set<string>> {
  const groups = new Map<string, CorpusCase[]>();
  for (const corpusCase of cases) {
    const key = `${corpusCase.inTransaction}|${corpusCase.postgresVersion}`;
    groups.set(key, [...(groups.get(key) ?? []), corpusCase]);
  }
  const ids = new Map<string, Set<string>>(cases.map((c) => [c.name, new Set<string>()]));
  for (const group of groups.values()) {
    const { inTransaction, postgresVersion } = group[0]!;
    const args = [
      '--reporter',
      'json',
      `--pg-version=${postgresVersion}.0`,
      ...OPT_IN_RULES.map((id) => `--include=${id}`),
      ...(inTransaction ? ['--assume-in-transaction'] : []),
      ...group.map((c) => c.name),
    ];
    const result = spawnSync(SQUAWK_BIN, args, { cwd: CORPUS_DIR, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (result.status !== 0 && result.status !== 1) {
      throw new Error(`squawk exited with ${result.status}: ${result.stderr}`);
    }
    for (const finding of JSON.parse(result.stdout) as SquawkFinding[]) {
      ids.get(finding.file)?.add(finding.rule_name);
    }
  }
  return ids;
}
