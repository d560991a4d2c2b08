import { spawn } from 'node:child_process';
import { GatewayError } from '../../sdk/errors.js';

/** How one git command runs. */
export interface GitRun {
  readonly cwd: string;
  /** Everything after `git` and the service's fixed `-c` settings. Never passed through a shell. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Kill the command after this long even if nobody aborts the signal. */
  readonly timeoutMs: number;
  /** Bytes of stdout kept; past them the command is stopped and the result marked truncated. */
  readonly maxOutput: number;
  /** Written to stdin, which is closed afterwards (stdin is empty otherwise). */
  readonly input?: string;
  /** Each stderr line (split at \r and \n) as it arrives: progress meters. */
  readonly onStderrLine?: (line: string) => void;
}

export interface GitOutput {
  readonly exitCode: number;
  readonly stdout: Buffer;
  /** The last 16 KB of stderr. */
  readonly stderr: string;
  /** Output reached `maxOutput`: the command was stopped and stdout cut there. */
  readonly truncated: boolean;
}

const STDERR_KEEP = 16_384;
/** After SIGTERM to the process group, how long before SIGKILL. */
const KILL_GRACE_MS = 2_000;

/**
 * Runs `git` with an argv array (no shell) in its own process group, so a cancel or a timeout kills it
 * together with what it started (ssh, remote helpers). A non-zero exit is returned, not thrown: callers
 * decide what it means. Throws only when git cannot run, or on abort/timeout (the abort reason, or
 * CALL_TIMEOUT / CALL_CANCELLED).
 *
 * @example const { stdout } = await runGit({ cwd, args: ['status', '--porcelain=v2'], env, signal, timeoutMs: 30_000, maxOutput: 1e6 });
 */
export function runGit(run: GitRun, executable = 'git'): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    if (run.signal.aborted) {
      reject(abortError(run.signal));
      return;
    }
    const child = spawn(executable, [...run.args], {
      cwd: run.cwd,
      env: run.env,
      stdio: [run.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    let stderr = '';
    let pending = '';
    let failure: unknown;
    let killTimer: NodeJS.Timeout | undefined;

    const kill = () => {
      signalGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const onAbort = () => {
      failure ??= abortError(run.signal);
      kill();
    };
    const timer = setTimeout(() => {
      failure ??= new GatewayError('CALL_TIMEOUT', `git ${run.args[0] ?? ''} ran past ${run.timeoutMs} ms and was stopped`);
      kill();
    }, run.timeoutMs);
    timer.unref();
    run.signal.addEventListener('abort', onAbort, { once: true });

    child.stdout!.on('data', (chunk: Buffer) => {
      if (truncated) return;
      const room = run.maxOutput - kept;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        kept += room;
        truncated = true;
        kill();
        return;
      }
      chunks.push(chunk);
      kept += chunk.length;
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP);
      if (!run.onStderrLine) return;
      const parts = (pending + chunk).split(/[\r\n]/);
      pending = parts.pop() ?? '';
      for (const line of parts) if (line.length > 0) run.onStderrLine(line);
    });
    if (run.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // git may exit before reading it all; the exit code tells
      child.stdin.end(run.input);
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??=
        error.code === 'ENOENT'
          ? new GatewayError('DRIVER_MISSING', 'needs the git program, which is not on PATH: install git (apt-get install git) and restart the gateway', {
              cause: error,
            })
          : error;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      run.signal.removeEventListener('abort', onAbort);
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      resolve({
        exitCode: code ?? (truncated ? 0 : 128 + (signal === 'SIGKILL' ? 9 : 15)),
        stdout: Buffer.concat(chunks),
        stderr,
        truncated,
      });
    });
  });
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals) {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function abortError(signal: AbortSignal): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason;
  return new GatewayError('CALL_CANCELLED', 'the call was cancelled; git was stopped');
}
