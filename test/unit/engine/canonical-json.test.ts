// The schema fingerprint hashes canonical JSON; writing it faster must not change one byte of
// it, or a fingerprint taken before an upgrade would no longer match one taken after.
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { canonicalJson, fingerprintHash } from '../../../lambdas/engine/fingerprint.ts';

/** The canonical JSON as it was first written, by hand: the reference. */
function byHand(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(byHand).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${byHand(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const key = fc.oneof(fc.string(), fc.constantFrom('10', '9', '0', '01', 'name', 'kind', 'é', '__proto_'));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.integer(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('canonicalJson', () => {
  it('writes the same text as the hand-built canonical JSON, for any JSON value', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(byHand(value));
      }),
      { numRuns: 300 },
    );
  });

  it('gives a schema the same fingerprint as before', () => {
    const objects = Array.from({ length: 50 }, (_, n) => ({
      kind: n % 2 ? ('column' as const) : ('table' as const),
      name: `app.t_${n}`,
      properties: { type: 'text', notNull: n % 3 === 0, grants: ['a=r/b', `u${n}=arw/b`], comment: null },
    }));
    const sorted = [...objects].sort((a, b) =>
      a.kind === b.kind ? (a.name < b.name ? -1 : 1) : a.kind === 'table' ? -1 : 1,
    );
    expect(fingerprintHash({ objects })).toBe(createHash('sha256').update(byHand(sorted)).digest('hex'));
  });
});
