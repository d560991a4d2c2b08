import { GatewayError, type ToolDefinition } from '../../sdk/index.js';
import { DEFAULT_NAMESPACE, NAMESPACE_PATTERN } from './config.js';
import type { KvEntry } from './kv-store.js';
import { MAX_KEY_LENGTH, checkKey, preview } from './keys.js';
import { type MemoryToolEnv, isoTime, jsonResult } from './tool-env.js';

/** Ten years: the longest ttl_seconds a call may give. */
const MAX_TTL_SECONDS = 315_360_000;

const NAMESPACE = {
  type: 'string',
  pattern: NAMESPACE_PATTERN,
  description: `The namespace (default "${DEFAULT_NAMESPACE}"): keys are unique within it, and it may carry a schema and a default expiry from the config`,
} as const;
const KEY = { type: 'string', minLength: 1, maxLength: MAX_KEY_LENGTH, description: 'The key (any text up to 1024 characters)' } as const;
const TTL = {
  type: 'number',
  exclusiveMinimum: 0,
  maximum: MAX_TTL_SECONDS,
  description: "Seconds until the entry expires and disappears (default: the namespace's ttl from the config, else never)",
} as const;

/** The key–value tools: set, set many, get, delete, list, clear a namespace. */
export function kvTools(env: MemoryToolEnv): ToolDefinition[] {
  const kv = () => env.store().kv;
  const namespaceOf = (args: Record<string, unknown>): string => {
    const namespace = (args.namespace as string | undefined) ?? DEFAULT_NAMESPACE;
    env.policy.check(namespace);
    return namespace;
  };
  const encode = (value: unknown, where: string): string => {
    const json = JSON.stringify(value);
    const bytes = Buffer.byteLength(json, 'utf8');
    if (bytes > env.config.max_value_size) {
      throw new GatewayError(
        'INVALID_ARGUMENTS',
        `${where} is ${bytes} bytes as JSON, more than max_value_size (${env.config.max_value_size} bytes): store it in smaller parts, or raise max_value_size`,
        { service: env.service },
      );
    }
    return json;
  };
  const describe = (namespace: string, key: string, entry: KvEntry, withValue: boolean) => ({
    namespace,
    key,
    ...(withValue ? { value: JSON.parse(entry.json) as unknown } : {}),
    createdAt: isoTime(entry.createdAt),
    updatedAt: isoTime(entry.updatedAt),
    expiresAt: isoTime(entry.expiresAt),
  });

  return [
    {
      name: 'memory_set',
      title: 'Set a value',
      description:
        'Store a JSON value under a key in a namespace, replacing any value the key had. Optional expiry (ttl_seconds); if_absent: true writes only when the key is free.',
      inputSchema: {
        type: 'object',
        properties: {
          key: KEY,
          value: { description: 'Any JSON value: text, number, boolean, null, list or object' },
          namespace: NAMESPACE,
          ttl_seconds: TTL,
          if_absent: { type: 'boolean', description: 'Write only when the key holds no value (default false)' },
        },
        required: ['key', 'value'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      async call(args) {
        const namespace = namespaceOf(args);
        const key = args.key as string;
        checkKey(env.service, key);
        const json = encode(args.value, `the value of ${preview(key)}`);
        env.policy.validate(namespace, args.value);
        const expiresAt = env.policy.expiresAt(namespace, args.ttl_seconds as number | undefined, env.now());
        const outcome = kv().set(namespace, key, json, expiresAt, args.if_absent === true);
        return jsonResult({ namespace, key, written: outcome.written, existed: outcome.existed, expiresAt: outcome.written ? isoTime(expiresAt) : undefined });
      },
    },
    {
      name: 'memory_set_many',
      title: 'Set many values',
      description: 'Store many key/value entries in one namespace at once: all are written, or none (one transaction).',
      inputSchema: {
        type: 'object',
        properties: {
          entries: {
            type: 'array',
            minItems: 1,
            maxItems: env.config.max_entries_per_call,
            items: {
              type: 'object',
              properties: { key: KEY, value: { description: 'Any JSON value' }, ttl_seconds: TTL },
              required: ['key', 'value'],
              additionalProperties: false,
            },
          },
          namespace: NAMESPACE,
        },
        required: ['entries'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      async call(args, ctx) {
        const namespace = namespaceOf(args);
        const now = env.now();
        const given = args.entries as { key: string; value: unknown; ttl_seconds?: number }[];
        const entries = [];
        for (const [index, entry] of given.entries()) {
          if (index % 10_000 === 0) {
            ctx.signal.throwIfAborted();
            await ctx.progress(index, given.length, 'checking entries');
          }
          checkKey(env.service, entry.key, `key of entries[${index}]`);
          const json = encode(entry.value, `entries[${index}].value`);
          env.policy.validate(namespace, entry.value, `entries[${index}].value`);
          entries.push({ key: entry.key, json, expiresAt: env.policy.expiresAt(namespace, entry.ttl_seconds, now) });
        }
        ctx.signal.throwIfAborted();
        const outcome = kv().setMany(namespace, entries);
        await ctx.progress(given.length, given.length, 'written');
        return jsonResult({ namespace, ...outcome });
      },
    },
    {
      name: 'memory_get',
      title: 'Get a value',
      description: 'Read the value stored under a key (found: false when the key holds none, or its entry expired).',
      inputSchema: { type: 'object', properties: { key: KEY, namespace: NAMESPACE }, required: ['key'], additionalProperties: false },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async call(args) {
        const namespace = namespaceOf(args);
        const key = args.key as string;
        checkKey(env.service, key);
        const entry = kv().get(namespace, key);
        return jsonResult(entry ? { found: true, ...describe(namespace, key, entry, true) } : { found: false, namespace, key });
      },
    },
    {
      name: 'memory_delete',
      title: 'Delete keys',
      description: 'Delete one key (key) or several (keys) from a namespace. Keys that hold nothing are ignored.',
      inputSchema: {
        type: 'object',
        properties: {
          key: KEY,
          keys: { type: 'array', items: KEY, minItems: 1, maxItems: env.config.max_entries_per_call },
          namespace: NAMESPACE,
        },
        anyOf: [{ required: ['key'] }, { required: ['keys'] }],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      async call(args) {
        const namespace = namespaceOf(args);
        const keys = [...(args.key !== undefined ? [args.key as string] : []), ...((args.keys as string[] | undefined) ?? [])];
        for (const key of keys) checkKey(env.service, key);
        return jsonResult({ namespace, deleted: kv().delete(namespace, keys) });
      },
    },
    {
      name: 'memory_list',
      title: 'List keys',
      description:
        'List the keys of a namespace in order, optionally only those starting with prefix. Pages: pass the next_after of one answer as after to get the next page.',
      inputSchema: {
        type: 'object',
        properties: {
          namespace: NAMESPACE,
          prefix: { type: 'string', maxLength: MAX_KEY_LENGTH, description: 'Only keys that start with this text' },
          after: { type: 'string', maxLength: MAX_KEY_LENGTH, description: 'Start after this key (the next_after of the previous page)' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'At most this many keys (default 100)' },
          include_values: { type: 'boolean', description: 'Return each value too (default false)' },
        },
        additionalProperties: false,
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      async call(args) {
        const namespace = namespaceOf(args);
        const limit = (args.limit as number | undefined) ?? 100;
        const prefix = args.prefix as string | undefined;
        const after = args.after as string | undefined;
        if (prefix) checkKey(env.service, prefix, 'prefix');
        if (after !== undefined) checkKey(env.service, after, 'after');
        const rows = kv().list(namespace, { ...(prefix ? { prefix } : {}), ...(after !== undefined ? { after } : {}), limit: limit + 1 });
        const page = rows.slice(0, limit);
        const items = page.map((row) => {
          const { namespace: _, ...rest } = describe(namespace, row.key, row, args.include_values === true);
          return rest;
        });
        return jsonResult({ namespace, items, ...(rows.length > limit ? { next_after: page[page.length - 1]!.key } : {}) });
      },
    },
    {
      name: 'memory_clear_namespace',
      title: 'Delete a whole namespace',
      description: 'Delete every entry of a namespace. Destructive: confirm must repeat the namespace name.',
      inputSchema: {
        type: 'object',
        properties: { namespace: NAMESPACE, confirm: { type: 'string', description: 'The namespace name again, to confirm' } },
        required: ['namespace', 'confirm'],
        additionalProperties: false,
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      async call(args) {
        const namespace = namespaceOf(args);
        if (args.confirm !== namespace) {
          throw new GatewayError('INVALID_ARGUMENTS', `nothing was deleted: to delete every entry of namespace ${preview(namespace)}, set confirm to ${preview(namespace)}`, {
            service: env.service,
          });
        }
        return jsonResult({ namespace, deleted: kv().clear(namespace) });
      },
    },
  ];
}
