import { CliError } from './runtime.js';

/** Options every admin verb takes. */
export interface AdminOptions {
  readonly adminUrl?: string;
  readonly json?: boolean;
}

export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:3000/admin';

/**
 * Calls the running gateway's admin API (`server.admin`) with the key from `MCPEG_ADMIN_KEY`; every
 * failure becomes a CliError that says what to check.
 */
async function admin(options: AdminOptions, method: 'GET' | 'POST', route: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const base = (options.adminUrl ?? process.env.MCPEG_ADMIN_URL ?? DEFAULT_ADMIN_URL).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(`${base}${route}`);
  } catch {
    throw new CliError(`--admin-url "${base}" is not a URL; write it like ${DEFAULT_ADMIN_URL}`);
  }
  const key = process.env.MCPEG_ADMIN_KEY;
  if (!key) throw new CliError('MCPEG_ADMIN_KEY is not set: export the admin key (the value of server.admin.key in the gateway config)');
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(
      `cannot reach the gateway's admin API at ${url.origin}${url.pathname} (${why}): is "mcpeg serve" running with server.admin.enabled: true? ` +
        'Pass its address with --admin-url or MCPEG_ADMIN_URL',
    );
  }
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new CliError(`${url.href} answered HTTP ${response.status} with something that is not the admin API (is --admin-url right?): ${text.slice(0, 200)}`);
  }
  const error = body.error as { code?: string; message?: string } | undefined;
  if (response.status === 401 || response.status === 403) throw new CliError(`the admin API refused the key (HTTP ${response.status}): ${error?.message ?? ''}`);
  if (!response.ok && response.status !== 422) throw new CliError(error?.message ?? `the admin API answered HTTP ${response.status}`);
  return { status: response.status, body };
}

interface ServiceView {
  name: string;
  type: string;
  enabled: boolean;
  phase: string;
  breaker: string;
  critical: boolean;
  isolated?: string;
  override?: string;
  tools: number;
  restarts: number;
  bulkhead: { active: number; queued: number; maxConcurrent: number };
  lastError?: { code: string; message: string };
  healthCheck?: { healthy: boolean; at: string };
  pool?: { size: number; idle: number; waiting: number };
}

/** `mcpeg status`: the gateway's overall state. */
export async function status(options: AdminOptions): Promise<number> {
  const { body } = await admin(options, 'GET', '/status');
  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
    return 0;
  }
  const services = body.services as { configured: number; enabled: number; byPhase: Record<string, number>; isolated: string[] };
  const catalog = body.catalog as Record<string, number>;
  const reloads = body.reloads as { success: number; failure: number; last: { ok: boolean; at: string; reason: string }[] };
  const memory = body.memory as { rssBytes: number; shedding: boolean };
  console.log(`mcpeg ${body.version} — ${body.status} — up ${body.uptimeSeconds} s — config ${body.config}`);
  console.log(`services: ${services.enabled} enabled of ${services.configured} (${Object.entries(services.byPhase).map(([phase, count]) => `${count} ${phase}`).join(', ')})`);
  if (services.isolated.length > 0) console.log(`isolated by health checks: ${services.isolated.join(', ')}`);
  console.log(`catalog: ${catalog.tools} tools, ${catalog.prompts} prompts, ${catalog.resources} resources, ${catalog.templates} templates`);
  console.log(`memory: ${Math.round(memory.rssBytes / 1e6)} MB${memory.shedding ? ' (above global.memory_limit: refusing new calls)' : ''}`);
  const last = reloads.last[0];
  console.log(`reloads: ${reloads.success} ok, ${reloads.failure} rejected${last ? `; last ${last.at} (${last.reason}) ${last.ok ? 'ok' : 'REJECTED'}` : ''}`);
  return body.status === 'ok' ? 0 : 1;
}

/** `mcpeg services`: one line per configured service. */
export async function services(options: AdminOptions): Promise<number> {
  const { body } = await admin(options, 'GET', '/services');
  const list = body.services as ServiceView[];
  if (options.json) {
    console.log(JSON.stringify(list, null, 2));
    return 0;
  }
  const width = Math.max(8, ...list.map((service) => service.name.length));
  console.log(`${'SERVICE'.padEnd(width)}  ${'TYPE'.padEnd(10)}  ${'STATE'.padEnd(12)}  ${'BREAKER'.padEnd(9)}  ${'CALLS'.padEnd(9)}  TOOLS  NOTES`);
  for (const service of list) {
    const state = !service.enabled ? 'disabled' : service.isolated ? 'isolated' : service.phase;
    const notes = [
      service.override ? `${service.override} at runtime` : '',
      service.critical ? 'critical' : '',
      service.pool ? `pool ${service.pool.size - service.pool.idle}/${service.pool.size} in use` : '',
      service.isolated ?? '',
      service.lastError ? `last error ${service.lastError.code}` : '',
    ].filter(Boolean);
    const calls = `${service.bulkhead.active}+${service.bulkhead.queued}q`;
    console.log(
      `${service.name.padEnd(width)}  ${service.type.padEnd(10)}  ${state.padEnd(12)}  ${service.breaker.padEnd(9)}  ${calls.padEnd(9)}  ${String(service.tools).padEnd(5)}  ${notes.join('; ')}`,
    );
  }
  return 0;
}

/** `mcpeg enable|disable|restart NAME`. */
export async function serviceAction(action: 'enable' | 'disable' | 'restart', name: string, options: AdminOptions): Promise<number> {
  const { body } = await admin(options, 'POST', `/services/${encodeURIComponent(name)}/${action}`);
  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
    return 0;
  }
  const service = body.service as ServiceView | undefined;
  const done = { enable: 'enabled', disable: 'disabled', restart: 'restarted' }[action];
  console.log(`${name} ${done}${service ? `: ${service.enabled ? service.phase : 'disabled'}, ${service.tools} tools` : ''}`);
  if (action !== 'restart') console.log('(until the config file changes this service or the gateway restarts; edit the file to make it permanent)');
  return 0;
}

/** `mcpeg reload`: re-read the config file now; exit 1 when it was rejected. */
export async function reload(options: AdminOptions): Promise<number> {
  const { body } = await admin(options, 'POST', '/reload');
  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
    return body.ok ? 0 : 1;
  }
  if (!body.ok) {
    const issues = body.issues as { path: string; line?: number; message: string }[];
    console.error(`reload rejected; the gateway keeps running the previous config:`);
    for (const issue of issues) console.error(`  ${issue.line ? `line ${issue.line}  ` : ''}${issue.path}  ${issue.message}`);
    return 1;
  }
  const diff = body.services as Record<string, string[]>;
  const parts = ['added', 'removed', 'replaced', 'retuned'].filter((kind) => diff[kind]!.length > 0).map((kind) => `${kind} ${diff[kind]!.join(', ')}`);
  console.log(`reloaded: ${parts.length > 0 ? parts.join('; ') : 'no service changed'} (${diff.unchanged!.length} unchanged)`);
  for (const path of body.restartNeeded as string[]) console.log(`  ${path} changed but needs a restart to take effect`);
  return 0;
}
