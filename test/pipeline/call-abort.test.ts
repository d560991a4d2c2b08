// CallAbort: a call's abort state whose AbortSignal exists only once somebody reads it, and the
// pipeline's use of it (the timeout reacts through hooks, never making a signal of its own).
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CallAbort } from '../../src/pipeline/call-abort.js';
import { abortableCall, type CallAbortLike } from '../../src/pipeline/interceptor.js';
import { timeout } from '../../src/pipeline/timeout.js';
import { GatewayError } from '../../src/sdk/errors.js';

describe('CallAbort', () => {
  it('runs each hook once with the reason, and a signal read later is already aborted with it', () => {
    const abort = new CallAbort();
    const seen: unknown[] = [];
    abort.onAbort((reason) => seen.push(reason));
    const removed = abort.onAbort(() => seen.push('removed hook ran'));
    removed();
    const reason = new Error('stop');
    abort.abort(reason);
    abort.abort(new Error('second abort is ignored'));
    expect(seen).toEqual([reason]);
    expect(abort.aborted).toBe(true);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
    // A hook added after the fact runs at once.
    abort.onAbort((late) => seen.push(late));
    expect(seen).toEqual([reason, reason]);
  });

  it('aborts a signal made before the abort, and uses the standard AbortError without a reason', () => {
    const abort = new CallAbort();
    const { signal } = abort;
    let fired = 0;
    signal.addEventListener('abort', () => fired++);
    abort.abort();
    expect(fired).toBe(1);
    expect((signal.reason as DOMException).name).toBe('AbortError');
    expect(abort.signal).toBe(signal);
  });

  it('follows a parent signal until unlinked, and starts aborted under an aborted parent', () => {
    const parent = new AbortController();
    const linked = CallAbort.linkedTo(parent.signal);
    const unlinked = CallAbort.linkedTo(parent.signal);
    unlinked.unlink();
    parent.abort('parent reason');
    expect(linked.abort.reason).toBe('parent reason');
    expect(unlinked.abort.aborted).toBe(false);
    expect(CallAbort.linkedTo(parent.signal).abort.reason).toBe('parent reason');
  });

  it('aborting the linked call leaves its parent alone, and unlinking leaves the parent no listeners over many calls', () => {
    const parent = new AbortController();
    const child = CallAbort.linkedTo(parent.signal);
    child.abort.abort(new Error('timeout'));
    expect(parent.signal.aborted).toBe(false);
    child.unlink();
    for (let i = 0; i < 1000; i++) CallAbort.linkedTo(parent.signal).unlink();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    const kept = CallAbort.linkedTo(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    kept.unlink();
    parent.abort();
    expect(kept.abort.aborted).toBe(false);
  });
});

/** A call's abort state that counts how often its signal is read. */
function countingAbort(): CallAbortLike & { reads: number; inner: CallAbort } {
  const inner = new CallAbort();
  return {
    reads: 0,
    inner,
    get signal() {
      this.reads++;
      return inner.signal;
    },
    abort: (reason) => inner.abort(reason),
    onAbort: (hook) => inner.onAbort(hook),
  };
}

describe('the timeout with a lent CallAbort', () => {
  it('answers a fast call without ever making its signal', async () => {
    const abort = countingAbort();
    const result = await timeout({ ms: 1000 })(async () => 'done')(abortableCall('svc', 'tools/call', 't', abort));
    expect(result).toBe('done');
    expect(abort.reads).toBe(0);
  });

  it('aborts a slow call with CALL_TIMEOUT through the same abort, and the caller gets it at once', async () => {
    const abort = countingAbort();
    const started = Date.now();
    const call = timeout({ ms: 30 })(() => new Promise(() => {}))(abortableCall('svc', 'tools/call', 'slow', abort));
    await expect(call).rejects.toMatchObject({ code: 'CALL_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(abort.inner.reason).toBeInstanceOf(GatewayError);
    expect(abort.reads).toBe(0);
  });

  it('rejects at once when the client cancels, whatever the backend does', async () => {
    const abort = countingAbort();
    const call = timeout({ ms: 10_000 })(() => new Promise(() => {}))(abortableCall('svc', 'tools/call', 'slow', abort));
    const reason = new Error('client went away');
    abort.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});
