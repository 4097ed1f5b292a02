// Every lint rule, in the order findings are reported for a statement. Each lives in its own
// file; docs/lint-rules.md lists them with severities and the Squawk / Atlas equivalents.
import type { LintRule } from '../rule.ts';
import { addingFieldWithDefault } from './adding-field-with-default.ts';
import { addingForeignKeyConstraint } from './adding-foreign-key-constraint.ts';
import { addingNotNullableField } from './adding-not-nullable-field.ts';
import { addingRequiredField } from './adding-required-field.ts';
import { addingSerialPrimaryKeyField } from './adding-serial-primary-key-field.ts';
import { banAlterDomainWithAddConstraint } from './ban-alter-domain-with-add-constraint.ts';
import { banCharField } from './ban-char-field.ts';
import { banConcurrentIndexCreationInTransaction } from './ban-concurrent-index-creation-in-transaction.ts';
import { banCreateDomainWithConstraint } from './ban-create-domain-with-constraint.ts';
import { banDropColumn } from './ban-drop-column.ts';
import { banDropDatabase } from './ban-drop-database.ts';
import { banDropNotNull } from './ban-drop-not-null.ts';
import { banDropTable } from './ban-drop-table.ts';
import { banDuplicateColumnAssignments } from './ban-duplicate-column-assignments.ts';
import { banTruncateCascade } from './ban-truncate-cascade.ts';
import { banUncommittedTransaction } from './ban-uncommitted-transaction.ts';
import { changingColumnType } from './changing-column-type.ts';
import { constraintMissingNotValid } from './constraint-missing-not-valid.ts';
import { ddlWithLargeDml } from './ddl-with-large-dml.ts';
import { destructiveWithoutBackup } from './destructive-without-backup.ts';
import { destructiveWithoutVerify } from './destructive-without-verify.ts';
import { disallowedUniqueConstraint } from './disallowed-unique-constraint.ts';
import { downDoesNotUndo } from './down-does-not-undo.ts';
import { downSyntaxError } from './down-syntax-error.ts';
import { identifierTooLong } from './identifier-too-long.ts';
import { irreversibleNotAllowed } from './irreversible-not-allowed.ts';
import { nonTransactionalStatementInTransaction } from './non-transactional-statement-in-transaction.ts';
import { preferBigintOverInt } from './prefer-bigint-over-int.ts';
import { preferBigintOverSmallint } from './prefer-bigint-over-smallint.ts';
import { preferIdentity } from './prefer-identity.ts';
import { preferRepack } from './prefer-repack.ts';
import { preferRobustStmts } from './prefer-robust-stmts.ts';
import { preferTextField } from './prefer-text-field.ts';
import { preferTimestampTz } from './prefer-timestamp-tz.ts';
import { renamingColumn } from './renaming-column.ts';
import { renamingTable } from './renaming-table.ts';
import { requireConcurrentIndexCreation } from './require-concurrent-index-creation.ts';
import { requireConcurrentIndexDeletion } from './require-concurrent-index-deletion.ts';
import { requireConcurrentPartitionDetach } from './require-concurrent-partition-detach.ts';
import { requireConcurrentReindex } from './require-concurrent-reindex.ts';
import { requireEnumValueOrdering } from './require-enum-value-ordering.ts';
import { requireTableSchema } from './require-table-schema.ts';
import { requireLockTimeout, requireStatementTimeout } from './require-timeouts.ts';
import { transactionNesting } from './transaction-nesting.ts';

export const RULES: readonly LintRule[] = [
  addingFieldWithDefault,
  addingForeignKeyConstraint,
  addingNotNullableField,
  addingRequiredField,
  addingSerialPrimaryKeyField,
  banCharField,
  banConcurrentIndexCreationInTransaction,
  banDropColumn,
  banDropDatabase,
  banDropNotNull,
  banDropTable,
  banTruncateCascade,
  changingColumnType,
  constraintMissingNotValid,
  ddlWithLargeDml,
  destructiveWithoutBackup,
  destructiveWithoutVerify,
  disallowedUniqueConstraint,
  downDoesNotUndo,
  downSyntaxError,
  irreversibleNotAllowed,
  nonTransactionalStatementInTransaction,
  preferBigintOverInt,
  preferIdentity,
  preferRobustStmts,
  preferTextField,
  preferTimestampTz,
  renamingColumn,
  renamingTable,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  transactionNesting,
  banAlterDomainWithAddConstraint,
  banCreateDomainWithConstraint,
  banDuplicateColumnAssignments,
  banUncommittedTransaction,
  identifierTooLong,
  preferBigintOverSmallint,
  preferRepack,
  requireConcurrentPartitionDetach,
  requireConcurrentReindex,
  requireEnumValueOrdering,
  requireTableSchema,
  requireLockTimeout,
  requireStatementTimeout,
];

/** Reported by the linter itself for a `-- lint:allow` naming a rule that does not exist. */
export const INVALID_LINT_ALLOW = 'invalid-lint-allow';

/** Reported for a section PostgreSQL cannot parse; the file's other sections are still linted. */
export const SYNTAX_ERROR = 'syntax-error';

export const RULE_IDS: readonly string[] = [...RULES.map((rule) => rule.id), INVALID_LINT_ALLOW];

/** Old id → current id, for rules renamed to Squawk's spelling or merged into a Squawk rule. */
export const RULE_ALIASES: ReadonlyMap<string, string> = new Map(
  RULES.flatMap((rule) => (rule.aliases ?? []).map((alias) => [alias, rule.id] as const)),
);

/** The current id for `id`, which may be an alias; `id` itself when it is no alias. */
export function canonicalRuleId(id: string): string {
  return RULE_ALIASES.get(id) ?? id;
}

/** True for a rule id or an alias of one. */
export function isKnownRuleId(id: string): boolean {
  return RULE_IDS.includes(canonicalRuleId(id));
}
