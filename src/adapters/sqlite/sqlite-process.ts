import { type ChildProcess, fork } from 'node:child_process';
import type { Logger } from '../../sdk/index.js';
import { SqliteError, SqliteProcessExited, SqliteTimeoutError } from './errors.js';
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerResults } from './protocol.js';

interface Job {
  readonly id: number;
  readonly request: WorkerRequest;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly onAbort: () => void;
  /** The worker the job was sent to, once it was. */
  worker?: Worker;
  timer?: NodeJS.Timeout;
}

/** One child process and the promise that it loaded its driver and takes statements. */
interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
}

/** How much of the child's stderr is kept, to explain a crash. */
const STDERR_TAIL = 4000;
/** How long a new child may take to load its driver (Node starts in ~0.2 s; a loaded machine is slower). */
const WORKER_START_MS = 15_000;
/** How long a stopping child may take to close its database before it is killed. */
const CLOSE_GRACE_MS = 2000;

/**
 * The child process one sqlite service runs its statements in (see worker.ts for why a process).
 * Statements run one at a time, in the order they came; the gateway's event loop never waits on SQLite.
 * A statement past its timeout, or whose call is cancelled, is stopped by killing the process; a new
 * one starts at once, so the service stays healthy and the next statement does not wait for it long.
 *
 * @example
 * const sqlite = new SqliteProcess({ script: workerScript, init, logger });
 * const rows = await sqlite.run({ op: 'query', sql, params, maxRows, maxBytes }, { signal, timeoutMs: 30_000 });
 */
export class SqliteProcess {
  readonly #script: () => Promise<string>;
  readonly #init: WorkerInit;
  readonly #logger: Logger;
  readonly #queue: Job[] = [];
  #active: Job | undefined;
  #worker: Promise<Worker> | undefined;
  #current: Worker | undefined;
  #stderr = '';
  #nextId = 1;
  #closed = false;
  /** Bumped whenever the current worker is dropped, so a start still under way does not come back as current. */
  #generation = 0;

  constructor(options: { script: () => Promise<string>; init: Omit<WorkerInit, 'type'>; logger: Logger }) {
    this.#script = options.script;
    this.#init = { type: 'init', ...options.init };
    this.#logger = options.logger;
  }

  /** True while a statement runs in a live worker: the database is in use, so it is up. */
  get busy(): boolean {
    const worker = this.#active?.worker;
    return worker !== undefined && worker === this.#current && worker.child.connected;
  }

