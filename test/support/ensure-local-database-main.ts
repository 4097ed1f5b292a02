// `tsx ensure-local-database-main.ts <projectDir>`: one CLI-like process asking for the
// project's embedded database, printing what it got as JSON (used by concurrency tests).
import { ensureLocalDatabase } from '../../cli/local/embedded-postgres.ts';

const local = await ensureLocalDatabase(process.argv[2]!);
process.stdout.write(`${JSON.stringify({ url: local.url, port: local.port, started: local.started })}\n`);
