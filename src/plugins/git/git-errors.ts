import { type ErrorCode, GatewayError } from '../../sdk/errors.js';
import type { GitOutput } from './git-process.js';

/**
 * What git's messages (always English: commands run with LC_ALL=C) say about whose fault a failure is.
 * Git reports most failures with exit code 128 and a sentence, so the sentence is all there is to go by;
 * this table is the one place that reads it.
 */
const CAUSES: readonly { pattern: RegExp; code: ErrorCode; hint: string }[] = [
  {
    pattern: /index\.lock': File exists|Unable to create '.*\.lock'/,
    code: 'BACKEND_ERROR',
    hint: 'another git process is working in this repository (outside MCPEG); if none is, a crashed one left its lock file: remove the .lock file named above',
  },
  {
    pattern: /Authentication failed|Permission denied \(publickey|HTTP Basic: Access denied|returned error: 40[13]|could not read Username|terminal prompts disabled|Host key verification failed/i,
    code: 'BACKEND_ERROR',
    hint: 'the remote refused the credentials: check https_token / https_hosts or ssh_key (and ssh_known_hosts) in the service config',
  },
  {
    pattern: /Could not resolve host|Connection refused|Connection timed out|unable to connect|Network is unreachable|No route to host|Could not read from remote repository|Failed to connect/i,
    code: 'BACKEND_UNREACHABLE',
    hint: 'check that the remote host is up and reachable from the gateway',
  },
  {
    pattern: /unknown revision|bad revision|branch '[^']*' not found|not a valid object name|invalid reference|ambiguous argument|did not match any|not a commit|Needed a single revision|couldn't find remote ref|not something we can merge|does not have any commits yet|no upstream configured|no tracking information|has no upstream branch|did not specify a branch/i,
    code: 'INVALID_ARGUMENTS',
    hint: 'check the names given (branches, revisions, paths) — the branches tool lists what exists',
  },
  {
    pattern: /already exists|not fully merged|Cannot delete branch|would be overwritten|Please commit your changes or stash them|You have not concluded your merge|There is no merge to abort|not possible because you have unmerged files|not possible to fast-forward|Not possible to fast-forward|rejected|non-fast-forward|fetch first|refusing to merge unrelated histories/i,
    code: 'INVALID_ARGUMENTS',
    hint: 'the repository is not in a state that allows this; see git\'s message above',
  },
];

/** The last lines of git's stderr, for a message: at most 8 lines and 1500 characters. */
export function stderrTail(stderr: string): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0 && !/^remote: *$/.test(line) && !/\d+% \(\d+\/\d+\)/.test(line));
  const tail = lines.slice(-8).join(' | ');
  return tail.length > 1500 ? `…${tail.slice(-1500)}` : tail;
}

/**
 * A failed git command as a coded error naming the service, the repository and what to do:
 * `[repos] git fetch in "app" failed (exit 128): fatal: unable to connect … — check that the remote …`.
 */
export function gitFailure(service: string, what: string, output: GitOutput): GatewayError {
  const tail = stderrTail(output.stderr) || stderrTail(output.stdout.toString('utf8')) || 'git printed no message';
  const cause = CAUSES.find((candidate) => candidate.pattern.test(output.stderr) || candidate.pattern.test(output.stdout.toString('utf8')));
  const code = cause?.code ?? 'BACKEND_ERROR';
  const hint = cause?.hint ?? 'see git\'s message; the repository is left as git left it';
  return new GatewayError(code, `${what} failed (exit ${output.exitCode}): ${tail} — ${hint}`, {
    service,
    data: { exitCode: output.exitCode },
  });
}
