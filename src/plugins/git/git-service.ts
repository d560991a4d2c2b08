import { realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GatewayError } from '../../sdk/errors.js';
import type { CallContext, HealthReport, ServiceContext } from '../../sdk/service-type.js';
import { allowedTransports, type GitConfig, type Transport } from './config.js';
import { gitEnvironment, globalArgs } from './environment.js';
import { gitFailure } from './git-errors.js';
import { type GitOutput, runGit } from './git-process.js';
import { ProgressMeter } from './progress-meter.js';
import { remoteNameProblem } from './refs.js';
import { parseRemoteUrl } from './remote-url.js';
import { riskyRepositoryKeys } from './repo-config-audit.js';
import { isInside, printable, Workspace } from './workspace.js';

/** The oldest git that has everything used here (`init --initial-branch`, `--show-scope`, GIT_CONFIG_GLOBAL). */
const MINIMUM_GIT = [2, 32] as const;

/** Output bound of the plugin's own bookkeeping commands (repository checks, config listing), whatever max_output says. */
const INTERNAL_OUTPUT = 16_000_000;

/** A repository a call works on, resolved and checked. */
export interface Repository {
  /** The name the caller gave (relative to the workspace), for messages. */
  readonly name: string;
  /** Real path of its top-level folder. */
  readonly dir: string;
}

export interface RunOptions {
  readonly input?: string;
  readonly maxOutput?: number;
  /** Report `--progress` meters of this command to the client. */
  readonly progress?: boolean;
}

/**
 * One `git` service instance: its workspace, the environment and fixed settings every git command runs
 * with, and the checks every call goes through (repository inside the workspace, no risky repository
 * config, remotes on allowed transports only).
 */
export class GitService {
  readonly workspace: Workspace;
  readonly config: GitConfig;
  readonly name: string;
  #env: Record<string, string> | undefined;
  /** The tail of the queue of changing calls per repository: git takes index.lock, so they run one at a time. */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #fixedArgs: string[];

  constructor(private readonly ctx: ServiceContext<GitConfig>) {
    this.config = ctx.config;
    this.name = ctx.name;
    this.workspace = new Workspace(ctx.config.workspace_dir, ctx.name);
    this.#fixedArgs = globalArgs(ctx.config);
  }

  /** Checks the git program and its version, and creates the workspace folder when missing. */
  async start(signal: AbortSignal): Promise<void> {
    const version = await this.version(signal);
    const [major = 0, minor = 0] = version.split('.').map(Number);
    if (major < MINIMUM_GIT[0] || (major === MINIMUM_GIT[0] && minor < MINIMUM_GIT[1])) {
      throw new GatewayError('DRIVER_MISSING', `needs git ${MINIMUM_GIT.join('.')} or newer; this machine has ${version}: upgrade git`, {
        service: this.name,
      });
    }
    const root = await this.workspace.open();
    this.ctx.logger.info({ git: version, workspace: root }, 'git ready');
  }

  async health(signal: AbortSignal): Promise<HealthReport> {
    const version = await this.version(signal);
    return { healthy: true, detail: `git ${version}, workspace ${this.workspace.path}` };
  }

  private async version(signal: AbortSignal): Promise<string> {
    const output = await this.exec(process.cwd(), ['version'], signal, {});
    const version = /git version (\d+\.\d+(?:\.\d+)?)/.exec(output.stdout.toString('utf8'))?.[1];
    if (output.exitCode !== 0 || !version) throw gitFailure(this.name, 'git version', output);
    return version;
  }

  private async env(): Promise<Record<string, string>> {
    // Discovery never climbs above the workspace: a folder that is not a repository is not taken for
    // part of a repository the workspace happens to sit in.
    this.#env ??= gitEnvironment(this.config, dirname(await this.workspace.root()));
    return this.#env;
  }

