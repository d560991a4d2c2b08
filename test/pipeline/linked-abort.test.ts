// The hand-made replacement for AbortSignal.any on the call path: the child aborts with the parent's
// reason, can abort on its own without touching the parent, and leaves no listener behind once unlinked.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkedAbort } from '../../src/pipeline/linked-abort.js';

describe('linkedAbort', () => {
  it('aborts with the reason of the parent', () => {
    const parent = new AbortController();
    const { controller } = linkedAbort(parent.signal);
    const reason = new Error('client went away');
    parent.abort(reason);
    expect(controller.signal.aborted).toBe(true);
    expect(controller.signal.reason).toBe(reason);
  });

  it('is born aborted when the parent already is', () => {
    const reason = new Error('too late');
    const { controller } = linkedAbort(AbortSignal.abort(reason));
    expect(controller.signal.reason).toBe(reason);
  });

  it('aborting the child leaves the parent alone', () => {
    const parent = new AbortController();
    const { controller } = linkedAbort(parent.signal);
    controller.abort(new Error('timeout'));
    expect(parent.signal.aborted).toBe(false);
  });

  it('unlinking removes its listener, so a long-lived parent collects none over many calls', () => {
    const parent = new AbortController();
    for (let i = 0; i < 1000; i++) linkedAbort(parent.signal).unlink();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
    const kept = linkedAbort(parent.signal);
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    kept.unlink();
    parent.abort();
    expect(kept.controller.signal.aborted).toBe(false);
  });
});
