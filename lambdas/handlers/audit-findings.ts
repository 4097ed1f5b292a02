// Lint findings kept in an audit record (Validate's plan, a lint refusal): as many as fit
// well under the audit log's record size (DynamoDB items are at most 400 KB).
import type { Finding } from '../engine/model.ts';

const AUDIT_FINDINGS_BYTES = 200_000;

export function findingsThatFit(findings: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  let bytes = 0;
  for (const finding of findings) {
    bytes += JSON.stringify(finding).length + 1;
    if (bytes > AUDIT_FINDINGS_BYTES) break;
    kept.push(finding);
  }
  return kept;
}