  private async exec(cwd: string, args: readonly string[], signal: AbortSignal, options: RunOptions, call?: CallContext): Promise<GitOutput> {
    const meter = options.progress && call ? new ProgressMeter((progress, total, message) => call.progress(progress, total, message)) : undefined;
    const started = Date.now();
    const output = await runGit({
      cwd,
      args: [...this.#fixedArgs, ...args],
      env: this.#env ?? (await this.env()),
      signal,
      timeoutMs: this.ctx.timeoutMs,
      maxOutput: options.maxOutput ?? this.config.max_output,
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(meter ? { onStderrLine: (line: string) => meter.line(line) } : {}),
    });
    if (meter && output.exitCode === 0) meter.done(`git ${args[0]} done`);
    // The subcommand only: argv holds caller data (messages, paths) that has no place in routine logs.
    this.ctx.logger.debug({ git: args[0], cwd, exitCode: output.exitCode, ms: Date.now() - started, truncated: output.truncated }, 'git command');
    return output;
  }

  /**
   * Runs `work` after every earlier changing call on the same repository finished. Two commands that
   * change one repository at once would fail on git's index.lock; queued, both succeed.
   */
  async serialized<T>(repo: Repository, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(repo.dir) ?? Promise.resolve();
    const current = previous.catch(() => {}).then(work);
    const tail = current.catch(() => {});
    this.#queues.set(repo.dir, tail);
    try {
      return await current;
    } finally {
      if (this.#queues.get(repo.dir) === tail) this.#queues.delete(repo.dir);
    }
  }

  /** Runs git; a non-zero exit is returned to the caller. */
  run(cwd: string, args: readonly string[], call: CallContext, options: RunOptions = {}): Promise<GitOutput> {
    return this.exec(cwd, args, call.signal, options, call);
  }

  /** Runs git and throws a coded error naming `what` when it fails. */
  async ok(cwd: string, args: readonly string[], call: CallContext, what: string, options: RunOptions = {}): Promise<GitOutput> {
    const output = await this.run(cwd, args, call, options);
    if (output.exitCode !== 0) throw gitFailure(this.name, what, output);
    return output;
  }

  /**
   * The repository `name` names (a folder relative to the workspace): it must be the top-level folder of
   * a non-bare repository whose git folder is inside the workspace too, and its config must not name
   * programs to run (unless `trust_repo_config`).
   */
  async repository(name: string, call: CallContext): Promise<Repository> {
    const dir = await this.workspace.existing(name, 'repo');
    const root = await this.workspace.root();
    const where = await this.run(dir, ['rev-parse', '--show-toplevel', '--absolute-git-dir'], call, { maxOutput: INTERNAL_OUTPUT });
    if (where.exitCode !== 0) {
      throw this.invalid(`"${printable(name)}" is not a git repository (a folder with a .git inside, in the workspace ${root}); clone or init one first`);
    }
    const [top = '', gitDir = ''] = where.stdout.toString('utf8').split('\n');
    const realTop = await realpath(top).catch(() => top);
    if (realTop !== dir) {
      throw this.invalid(`"${printable(name)}" is inside the repository at "${realTop}", not its top-level folder: give the repository's own folder`);
    }
    const realGitDir = await realpath(gitDir).catch(() => gitDir);
    if (!isInside(root, realGitDir)) {
      throw this.invalid(`"${printable(name)}" keeps its git data outside the workspace (${realGitDir}); refused`);
    }
    if (!this.config.trust_repo_config) {
      const listing = await this.run(dir, ['config', '--list', '-z', '--name-only', '--show-scope'], call, { maxOutput: INTERNAL_OUTPUT });
      if (listing.exitCode !== 0 || listing.truncated) {
        throw this.invalid(`the config of repository "${printable(name)}" cannot be read (or is larger than ${INTERNAL_OUTPUT} bytes); refused`);
      }
      const risky = riskyRepositoryKeys(listing.stdout.toString('utf8'));
      if (risky.length > 0) {
        throw this.invalid(
          `the config of repository "${printable(name)}" sets ${risky.join(', ')}, which make git run programs; ` +
            'remove them (git config --unset …) or set trust_repo_config: true on the service if you trust whoever can write this workspace',
        );
      }
    }
    return { name, dir };
  }

  /**
   * Checks a remote a call names: a configured remote (whose URL is checked too) or a URL / location.
   * Returns the argument to give git.
   */
  async remote(repo: Repository | undefined, remote: string, call: CallContext, push = false): Promise<string> {
    if (repo && !remoteNameProblem(remote)) {
      const args = ['remote', 'get-url', ...(push ? ['--push'] : []), '--', remote];
      const url = await this.run(repo.dir, args, call, { maxOutput: INTERNAL_OUTPUT });
      if (url.exitCode === 0) {
        await this.location(url.stdout.toString('utf8').trim(), `remote "${remote}" of "${printable(repo.name)}"`);
        return remote;
      }
      if (!/[.:/]/.test(remote)) {
        throw this.invalid(`repository "${printable(repo.name)}" has no remote named "${remote}"; give a configured remote or a URL`);
      }
    }
    return this.location(remote, 'remote');
  }

  /** Checks a URL or location against the allowed transports; a local path must lie in the workspace. */
  async location(value: string, what: string): Promise<string> {
    const parsed = parseRemoteUrl(value);
    if ('problem' in parsed) throw this.invalid(`${what} "${printable(value)}" ${parsed.problem}`);
    this.requireTransport(parsed.transport, value, what);
    if (parsed.transport !== 'file') return parsed.url;
    const root = await this.workspace.root();
    const local = parsed.path.startsWith('/') ? parsed.path : `${root}/${parsed.path}`;
    const real = await realpath(local).catch(() => undefined);
    if (real === undefined || !isInside(root, real)) {
      throw this.invalid(`${what} "${printable(value)}" is a local path outside the workspace ${root} (or missing); only repositories inside it may be used`);
    }
    return real;
  }

  private requireTransport(transport: Transport, value: string, what: string) {
    if (allowedTransports(this.config).has(transport)) return;
    const setting = transport === 'ssh' || transport === 'https' ? 'auth_methods' : 'allow_protocols';
    throw this.invalid(`${what} "${printable(value)}" uses the ${transport} transport, which this service does not allow; add ${transport} to ${setting} to allow it`);
  }

  invalid(message: string): GatewayError {
    return new GatewayError('INVALID_ARGUMENTS', message, { service: this.name });
  }
}
