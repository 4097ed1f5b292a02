// A throw-away PostgreSQL cluster from Debian's server packages (postgresql-NN), for tests
// that need the real client tools of that major beside it: pg_dump -s to compare schemas,
// psql for sqitch. The embedded server (17) has no pg_dump, and Debian's pg_dump refuses
// newer servers, so such tests run on Debian's own server. `.ci/run` installs the packages;
// where they are absent the caller skips with the printed note.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { startTemporaryCluster, type TemporaryCluster } from '../../cli/local/embedded-postgres.ts';

export const debianMajor = 15;

export function debianBinDir(major = debianMajor): string {
  return `/usr/lib/postgresql/${major}/bin`;
}

async function present(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Why Debian's PostgreSQL cannot be used here, or undefined when it can. */
export async function debianPostgresMissing(major = debianMajor): Promise<string | undefined> {
  const bin = debianBinDir(major);
  for (const tool of ['initdb', 'pg_ctl', 'postgres', 'pg_dump', 'psql']) {
    if (!(await present(path.join(bin, tool))))
      return `Debian's postgresql-${major} is not installed (${path.join(bin, tool)} is missing); apt-get install -y postgresql-${major}`;
  }
  return undefined;
}

/** Starts a cluster of Debian's server on a free port; the caller stops it. */
export function startDebianCluster(major = debianMajor): Promise<TemporaryCluster> {
  return startTemporaryCluster({ binDir: debianBinDir(major) });
}

/** Prints why a suite is skipped, once, where a person reading the test output sees it. */
export function printSkipNote(suite: string, reason: string): void {
  process.stdout.write(`\n[skipped] ${suite}: ${reason}\n`);
}
