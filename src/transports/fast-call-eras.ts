import type { LoggingLevel, Server } from '@modelcontextprotocol/server';
import type { CallAbort } from '../pipeline/call-abort.js';
import { type CallSink, encodeModernResultJson, type FastCallEra, type FastToolCall, passesLogThreshold } from './fast-tool-call.js';
import type { McpServerFactory } from './mcp-server.js';
import { logParams } from './notifications.js';

const logMessage = (level: LoggingLevel, data: unknown, logger: string | undefined) => ({
  jsonrpc: '2.0',
  method: 'notifications/message',
  params: logParams(level, data, logger),
});

/** The SDK's own words for a push request on a 2026-07-28 call, so a service sees the same error on either path. */
function pushRefused(method: string): Promise<never> {
  return Promise.reject(
    new Error(
      `Server-to-client requests are not available on protocol revision 2026-07-28: '${method}' cannot be sent while serving a request on that revision. ` +
        'Return inputRequired({ ... }) from the handler instead — the client fulfils the embedded requests and retries the original request (multi round-trip requests).',
    ),
  );
}

/** A 2026-07-28 call: capabilities and log threshold come from its envelope; no push requests. */
export function modernEra(call: FastToolCall, stream: CallSink, factory: McpServerFactory): FastCallEra {
  return {
    era: 'modern',
    encode: (result) => encodeModernResultJson(result, factory.serverInfo, factory.serverInfoJson),
    scope: {
      clientCapabilities: call.clientCapabilities,
      log: async (level, data, logger) => {
        if (call.logLevel !== undefined && passesLogThreshold(level, call.logLevel)) stream.send(logMessage(level, data, logger));
      },
      elicit: () => pushRefused('elicitation/create'),
      createMessage: () => pushRefused('sampling/createMessage'),
      // A service asks for roots with a plain request, which the SDK refuses by method rather than as a push request.
      listRoots: () => Promise.reject(new Error("Method 'roots/list' is not supported by the negotiated protocol version (wire era 2026-07-28)")),
      mintRequestState: (payload) => factory.mintRequestState(payload),
    },
  };
}

/**
 * A call on a legacy connection (HTTP session or stdio): the connection's SDK `Server` knows the client
 * (capabilities, log level) and sends push requests; on HTTP they go out on this call's own answer and
 * the client's reply comes back through the session as usual.
 */
export function legacyEra(call: FastToolCall, stream: CallSink, server: Server, abort: CallAbort, factory: McpServerFactory): FastCallEra {
  // The signal is made only when the service pushes a request (it bounds the wait for the client's answer).
  const related = () => ({ relatedRequestId: call.id, signal: abort.signal });
  return {
    era: 'legacy',
    encode: (result) => JSON.stringify(result),
    scope: {
      clientCapabilities: server.getClientCapabilities(),
      log: async (level, data, logger) => {
        if (factory.wantsLog(server, level)) stream.send(logMessage(level, data, logger));
      },
      elicit: (params) => server.elicitInput(params, related()),
      createMessage: (params) => server.createMessage(params, related()),
      listRoots: () => server.listRoots(undefined, related()),
      mintRequestState: (payload) => factory.mintRequestState(payload),
    },
  };
}
