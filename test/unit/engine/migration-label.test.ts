import { describe, expect, it } from '@jest/globals';
import { migrationLabel } from '../../../lambdas/engine/model.ts';

describe('migrationLabel', () => {
  it('joins version and name as the file name does', () => {
    expect(migrationLabel({ version: '0004', name: 'add_email' })).toBe('0004_add_email');
  });

  it('says a Sqitch change once: its version is its name', () => {
    expect(migrationLabel({ version: 'order_total.2', name: 'order_total.2' })).toBe('order_total.2');
  });

  it('does not repeat a Sqitch name in its reworked version or tag', () => {
    expect(migrationLabel({ version: 'update_acl.2', name: 'update_acl' })).toBe('update_acl.2');
    expect(migrationLabel({ version: 'base', name: 'base' })).toBe('base');
    expect(migrationLabel({ version: 'base@v1', name: 'base' })).toBe('base@v1');
  });
});
