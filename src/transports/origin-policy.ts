/** Host names a loopback-bound gateway always accepts (DNS-rebinding protection keeps everything else out). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Strips the port from a Host header value (`host:port`, `[v6]:port`). */
function hostname(value: string): string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return colon > 0 && trimmed.indexOf(':') === colon ? trimmed.slice(0, colon) : trimmed;
}

/**
 * Decides whether a request's `Host` and `Origin` are acceptable: loopback names, the bind address,
 * and the configured extra hosts/origins. Requests from browsers on other sites (DNS rebinding) fail.
 *
 * @example const allowed = originPolicy({ bindHost: '127.0.0.1', allowedHosts: [], allowedOrigins: [] });
 */
export function originPolicy(options: { bindHost: string; allowedHosts: readonly string[]; allowedOrigins: readonly string[] }) {
  const hosts = new Set([...LOOPBACK, ...options.allowedHosts.map((host) => host.toLowerCase())]);
  if (!['0.0.0.0', '::', ''].includes(options.bindHost)) hosts.add(options.bindHost.toLowerCase());
  const origins = new Set(options.allowedOrigins.map((origin) => origin.toLowerCase().replace(/\/$/, '')));
  return {
    /** Returns why the request is refused, or undefined when it is fine. */
    check(host: string | undefined, origin: string | undefined): string | undefined {
      if (!host || !hosts.has(hostname(host))) {
        return `Host header "${host ?? ''}" is not allowed (add it to server.http.allowed_hosts if this gateway is meant to be reached by that name)`;
      }
      if (origin === undefined || origin === 'null') return origin === 'null' ? 'Origin "null" is not allowed' : undefined;
      const normalized = origin.toLowerCase().replace(/\/$/, '');
      if (origins.has(normalized)) return undefined;
      try {
        if (hosts.has(hostname(new URL(normalized).host))) return undefined;
      } catch {
        return `Origin "${origin}" is not a valid origin`;
      }
      return `Origin "${origin}" is not allowed (add it to server.http.allowed_origins to let that web page call the gateway)`;
    },
  };
}
