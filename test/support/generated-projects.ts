// fast-check generators of valid projects in every layout, as their tools write them: names
// (ASCII, multibyte), tags, dependencies, reworks, dotted versions, a byte-order mark, CRLF,
// quoted identifiers. Each generated project also says what loading it must give, so a
// property can compare. The SQL is real (each change creates a table of its own), so a
// Sqitch project can be deployed by sqitch and by stepmigrate and the schemas compared.
import fc from 'fast-check';

export type Files = Record<string, string | Uint8Array>;

export interface GeneratedProject {
  files: Files;
  /** The identities the loader must give, in order. */
  versions: string[];
  /** Sqitch tags in plan order. */
  tags?: string[];
}

const FIRST = [...'abcdefghijklmnopqrstuvwxyzéüßøçñ日本語ж'];
const REST = [...FIRST, ...'0123456789_'];
const PLANNER = 'Pat Ünal <pat@example.com>';
const at = (n: number) =>
  `2020-01-01T00:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}Z`;

const word = fc
  .tuple(fc.constantFrom(...FIRST), fc.array(fc.constantFrom(...REST), { maxLength: 6 }))
  .map(([first, rest]) => first + rest.join(''));

/** How a tool's file may be written: BOM or not, LF or CRLF. */
const encoding = fc.record({ bom: fc.boolean(), crlf: fc.boolean() });
type Encoding = { bom: boolean; crlf: boolean };
const encode = (text: string, how: Encoding) =>
  `${how.bom ? '\uFEFF' : ''}${how.crlf ? text.replace(/\n/g, '\r\n') : text}`;

/** A table name of the change's own, as a quoted identifier (multibyte names included). */
export const table = (name: string) => `"t_${name}"`;

interface PlanStep {
  kind: 'change' | 'tag';
  name: string;
  requires: string[];
}

/**
 * A Sqitch plan in segments, each of new changes (requiring earlier ones) and reworks of
 * changes from before the last tag, then a tag.
 */
const sqitchSteps = fc
  .record({
    names: fc.uniqueArray(word, { minLength: 1, maxLength: 7 }),
    segments: fc.array(
      fc.record({
        size: fc.integer({ min: 1, max: 3 }),
        reworks: fc.array(fc.nat(), { maxLength: 2 }),
        tagged: fc.boolean(),
      }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    requireSeeds: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  })
  .map(({ names, segments, requireSeeds }) => {
    const steps: PlanStep[] = [];
    const planned: string[] = [];
    let next = 0;
    let tags = 0;
    const beforeTag: string[] = [];
    for (const [index, segment] of segments.entries()) {
      const reworked = new Set<string>();
      for (const seed of segment.reworks) {
        const lastTag = steps.filter((s) => s.kind === 'tag').at(-1);
        if (!lastTag || beforeTag.length === 0) break;
        const name = beforeTag[seed % beforeTag.length]!;
        if (reworked.has(name)) continue;
        reworked.add(name);
        steps.push({ kind: 'change', name, requires: [`${name}@${lastTag.name}`] });
      }
      for (let i = 0; i < segment.size && next < names.length; i++) {
        const name = names[next++]!;
        const seed = requireSeeds[(index + i) % requireSeeds.length]!;
        const requires = planned.length > 0 && seed % 2 === 0 ? [planned[seed % planned.length]!] : [];
        steps.push({ kind: 'change', name, requires });
        planned.push(name);
      }
      const last = index === segments.length - 1;
      if (segment.tagged || !last) {
        tags += 1;
        steps.push({ kind: 'tag', name: `v${tags}.${index}-r${tags}`, requires: [] });
        beforeTag.splice(
          0,
          beforeTag.length,
          ...new Set(steps.filter((s) => s.kind === 'change').map((s) => s.name)),
        );
      }
    }
    return steps;
  });

export const sqitchProject: fc.Arbitrary<GeneratedProject> = fc
  .record({
    steps: sqitchSteps,
    syntax: fc.constantFrom('1.0.0', '1.0.0-b1', '1.0.0-b2'),
    noteSpace: fc.boolean(),
    plan: encoding.map((how) => ({ ...how, bom: false })),
    scripts: encoding,
    withConfig: fc.boolean(),
  })
  .map(({ steps, syntax, noteSpace, plan, scripts, withConfig }) => {
    const files: Files = {};
    const lines = [`%syntax-version=${syntax}`, '%project=generated', ''];
    const versions: string[] = [];
    const seen = new Map<string, number>();
    steps.forEach((step, n) => {
      const note = `${noteSpace ? ' ' : ''}# ${step.kind} ${step.name}`;
      if (step.kind === 'tag') {
        lines.push(`@${step.name} ${at(n)} ${PLANNER}${note}`);
        return;
      }
      const appearance = (seen.get(step.name) ?? 0) + 1;
      seen.set(step.name, appearance);
      versions.push(appearance === 1 ? step.name : `${step.name}.${appearance}`);
      const deps = step.requires.length ? ` [${step.requires.join(' ')}]` : '';
      lines.push(`${step.name}${deps} ${at(n)} ${PLANNER}${note}`);
    });
    files['sqitch.plan'] = encode(`${lines.join('\n')}\n`, plan);
    if (withConfig) files['sqitch.conf'] = '[core]\n\tengine = pg\n';
    // Each appearance's scripts: the newest tag before the next appearance names an older one.
    const changeSteps = steps
      .map((step, index) => ({ step, index }))
      .filter(({ step }) => step.kind === 'change');
    const counts = new Map<string, number>();
    for (const { step, index } of changeSteps) {
      const k = (counts.get(step.name) ?? 0) + 1;
      counts.set(step.name, k);
      const nextAppearance = changeSteps.find(
        (other) => other.index > index && other.step.name === step.name,
      );
      const tagBefore = nextAppearance
        ? steps
            .slice(index, nextAppearance.index)
            .filter((s) => s.kind === 'tag')
            .at(-1)!.name
        : undefined;
      const file = tagBefore ? `${step.name}@${tagBefore}.sql` : `${step.name}.sql`;
      const name = `${step.name}_${k}`;
      files[`deploy/${file}`] = encode(
        `-- Deploy ${name}\nBEGIN;\nCREATE TABLE ${table(name)} ("näme" text);\nCOMMIT;\n`,
        scripts,
      );
      files[`revert/${file}`] = encode(
        `-- Revert ${name}\nBEGIN;\nDROP TABLE ${table(name)};\nCOMMIT;\n`,
        scripts,
      );
      files[`verify/${file}`] = encode(
        `BEGIN;\nSELECT "näme" FROM ${table(name)} WHERE false;\nROLLBACK;\n`,
        scripts,
      );
    }
    return { files, versions, tags: steps.filter((s) => s.kind === 'tag').map((s) => s.name) };
  });

/** Distinct numeric versions in ascending order, as strings of the tool's shape. */
const ascendingNumbers = (min: number, max: number) =>
  fc
    .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 8 })
    .map((values) => values.sort((a, b) => a - b));

