import type { OperationIdentity } from './operations.js';

/**
 * Whether an operation is served, by `include`/`exclude` selectors. A selector is a glob (`*` any run,
 * `?` one character) on the operationId (or the tool name when there is none), `tag:<glob>` on its
 * tags, or a path glob starting with `/` (optionally after a method: `GET /pets/*`). Exclusion wins.
 *
 * @example selects(['tag:pets', 'GET /stores/*'], operation)
 */
export function isServed(operation: OperationIdentity, include: readonly string[] | undefined, exclude: readonly string[]): boolean {
  if (exclude.some((selector) => selects(selector, operation))) return false;
  return include === undefined || include.some((selector) => selects(selector, operation));
}

export function selects(selector: string, operation: OperationIdentity): boolean {
  if (selector.startsWith('tag:')) {
    const pattern = glob(selector.slice('tag:'.length));
    return operation.tags.some((tag) => pattern.test(tag));
  }
  const withMethod = /^([A-Za-z]+)\s+(\/.*)$/.exec(selector);
  if (withMethod) return withMethod[1]!.toUpperCase() === operation.method && glob(withMethod[2]!).test(operation.path);
  if (selector.startsWith('/')) return glob(selector).test(operation.path);
  return glob(selector).test(operation.operationId ?? operation.name);
}

function glob(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`);
}
