// What goes into each step's Lambda bundle, read off esbuild's metafile of the very build the
// construct runs (bundleLambdaPackage): each step carries only its own adapters, and the
// plugins of infra/esbuild-plugins.mjs drop what no step runs. The sizes themselves are a
// benchmark target (`npm run bench bundles`), not asserted here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bundleLambdaPackage, DEFAULT_HANDLERS_DIRECTORY } from '../../infra/bundling.ts';

const FIXTURE_MIGRATIONS = join(import.meta.dirname, 'fixtures', 'migrations');
const STEPS = ['validate', 'apply', 'verify', 'backup', 'rollback'] as const;
type Step = (typeof STEPS)[number];

interface Built {
  /** Bytes each input file contributes to the bundle, by path relative to the project. */
  inputs: Map<string, number>;
  code: string;
}

let directory: string;
const built = new Map<Step, Built>();

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'stepmigrate-bundle-contents-'));
  for (const step of STEPS) {
    const outputDir = join(directory, step);
    const metafile = join(directory, `${step}.meta.json`);
    bundleLambdaPackage(
      join(DEFAULT_HANDLERS_DIRECTORY, `${step}.ts`),
      outputDir,
      FIXTURE_MIGRATIONS,
      metafile,
    );
    const meta = JSON.parse(readFileSync(metafile, 'utf8')) as {
      outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
    };
    const output = Object.values(meta.outputs).find((candidate) => candidate.entryPoint)!;
    built.set(step, {
      inputs: new Map(
        Object.entries(output.inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]),
      ),
      code: readFileSync(join(outputDir, 'index.mjs'), 'utf8'),
    });
  }
}, 120_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Bytes of the bundle that come from files under `pathPart` (e.g. a package). */
function bytesFrom(step: Step, pathPart: string): number {
  let bytes = 0;
  for (const [path, size] of built.get(step)!.inputs) if (path.includes(pathPart)) bytes += size;
  return bytes;
}

describe('each step bundle carries only what its step runs', () => {
  it.each(['validate', 'apply', 'verify'] as const)(
    '%s never copies, so pg-copy-streams stays out',
    (step) => {
      expect(bytesFrom(step, 'node_modules/pg-copy-streams/')).toBe(0);
    },
  );

  it.each(['backup', 'rollback'] as const)('%s copies tables, so it has pg-copy-streams', (step) => {
    expect(bytesFrom(step, 'node_modules/pg-copy-streams/')).toBeGreaterThan(0);
  });

  it('Rollback only reads backups: no multipart upload; Backup writes them', () => {
    expect(bytesFrom('rollback', 'node_modules/@aws-sdk/lib-storage/')).toBe(0);
    expect(bytesFrom('backup', 'node_modules/@aws-sdk/lib-storage/')).toBeGreaterThan(0);
  });

  it.each(STEPS)("%s has pg's JavaScript client, not its libpq binding", (step) => {
    expect(bytesFrom(step, 'node_modules/pg/lib/client.js')).toBeGreaterThan(0);
    expect(bytesFrom(step, 'node_modules/pg/lib/native/')).toBe(0);
  });
});

describe('the AWS SDK schemas in a bundle', () => {
  it("keep the operations the step sends and drop the rest of the service's", () => {
    const rollback = built.get('rollback')!.code;
    expect(rollback.includes('"GetObject"')).toBe(true); // not toContain: it would print the bundle
    expect(rollback.includes('"ListObjectsV2"')).toBe(true);
    expect(rollback.includes('"PutBucketAnalyticsConfiguration"')).toBe(false);
    expect(rollback.includes('"SelectObjectContent"')).toBe(false);
  });

  it('keep each package.json to the name and version the user agent reads', () => {
    const packageJson = [...built.get('backup')!.inputs.keys()].find((path) =>
      path.endsWith('@aws-sdk/client-s3/package.json'),
    );
    expect(packageJson).toBeDefined();
    expect(bytesFrom('backup', '@aws-sdk/client-s3/package.json')).toBeLessThan(120);
  });
});
