// Generated bad input for the fuzz tests: execution inputs that must be refused, and
// migration files that must not load. Seeded, so a failure reproduces.

/** mulberry32: small, fast, good enough to pick test cases. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

export interface BadInput {
  /** What is wrong, for the test name. */
  label: string;
  input: unknown;
  /** A word the error message must contain: the field (or the shape) that is wrong. */
  names: string;
}

const METACHARACTERS = [
  "'; DROP TABLE app.users; --",
  '$(rm -rf /)',
  '`id`',
  'a;b',
  'a b',
  '../../etc/passwd',
  'db|cat',
  '"quoted"',
  'x\\y',
  'name%00',
  '*',
  '',
  ' ',
  'é-ü',
  '<script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion is the point of this case
  '${HOME}',
];
const CONTROL = ['line\nbreak', 'nul\u0000byte', 'bell\u0007', 'esc\u001b[31mred', 'tab\there', 'del\u007f'];
const WRONG_TYPES: readonly unknown[] = [
  null,
  [],
  {},
  [1],
  { a: 1 },
  'true',
  'yes',
  1,
  0,
  3.5,
  -1,
  true,
  false,
];
const BAD_INTEGERS: readonly unknown[] = [
  0,
  -1,
  -3000,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '3000',
  '',
  null,
  [],
  {},
  true,
];

const INTEGER_LIMITS: Record<string, { tooBig: number }> = {
  lockTimeoutMs: { tooBig: 600_001 },
  statementTimeoutMs: { tooBig: 86_400_001 },
  bakeSeconds: { tooBig: 86_401 },
};

function unknownFields(random: () => number): BadInput[] {
  const keys = [
    'Target',
    'dry_run',
    'dryrun',
    'sql',
    'password',
    'databaseUrl',
    'credentials',
    'lock_timeout',
    'constructor',
    'toString',
    'steps',
    'migrations',
    '',
    ' ',
    'x'.repeat(500),
    '$where',
  ];
  return keys.map((key) => ({
    label: `unknown field "${key.slice(0, 20)}"`,
    input: { target: 'latest', [key]: pick(random, [1, 'x', true, null, { a: 1 }]) },
    names: 'unknown field',
  }));
}

function wrongTypes(): BadInput[] {
  const cases: BadInput[] = [];
  for (const field of ['dryRun', 'requireApproval', 'allowIrreversible']) {
    for (const value of WRONG_TYPES.filter((v) => typeof v !== 'boolean')) {
      cases.push({ label: `${field} = ${JSON.stringify(value)}`, input: { [field]: value }, names: field });
    }
  }
  for (const field of ['requestedBy', 'database']) {
    for (const value of WRONG_TYPES.filter((v) => typeof v !== 'string')) {
      cases.push({ label: `${field} = ${JSON.stringify(value)}`, input: { [field]: value }, names: field });
    }
  }
  for (const value of [null, [], {}, true, false, -1, 1.5, '', ' ', 'latest; DROP', "0004' OR 1=1"]) {
    cases.push({ label: `target = ${JSON.stringify(value)}`, input: { target: value }, names: 'target' });
  }
  return cases;
}

function outOfRange(): BadInput[] {
  const cases: BadInput[] = [];
  for (const [field, { tooBig }] of Object.entries(INTEGER_LIMITS)) {
    const values = [...BAD_INTEGERS, tooBig, tooBig * 10].filter(
      (v) => !(field === 'bakeSeconds' && v === 0),
    );
    for (const value of values) {
      cases.push({ label: `${field} = ${String(value)}`, input: { [field]: value }, names: field });
    }
  }
  return cases;
}

