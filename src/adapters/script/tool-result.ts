import { basename } from 'node:path';
import { fromJsonSchema } from '@modelcontextprotocol/server';
import type { ToolResult } from '../../sdk/index.js';
import type { CommandConfig } from './config.js';
import type { RunOutcome } from './process-group.js';

/** The structured result of a `text` tool (its `outputSchema`). */
export const TEXT_OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    exit_code: { type: ['integer', 'null'], description: 'The exit code; null when the program was ended by a signal' },
    stdout: { type: 'string', description: 'Standard output, at most max_output bytes' },
    stderr: { type: 'string', description: 'Standard error, at most max_output bytes' },
    truncated: { type: 'boolean', description: 'stdout or stderr was longer than max_output and was cut' },
    stdout_bytes: { type: 'integer', description: 'Bytes the program wrote to stdout, kept or not' },
    stderr_bytes: { type: 'integer', description: 'Bytes the program wrote to stderr, kept or not' },
    duration_ms: { type: 'integer' },
  },
  required: ['exit_code', 'stdout', 'stderr', 'truncated', 'stdout_bytes', 'stderr_bytes', 'duration_ms'],
} as const;

export interface ResultContext {
  readonly service: string;
  readonly tool: string;
  readonly file: string;
  readonly command: CommandConfig;
  readonly maxOutputBytes: number;
  readonly validateOutput: ((value: unknown) => Promise<string | undefined>) | undefined;
}

/**
 * The tool result of a run that ended by itself: success when its exit code is one of
 * `ok_exit_codes` (with stdout as text, or parsed as JSON); otherwise an `isError` result that says
 * how it ended and shows the end of its stderr.
 */
export async function toolResult(outcome: RunOutcome, context: ResultContext): Promise<ToolResult> {
  const facts = {
    exit_code: outcome.exitCode,
    stdout: outcome.stdout.text,
    stderr: outcome.stderr.text,
    truncated: outcome.stdout.truncated || outcome.stderr.truncated,
    stdout_bytes: outcome.stdout.bytes,
    stderr_bytes: outcome.stderr.bytes,
    duration_ms: outcome.durationMs,
  };
  const ok = outcome.exitSignal === null && outcome.exitCode !== null && context.command.ok_exit_codes.includes(outcome.exitCode);
  if (!ok) return failure(outcome, context, facts);
  if (context.command.output === 'text') {
    const note = outcome.stdout.truncated ? `\n[stdout truncated: the first ${context.maxOutputBytes} of ${outcome.stdout.bytes} bytes are shown (max_output)]` : '';
    return { content: [{ type: 'text', text: `${facts.stdout}${note}` }], structuredContent: facts };
  }
  return parsedJson(outcome, context, facts);
}

async function parsedJson(outcome: RunOutcome, context: ResultContext, facts: Record<string, unknown>): Promise<ToolResult> {
  const where = `[${context.service}] tool ${context.tool}`;
  if (outcome.stdout.truncated) {
    return error(
      `${where}: stdout was ${outcome.stdout.bytes} bytes, more than max_output (${context.maxOutputBytes}), so it cannot be parsed as JSON — raise max_output for this tool, or ask for less`,
      facts,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(outcome.stdout.text);
  } catch (problem) {
    const start = outcome.stdout.text.slice(0, 200);
    return error(
      `${where}: the program's stdout is not valid JSON (${(problem as Error).message}) although the tool has output: json; it starts with: ${JSON.stringify(start)}`,
      facts,
    );
  }
  if (context.validateOutput) {
    const mismatch = await context.validateOutput(value);
    if (mismatch) return error(`${where}: the program's JSON does not match the tool's output_schema: ${mismatch}`, facts);
  }
  const structured = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : { result: value };
  return { content: [{ type: 'text', text: outcome.stdout.text }], structuredContent: structured };
}

function failure(outcome: RunOutcome, context: ResultContext, facts: Record<string, unknown>): ToolResult {
  const program = basename(context.file);
  const how =
    outcome.exitSignal !== null
      ? `${program} was killed by ${outcome.exitSignal}`
      : `${program} exited with code ${outcome.exitCode}${context.command.ok_exit_codes.length > 1 || context.command.ok_exit_codes[0] !== 0 ? ` (ok_exit_codes: ${context.command.ok_exit_codes.join(', ')})` : ''}`;
  const tail = outcome.stderrTail.length > 0 ? ` — the end of its stderr:\n${outcome.stderrTail.join('\n')}` : ' (it wrote nothing to stderr)';
  return error(`[${context.service}] tool ${context.tool}: ${how}${tail}`, facts);
}

function error(text: string, facts: Record<string, unknown>): ToolResult {
  return { isError: true, content: [{ type: 'text', text }], structuredContent: facts };
}

/** A validator for `output_schema`: resolves with a description of the mismatch, or undefined. */
export function outputValidator(schema: Record<string, unknown>): (value: unknown) => Promise<string | undefined> {
  const validator = fromJsonSchema(schema as Parameters<typeof fromJsonSchema>[0]);
  return async (value) => {
    const result = await validator['~standard'].validate(value);
    return result.issues ? result.issues.map((issue) => issue.message.replace(/^data\/?/, 'output/')).join('; ') : undefined;
  };
}
