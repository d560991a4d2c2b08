/**
 * Turning a caller's path into a URL under the service's `base_url` — and nowhere else. A path is
 * refused when it is an absolute URL, starts with `//` (another host), holds a backslash or a control
 * character, or has a `.`/`..` segment in any encoding (`%2e%2e`, `%252e%252e`, `..%2f`, `..;x`): servers and
 * proxies normalise those differently, so the only safe answer is no. The result is checked once more
 * after the URL parser normalised it: same origin, and under the base path.
 */

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
/** Most rounds of %-decoding tried on one segment (double and triple encoding are classic tricks). */
const DECODE_ROUNDS = 4;

/** Why a path was refused; the caller wraps it in an INVALID_ARGUMENTS error naming the tool. */
export class PathRefused extends Error {
  override readonly name = 'PathRefused';
}

/**
 * The base URL as the joining below needs it: no query, no fragment.
 *
 * @example baseUrl('https://api.example.com/v1').href // 'https://api.example.com/v1'
 */
export function baseUrl(text: string): URL {
  const url = new URL(text);
  url.search = '';
  url.hash = '';
  return url;
}

/** The base path with a trailing slash: everything a confined URL's path must start with. */
export function basePath(base: URL): string {
  return base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
}

/**
 * The URL of `path` (relative to `base`, with an optional `?query`), or a {@link PathRefused}
 * saying why it would leave the base.
 *
 * @example confinedUrl(new URL('https://api.example.com/v1'), '/users/42?x=1').href
 * // 'https://api.example.com/v1/users/42?x=1'
 */
export function confinedUrl(base: URL, path: string): URL {
  if (CONTROL.test(path)) throw new PathRefused('contains a control character (line break, tab, NUL, …)');
  if (path.includes('\\')) throw new PathRefused('contains a backslash');
  if (SCHEME.test(path)) throw new PathRefused('is an absolute URL: give a path relative to the service\'s base_url, like /users/42');
  if (path.startsWith('//')) throw new PathRefused('starts with //, which names another host: give a path relative to base_url');
  if (path.includes('#')) throw new PathRefused('contains #: a fragment is never sent to a server');
  const question = path.indexOf('?');
  const pathPart = question < 0 ? path : path.slice(0, question);
  const queryPart = question < 0 ? '' : path.slice(question + 1);
  for (const segment of pathPart.split('/')) {
    const decoded = decodeFully(segment);
    // `..;x` is `..` to servers that strip path parameters (Tomcat, some proxies).
    if (decoded.split(/[/\\]/).some((piece) => ['.', '..'].includes(piece.split(';')[0]!.trim()))) {
      throw new PathRefused('has a "." or ".." segment (possibly %-encoded), which could leave base_url');
    }
  }
  const prefix = basePath(base);
  const relative = pathPart.replace(/^\//, '');
  const url = new URL(relative === '' ? base.pathname : `${prefix}${relative}`, base.origin);
  if (url.origin !== base.origin || !(url.pathname.startsWith(prefix) || url.pathname === base.pathname)) {
    throw new PathRefused(`resolves outside base_url ${base.origin}${prefix}`);
  }
  if (queryPart !== '') url.search = `?${queryPart}`;
  return url;
}

function decodeFully(segment: string): string {
  let current = segment;
  for (let round = 0; round < DECODE_ROUNDS && current.includes('%'); round++) {
    try {
      const next = decodeURIComponent(current);
      if (next === current) break;
      current = next;
    } catch {
      throw new PathRefused(`has a broken %-escape in "${segment.slice(0, 40)}"`);
    }
  }
  if (CONTROL.test(current)) throw new PathRefused('contains an encoded control character (%00, %0a, …)');
  return current;
}

/**
 * Fills a path template (`/users/{id}/posts/{post}`) with values, each one %-encoded as exactly one
 * path segment: a value can never add a `/`, a `?` or a `..`.
 *
 * @example expandPath('/users/{id}', { id: 'a/b' }) // '/users/a%2Fb'
 */
export function expandPath(template: string, values: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([^{}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined || value === null) throw new PathRefused(`needs a value for the path parameter "${name}"`);
    if (typeof value === 'object') throw new PathRefused(`path parameter "${name}" must be a string, number or boolean`);
    const text = String(value);
    if (text === '' || text === '.' || text === '..') throw new PathRefused(`path parameter "${name}" may not be empty, "." or ".."`);
    return encodeURIComponent(text);
  });
}

/** The names in a path template, in order. */
export function templateNames(template: string): string[] {
  return [...template.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1]!);
}