function oversized(random: () => number): BadInput[] {
  const cases: BadInput[] = [];
  for (const length of [257, 1000, 65_536, 1_000_000]) {
    cases.push({
      label: `requestedBy of ${length} characters`,
      input: { requestedBy: 'r'.repeat(length) },
      names: 'requestedBy',
    });
  }
  for (const length of [64, 200, 10_000]) {
    cases.push({
      label: `database of ${length} characters`,
      input: { database: 'd'.repeat(length) },
      names: 'database',
    });
  }
  for (const length of [129, 5000]) {
    cases.push({
      label: `target of ${length} characters`,
      input: { target: `0${'1'.repeat(length)}` },
      names: 'target',
    });
  }
  for (let i = 0; i < 6; i++) {
    const length = 257 + Math.floor(random() * 5000);
    cases.push({
      label: `requestedBy of ${length} random characters`,
      input: {
        requestedBy: Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 90))).join(
          '',
        ),
      },
      names: 'requestedBy',
    });
  }
  return cases;
}

function metacharacters(): BadInput[] {
  const cases: BadInput[] = [];
  for (const value of METACHARACTERS) {
    cases.push({
      label: `database = ${JSON.stringify(value)}`,
      input: { database: value },
      names: 'database',
    });
    cases.push({ label: `target = ${JSON.stringify(value)}`, input: { target: value }, names: 'target' });
  }
  for (const value of CONTROL) {
    cases.push({
      label: `requestedBy = ${JSON.stringify(value)}`,
      input: { requestedBy: value },
      names: 'requestedBy',
    });
    cases.push({
      label: `database = ${JSON.stringify(value)}`,
      input: { database: value },
      names: 'database',
    });
  }
  return cases;
}

function notAnObject(): BadInput[] {
  return ['latest', '', '{}', 42, true, [], [{ target: 'latest' }]].map((value) => ({
    label: `input = ${JSON.stringify(value)}`,
    input: value,
    names: 'JSON object',
  }));
}

/** Several problems at once: every one must be named in the one error. */
function combined(random: () => number): BadInput[] {
  const cases: BadInput[] = [];
  for (let i = 0; i < 20; i++) {
    const lock = pick(random, [0, -5, 'fast', 700_000]);
    const by = pick(random, CONTROL);
    const database = pick(random, METACHARACTERS);
    cases.push({
      label: `combined #${i}`,
      input: { lockTimeoutMs: lock, requestedBy: by, database, dryRun: 'no', extra: i },
      names: 'lockTimeoutMs',
    });
  }
  return cases;
}

export function badExecutionInputs(seed = 20261121): BadInput[] {
  const random = seededRandom(seed);
  return [
    ...unknownFields(random),
    ...wrongTypes(),
    ...outOfRange(),
    ...oversized(random),
    ...metacharacters(),
    ...notAnObject(),
    ...combined(random),
  ];
}

export interface BadMigrationSet {
  label: string;
  /** file name → text */
  files: Record<string, string>;
  /** Words the error must contain. */
  expect: RegExp;
}

const GOOD_UP = [
  'CREATE TABLE app.t (id bigint PRIMARY KEY);',
  'ALTER TABLE app.t ADD COLUMN note text;',
  "CREATE INDEX CONCURRENTLY t_note_idx ON app.t (note);\n-- a comment\nSELECT 'x;y';",
];
const GOOD_DOWN = [
  'DROP TABLE app.t;',
  'ALTER TABLE app.t DROP COLUMN note;',
  'DROP INDEX IF EXISTS app.t_note_idx;',
];

function file(up: string, down: string, extra = ''): string {
  return `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n${extra}`;
}

