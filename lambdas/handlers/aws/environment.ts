// Reading a Lambda's environment, as set by the MigrationWorkflow construct: every problem
// names the variable, so a misconfigured function says what to fix on its first use.
export type Env = Readonly<Record<string, string | undefined>>;

export function required(env: Env, variable: string): string {
  const value = env[variable];
  if (!value) throw new Error(`${variable} is not set on this Lambda function`);
  return value;
}

/** A positive whole number, or undefined when the variable is unset or blank. */
export function optionalPositiveInteger(env: Env, variable: string): number | undefined {
  const value = env[variable];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive whole number, got "${value}"`);
  return parsed;
}

export function positiveInteger(env: Env, variable: string, fallback: number): number {
  return optionalPositiveInteger(env, variable) ?? fallback;
}

/** A comma-separated list, blanks dropped. */
export function listOf(env: Env, variable: string): string[] {
  return (env[variable] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A port this step was not configured for: the first use says which variable is missing. */
export function notConfigured<T extends object>(what: string, variable: string): T {
  return new Proxy({} as T, {
    get: (_target, property) => {
      if (property === 'then') return undefined;
      if (property === 'name') return what;
      return () => {
        throw new Error(`this step has no ${what}: ${variable} is not set on its Lambda function`);
      };
    },
  });
}
