// `npm run bench [name…]`: runs every test/bench/*.bench.ts (or those named), one after the
// other so they do not compete for the two cores, and writes bench-report.json and
// bench-report.md. Targets are reported, never asserted: a slow machine is not a bug.
import { readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { summaryTable } from './summary-rows.ts';

interface BenchModule {
  run(): Promise<Record<string, unknown>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);

function toMarkdown(results: Record<string, unknown>): string {
  const lines = [`# Benchmark report`, '', `Node ${process.version}, ${new Date().toISOString()}`, ''];
  lines.push(...summaryTable(results));
  for (const [name, result] of Object.entries(results)) {
    lines.push(`## ${name}`, '', '```json', JSON.stringify(result, null, 2), '```', '');
  }
  return lines.join('\n');
}

const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const results: Record<string, unknown> = {};
for (const file of files) {
  const name = basename(file, '.bench.ts');
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stderr.write(`bench ${name}…\n`);
  const started = Date.now();
  try {
    const module = (await import(pathToFileURL(join(here, file)).href)) as BenchModule;
    results[name] = { ...(await module.run()), wallSeconds: (Date.now() - started) / 1000 };
  } catch (error) {
    results[name] = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stderr.write(`${JSON.stringify(results[name], null, 2)}\n`);
}
await writeFile('bench-report.json', `${JSON.stringify(results, null, 2)}\n`);
await writeFile('bench-report.md', toMarkdown(results));
process.stderr.write('wrote bench-report.json and bench-report.md\n');
