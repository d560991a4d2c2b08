/**
 * Variables a script inherits from the gateway unless its config says otherwise: enough to find
 * programs, a home and a locale — never the gateway's credentials.
 */
export const DEFAULT_ENV_ALLOW: readonly string[] = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'];

/**
 * The environment of a script: the allowlisted variables of the gateway's environment (an entry
 * ending in `*` allows every name with that prefix, like `LC_*`), with the declared `env:` values
 * laid over them. Nothing else of the gateway's environment reaches the child.
 *
 * @example scriptEnvironment(['PATH', 'LC_*'], { API_TOKEN: 't' }, process.env) // { PATH: …, LC_ALL: …, API_TOKEN: 't' }
 */
export function scriptEnvironment(
  allow: readonly string[],
  declared: Readonly<Record<string, string>>,
  parent: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const exact = new Set(allow.filter((name) => !name.endsWith('*')));
  const prefixes = allow.filter((name) => name.endsWith('*')).map((name) => name.slice(0, -1));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || !(exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix)))) continue;
    // A value starting with "()" is an exported shell function: never hand one on.
    if (value.startsWith('()')) continue;
    env[name] = value;
  }
  return { ...env, ...declared };
}
