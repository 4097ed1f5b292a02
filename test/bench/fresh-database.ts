// An empty database of its own for each measured run, on the bench's server, so no run
// measures what an earlier one left behind.
import pg from 'pg';

/** Creates database `name` on the server at `server.url` and returns its URL. */
export async function freshDatabase(server: { url: string }, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}
