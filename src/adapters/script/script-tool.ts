import { type CallContext, GatewayError, type ServiceContext, type ToolDefinition, type ToolResult } from '../../sdk/index.js';
import { ArgumentRefused, type ArgSource, parseTemplate, renderArgv, type TemplateItem } from './argv-template.js';
import { ConcurrencyLimit, LimitFull } from './concurrency-limit.js';
import { type CommandConfig, inputSchemaOf, type ScriptConfig } from './config.js';
import { LineProgress } from './line-progress.js';
import { runInProcessGroup, SpawnFailed } from './process-group.js';
import type { RunTracker } from './run-tracker.js';
import { outputValidator, TEXT_OUTPUT_SCHEMA, toolResult } from './tool-result.js';

/** What the service resolved once, at start: the program's path, the working directory and environment. */
export interface Prepared {
  readonly file: string;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

const DEFAULT_MAX_QUEUE = 16;

/**
 * One script tool: renders the argv from validated arguments, runs the program in its own process
 * group under the tool's timeout, concurrency limit and output cap, and maps how it ended to a result.
 */
export class ScriptTool {
  readonly name: string;
  readonly definition: ToolDefinition;
  readonly #ctx: ServiceContext<ScriptConfig>;
  readonly #command: CommandConfig;
  readonly #template: readonly TemplateItem[];
  readonly #allowLeadingDash: ReadonlySet<string>;
  readonly #limit: ConcurrencyLimit | undefined;
  readonly #timeoutMs: number;
  readonly #maxOutput: number;
  readonly #progress: 'lines' | RegExp | undefined;
  readonly #validateOutput: ((value: unknown) => Promise<string | undefined>) | undefined;
  readonly #prepared: () => Prepared | undefined;
  readonly #stopping: () => AbortSignal;
  readonly #runs: RunTracker;

  constructor(options: { ctx: ServiceContext<ScriptConfig>; name: string; command: CommandConfig; prepared: () => Prepared | undefined; stopping: () => AbortSignal; runs: RunTracker }) {
    const { ctx, name, command } = options;
    this.name = name;
    this.#ctx = ctx;
    this.#command = command;
    this.#prepared = options.prepared;
    this.#stopping = options.stopping;
    this.#runs = options.runs;
    this.#template = parseTemplate(command.args as ArgSource[]);
    this.#allowLeadingDash = new Set(Object.entries(command.parameters).flatMap(([param, schema]) => (schema.allow_leading_dash === true ? [param] : [])));
    this.#limit = command.max_concurrent !== undefined ? new ConcurrencyLimit(command.max_concurrent, command.max_queue ?? DEFAULT_MAX_QUEUE) : undefined;
    this.#timeoutMs = command.timeout ?? ctx.timeoutMs;
    this.#maxOutput = command.max_output ?? ctx.config.max_output;
    this.#progress = command.progress === undefined ? undefined : command.progress === 'lines' ? 'lines' : new RegExp(command.progress.pattern);
    this.#validateOutput = command.output_schema ? outputValidator(command.output_schema) : undefined;
    if (command.timeout !== undefined && command.timeout > ctx.timeoutMs) {
      ctx.logger.warn(
        { tool: name, toolTimeoutMs: command.timeout, serviceTimeoutMs: ctx.timeoutMs },
        `tool ${name} has timeout ${command.timeout} ms, longer than the service's call timeout ${ctx.timeoutMs} ms, which ends its calls first: raise the service's timeout: too`,
      );
    }
    const readOnly = command.read_only;
    this.definition = {
      name,
      ...(command.title ? { title: command.title } : {}),
      description: command.description,
      inputSchema: inputSchemaOf(command) as ToolDefinition['inputSchema'],
      ...(command.output === 'text' ? { outputSchema: TEXT_OUTPUT_SCHEMA as unknown as ToolDefinition['outputSchema'] } : {}),
      ...(command.output_schema ? { outputSchema: command.output_schema as ToolDefinition['outputSchema'] } : {}),
      annotations: {
        readOnlyHint: readOnly,
        destructiveHint: readOnly ? false : (command.destructive ?? true),
        idempotentHint: readOnly || command.idempotent,
        openWorldHint: command.open_world,
      },
      call: (args, call) => this.call(args, call),
    };
  }

