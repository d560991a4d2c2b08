import type { ServiceType } from '../sdk/service-type.js';

/**
 * Built-in service types, by name, each imported only when a gateway is built. A type module is
 * light (its backend driver loads in `start()`), so loading them all costs little; a disabled
 * service costs nothing more. Adapters (sqlite, postgres, mysql, mcp, script, rest, …) and built-in
 * plugins (editor, git, memory) add themselves here as they land.
 */
export const BUILT_IN_SERVICE_TYPES: Readonly<Record<string, () => Promise<ServiceType<unknown>>>> = {
  editor: () => import('../plugins/editor/index.js').then((module) => module.default as ServiceType<unknown>),
  git: () => import('../plugins/git/index.js').then((module) => module.default as ServiceType<unknown>),
  mcp: () => import('./mcp/index.js').then((module) => module.default as ServiceType<unknown>),
  memory: () => import('../plugins/memory/index.js').then((module) => module.default as ServiceType<unknown>),
  mysql: () => import('./mysql/index.js').then((module) => module.default as ServiceType<unknown>),
  openapi: () => import('./openapi/index.js').then((module) => module.default as ServiceType<unknown>),
  sqlite: () => import('./sqlite/index.js').then((module) => module.default as ServiceType<unknown>),
  postgres: () => import('./postgres/index.js').then((module) => module.default as ServiceType<unknown>),
  rest: () => import('./rest/index.js').then((module) => module.default as ServiceType<unknown>),
  script: () => import('./script/index.js').then((module) => module.default as ServiceType<unknown>),
};
