import { type ChildProcess, spawn } from 'node:child_process';
import { CappedOutput, LineSplitter, TailBuffer } from './output-capture.js';

export interface RunOptions {
  /** Absolute path of the program (resolved when the service started). */
  readonly file: string;
  /** argv[0] as the program sees it: the command as configured (`du`), as a shell would pass it. */
  readonly argv0?: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** Written to the child's stdin, which is then closed; undefined: stdin is /dev/null. */
  readonly stdin: string | undefined;
  /** Bytes kept of stdout and of stderr each; the rest is read and dropped. */
  readonly maxOutputBytes: number;
  readonly timeoutMs: number;
  /** How long the group gets between SIGTERM and SIGKILL. */
  readonly killGraceMs: number;
  /** Cancellation (client, gateway timeout, shutdown): kills the process group. */
  readonly signal: AbortSignal;
  /** Each stdout line as it arrives (for progress). */
  readonly onStdoutLine?: (line: string) => void;
  /** Called once the child runs, with its pid (also its process group id). */
  readonly onSpawn?: (pid: number) => void;
}

export interface CapturedStream {
  readonly text: string;
  readonly bytes: number;
  readonly truncated: boolean;
}

export interface RunOutcome {
  readonly pid: number;
  /** `exited`: it ended by itself; `timeout` / `cancelled`: the gateway killed its process group. */
  readonly ended: 'exited' | 'timeout' | 'cancelled';
  readonly exitCode: number | null;
  readonly exitSignal: NodeJS.Signals | null;
  readonly stdout: CapturedStream;
  readonly stderr: CapturedStream;
  /** The last lines of stderr, whatever the cap kept. */
  readonly stderrTail: readonly string[];
  readonly durationMs: number;
}

/** The program could not be started at all; `code` is the errno (ENOENT, EACCES, E2BIG, …). */
export class SpawnFailed extends Error {
  override readonly name = 'SpawnFailed';
  constructor(
    readonly code: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const STDERR_TAIL_BYTES = 4096;
const STDERR_TAIL_LINES = 20;
/** After the program exits, how long its output pipes may stay open (held by an escaped descendant) before they are cut. */
const PIPE_LINGER_MS = 500;
/** After SIGKILL, how long to wait for the group to be gone before the run is reported over anyway. */
const GONE_WAIT_MS = 1000;

/**
 * Runs a program without a shell in a process group of its own and collects its output. On
 * timeout or cancellation the whole group gets SIGTERM, then SIGKILL after the grace period, so
 * children and grandchildren die with it; when the program exits by itself, whatever it left
 * running in its group is stopped the same way. Resolves once the program and its pipes are done.
 *
 * @example await runInProcessGroup({ file: '/bin/echo', args: ['hi'], cwd: '/', env: {}, stdin: undefined, maxOutputBytes: 1e6, timeoutMs: 5000, killGraceMs: 2000, signal })
 */
export function runInProcessGroup(options: RunOptions): Promise<RunOutcome> {
  if (options.signal.aborted) return Promise.reject(options.signal.reason);
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(options.file, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      ...(options.argv0 !== undefined ? { argv0: options.argv0 } : {}),
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      shell: false,
      // Its own process group, so a kill reaches every descendant that stays in it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
  } catch (error) {
    // Synchronous failures: E2BIG on some platforms, invalid arguments.
    const code = (error as NodeJS.ErrnoException).code;
    return Promise.reject(new SpawnFailed(code, (error as Error).message, { cause: error }));
  }
  return new Promise<RunOutcome>((resolve, reject) => {
    const stdout = new CappedOutput(options.maxOutputBytes);
    const stderr = new CappedOutput(options.maxOutputBytes);
    const tail = new TailBuffer(STDERR_TAIL_BYTES);
    const lines = options.onStdoutLine ? new LineSplitter(options.onStdoutLine) : undefined;
    let ended: RunOutcome['ended'] = 'exited';
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    /** Settles once SIGKILL went to the group, after SIGTERM and the grace period. */
    let killed: Promise<void> | undefined;
    let lingerTimer: NodeJS.Timeout | undefined;
    let spawned = false;
    let settled = false;

    const group = {
      signal(signal: NodeJS.Signals): boolean {
        const pid = child.pid;
        if (pid === undefined) return false;
        try {
          if (process.platform === 'win32') child.kill(signal);
          else process.kill(-pid, signal);
          return true;
        } catch {
          return false; // ESRCH: the group is empty
        }
      },
      /** SIGTERM now, SIGKILL after the grace period (once). */
      stop() {
        if (killed !== undefined) return;
        if (!group.signal('SIGTERM')) return;
        killed = new Promise((done) => {
          // Not unref'd: a gateway on its way out must still deliver the SIGKILL (it waits kill_grace at most).
          killTimer = setTimeout(() => {
            group.signal('SIGKILL');
            done();
          }, options.killGraceMs);
        });
      },
    };

    const timer = setTimeout(() => {
      ended = 'timeout';
      group.stop();
    }, options.timeoutMs);
    const onAbort = () => {
      if (ended === 'exited') ended = 'cancelled';
      group.stop();
    };
    options.signal.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(lingerTimer);
      options.signal.removeEventListener('abort', onAbort);
      lines?.flush();
      const outcome: RunOutcome = {
        pid: child.pid ?? -1,
        ended,
        exitCode: exit?.code ?? null,
        exitSignal: exit?.signal ?? null,
        stdout: { text: stdout.text(), bytes: stdout.totalBytes, truncated: stdout.truncated },
        stderr: { text: stderr.text(), bytes: stderr.totalBytes, truncated: stderr.truncated },
        stderrTail: tail.lines(STDERR_TAIL_LINES),
        durationMs: Date.now() - started,
      };
      // Every pipe is closed. If the group is empty, cancel the pending SIGKILL so it can never reach a
      // process that reused the id; if members remain (they ignored SIGTERM and hold no pipe), the run
      // is over only once SIGKILL has ended them.
      if (killed === undefined || !groupAlive(child.pid)) {
        clearTimeout(killTimer);
        resolve(outcome);
      } else {
        void killed.then(() => untilGone(child.pid)).then(() => resolve(outcome));
      }
    };

    child.stdout!.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      lines?.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      tail.push(chunk);
    });
    child.once('spawn', () => {
      spawned = true;
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
      if (options.stdin !== undefined && child.stdin) {
        // A program that exits without reading its input closes the pipe: EPIPE is expected then.
        child.stdin.on('error', () => {});
        child.stdin.end(options.stdin);
      }
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (!spawned) {
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        reject(new SpawnFailed(error.code, error.message, { cause: error }));
      }
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // The program is gone; anything it left running in its group goes too.
      group.stop();
      // A descendant that left the group (setsid) may hold the pipes open: do not wait on it forever.
      lingerTimer = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, options.killGraceMs + PIPE_LINGER_MS);
    });
    child.once('close', finish);
  });
}

/** Waits (briefly, bounded) for a killed group to disappear; zombies nobody reaps keep it "alive" for good. */
async function untilGone(pid: number | undefined): Promise<void> {
  for (let waited = 0; waited < GONE_WAIT_MS && groupAlive(pid); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** True while a process group with this id has a member. */
export function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined || process.platform === 'win32') return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
