import { z } from 'zod';
import { duration, size } from '../sdk/units.js';
import { authorizationSchema, authSchema, rateLimitsSchema, tlsSchema } from '../security/schema.js';

/** How a service's tool, prompt and resource-template names are prefixed in the catalog. */
export const PREFIX_MODES = ['always', 'never', 'on_collision'] as const;

/** The seed's `type:` categories. A `type:` that is not a service type name but one of these is a category. */
export const KNOWN_CATEGORIES = [
  'database',
  'queue',
  'cache',
  'orchestration',
  'mesh',
  'secrets',
  'tracker',
  'rest',
  'api',
  'script',
  'editor',
  'git',
  'memory',
  'mcp',
  'generic',
] as const;

const circuitBreaker = z.strictObject({
  threshold: z.number().int().min(1).max(10_000).default(5).describe('Consecutive failures that open the circuit'),
  timeout: duration().default(60_000).describe('How long the circuit stays open before a half-open probe'),
});

const bulkhead = z.strictObject({
  max_concurrent: z.number().int().min(1).max(100_000).default(32).describe('Calls that may run at once'),
  max_queue: z.number().int().min(0).max(1_000_000).default(128).describe('Calls that may wait; beyond it a call is refused at once'),
});

const recovery = z.strictObject({
  initial_delay: duration().default(1_000).describe('First wait before restarting a failed service'),
  max_delay: duration().default(60_000).describe('Longest wait between restart attempts'),
});

const override = z.strictObject({
  name: z.string().min(1).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

const filter = z.strictObject({
  include: z.array(z.string().min(1)).optional().describe('Glob patterns; only matching names are served'),
  exclude: z.array(z.string().min(1)).optional().describe('Glob patterns; matching names are hidden'),
  overrides: z.record(z.string(), override).optional().describe('Per original name: new name, description, annotations'),
});

/** Keys every service entry understands; any other key belongs to the service type's own config. */
export const serviceCommon = z.strictObject({
  enabled: z.boolean().default(true),
  type: z.string().min(1).optional().describe('A service type name, or the category of the service (database, rest, …)'),
  driver: z.string().min(1).optional().describe('The service type that implements this service'),
  module: z.string().min(1).optional().describe('Path or npm package of an external plugin that provides the type'),
  description: z.string().optional(),
  timeout: duration().optional().describe('Per-call timeout; overrides global.timeout'),
  memory_limit: size().optional().describe('For services that run child processes: their memory limit'),
  start_timeout: duration().optional(),
  circuit_breaker: circuitBreaker.optional(),
  bulkhead: bulkhead.optional(),
  recovery: recovery.optional(),
  dependencies: z.array(z.string().min(1)).default([]).describe('Services that must be running before this one starts'),
  prefix: z.enum(PREFIX_MODES).optional().describe('always: <service>__<name>; never: <name>; on_collision'),
  critical: z.boolean().default(false).describe('Readiness requires this service healthy'),
  health_check: z
    .strictObject({
      interval: duration().describe('How often the running service is checked; a failed check takes it out of the catalog'),
      timeout: duration().default(5_000).describe('A check that has not answered by then counts as failed'),
    })
    .optional()
    .describe('Periodic health checks of the running service (off unless set)'),
  tools: filter.optional(),
  prompts: filter.optional(),
  resources: z.strictObject({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() }).optional(),
  config: z.record(z.string(), z.unknown()).optional().describe('Settings of the service type'),
});

export const COMMON_SERVICE_KEYS: ReadonlySet<string> = new Set(Object.keys(serviceCommon.shape));

const httpFrontDoor = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(3000),
  path: z.string().startsWith('/').default('/mcp'),
  allowed_hosts: z.array(z.string()).default([]).describe('Extra Host header values accepted (loopback names always are)'),
  allowed_origins: z.array(z.string()).default([]).describe('Extra Origin values accepted (loopback origins always are)'),
  max_body: size().default(4_000_000),
  session_idle_timeout: duration().default(1_800_000).describe('Legacy sessions with no request this long and no open GET stream are closed'),
  max_sessions: z.number().int().min(1).default(10_000),
});

