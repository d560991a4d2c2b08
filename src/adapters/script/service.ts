import { GatewayError, type HealthReport, type ServiceContext, type ServiceInstance, type ToolDefinition } from '../../sdk/index.js';
import type { ScriptConfig } from './config.js';
import { scriptEnvironment } from './environment.js';
import { CommandNotUsable, executableProblem, resolveCommand, resolveDirectory } from './resolve-command.js';
import { RunTracker } from './run-tracker.js';
import { type Prepared, ScriptTool } from './script-tool.js';

/**
 * A `script` service: its tools are declared in config, so listing them needs nothing; `start`
 * resolves every program and working directory once (a missing program fails the service with a
 * message naming the tool), and `stop` kills the process groups of runs still going.
 */
export class ScriptService implements ServiceInstance {
  readonly #ctx: ServiceContext<ScriptConfig>;
  readonly #tools: ScriptTool[];
  #stopping = new AbortController();
  readonly #runs = new RunTracker();
  #prepared = new Map<string, Prepared>();

  constructor(ctx: ServiceContext<ScriptConfig>) {
    this.#ctx = ctx;
    this.#tools = Object.entries(ctx.config.commands).map(
      ([name, command]) => new ScriptTool({ ctx, name, command, prepared: () => this.#prepared.get(name), stopping: () => this.#stopping.signal, runs: this.#runs }),
    );
  }

  tools(): ToolDefinition[] {
    return this.#tools.map((tool) => tool.definition);
  }

  async start(): Promise<void> {
    const config = this.#ctx.config;
    const prepared = new Map<string, Prepared>();
    const problems: string[] = [];
    for (const [name, command] of Object.entries(config.commands)) {
      try {
        const cwd = await resolveDirectory(command.cwd ?? config.cwd ?? '.', process.cwd());
        const env = scriptEnvironment(command.env_allow ?? config.env_allow, { ...config.env, ...command.env });
        const file = await resolveCommand(command.command, { cwd, searchPath: env.PATH ?? process.env.PATH });
        prepared.set(name, { file, cwd, env });
      } catch (error) {
        if (!(error instanceof CommandNotUsable)) throw error;
        problems.push(`tool ${name}: ${error.message}`);
      }
    }
    if (problems.length > 0) throw new GatewayError('SERVICE_START_FAILED', `failed to start, its tools cannot run: ${problems.join('; ')}`, { service: this.#ctx.name });
    this.#prepared = prepared;
    if (this.#stopping.signal.aborted) this.#stopping = new AbortController();
    this.#ctx.logger.debug({ tools: Object.fromEntries([...prepared].map(([name, p]) => [name, p.file])) }, 'script tools resolved');
  }

  /** Ends the runs still going and waits (within the stop timeout) until their process groups are gone. */
  async stop(signal: AbortSignal): Promise<void> {
    this.#stopping.abort(new GatewayError('SERVICE_STOPPING', 'is stopping: the run was ended', { service: this.#ctx.name }));
    await this.#runs.drained(signal);
  }

  async health(): Promise<HealthReport> {
    const problems: string[] = [];
    for (const [name, prepared] of this.#prepared) {
      const problem = await executableProblem(prepared.file);
      if (problem) problems.push(`tool ${name}: ${prepared.file} ${problem}`);
    }
    if (problems.length > 0) return { healthy: false, detail: problems.join('; ') };
    return { healthy: true, detail: `${this.#prepared.size} tool(s) ready` };
  }
}