const upDown = (name: string) => ({
  up: `CREATE TABLE ${table(name)} ("ид" bigint);\n`,
  down: `DROP TABLE ${table(name)};\n`,
});

export const nativeProject: fc.Arbitrary<GeneratedProject> = fc
  .record({
    versions: ascendingNumbers(1, 99_999),
    names: fc.array(word, { minLength: 8, maxLength: 8 }),
    how: encoding,
  })
  .map(({ versions, names, how }) => {
    const files: Files = {};
    const ids = versions.map((v) => String(v).padStart(4, '0'));
    ids.forEach((id, i) => {
      const { up, down } = upDown(`${names[i]}_${id}`);
      files[`${id}_${snake(names[i]!)}.sql`] = encode(`-- migrate:up\n${up}\n-- migrate:down\n${down}`, how);
    });
    return { files, versions: ids };
  });

export const dbmateProject: fc.Arbitrary<GeneratedProject> = fc
  .record({
    versions: ascendingNumbers(20_200_101_000_000, 20_301_231_235_959),
    names: fc.array(word, { minLength: 8, maxLength: 8 }),
    how: encoding,
  })
  .map(({ versions, names, how }) => {
    const files: Files = {};
    versions.forEach((v, i) => {
      const { up, down } = upDown(`${names[i]}_${i}`);
      files[`${v}_${names[i]}.sql`] = encode(
        `-- migrate:up\n${up}\n-- migrate:down\n${i % 2 ? down : ''}`,
        how,
      );
    });
    return { files, versions: versions.map(String) };
  });

export const golangMigrateProject: fc.Arbitrary<GeneratedProject> = fc
  .record({
    versions: ascendingNumbers(1, 10_000_000),
    pad: fc.boolean(),
    names: fc.array(word, { minLength: 8, maxLength: 8 }),
    how: encoding,
  })
  .map(({ versions, pad, names, how }) => {
    const files: Files = {};
    const ids = versions.map((v) => (pad ? String(v).padStart(6, '0') : String(v)));
    ids.forEach((id, i) => {
      const { up, down } = upDown(`${names[i]}_${i}`);
      files[`${id}_${names[i]}.up.sql`] = encode(up, how);
      if (i % 3 !== 2) files[`${id}_${names[i]}.down.sql`] = encode(`BEGIN;\n${down}COMMIT;\n`, how);
    });
    return { files, versions: ids };
  });

/** Flyway: dotted versions ("1.10" after "1.9"), undo files for some, subdirectories, placeholders. */
export const flywayProject: fc.Arbitrary<GeneratedProject> = fc
  .record({
    versions: fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 12 })), {
      minLength: 1,
      maxLength: 8,
      selector: ([a, b]) => `${a}.${b}`,
    }),
    names: fc.array(word, { minLength: 8, maxLength: 8 }),
    how: encoding,
    underscore: fc.boolean(),
  })
  .map(({ versions, names, how, underscore }) => {
    const sorted = [...versions].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    const files: Files = { 'flyway.conf': 'flyway.placeholders.owner=app_owner\n' };
    const ids: string[] = [];
    sorted.forEach(([major, minor], i) => {
      const version = minor === 0 ? `${major}` : `${major}.${minor}`;
      const spelled = underscore ? version.replace('.', '_') : version;
      const description = snake(names[i]!);
      const { up, down } = upDown(`${names[i]}_${i}`);
      files[`sql/r${major}/V${spelled}__${description}.sql`] = encode(`-- owned by \${owner}\n${up}`, how);
      if (i % 2) files[`sql/r${major}/U${spelled}__${description}.sql`] = encode(down, how);
      ids.push(version);
    });
    return { files, versions: ids };
  });

function snake(name: string): string {
  return name.replace(/[^a-z0-9]/g, 'x');
}

export const LAYOUTS = {
  sqitch: sqitchProject,
  native: nativeProject,
  dbmate: dbmateProject,
  'golang-migrate': golangMigrateProject,
  flyway: flywayProject,
} as const;
