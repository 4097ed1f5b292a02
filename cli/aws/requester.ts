// Who is at the keyboard, for `requestedBy` and approvals: the OS user and host. The AWS
// identity is recorded by CloudTrail anyway; this is the name people recognise.
import { hostname, userInfo } from 'node:os';

export function localRequester(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // Some containers have no passwd entry for the uid; $USER is the next best thing.
  }
  return `${user}@${hostname()}`;
}
