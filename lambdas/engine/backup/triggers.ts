// User triggers must not fire while a backup is loaded: the rows are history being put back,
// not new writes (audit triggers would log them, "updated_at" triggers would rewrite them).
// session_replication_role = replica silences ordinary triggers and referential actions for
// this transaction only; triggers marked ENABLE ALWAYS or ENABLE REPLICA still fire in that
// mode, and without the privilege to set it every trigger is disabled by name instead
// (ALTER TABLE … DISABLE TRIGGER is transactional, so a failed restore leaves them as they were).
import type { SqlConnection } from '../../ports.ts';

export interface DisabledTrigger {
  table: string;
  name: string;
  /** pg_trigger.tgenabled before: O (origin), A (always), R (replica). */
  mode: string;
}

/** Tries replica mode; false when this role may not set it (superuser, rds_superuser or a GRANT SET is needed). */
export async function enterReplicaMode(connection: SqlConnection): Promise<boolean> {
  try {
    // One round trip: a SET that fails skips the RELEASE, and the savepoint is rolled back to.
    await connection.query(
      'SAVEPOINT stepmigrate_replica_mode; SET LOCAL session_replication_role = replica; RELEASE SAVEPOINT stepmigrate_replica_mode',
    );
    return true;
  } catch {
    await connection.query('ROLLBACK TO SAVEPOINT stepmigrate_replica_mode');
    return false;
  }
}

export async function disableUserTriggers(
  connection: SqlConnection,
  tables: readonly string[],
  replicaMode: boolean,
): Promise<DisabledTrigger[]> {
  const { rows } = await connection.query<DisabledTrigger>(
    `SELECT t.tgrelid::regclass::text AS table, quote_ident(t.tgname) AS name, t.tgenabled::text AS mode
       FROM pg_trigger t
      WHERE t.tgrelid = ANY (SELECT name::regclass FROM unnest($1::text[]) AS name)
        AND NOT t.tgisinternal AND t.tgenabled <> 'D' AND ($2::boolean IS FALSE OR t.tgenabled <> 'O')`,
    [tables, replicaMode],
  );
  for (const trigger of rows)
    await connection.query(`ALTER TABLE ${trigger.table} DISABLE TRIGGER ${trigger.name}`);
  return rows;
}

export async function restoreTriggers(
  connection: SqlConnection,
  triggers: readonly DisabledTrigger[],
): Promise<void> {
  const keyword: Record<string, string> = { O: '', A: 'ALWAYS ', R: 'REPLICA ' };
  for (const trigger of triggers) {
    await connection.query(
      `ALTER TABLE ${trigger.table} ENABLE ${keyword[trigger.mode] ?? ''}TRIGGER ${trigger.name}`,
    );
  }
}
