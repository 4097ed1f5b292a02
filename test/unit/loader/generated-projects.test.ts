// Property tests of every layout: valid projects as their tools write them load, in order,
// with the identities and tags expected; malformed ones — invalid UTF-8, a line the tool
// cannot read, anything at all in a file — are refused with an InputError that names the
// file (and the line where there is one), and nothing else is ever thrown.
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { memoryMigrationFiles } from '../../../lambdas/engine/loader/files.ts';
import { loadMigrations } from '../../../lambdas/engine/loader/load.ts';
import type { LayoutName } from '../../../lambdas/engine/model.ts';
import { loadSqlParser } from '../../../lambdas/engine/sql/parse.ts';
import { type Files, type GeneratedProject, LAYOUTS } from '../../support/generated-projects.ts';

beforeAll(() => loadSqlParser());

const RUNS = 40;
const layouts = Object.keys(LAYOUTS) as Array<keyof typeof LAYOUTS>;

const load = (files: Files, layout: LayoutName | 'auto') =>
  loadMigrations('generated', { files: memoryMigrationFiles('generated', files), layout });

/** The error a load throws, or undefined when it loads. */
async function refusal(
  files: Files,
  layout: LayoutName,
): Promise<(Error & { file?: string; line?: number }) | undefined> {
  return load(files, layout).then(
    () => undefined,
    (error: Error) => error,
  );
}

const textOf = (value: string | Uint8Array) =>
  typeof value === 'string' ? value : Buffer.from(value).toString('utf8');

describe.each(layouts)('%s projects', (layout) => {
  const projects = LAYOUTS[layout] as fc.Arbitrary<GeneratedProject>;

  it('load as written, in order, with the identities and tags the tool gives them', async () => {
    await fc.assert(
      fc.asyncProperty(projects, async (project) => {
        const set = await load(project.files, layout);
        expect(set.migrations.map((m) => m.version)).toEqual(project.versions);
        if (project.tags) expect((set.tags ?? []).map((t) => t.name)).toEqual(project.tags);
        if (layout !== 'dbmate') expect((await load(project.files, 'auto')).layout).toBe(layout);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuse invalid UTF-8 with the file and line of the bad byte', async () => {
    const corrupted = fc
      .record({
        project: projects,
        pick: fc.nat(),
        line: fc.nat(),
        bad: fc.constantFrom(
          [0xff],
          [0xc3, 0x28],
          [0xed, 0xa0, 0x80],
          [0xe2, 0x82],
          [0xf8, 0x88, 0x80, 0x80],
        ),
      })
      .map(({ project, pick, line, bad }) => {
        const names = Object.keys(project.files).filter((name) => name !== 'sqitch.conf');
        const file = names[pick % names.length]!;
        const bytes = Buffer.from(textOf(project.files[file]!), 'utf8');
        const starts = [0, ...[...bytes.entries()].filter(([, byte]) => byte === 0x0a).map(([i]) => i + 1)];
        const at = starts[line % starts.length]!;
        const lineNumber = starts.indexOf(at) + 1;
        const corruptedBytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
        return { files: { ...project.files, [file]: new Uint8Array(corruptedBytes) }, file, lineNumber };
      });
    await fc.assert(
      fc.asyncProperty(corrupted, async ({ files, file, lineNumber }) => {
        const error = await refusal(files, layout);
        expect(error?.name).toBe('InputError');
        expect(error).toMatchObject({ file, line: lineNumber });
        expect(error!.message).toContain(`${file}:${lineNumber}: the file is not valid UTF-8`);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuse a line the tool cannot read, naming file and line', async () => {
    const broken = fc
      .record({ project: projects, pick: fc.nat(), line: fc.nat(), junk: fc.constantFrom(...JUNK[layout]) })
      .map(({ project, pick, line, junk }) => breakProject(layout, project, pick, line, junk));
    await fc.assert(
      fc.asyncProperty(broken, async ({ files, file, line }) => {
        const error = await refusal(files, layout);
        expect(error?.name).toBe('InputError');
        expect(error).toMatchObject({ file, line });
      }),
      { numRuns: RUNS },
    );
  });

  it('never throw anything but an InputError naming a file, whatever a file holds', async () => {
    const anything = fc
      .record({
        project: projects,
        pick: fc.nat(),
        text: fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 200 }),
          fc.string({ unit: 'binary', maxLength: 200 }),
          sqlish,
        ),
      })
      .map(({ project, pick, text }) => {
        const names = Object.keys(project.files);
        const file = names[pick % names.length]!;
        return { files: { ...project.files, [file]: text }, names };
      });
    await fc.assert(
      fc.asyncProperty(anything, async ({ files, names }) => {
        const error = await refusal(files, layout);
        if (error === undefined) return;
        expect(error.name).toBe('InputError');
        expect(names.some((name) => error.message.includes(name) || (error.file ?? '').includes(name))).toBe(
          true,
        );
      }),
      { numRuns: RUNS },
    );
  });
});

/** Text made of the pieces lexers and psql commands trip over. */
const sqlish = fc
  .array(
    fc.constantFrom(
      '\\',
      '\n',
      '\r\n',
      ':',
      "'",
      '"',
      '$$',
      '$a$',
      '--',
      '/*',
      '*/',
      ';',
      'SELECT 1',
      ' ',
      '\\i ',
      '\\ir x.sql',
      '\\set x ',
      ':x',
      ":'x'",
      ':"x"',
      '`',
      'BEGIN;',
      'COMMIT;',
      `\${p}`,
      '-- migrate:up',
      '-- migrate:down',
      '%project=p',
      '@t',
    ),
    { maxLength: 40 },
  )
  .map((pieces) => pieces.join(''));

/** Lines no tool reads, per layout (each is refused wherever it is put). */
const JUNK: Record<keyof typeof LAYOUTS, string[]> = {
  sqitch: [
    'just words here',
    '@',
    'name [unclosed 2020-01-01T00:00:00Z A <a@b.c>',
    '-old 2020-01-01T00:00:00Z A <a@b.c>',
    'HEAD 2020-01-01T00:00:00Z A <a@b.c>',
  ],
  native: ['-- migrate:sideways', '-- migrate:up transaction:maybe', '-- lint:allow'],
  dbmate: ['-- migrate:sideways', '-- lint:allow'],
  'golang-migrate': ['-- lint:allow', '-- lint:nonsense x'],
  flyway: [`SELECT \${undefined_placeholder};`, '-- lint:allow'],
};

/** The project with one junk line put into one of its files (for Sqitch, into the plan after the header). */
function breakProject(
  layout: keyof typeof LAYOUTS,
  project: GeneratedProject,
  pick: number,
  line: number,
  junk: string,
) {
  const candidates = Object.keys(project.files).filter((name) =>
    layout === 'sqitch'
      ? name === 'sqitch.plan'
      : layout === 'flyway'
        ? /\/V[^/]*$/.test(name)
        : layout === 'golang-migrate'
          ? name.endsWith('.up.sql')
          : true,
  );
  const file = candidates[pick % candidates.length]!;
  const text = textOf(project.files[file]!);
  const lines = text.split('\n');
  const first = layout === 'sqitch' ? 3 : 0;
  const index = first + (line % Math.max(1, lines.length - first));
  lines.splice(index, 0, junk);
  return { files: { ...project.files, [file]: lines.join('\n') }, file, line: index + 1 };
}