  run<Op extends WorkerRequest['op']>(
    request: Extract<WorkerRequest, { op: Op }>,
    options: { signal: AbortSignal; timeoutMs: number },
  ): Promise<WorkerResults[Op]> {
    if (this.#closed) return Promise.reject(new SqliteProcessExited('the service is stopping; the statement was not run'));
    if (options.signal.aborted) return Promise.reject(options.signal.reason);
    return new Promise((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++,
        request,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        onAbort: () => this.#abort(job),
      };
      options.signal.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Stops the child: gracefully when idle, at once when a statement runs. Queued statements fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const stopped = new SqliteProcessExited('the service stopped before the statement finished');
    for (const job of this.#queue.splice(0)) this.#settle(job, stopped);
    const busy = this.#active !== undefined;
    if (this.#active) this.#settle(this.#active, stopped);
    const worker = await this.#worker?.catch(() => undefined);
    this.#worker = undefined;
    this.#current = undefined;
    const child = worker?.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      if (busy || !child.connected) child.kill('SIGKILL');
      else child.disconnect(); // the worker closes its connections and exits
    });
  }

  #pump(): void {
    if (this.#active || this.#closed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#active = job;
    // Starting a process has a bound of its own: a short statement timeout must not fail a slow start.
    job.timer = setTimeout(() => this.#expire(job), Math.max(job.timeoutMs, WORKER_START_MS));
    this.#spawn().then(
      (worker) => {
        if (this.#active !== job) return; // cancelled or timed out while the process started
        clearTimeout(job.timer);
        job.timer = setTimeout(() => this.#expire(job), job.timeoutMs);
        job.worker = worker;
        worker.child.send({ id: job.id, ...job.request });
      },
      (error: unknown) => {
        if (this.#active === job) this.#settle(job, error);
      },
    );
  }

  /** The running worker, or a new one once it has loaded its driver. */
  #spawn(): Promise<Worker> {
    this.#worker ??= this.#start();
    const starting = this.#worker;
    starting.catch(() => {
      if (this.#worker === starting) this.#worker = undefined; // the next statement tries again
    });
    return starting;
  }

  async #start(): Promise<Worker> {
    const generation = this.#generation;
    const script = await this.#script();
    if (this.#closed || generation !== this.#generation) throw new SqliteProcessExited('the SQLite worker was replaced while it started');
    // execArgv: [] — the gateway's own flags (a debugger port, loaders) are not the worker's business.
    const child = fork(script, [], { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.#stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (reply: WorkerReply) => {
        if (reply.id !== 0) return this.#reply(worker, reply);
        if (reply.ok) resolve();
        else reject(new SqliteError(reply.error));
      });
      child.once('exit', (code, signal) => reject(new SqliteProcessExited(`the SQLite worker process exited while starting (${describeExit(code, signal)})${this.#stderrTail()}`)));
      child.once('error', reject);
    });
    ready.catch(() => child.kill('SIGKILL'));
    const worker: Worker = { child, ready };
    child.on('error', (error) => this.#exited(worker, error.message));
    child.on('exit', (code, signal) => this.#exited(worker, describeExit(code, signal)));
    // Neither the process nor its channel keeps the gateway alive; a running job's timer does.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    child.send(this.#init);
    this.#current = worker;
    await ready;
    return worker;
  }

  #reply(worker: Worker, reply: WorkerReply): void {
    const job = this.#active;
    if (!job || job.worker !== worker || job.id !== reply.id) return;
    if (reply.ok) this.#settle(job, undefined, reply.result);
    else this.#settle(job, new SqliteError(reply.error));
  }

  #exited(worker: Worker, how: string): void {
    if (this.#current === worker) this.#forget();
    const job = this.#active;
    if (!job || job.worker !== worker) return;
    this.#logger.warn({ how, stderr: this.#stderr.trim() }, 'the SQLite worker process died during a statement; the next statement starts a new one');
    this.#settle(job, new SqliteProcessExited(`the SQLite worker process died during the statement (${how})${this.#stderrTail()}`));
  }

  #expire(job: Job): void {
    if (this.#active !== job) return;
    this.#replace();
    const starting = job.worker === undefined;
    const limit = Math.max(job.timeoutMs, WORKER_START_MS);
    this.#settle(job, starting ? new SqliteProcessExited(`the SQLite worker process did not start within ${limit} ms`) : new SqliteTimeoutError(job.timeoutMs));
  }

  #abort(job: Job): void {
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) this.#queue.splice(queued, 1);
    else if (this.#active === job) this.#replace();
    this.#settle(job, job.signal.reason);
  }

  /**
   * Kills the current worker — the only way to stop a statement inside SQLite; the kernel frees its
   * file locks — and starts the next one right away, so the following statement finds it ready.
   */
  #replace(): void {
    const worker = this.#current;
    this.#forget();
    worker?.child.kill('SIGKILL');
    if (!this.#closed) this.#spawn().catch(() => {});
  }

  #forget(): void {
    this.#generation++;
    this.#current = undefined;
    this.#worker = undefined;
  }

  #settle(job: Job, error: unknown, result?: unknown): void {
    clearTimeout(job.timer);
    job.signal.removeEventListener('abort', job.onAbort);
    if (this.#active === job) this.#active = undefined;
    if (error === undefined) job.resolve(result);
    else job.reject(error);
    this.#pump();
  }

  #stderrTail(): string {
    const last = this.#stderr.trim().split('\n').at(-1);
    return last ? `: ${last}` : '';
  }
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}
