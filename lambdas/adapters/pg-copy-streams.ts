// COPY TO STDOUT and COPY FROM STDIN for PgDatabase, from pg-copy-streams. A module of its own
// so that only the compositions that back up or restore import it: the bundles of Validate,
// Apply and Verify leave it out.
import { from, to } from 'pg-copy-streams';
import type { PgCopyStreams } from './pg-database.ts';

export const pgCopyStreams: PgCopyStreams = { to, from };
