import type { RequestScope } from '../../src/core/gateway.js';
import { ANONYMOUS } from '../../src/transports/mcp-server.js';

/** A request scope as a front door would build it, for calling the dispatcher directly. */
export function scope(overrides: Partial<RequestScope> = {}): RequestScope {
  return {
    signal: new AbortController().signal,
    era: 'modern',
    principal: ANONYMOUS,
    clientCapabilities: {},
    meta: undefined,
    progress: async () => {},
    log: async () => {},
    inputResponses: undefined,
    requestState: () => undefined,
    mintRequestState: async () => 'state',
    elicit: () => Promise.reject(new Error('no client')),
    createMessage: () => Promise.reject(new Error('no client')),
    listRoots: async () => ({ roots: [] }),
    ...overrides,
  };
}

/** The text of a tool result's first content block. */
export function text(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((block) => block.text ?? '').join('\n');
}
