import { resolve } from 'node:path';
import { allowedTransports, type GitConfig } from './config.js';

/** Variables git may inherit from the gateway: enough to find programs, a home for ssh, and ssh-agent. */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'TZ', 'TMPDIR', 'SYSTEMROOT'];

/** Every transport git knows by name, so the repository's config can enable none we did not choose. */
const GIT_PROTOCOLS = ['file', 'git', 'ssh', 'http', 'https', 'ext', 'fd'] as const;

/**
 * Quotes a word for the POSIX shell git runs `GIT_SSH_COMMAND` with: single quotes, each `'` as `'\''`.
 *
 * @example shellQuote("/keys/it's") // "'/keys/it'\\''s'"
 */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `-c` settings every git command runs with. They sit on the command line, which outranks the
 * repository's own config, so a repository cannot turn them back: no hooks (unless `allow_hooks`), no
 * fsmonitor program, no credential helpers, no signing program, no submodule recursion, and only the
 * transports the service allows (`ext::` and `fd::` never).
 */
export function globalArgs(config: GitConfig): string[] {
  const allowed = allowedTransports(config);
  const settings = [
    'core.fsmonitor=false',
    'credential.helper=',
    'commit.gpgSign=false',
    'tag.gpgSign=false',
    'fetch.recurseSubmodules=false',
    'submodule.recurse=false',
    'color.ui=false',
    'core.quotePath=false',
    'advice.detachedHead=false',
    'protocol.allow=never',
    ...GIT_PROTOCOLS.map((protocol) => `protocol.${protocol}.allow=${isAllowed(protocol, allowed) ? 'always' : 'never'}`),
  ];
  if (!config.allow_hooks) settings.push('core.hooksPath=/dev/null');
  if (config.https_ca_file !== undefined) settings.push(`http.sslCAInfo=${resolve(config.https_ca_file)}`);
  return ['--no-pager', '--no-optional-locks', ...settings.flatMap((setting) => ['-c', setting])];
}

function isAllowed(protocol: (typeof GIT_PROTOCOLS)[number], allowed: ReadonlySet<string>): boolean {
  return protocol !== 'ext' && protocol !== 'fd' && allowed.has(protocol);
}

/**
 * The whole environment of a git process: a short allowlist from the gateway (never its secrets, never
 * GIT_DIR or GIT_CONFIG_PARAMETERS), no system or global git config, no prompts, English messages,
 * literal pathspecs, the committer identity, and the authentication. The https token travels as an
 * `http.<host>.extraHeader` in GIT_CONFIG_* variables — never in argv, where `ps` would show it — and
 * only for the hosts in `https_hosts`.
 */
export function gitEnvironment(config: GitConfig, ceiling: string, parent: Readonly<Record<string, string | undefined>> = process.env) {
  const env: Record<string, string> = {};
  for (const key of INHERITED) {
    const value = parent[key];
    if (value !== undefined && !value.startsWith('()')) env[key] = value;
  }
  if (config.auth_methods.includes('ssh') && parent.SSH_AUTH_SOCK) env.SSH_AUTH_SOCK = parent.SSH_AUTH_SOCK;
  Object.assign(env, {
    LC_ALL: 'C',
    LANGUAGE: '',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // Set and empty: git then neither runs core.askPass from the repository nor SSH_ASKPASS.
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
    GIT_EDITOR: 'true',
    GIT_SEQUENCE_EDITOR: 'true',
    GIT_PAGER: 'cat',
    GIT_LITERAL_PATHSPECS: '1',
    GIT_CEILING_DIRECTORIES: ceiling,
    GIT_AUTHOR_NAME: config.author_name,
    GIT_AUTHOR_EMAIL: config.author_email,
    GIT_COMMITTER_NAME: config.author_name,
    GIT_COMMITTER_EMAIL: config.author_email,
    GIT_SSH_COMMAND: sshCommand(config),
    GIT_SSH_VARIANT: 'ssh',
  });
  const extra: [string, string][] = [];
  if (config.https_token !== undefined) {
    const basic = Buffer.from(`${config.https_username}:${config.https_token}`).toString('base64');
    for (const host of config.https_hosts ?? []) extra.push([`http.https://${host}/.extraHeader`, `Authorization: Basic ${basic}`]);
  }
  if (extra.length > 0) env.GIT_CONFIG_COUNT = String(extra.length);
  extra.forEach(([key, value], index) => {
    env[`GIT_CONFIG_KEY_${index}`] = key;
    env[`GIT_CONFIG_VALUE_${index}`] = value;
  });
  return env;
}

/**
 * The ssh command git runs (through `sh`, which is why every configured path is quoted): batch mode
 * (never a prompt), the configured key only, and strict host keys unless `ssh_accept_new_hosts`. Set
 * even without a key, so a repository's `core.sshCommand` never runs.
 */
export function sshCommand(config: GitConfig): string {
  const words = ['ssh', '-o', 'BatchMode=yes', '-o', `StrictHostKeyChecking=${config.ssh_accept_new_hosts ? 'accept-new' : 'yes'}`];
  if (config.ssh_key !== undefined) words.push('-i', shellQuote(resolve(config.ssh_key)), '-o', 'IdentitiesOnly=yes');
  if (config.ssh_known_hosts !== undefined) words.push('-o', shellQuote(`UserKnownHostsFile=${resolve(config.ssh_known_hosts)}`));
  return words.join(' ');
}
