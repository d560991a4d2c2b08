import type { PoolClient, QueryResult } from 'pg';
import type { Logger } from '../../sdk/index.js';
import { classifyPostgresError, PostgresConnectionError, sqlState } from './errors.js';

/** A statement as the engine sends it. `queryMode: 'extended'` makes pg use Parse/Bind even without parameters. */
export interface Statement {
  readonly text: string;
  readonly values?: readonly unknown[];
  readonly queryMode?: 'extended';
  readonly rowMode?: 'array';
}

/** Sends the protocol's CancelRequest for a backend (see cancel-request.ts). */
export type CancelBackend = (processId: number, secretKey: number) => Promise<void>;

/** How often a cancel is repeated while statements still run (a cancel that lands before a statement starts is ignored). */
const CANCEL_REPEAT_MS = 250;
/** How long cancelled statements may take to stop before the connection is dropped instead. */
const CANCEL_GRACE_MS = 5_000;
/** After a cancel, a statement that ends like this has stopped cleanly: cancelled, or skipped in the aborted transaction. */
const STOPPED_CLEANLY = new Set(['57014', '25P02']);

/**
 * One pooled connection, checked out for one call. Statements run through {@link Lease.run}, several
 * at once when the caller pipelines them (the pool's clients run in pipeline mode). When the call's
 * signal fires while statements are in flight, the server is asked to cancel (and asked again until
 * they stop). The connection goes back to the pool only when nothing is in doubt — each statement was
 * seen to stop with `query_canceled` or to be skipped — and is destroyed otherwise: a cancel that
 * arrived late must never hit the next caller's statement.
 *
 * @example
 * const lease = new Lease(await pool.connect(), signal, cancel, logger);
 * try { await lease.run({ text: 'SELECT 1' }); } finally { lease.release(); }
 */
export class Lease {
  readonly #client: PoolClient;
  readonly #signal: AbortSignal;
  readonly #cancelBackend: CancelBackend;
  readonly #logger: Logger;
  /** Destroy instead of returning to the pool: the session state is unknown. */
  #doubtful = false;
  #released = false;
  #inFlight = 0;
  #cancelling: { repeat: NodeJS.Timeout; grace: NodeJS.Timeout; sent: Promise<void>[] } | undefined;
  // A checked-out client has no pool listener: without one, a dying connection would crash the process.
  readonly #onError = (error: Error) => {
    this.#doubtful = true;
    this.#logger.warn({ err: error.message }, 'a connection in use failed; it will be replaced');
  };

  constructor(client: PoolClient, signal: AbortSignal, cancelBackend: CancelBackend, logger: Logger) {
    this.#client = client;
    this.#signal = signal;
    this.#cancelBackend = cancelBackend;
    this.#logger = logger;
    client.on('error', this.#onError);
  }

  /**
   * Sends one statement; call it again before awaiting to pipeline. `signal` defaults to the call's;
   * cleanup statements pass their own. Errors the server did not send (the socket died) become
   * {@link PostgresConnectionError}.
   */
  async run(statement: Statement, signal: AbortSignal = this.#signal): Promise<QueryResult> {
    if (this.#released) throw new PostgresConnectionError('the connection was dropped after a cancelled statement');
    signal.throwIfAborted();
    const onAbort = () => this.#startCancelling();
    signal.addEventListener('abort', onAbort, { once: true });
    this.#inFlight++;
    try {
      const result = (await this.#client.query(statement as unknown as Parameters<PoolClient['query']>[0])) as QueryResult;
      // It finished although a cancel was on its way: that cancel could hit a later statement.
      if (this.#cancelling) this.#doubtful = true;
      return result;
    } catch (error) {
      const state = sqlState(error);
      if (this.#cancelling && !STOPPED_CLEANLY.has(state ?? '')) this.#doubtful = true;
      // The server ended the session (shutdown, terminate): nothing left to roll back.
      if (classifyPostgresError(error) === 'connection') this.#doubtful = true;
      if (state !== undefined) throw error;
      this.#doubtful = true;
      if (signal.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new PostgresConnectionError(`the connection broke during the statement: ${message}`, { cause: error });
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.#inFlight--;
      if (this.#inFlight === 0) await this.#stopCancelling();
    }
  }

  /** Returns the connection to the pool, or destroys it when its state is in doubt (or `destroy`). */
  release(destroy = false): void {
    if (this.#released) return;
    this.#released = true;
    this.#client.removeListener('error', this.#onError);
    const reason = destroy || this.#doubtful ? new Error('connection state unknown after a cancelled or broken statement') : undefined;
    this.#client.release(reason);
  }

  /** True when the connection will be destroyed on release. */
  get doubtful(): boolean {
    return this.#doubtful || this.#released;
  }

  #startCancelling(): void {
    if (this.#cancelling || this.#inFlight === 0) return;
    const sent: Promise<void>[] = [];
    const cancel = () => sent.push(this.#sendCancel());
    cancel();
    this.#cancelling = { sent, repeat: setInterval(cancel, CANCEL_REPEAT_MS), grace: setTimeout(() => this.release(true), CANCEL_GRACE_MS) };
  }

  /** Every cancel sent must have reached the server before the connection serves anything else. */
  async #stopCancelling(): Promise<void> {
    const cancelling = this.#cancelling;
    if (!cancelling) return;
    clearInterval(cancelling.repeat);
    clearTimeout(cancelling.grace);
    await Promise.all(cancelling.sent);
    this.#cancelling = undefined;
  }

  #sendCancel(): Promise<void> {
    const { processID, secretKey } = this.#client as unknown as { processID: number; secretKey: number };
    return this.#cancelBackend(processID, secretKey).catch((error: unknown) => {
      this.#doubtful = true;
      this.#logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not send a cancel request; the connection will be dropped');
    });
  }
}
