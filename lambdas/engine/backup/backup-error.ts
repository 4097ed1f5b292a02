// Every failure of Backup or Restore leaves as a BackupError (the name the state machine's
// Catch and the CLI's exit code match on); the original error stays as its cause.
import { BackupError } from '../errors.ts';

export function asBackupError(error: unknown, context: string): BackupError {
  if (error instanceof BackupError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BackupError(`${context}: ${message}`, { cause: error });
}
