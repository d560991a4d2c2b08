import { describe, expect, it } from 'vitest';
import { CallAbort } from '../../src/pipeline/call-abort.js';
import { abortableCall, compose, type Call } from '../../src/pipeline/interceptor.js';
import { timeout } from '../../src/pipeline/timeout.js';

const call = (): Call => ({ service: 'svc', method: 'tools/call', target: 'slow', signal: new AbortController().signal });

describe('timeout', () => {
  it('aborts the work through its signal and rejects with CALL_TIMEOUT even if the work ignores it', async () => {
    let seen: AbortSignal | undefined;
    const invoke = timeout({ ms: 20 })(async (c: Call) => {
      seen = c.signal;
      return new Promise(() => {});
    });
    await expect(invoke(call())).rejects.toMatchObject({ code: 'CALL_TIMEOUT', message: '[svc] tools/call slow timed out after 20 ms' });
    expect(seen?.aborted).toBe(true);
  });

  it("with the caller's abort lent (abortableCall), aborts that one and passes its signal on unchanged", async () => {
    const owner = new CallAbort();
    let seen: AbortSignal | undefined;
    const invoke = timeout({ ms: 20 })(async (c: Call) => {
      seen = c.signal;
      return new Promise(() => {});
    });
    await expect(invoke(abortableCall('svc', 'tools/call', 'slow', owner))).rejects.toMatchObject({ code: 'CALL_TIMEOUT' });
    expect(seen).toBe(owner.signal);
    expect(owner.reason).toMatchObject({ code: 'CALL_TIMEOUT' });
  });

  it('without a lent controller, a timeout leaves the caller\'s signal alone', async () => {
    const caller = call();
    const invoke = timeout({ ms: 20 })(async () => new Promise(() => {}));
    await expect(invoke(caller)).rejects.toMatchObject({ code: 'CALL_TIMEOUT' });
    expect(caller.signal.aborted).toBe(false);
  });

  it('passes results through and composes in order (first runs outermost)', async () => {
    const order: string[] = [];
    const tag = (name: string) => (next: (c: Call) => Promise<unknown>) => async (c: Call) => {
      order.push(`${name}>`);
      try {
        return await next(c);
      } finally {
        order.push(`<${name}`);
      }
    };
    const invoke = compose([tag('a') as never, timeout({ ms: 1000 }), tag('b') as never])(async () => 'ok');
    await expect(invoke(call())).resolves.toBe('ok');
    expect(order).toEqual(['a>', 'b>', '<b', '<a']);
  });
});
