import type { CallToolResult, Client, Tool } from '@modelcontextprotocol/client';
import { z } from 'zod';

/** How long the upstream keeps a task the gateway created (the gateway waits for it at once). */
const TASK_TTL_MS = 300_000;
const Created = z.looseObject({ task: z.looseObject({ taskId: z.string() }) });
const Result = z.looseObject({ content: z.array(z.unknown()).optional() });
const Anything = z.looseObject({});

/** A tool the upstream runs only as a task (2025-11-25 experimental tasks, `execution.taskSupport: required`). */
export function requiresTask(tool: Tool): boolean {
  return (tool.execution as { taskSupport?: unknown } | undefined)?.taskSupport === 'required';
}

/**
 * The tool as the gateway serves it: the gateway drives upstream tasks itself and offers clients a
 * plain call, so `execution.taskSupport` is not passed on.
 */
export function asPlainTool<T extends Tool>(tool: T): T {
  if (tool.execution === undefined || !('taskSupport' in tool.execution)) return tool;
  const { taskSupport: _taskSupport, ...execution } = tool.execution as Record<string, unknown>;
  const { execution: _execution, ...rest } = tool;
  return (Object.keys(execution).length > 0 ? { ...rest, execution } : rest) as T;
}

/**
 * Calls a task-only tool the way a plain call behaves for the client: creates the task, then waits for
 * its result with `tasks/result` (during which the upstream's elicitation or sampling requests for the
 * task arrive, and are relayed like any other). Cancelling the call cancels the task.
 */
export async function callAsTask(client: Client, params: Record<string, unknown>, options: { signal: AbortSignal; timeout: number }): Promise<CallToolResult> {
  const created = await client.request({ method: 'tools/call', params: { ...params, task: { ttl: TASK_TTL_MS } } }, Created, options);
  const taskId = created.task.taskId;
  const cancel = () => {
    client.request({ method: 'tasks/cancel', params: { taskId } }, Anything, { timeout: 5000 }).catch(() => {});
  };
  options.signal.addEventListener('abort', cancel, { once: true });
  try {
    return (await client.request({ method: 'tasks/result', params: { taskId } }, Result, options)) as CallToolResult;
  } finally {
    options.signal.removeEventListener('abort', cancel);
  }
}
