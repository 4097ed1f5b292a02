// Sqitch's `script_hash`: the SHA-1 (hex) of the deploy script's bytes exactly as they are
// on disk — no BOM or line-ending normalisation — which is what sqitch records in
// `sqitch.changes.script_hash` when it deploys a change.
import { createHash } from 'node:crypto';

export function sqitchScriptHash(raw: Uint8Array): string {
  return createHash('sha1').update(raw).digest('hex');
}
