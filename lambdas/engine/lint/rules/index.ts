// Every lint rule, in the order findings are reported for a statement. Each lives in its own
// file; docs/lint-rules.md lists them with severities and the Squawk / Atlas equivalents.
import type { LintRule } from '../rule.ts';
import { addingFieldWithDefault } from './adding-field-with-default.ts';
import { addingForeignKeyConstraint } from './adding-foreign-key-constraint.ts';
import { addingNotNullableField } from './adding-not-nullable-field.ts';
import { addingRequiredField } from './adding-required-field.ts';
import { addingSerialPrimaryKeyField } from './adding-serial-primary-key-field.ts';
import { banCharField } from './ban-char-field.ts';
import { banConcurrentIndexCreationInTransaction } from './ban-concurrent-index-creation-in-transaction.ts';
import { banDropColumn } from './ban-drop-column.ts';
import { banDropDatabase } from './ban-drop-database.ts';
import { banDropNotNull } from './ban-drop-not-null.ts';
import { banDropTable } from './ban-drop-table.ts';
import { banTruncateCascade } from './ban-truncate-cascade.ts';
import { changingColumnType } from './changing-column-type.ts';
import { constraintMissingNotValid } from './constraint-missing-not-valid.ts';
import { ddlWithLargeDml } from './ddl-with-large-dml.ts';
import { destructiveWithoutBackup } from './destructive-without-backup.ts';
import { destructiveWithoutVerify } from './destructive-without-verify.ts';
import { disallowedUniqueConstraint } from './disallowed-unique-constraint.ts';
import { downDoesNotUndo } from './down-does-not-undo.ts';
import { downSyntaxError } from './down-syntax-error.ts';
import { irreversibleNotAllowed } from './irreversible-not-allowed.ts';
import { nonTransactionalStatementInTransaction } from './non-transactional-statement-in-transaction.ts';
import { preferBigintOverInt } from './prefer-bigint-over-int.ts';
import { preferIdentity } from './prefer-identity.ts';
import { preferRobustStmts } from './prefer-robust-stmts.ts';
import { preferTextField } from './prefer-text-field.ts';
import { preferTimestamptz } from './prefer-timestamptz.ts';
import { renamingColumn } from './renaming-column.ts';
import { renamingTable } from './renaming-table.ts';
import { requireConcurrentIndexCreation } from './require-concurrent-index-creation.ts';
import { requireConcurrentIndexDeletion } from './require-concurrent-index-deletion.ts';
import { setNotNullWithoutCheck } from './set-not-null-without-check.ts';
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
  preferTimestamptz,
  renamingColumn,
  renamingTable,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  setNotNullWithoutCheck,
  transactionNesting,
];

/** Reported by the linter itself for a `-- lint:allow` naming a rule that does not exist. */
export const INVALID_LINT_ALLOW = 'invalid-lint-allow';

export const RULE_IDS: readonly string[] = [...RULES.map((rule) => rule.id), INVALID_LINT_ALLOW];
