import type { Transport } from './config.js';

/** A remote location a caller gave, sorted by transport. `path` is set for local repositories (file). */
export type RemoteUrl =
  | { readonly transport: Exclude<Transport, 'file'>; readonly url: string; readonly host: string }
  | { readonly transport: 'file'; readonly path: string };

const SCHEMES: Readonly<Record<string, Exclude<Transport, 'file'>>> = {
  https: 'https',
  http: 'http',
  ssh: 'ssh',
  'git+ssh': 'ssh',
  'ssh+git': 'ssh',
  git: 'git',
};

/**
 * Reads a clone/fetch/push location: `https://…`, `http://…`, `ssh://…`, scp-like `user@host:path`,
 * `git://…`, `file://…` or a plain path (file). Refuses transport helpers (`ext::`, `fd::`), unknown
 * schemes, option-like values, control characters and passwords in URLs. Whether the transport is
 * allowed is the caller's check.
 *
 * @example parseRemoteUrl('git@github.com:acme/app.git') // { transport: 'ssh', url: 'git@github.com:acme/app.git', host: 'github.com' }
 * @example parseRemoteUrl('ext::sh -c touch% /tmp/x') // { problem: 'transport helpers … are refused' }
 */
export function parseRemoteUrl(value: string): RemoteUrl | { readonly problem: string } {
  if (value.length === 0) return { problem: 'is empty' };
  if (value.length > 2048) return { problem: 'is longer than 2048 characters' };
  if (value.startsWith('-')) return { problem: 'must not start with "-"' };
  if (/^[A-Za-z0-9+.-]+::/.test(value)) {
    return { problem: 'transport helpers ("ext::", "fd::", …) are refused: they run programs; give an https, ssh or git URL' };
  }
  if (/[\0-\x20\x7f]/.test(value)) return { problem: 'must not contain spaces or control characters' };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  if (scheme) return fromUrl(value, scheme[1]!.toLowerCase());
  // scp-like: a colon before the first slash (git's own rule), e.g. git@github.com:acme/app.git.
  const colon = value.indexOf(':');
  const slash = value.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash)) {
    const hostPart = value.slice(0, colon);
    const at = hostPart.lastIndexOf('@');
    const user = at >= 0 ? hostPart.slice(0, at) : '';
    const host = at >= 0 ? hostPart.slice(at + 1) : hostPart;
    if (host.length === 0 || host.startsWith('-') || user.startsWith('-')) return { problem: 'names a host or user that is empty or starts with "-"' };
    if (value.slice(colon + 1).length === 0) return { problem: 'names no repository path after the ":"' };
    return { transport: 'ssh', url: value, host };
  }
  return { transport: 'file', path: value };
}

function fromUrl(value: string, scheme: string): RemoteUrl | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (scheme === 'file') {
    if (url.host !== '' && url.host !== 'localhost') return { problem: 'file:// URLs must name a local path (file:///…)' };
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return { problem: 'has a broken %-escape in its path' };
    }
    return { transport: 'file', path };
  }
  const transport = SCHEMES[scheme];
  if (!transport) return { problem: `uses "${scheme}://", which is not supported: give an https, ssh or git URL` };
  const host = url.hostname;
  if (host.length === 0) return { problem: 'names no host' };
  if (host.startsWith('-') || decodeURIComponent(url.username).startsWith('-')) return { problem: 'names a host or user that starts with "-"' };
  if (url.password !== '') {
    return { problem: 'carries a password: remove it from the URL and configure https_token (or ssh_key) on the service instead' };
  }
  if (transport !== 'ssh' && url.username !== '') {
    return { problem: 'carries a user name: remove it; https_username and https_token on the service authenticate https remotes' };
  }
  return { transport, url: value, host: url.port ? `${host}:${url.port}` : host };
}