  async call(args: Record<string, unknown>, call: CallContext): Promise<ToolResult> {
    const argv = this.#render(args);
    if (!this.#limit) return this.#run(argv, args, call);
    try {
      return await this.#limit.run(call.signal, () => this.#run(argv, args, call));
    } catch (error) {
      if (!(error instanceof LimitFull)) throw error;
      throw new GatewayError(
        'BULKHEAD_FULL',
        `tool ${this.name} is busy: ${error.running} run(s) going and ${error.waiting} waiting (max_concurrent ${this.#limit.max}, max_queue ${this.#limit.queue}) — retry shortly, or raise max_concurrent / max_queue for this tool`,
        { service: this.#ctx.name, retryAfterMs: 1000 },
      );
    }
  }

  #render(args: Record<string, unknown>): string[] {
    try {
      return renderArgv(this.#template, args, { allowLeadingDash: this.#allowLeadingDash });
    } catch (error) {
      if (!(error instanceof ArgumentRefused)) throw error;
      throw new GatewayError('INVALID_ARGUMENTS', `invalid arguments for ${this.name}: argument "${error.parameter}" ${error.message}`, {
        service: this.#ctx.name,
        data: { argument: error.parameter },
      });
    }
  }

  async #run(argv: string[], args: Record<string, unknown>, call: CallContext): Promise<ToolResult> {
    const prepared = this.#prepared();
    if (!prepared) throw new GatewayError('SERVICE_UNAVAILABLE', 'is not started', { service: this.#ctx.name });
    const progress = this.#progress ? new LineProgress(this.#progress, (value, total, message) => call.progress(value, total, message)) : undefined;
    const stdin = this.#command.stdin === undefined ? undefined : stdinText(args[this.#command.stdin]);
    const signal = AbortSignal.any([call.signal, this.#stopping()]);
    let outcome;
    const end = this.#runs.begin();
    try {
      outcome = await runInProcessGroup({
        file: prepared.file,
        argv0: this.#command.command,
        args: argv,
        cwd: prepared.cwd,
        env: prepared.env,
        stdin,
        maxOutputBytes: this.#maxOutput,
        timeoutMs: this.#timeoutMs,
        killGraceMs: this.#ctx.config.kill_grace,
        signal,
        ...(progress ? { onStdoutLine: (line: string) => progress.line(line) } : {}),
      });
    } catch (error) {
      if (!(error instanceof SpawnFailed)) throw error;
      throw this.#spawnError(error, prepared);
    } finally {
      end();
      await progress?.done();
    }
    this.#ctx.logger.debug(
      { tool: this.name, pid: outcome.pid, ended: outcome.ended, exitCode: outcome.exitCode, exitSignal: outcome.exitSignal, ms: outcome.durationMs },
      `tool ${this.name} ran`,
    );
    if (outcome.ended === 'cancelled') {
      throw signal.reason ?? new GatewayError('CALL_CANCELLED', `tool ${this.name} was cancelled`, { service: this.#ctx.name });
    }
    if (outcome.ended === 'timeout') {
      const tail = outcome.stderrTail.length > 0 ? `; the end of its stderr:\n${outcome.stderrTail.slice(-5).join('\n')}` : '';
      throw new GatewayError(
        'CALL_TIMEOUT',
        `tool ${this.name} ran past its ${this.#timeoutMs} ms timeout; its process group was killed — raise timeout: for this tool, or make the run shorter${tail}`,
        { service: this.#ctx.name, data: { timeoutMs: this.#timeoutMs } },
      );
    }
    return toolResult(outcome, {
      service: this.#ctx.name,
      tool: this.name,
      file: prepared.file,
      command: this.#command,
      maxOutputBytes: this.#maxOutput,
      validateOutput: this.#validateOutput,
    });
  }

  #spawnError(error: SpawnFailed, prepared: Prepared): GatewayError {
    if (error.code === 'E2BIG') {
      return new GatewayError(
        'INVALID_ARGUMENTS',
        `invalid arguments for ${this.name}: the arguments and environment are too large for the operating system to start ${prepared.file} (E2BIG) — pass large values on stdin`,
        { service: this.#ctx.name, cause: error },
      );
    }
    const hint =
      error.code === 'ENOENT'
        ? ` — it was there when the service started; check that ${prepared.file} and the working directory ${prepared.cwd} still exist`
        : error.code === 'EACCES'
          ? ' — it is no longer executable'
          : '';
    return new GatewayError('BACKEND_ERROR', `tool ${this.name} could not start ${prepared.file}: ${error.message}${hint}`, {
      service: this.#ctx.name,
      cause: error,
    });
  }
}

/** What a `stdin:` parameter writes: a string as is, another value as JSON, nothing when absent. */
function stdinText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
