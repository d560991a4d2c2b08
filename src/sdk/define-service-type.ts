import type { ServiceType } from './service-type.js';

/**
 * Identity helper that exists for type inference: the config type flows from `configSchema` into `create`.
 * Built-in service types and external plugins use it alike.
 *
 * @example
 * export default defineServiceType({
 *   name: 'clock', version: '1.0.0', category: 'generic',
 *   configSchema: z.strictObject({ zone: z.string().default('UTC') }),
 *   create: ({ config }) => ({ tools: () => [nowTool(config.zone)] }),
 * });
 */
export function defineServiceType<C>(type: ServiceType<C>): ServiceType<C> {
  return type;
}
