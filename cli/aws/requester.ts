// Who is at the keyboard, for `requestedBy` and approvals: the OS user and host. The AWS
// identity is recorded by CloudTrail anyway; this is the name people recognise.
import { hostname, userInfo } from 'node:os';

/** The OS user name; local runs record it too, so it must not throw where `userInfo()` does. */
export function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    // Some containers have no passwd entry for the uid; $USER is the next best thing.
    return process.env.USER ?? 'unknown';
  }
}

export function localRequester(): string {
  return `${localUser()}@${hostname()}`;
}
