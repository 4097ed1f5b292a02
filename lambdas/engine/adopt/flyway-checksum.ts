// Flyway's checksum of a SQL migration, computed the way Flyway computes it so that what
// `flyway_schema_history.checksum` records can be compared with the file on disk.
//
// Flyway (LoadableResource / ChecksumCalculator in flyway-core) reads the script with a
// BufferedReader, drops a byte-order mark from the first line, and feeds each line's UTF-8
// bytes, without its line terminator (\n, \r\n or \r), into java.util.zip.CRC32; the result
// is stored as a signed 32-bit int. Empty lines therefore add nothing, and line endings never
// change the checksum. This is our own implementation of that rule.

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** IEEE CRC-32 (the one java.util.zip.CRC32 and zlib compute), unsigned. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum Flyway records for a script whose bytes are `raw` (read as UTF-8, Flyway's default encoding). */
export function flywayChecksum(raw: Uint8Array | string): number {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  const withoutBom = text.replace(/^\uFEFF/, '');
  const lines = withoutBom.split(/\r\n|\r|\n/);
  const joined = Buffer.from(lines.join(''), 'utf8');
  return crc32(joined) | 0;
}
