// No credential may reach a log line, an audit record or a state output. Errors from
// drivers sometimes quote a connection string or a secret's JSON; this scrubs them.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#\s@]+:)[^@\s/]+@/gi;
const KEY_VALUE_PASSWORD =
  /\b(password|passwd|pwd|secret|token|secretAccessKey)(\s*[=:]\s*)('[^']*'|"[^"]*"|[^\s,;&]+)/gi;
const JSON_PASSWORD =
  /("(?:password|passwd|secret|token|secretAccessKey|SecretString)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

export const REDACTED = '***';

export function redactSecrets(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(JSON_PASSWORD, `$1"${REDACTED}"`)
    .replace(KEY_VALUE_PASSWORD, `$1$2${REDACTED}`);
}