const templates: {
  label: string;
  expect: RegExp;
  make: (up: string, down: string) => Record<string, string>;
}[] = [
  { label: 'no prefix number', expect: /does not match/, make: (u, d) => ({ 'add_users.sql': file(u, d) }) },
  { label: 'three digits', expect: /does not match/, make: (u, d) => ({ '001_add_users.sql': file(u, d) }) },
  {
    label: 'dash separator',
    expect: /does not match/,
    make: (u, d) => ({ '0001-add-users.sql': file(u, d) }),
  },
  {
    label: 'upper case name',
    expect: /does not match/,
    make: (u, d) => ({ '0001_AddUsers.sql': file(u, d) }),
  },
  {
    label: 'double underscore',
    expect: /does not match/,
    make: (u, d) => ({ '0001_add__users.sql': file(u, d) }),
  },
  { label: 'empty name', expect: /does not match/, make: (u, d) => ({ '0001_.sql': file(u, d) }) },
  { label: 'version zero', expect: /reserved/, make: (u, d) => ({ '0000_start.sql': file(u, d) }) },
  {
    label: 'duplicate version',
    expect: /also used by/,
    make: (u, d) => ({ '0001_a.sql': file(u, d), '00001_b.sql': file(u, d) }),
  },
  {
    label: 'unknown marker',
    expect: /unknown section marker/,
    make: (u, d) => ({ '0001_a.sql': `${file(u, d)}\n-- migrate:rollback\n${d}\n` }),
  },
  {
    label: 'misspelt marker',
    expect: /unknown section marker/,
    make: (u, d) => ({ '0001_a.sql': file(u, d).replace('-- migrate:down', '-- migrate:dwon') }),
  },
  {
    label: 'unknown option',
    expect: /unknown option/,
    make: (u, d) => ({
      '0001_a.sql': file(u, d).replace('-- migrate:up', '-- migrate:up transaction:maybe'),
    }),
  },
  {
    label: 'option given twice',
    expect: /given twice/,
    make: (u, d) => ({
      '0001_a.sql': file(u, d).replace('-- migrate:up', '-- migrate:up transaction:false transaction:false'),
    }),
  },
  {
    label: 'second up marker',
    expect: /second "-- migrate:up"/,
    make: (u, d) => ({ '0001_a.sql': `${file(u, d)}\n-- migrate:up\n${u}\n` }),
  },
  {
    label: 'down before up',
    expect: /comes before|no "-- migrate:up"|second/,
    make: (u, d) => ({ '0001_a.sql': `-- migrate:down\n${d}\n\n-- migrate:up\n${u}\n` }),
  },
  {
    label: 'SQL before the first marker',
    expect: /SQL before the first section marker/,
    make: (u, d) => ({ '0001_a.sql': `${u}\n${file(u, d)}` }),
  },
  {
    label: 'SQL with no sections',
    expect: /SQL outside any section/,
    make: (u) => ({ '0001_a.sql': `${u}\n` }),
  },
  { label: 'empty file', expect: /no sections/, make: () => ({ '0001_a.sql': '' }) },
  {
    label: 'empty up section',
    expect: /up section is empty/,
    make: (_u, d) => ({ '0001_a.sql': file('-- nothing yet', d) }),
  },
  {
    label: 'no down section',
    expect: /no "-- migrate:down"/,
    make: (u) => ({ '0001_a.sql': `-- migrate:up\n${u}\n` }),
  },
  {
    label: 'irreversible with SQL',
    expect: /irreversible but has SQL/,
    make: (u, d) => ({ '0001_a.sql': file(u, d).replace('-- migrate:down', '-- migrate:down irreversible') }),
  },
  {
    label: 'empty down section',
    expect: /down section is empty/,
    make: (u) => ({ '0001_a.sql': file(u, '') }),
  },
  {
    label: 'unknown lint directive',
    expect: /unknown directive/,
    make: (u, d) => ({ '0001_a.sql': `-- lint:ignore ban-drop-table\n${file(u, d)}` }),
  },
  {
    label: 'lint:allow without a reason',
    expect: /needs a rule id and a reason/,
    make: (u, d) => ({ '0001_a.sql': `-- lint:allow ban-drop-table\n${file(u, d)}` }),
  },
];

/** Every loader problem kind, each with several bodies and line-ending variations. */
export function badMigrationSets(seed = 7): BadMigrationSet[] {
  const random = seededRandom(seed);
  const sets: BadMigrationSet[] = [];
  for (const template of templates) {
    for (let variant = 0; variant < 3; variant++) {
      const up = pick(random, GOOD_UP);
      const down = pick(random, GOOD_DOWN);
      const crlf = variant === 2;
      const files = Object.fromEntries(
        Object.entries(template.make(up, down)).map(([name, text]) => [
          name,
          crlf ? text.replaceAll('\n', '\r\n') : text,
        ]),
      );
      sets.push({ label: `${template.label} (variant ${variant + 1})`, files, expect: template.expect });
    }
  }
  return sets;
}
