/**
 * Variables a child process may inherit from the gateway: enough to find programs and a home
 * directory, never the gateway's credentials. Everything else comes from the service's `env:`.
 */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SYSTEMROOT', 'WINDIR', 'APPDATA'];

/**
 * The environment of an upstream stdio server: the minimal safe set from the gateway's environment,
 * with the configured `env` laid over it.
 *
 * @example childEnvironment({ API_URL: 'http://x' }, process.env) // { PATH: …, HOME: …, API_URL: 'http://x' }
 */
export function childEnvironment(
  configured: Readonly<Record<string, string>> | undefined,
  parent: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = parent[key];
    // A value starting with "()" is an exported shell function: never hand one on.
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  return { ...env, ...configured };
}
