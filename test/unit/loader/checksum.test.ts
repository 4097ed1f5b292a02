import { describe, expect, it } from '@jest/globals';
import { checksumSql, normalizeLineEndings } from '../../../lambdas/engine/checksum.ts';

describe('checksumSql', () => {
  it('is the SHA-256 hex of the SQL', () => {
    // printf 'SELECT 1;\n' | sha256sum
    expect(checksumSql('SELECT 1;\n')).toBe(
      'b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd',
    );
  });

  it('does not change with CRLF or CR line endings', () => {
    expect(checksumSql('SELECT 1;\r\nSELECT 2;\r\n')).toBe(checksumSql('SELECT 1;\nSELECT 2;\n'));
    expect(checksumSql('SELECT 1;\rSELECT 2;\r')).toBe(checksumSql('SELECT 1;\nSELECT 2;\n'));
  });

  it('changes when the SQL changes, even by whitespace', () => {
    expect(checksumSql('SELECT 1;\n')).not.toBe(checksumSql('SELECT  1;\n'));
  });

  it('normalizeLineEndings keeps lone LFs', () => {
    expect(normalizeLineEndings('a\r\n\r\nb\rc\n')).toBe('a\n\nb\nc\n');
  });
});
