import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/client';
import { deserializeMessage } from '@modelcontextprotocol/client';
import type { Logger } from '../../sdk/logger.js';
import { idOfOversized, LineReader, type OversizedLine } from './line-reader.js';

export interface StdioOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  readonly cwd: string | undefined;
  readonly maxMessageBytes: number;
  /** The service's logger: stderr lines and protocol noise go there. */
  readonly logger: Logger;
}

/** Longest stderr line logged whole, and how many lines per second reach the log before the rest are counted. */
const STDERR_LINE_BYTES = 4096;
const STDERR_LINES_PER_SECOND = 50;
/** How long a child gets to exit on SIGTERM (after stdin closed) before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** Stderr lines kept to explain an exit. */
const TAIL_LINES = 5;

/**
 * MCP over stdio to a child process the gateway owns. Unlike the SDK's transport it: starts the
 * child in its own process group and kills the whole group (a server launched through `npx` or a
 * shell wrapper leaves no orphans); bounds every message at `max_message_size` (an oversized
 * response fails the one call it answers); logs stderr line by line under the service, rate-bounded;
 * skips lines that are not JSON-RPC instead of failing; and says why the child went away.
 *
 * It exposes `pid` and `stderr`, so the SDK client treats it as stdio when probing the era (a server
 * silent to `server/discover` is legacy) — but probes in place rather than on a sibling process.
 */
export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #options: StdioOptions;
  #child: ChildProcessWithoutNullStreams | undefined;
  #closing = false;
  #exit: string | undefined;
  readonly #stderrTail: string[] = [];
  #garbageLines = 0;
  #spawnError: string | undefined;
  #exitedUnasked = false;

  constructor(options: StdioOptions) {
    this.#options = options;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Stderr is consumed by the transport itself (into the log); present so the SDK recognizes stdio. */
  get stderr(): Readable | null {
    return null;
  }

  /** Why the child is gone (`exited with code 1`, `was killed by SIGKILL`), once it is; with its last stderr lines. */
  get exitReason(): string | undefined {
    if (this.#exit === undefined) return undefined;
    const tail = this.#stderrTail.length > 0 ? `; its last stderr lines: ${this.#stderrTail.join(' | ')}` : '';
    return `${this.#exit}${tail}`;
  }

  /** Why the program could not be started at all (not found, not executable), if so. */
  get spawnError(): string | undefined {
    return this.#spawnError;
  }

  /** True when the child went away before anyone asked it to (it crashed, or quit on a request). */
  get exitedUnasked(): boolean {
    return this.#exitedUnasked;
  }

  /** True once close() was asked for: the exit that follows is expected, not a failure. */
  get closing(): boolean {
    return this.#closing;
  }

  async start(): Promise<void> {
    if (this.#child) throw new Error('ChildProcessTransport already started');
    const { command, args, env, cwd, logger } = this.#options;
    const child = spawn(command, [...args], {
      env,
      cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      // Its own process group: close() signals the whole group, so grandchildren die with it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    this.#child = child;
    const stdout = new LineReader(this.#options.maxMessageBytes, (line) => this.#onLine(line), (line) => this.#onOversized(line));
    const stderr = this.#stderrLogger(logger);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', (error) => this.onerror?.(error));
    child.once('close', (code, signal) => {
      stdout.flush();
      stderr.flush();
      this.#exit ??= signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.#exitedUnasked = !this.#closing;
      this.#child = undefined;
      this.onclose?.();
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) => {
        this.#spawnError = describeSpawnError(command, cwd, error);
        this.#exit = `could not be started: ${this.#spawnError}`;
        reject(new Error(this.#exit));
      });
    });
    child.on('error', (error) => this.onerror?.(error));
  }

  send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    const child = this.#child;
    if (!child || !child.stdin.writable) return Promise.reject(new Error(`the upstream process is not running${this.#exit ? ` (it ${this.#exit})` : ''}`));
    return new Promise((resolve, reject) => {
      const ok = child.stdin.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : undefined));
      if (ok) resolve();
      else child.stdin.once('drain', resolve);
    });
  }

  /** Closes stdin, then SIGTERM to the process group, then SIGKILL; resolves once the child is gone. */
  async close(): Promise<void> {
    this.#closing = true;
    const child = this.#child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdin.end();
    this.#signal(child, 'SIGTERM');
    const timer = setTimeout(() => this.#signal(child, 'SIGKILL'), KILL_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }

  #signal(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (process.platform === 'win32') child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  }

  #onLine(line: string) {
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch {
      // Something printed to stdout that is not JSON-RPC: skip it, say so (once per 100 lines).
      if (this.#garbageLines++ % 100 === 0) {
        this.#options.logger.warn(
          { sample: line.slice(0, 200), count: this.#garbageLines },
          'the upstream wrote a line to stdout that is not a JSON-RPC message; skipped (a stdio MCP server must log to stderr only)',
        );
      }
      return;
    }
    this.onmessage?.(message);
  }

  /** A message over the limit: answer the request it responds to with an error, so that call fails now. */
  #onOversized(line: OversizedLine) {
    const id = idOfOversized(line);
    const limit = this.#options.maxMessageBytes;
    this.#options.logger.error(
      { bytes: line.bytes, limit, id },
      `the upstream sent a message of ${line.bytes} bytes, more than max_message_size (${limit}); discarded`,
    );
    if (id === undefined || line.head.includes('"method"')) return;
    this.onmessage?.({
      jsonrpc: '2.0',
      id,
      error: {
        code: -32603,
        message: `the upstream's answer was ${line.bytes} bytes, more than max_message_size (${limit} bytes): raise max_message_size for this service or ask for less`,
      },
    });
  }

  #stderrLogger(logger: Logger): LineReader {
    let windowStart = Date.now();
    let inWindow = 0;
    let dropped = 0;
    const log = (text: string) => {
      this.#stderrTail.push(text.slice(0, 300));
      if (this.#stderrTail.length > TAIL_LINES) this.#stderrTail.shift();
      const now = Date.now();
      if (now - windowStart >= 1000) {
        if (dropped > 0) logger.warn({ dropped }, `upstream stderr: ${dropped} lines not logged (more than ${STDERR_LINES_PER_SECOND} per second)`);
        windowStart = now;
        inWindow = 0;
        dropped = 0;
      }
      if (++inWindow > STDERR_LINES_PER_SECOND) {
        dropped++;
        return;
      }
      logger.info({ stream: 'stderr' }, text);
    };
    return new LineReader(
      STDERR_LINE_BYTES,
      (line) => {
        if (line.trim() !== '') log(line);
      },
      (line) => log(`${line.head} … (${line.bytes} bytes; cut)`),
    );
  }
}

function describeSpawnError(command: string, cwd: string | undefined, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return cwd
      ? `"${command}" was not found, or the working directory ${cwd} does not exist — check command:, cwd: and PATH`
      : `"${command}" was not found — check command: (and PATH, or give an absolute path)`;
  }
  if (error.code === 'EACCES') return `"${command}" is not executable (permission denied)`;
  return error.message;
}
