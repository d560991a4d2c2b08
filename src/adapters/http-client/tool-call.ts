import { GatewayError } from '../../sdk/errors.js';
import type { CallContext, ToolResult } from '../../sdk/service-type.js';
import { PathRefused } from './confined-url.js';
import { scrub } from './credentials.js';
import type { HttpClient, OutgoingRequest } from './http-client.js';
import { ArgumentRefused } from './request-builder.js';
import { responseToResult } from './tool-result.js';

export interface HttpToolCall {
  readonly service: string;
  /** The tool's own name, for messages. */
  readonly tool: string;
  readonly client: HttpClient;
  readonly maxResponseSize: number;
  /** Part of a JSON answer to return. */
  readonly select?: string | undefined;
  /** Builds the request from the arguments; throws PathRefused / ArgumentRefused for bad ones. */
  build(): OutgoingRequest;
}

/**
 * Runs one HTTP-backed tool call: builds the request (a refused path or argument is INVALID_ARGUMENTS,
 * naming the tool), sends it through the shared client (reporting each retry as progress), and turns the
 * response into a tool result.
 */
export async function callHttpTool(call: HttpToolCall, ctx: CallContext): Promise<ToolResult> {
  let request: OutgoingRequest;
  try {
    request = call.build();
  } catch (error) {
    if (error instanceof PathRefused || error instanceof ArgumentRefused) {
      const what = error instanceof PathRefused ? 'the path ' : '';
      throw new GatewayError('INVALID_ARGUMENTS', `${call.tool}: ${what}${scrub(error.message, call.client.secrets)}; nothing was sent`, { service: call.service });
    }
    throw error;
  }
  const label = `${request.method} ${request.url.pathname}${request.url.search}`;
  const response = await call.client.send(request, ctx.signal, (retry) => {
    ctx.progress(retry.attempt, retry.of, `${label}: ${retry.reason}; retry ${retry.attempt} of ${retry.of - 1} in ${retry.delayMs} ms`).catch(() => {});
  });
  return responseToResult(response, {
    service: call.service,
    method: request.method,
    label: scrub(label, call.client.secrets),
    select: call.select,
    secrets: call.client.secrets,
    maxResponseSize: call.maxResponseSize,
  });
}
