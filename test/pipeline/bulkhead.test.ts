import { describe, expect, it } from 'vitest';
import { bulkhead } from '../../src/pipeline/bulkhead.js';
import type { Call } from '../../src/pipeline/interceptor.js';

const call = (signal = new AbortController().signal): Call => ({ service: 'svc', method: 'tools/call', target: 't', signal });

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('bulkhead', () => {
  it('runs max_concurrent at once, queues max_queue, refuses the rest at once', async () => {
    const limit = bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const release = gate();
    let running = 0;
    let peak = 0;
    const invoke = limit.interceptor(async () => {
      running++;
      peak = Math.max(peak, running);
      await release.opened;
      running--;
      return 'done';
    });
    const calls = [invoke(call()), invoke(call()), invoke(call())];
    await expect(invoke(call())).rejects.toMatchObject({ code: 'BULKHEAD_FULL', service: 'svc' });
    expect(limit.stats()).toMatchObject({ active: 2, queued: 1 });
    release.open();
    await expect(Promise.all(calls)).resolves.toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(limit.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('a queued call whose client gives up leaves the queue', async () => {
    const limit = bulkhead({ maxConcurrent: 1, maxQueue: 5 });
    const release = gate();
    const invoke = limit.interceptor(async () => release.opened);
    const first = invoke(call());
    const controller = new AbortController();
    const queued = invoke(call(controller.signal));
    expect(limit.stats().queued).toBe(1);
    controller.abort(new Error('gone'));
    await expect(queued).rejects.toThrow('gone');
    expect(limit.stats().queued).toBe(0);
    release.open();
    await first;
    expect(limit.stats().active).toBe(0);
  });
});
