import { describe, expect, it } from '@jest/globals';
import { locate } from '../../../lambdas/engine/sql/database-error.ts';

describe('locate', () => {
  it('places a 1-based character position from PostgreSQL on the file line and column', () => {
    const sql = 'SELECT 1;\nSELECT é bad;';
    expect(locate(sql, sql.indexOf('bad') + 1, 5)).toEqual({ line: 6, column: 10 });
    expect(locate(sql, 1, 5)).toEqual({ line: 5, column: 1 });
  });
});
