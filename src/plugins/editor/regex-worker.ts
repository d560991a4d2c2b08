import { Worker } from 'node:worker_threads';

/** One line that matched. */
export interface LineMatch {
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

/** Longest part of a matching line returned, in characters. */
const MAX_LINE_CHARS = 500;

/**
 * The worker's source, evaluated as a script: it only ever sees text the service already read from
 * inside the workspace, and matches it line by line. It runs apart from the gateway's event loop so
 * a regular expression with catastrophic backtracking can be stopped (Worker.terminate) instead of
 * freezing every service.
 */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
let regex;
parentPort.on('message', (message) => {
  if (message.type === 'init') { regex = new RegExp(message.source, message.flags); return; }
  const matches = [];
  const lines = message.text.split(/\\r?\\n/);
  for (let i = 0; i < lines.length && matches.length < message.limit; i++) {
    regex.lastIndex = 0;
    const found = regex.exec(lines[i]);
    if (found) {
      const line = lines[i];
      const from = Math.max(0, found.index - 100);
      matches.push({ line: i + 1, column: found.index + 1, text: (from > 0 ? '…' : '') + line.slice(from, from + ${MAX_LINE_CHARS}) + (line.length > from + ${MAX_LINE_CHARS} ? '…' : '') });
    }
  }
  parentPort.postMessage(matches);
});
`;

/**
 * Matches lines against a regular expression in a worker thread that can be stopped.
 *
 * @example
 * const matcher = new RegexWorker('TODO', 'i');
 * try { await matcher.match('a\nTODO b', 10); } finally { await matcher.close(); }
 */
export class RegexWorker {
  readonly #worker: Worker;
  #pending: { resolve: (matches: LineMatch[]) => void; reject: (error: unknown) => void } | undefined;
  #failure: unknown;

  constructor(source: string, flags: string) {
    this.#worker = new Worker(SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } });
    this.#worker.unref();
    this.#worker.on('message', (matches: LineMatch[]) => {
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.resolve(matches);
    });
    const fail = (error: unknown) => {
      this.#failure ??= error;
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.reject(error);
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the search worker stopped (exit code ${code})`)));
    this.#worker.postMessage({ type: 'init', source, flags });
  }

  /** The matching lines of `text`, at most `limit`. One call at a time. */
  match(text: string, limit: number): Promise<LineMatch[]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage({ type: 'match', text, limit });
    });
  }

  /** Stops the worker, even in the middle of a match (a pending match then rejects with `reason`). */
  async close(reason: unknown = new Error('search stopped')): Promise<void> {
    this.#failure ??= reason;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(reason);
    await this.#worker.terminate();
  }
}