export const globalSchema = z.strictObject({
  timeout: duration().default(30_000).describe('Default per-call timeout'),
  memory_limit: size().optional().describe('Above this RSS the gateway refuses new calls instead of being killed'),
  start_timeout: duration().default(30_000),
  stop_timeout: duration().default(10_000),
  shutdown_timeout: duration().default(10_000).describe('How long in-flight calls may finish on SIGTERM'),
  circuit_breaker: circuitBreaker.default({ threshold: 5, timeout: 60_000 }),
  bulkhead: bulkhead.default({ max_concurrent: 32, max_queue: 128 }),
  recovery: recovery.default({ initial_delay: 1_000, max_delay: 60_000 }),
  prefix: z.enum(PREFIX_MODES).default('always'),
  separator: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,3}$/)
    .default('__'),
  max_name_length: z.number().int().min(8).max(128).default(64),
  page_size: z.number().int().min(1).max(10_000).default(100),
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  server_name: z.string().default('mcpeg'),
  instructions: z.string().optional(),
});

const adminApi = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Serve the admin API (services, health, enable/disable/restart, reload)'),
    path: z.string().startsWith('/').default('/admin').describe('URL path prefix of the admin API on the HTTP front door'),
    listen: z
      .string()
      .regex(/^(?:(?:\[[^\]]+\]|[^:\s]+)?:)?\d{1,5}$/, 'must be HOST:PORT, :PORT or PORT')
      .optional()
      .describe('Serve the admin API on its own listener (HOST:PORT) instead of under the MCP front door'),
    key: z.string().min(16, 'must be at least 16 characters: use a long random value, e.g. ${MCPEG_ADMIN_KEY}').optional()
      .describe('Bearer key the admin API requires; write it as a reference such as ${MCPEG_ADMIN_KEY}'),
  })
  .refine((admin) => !admin.enabled || admin.key !== undefined, {
    message: 'server.admin.enabled needs server.admin.key (for example key: ${MCPEG_ADMIN_KEY}); the admin API never runs without a key',
    path: ['key'],
  });

const metricsEndpoint = z.strictObject({
  enabled: z.boolean().default(false).describe('Serve Prometheus metrics on the HTTP front door'),
  path: z.string().startsWith('/').default('/metrics'),
});

export const serverSchema = z.strictObject({
  http: httpFrontDoor.default(httpFrontDoor.parse({})),
  admin: adminApi.default({ enabled: false, path: '/admin' }),
  metrics: metricsEndpoint.default({ enabled: false, path: '/metrics' }),
  auth: authSchema.default(authSchema.parse({})).describe('Who may call the HTTP front door: none, api_keys or oauth (see docs/security.md)'),
  tls: tlsSchema.optional().describe('Serve HTTPS directly (certificate and key paths)'),
  fast_path: z
    .boolean()
    .default(true)
    .describe('Serve plain tools/call requests (HTTP and stdio) without the SDK request machinery: same answers, several times the throughput. false sends everything through the SDK'),
});

const tracing = z.strictObject({
  enabled: z.boolean().default(false).describe('Export an OpenTelemetry span per call; the exporter is configured by the standard OTEL_* variables'),
});

const audit = z.strictObject({
  enabled: z.boolean().default(false).describe('Write one JSON line per tool call'),
  path: z.string().min(1).default('mcpeg-audit.jsonl').describe('The audit file (relative paths are relative to the config file)'),
  max_size: size().default(10_000_000).describe('Rotate the file when it reaches this size'),
  keep: z.number().int().min(1).max(1000).default(5).describe('Rotated files kept (name.1 … name.N)'),
});

export const observabilitySchema = z.strictObject({
  tracing: tracing.default({ enabled: false }),
  audit: audit.default({ enabled: false, path: 'mcpeg-audit.jsonl', max_size: 10_000_000, keep: 5 }),
});

export const rootSchema = z.strictObject({
  global: globalSchema.default(globalSchema.parse({})),
  server: serverSchema.default(serverSchema.parse({})),
  services: z.record(z.string(), z.unknown()).default({}),
  plugins: z.record(z.string(), z.unknown()).default({}),
  observability: observabilitySchema.default(observabilitySchema.parse({})),
  authorization: authorizationSchema.default(authorizationSchema.parse({})).describe('Policies: who may call which tools, prompts and resources'),
  rate_limits: rateLimitsSchema.default(rateLimitsSchema.parse({})).describe('Token buckets per principal, per service and for failed authentication'),
});

export type ServiceCommon = z.output<typeof serviceCommon>;
export type GlobalConfig = z.output<typeof globalSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type ObservabilityConfig = z.output<typeof observabilitySchema>;
export type AuthorizationSettings = z.output<typeof authorizationSchema>;
export type RateLimitSettings = z.output<typeof rateLimitsSchema>;
