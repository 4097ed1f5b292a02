import { crc32, flywayChecksum } from '../../../../lambdas/engine/adopt/flyway-checksum.ts';

describe('flywayChecksum', () => {
  it('is the IEEE CRC-32 (the check value of "123456789" is 0xCBF43926)', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('is stored as a signed 32-bit int, as Flyway keeps it', () => {
    expect(flywayChecksum('123456789')).toBe(0xcbf43926 | 0);
    expect(flywayChecksum('123456789')).toBeLessThan(0);
  });

  it('feeds the lines without their terminators: line endings and empty lines do not count', () => {
    const lf = flywayChecksum('CREATE TABLE t (id int);\n\nINSERT INTO t VALUES (1);\n');
    expect(flywayChecksum('CREATE TABLE t (id int);\r\n\r\nINSERT INTO t VALUES (1);\r\n')).toBe(lf);
    expect(flywayChecksum('CREATE TABLE t (id int);\rINSERT INTO t VALUES (1);')).toBe(lf);
    expect(lf).toBe(crc32(Buffer.from('CREATE TABLE t (id int);INSERT INTO t VALUES (1);')) | 0);
  });

  it('drops a byte-order mark at the start of the file only', () => {
    expect(flywayChecksum(Buffer.from('\uFEFFSELECT 1;\n', 'utf8'))).toBe(flywayChecksum('SELECT 1;\n'));
    expect(flywayChecksum('SELECT 1;\n\uFEFF')).not.toBe(flywayChecksum('SELECT 1;\n'));
  });

  it('hashes multibyte text as UTF-8', () => {
    expect(flywayChecksum('-- café\n')).toBe(crc32(Buffer.from('-- café', 'utf8')) | 0);
    expect(flywayChecksum('-- café\n')).not.toBe(crc32(Buffer.from('-- café', 'latin1')) | 0);
  });

  it('changes when a statement changes', () => {
    expect(flywayChecksum('SELECT 1;')).not.toBe(flywayChecksum('SELECT 2;'));
  });
});
