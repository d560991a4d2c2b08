/**
 * The abort state of one call, with its `AbortSignal` made only when something asks for it.
 *
 * On this runtime an `AbortController` and its signal cost more than a whole plain tool call
 * (EventTarget set-up on every construction): most calls finish without anybody listening, so the
 * front door, the dispatcher and the pipeline keep this instead, stop work through {@link onAbort}
 * hooks, and a service that reads `ctx.signal` gets a real signal, aborted already when the call was.
 *
 * @example
 * const abort = new CallAbort();
 * const remove = abort.onAbort((reason) => reject(reason));
 * abort.abort(new Error('stop')); // hooks run once; abort.signal (if made) aborts with the same reason
 */
export class CallAbort {
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #hooks: ((reason: unknown) => void)[] | undefined;

  /** A call that aborts with `parent`; `unlink()` detaches it when the call is over. */
  static linkedTo(parent: AbortSignal): { readonly abort: CallAbort; unlink(): void } {
    const abort = new CallAbort();
    if (parent.aborted) {
      abort.abort(parent.reason);
      return { abort, unlink: () => {} };
    }
    const onAbort = () => abort.abort(parent.reason);
    parent.addEventListener('abort', onAbort, { once: true });
    return { abort, unlink: () => parent.removeEventListener('abort', onAbort) };
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** The call's signal, made on first use (already aborted when the call was). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts once; later calls do nothing. Without a reason, the standard `AbortError`. */
  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    this.#controller?.abort(this.#reason);
    const hooks = this.#hooks;
    this.#hooks = undefined;
    if (hooks) for (const hook of hooks) hook(this.#reason);
  }

  /** Runs `hook` once when the call aborts (at once, if it has); returns what removes it. */
  onAbort(hook: (reason: unknown) => void): () => void {
    if (this.#aborted) {
      hook(this.#reason);
      return () => {};
    }
    (this.#hooks ??= []).push(hook);
    return () => {
      const hooks = this.#hooks;
      const at = hooks ? hooks.indexOf(hook) : -1;
      if (at >= 0) hooks!.splice(at, 1);
    };
  }
}
