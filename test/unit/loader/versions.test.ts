import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../../lambdas/engine/errors.ts';
import {
  compareVersions,
  indexOfVersion,
  isEmptyVersion,
  resolveTarget,
  targetIndex,
} from '../../../lambdas/engine/loader/versions.ts';
import type { Migration, MigrationSet } from '../../../lambdas/engine/model.ts';

function setOf(...versions: string[]): MigrationSet {
  const migrations = versions.map(
    (version) => ({ version, name: `m${version}`, file: `${version}_m.sql` }) as Migration,
  );
  return { directory: 'migrations', layout: 'native', migrations };
}

describe('compareVersions', () => {
  it.each([
    ['0009', '0010', -1],
    ['0010', '10', 0],
    ['99999999999999999999', '100000000000000000000', -1],
    ['1.9', '1.10', -1],
    ['1', '1.0', 0],
    ['1.0.1', '1', 1],
    ['2', '1.9.9', 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(Math.sign(compareVersions(a, b))).toBe(expected);
    expect(Math.sign(compareVersions(b, a))).toBe(-expected || 0);
  });

  it('sorts numerically, not as strings', () => {
    expect(['100', '0020', '3'].sort(compareVersions)).toEqual(['3', '0020', '100']);
  });
});

describe('targets', () => {
  const set = setOf('0001', '0002', '0005');

  it('"latest" is the last migration', () => {
    expect(targetIndex(set, 'latest')).toBe(2);
    expect(resolveTarget(set, 'latest')).toBe('0005');
  });

  it('"latest" of an empty set is the empty state', () => {
    expect(resolveTarget(setOf(), 'latest')).toBe('0');
  });

  it('"0" (in any width) is before the first migration', () => {
    expect(isEmptyVersion('0000')).toBe(true);
    expect(targetIndex(set, '0')).toBe(-1);
    expect(resolveTarget(set, '000')).toBe('0');
  });

  it('a version matches numerically and resolves to the spelling in the set', () => {
    expect(indexOfVersion(set.migrations, '2')).toBe(1);
    expect(resolveTarget(set, '5')).toBe('0005');
  });

  it('refuses a version that is not in the set, listing the ones that are', () => {
    expect(() => targetIndex(set, '0003')).toThrow(InputError);
    expect(() => targetIndex(set, '0003')).toThrow(/one of the versions: 0001, 0002, 0005/);
    expect(() => targetIndex(set, 'newest')).toThrow(/target "newest" is not a migration/);
  });
});
