import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../../src/pipeline/circuit-breaker.js';
import type { Call } from '../../src/pipeline/interceptor.js';
import { GatewayError } from '../../src/sdk/errors.js';

const call = (signal = new AbortController().signal): Call => ({ service: 'db', method: 'tools/call', target: 'q', signal });

describe('circuit breaker', () => {
  it('opens after `threshold` consecutive failures, refuses while open, probes once, then closes', async () => {
    let now = 0;
    const states: string[] = [];
    const breaker = circuitBreaker({ threshold: 3, openMs: 1000, now: () => now, onStateChange: (state) => states.push(state) });
    let healthy = false;
    const invoke = breaker.interceptor(async () => {
      if (!healthy) throw new Error('down');
      return 'ok';
    });
    for (let i = 0; i < 3; i++) await expect(invoke(call())).rejects.toThrow('down');
    expect(breaker.state()).toBe('open');
    await expect(invoke(call())).rejects.toMatchObject({ code: 'CIRCUIT_OPEN', retryAfterMs: 1000 });
    now = 1001;
    healthy = true;
    await expect(invoke(call())).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
    expect(states).toEqual(['open', 'half_open', 'closed']);
  });

  it('a failed probe opens the circuit again for a full period', async () => {
    let now = 0;
    const breaker = circuitBreaker({ threshold: 1, openMs: 500, now: () => now });
    const invoke = breaker.interceptor(async () => {
      throw new Error('still down');
    });
    await expect(invoke(call())).rejects.toThrow();
    now = 600;
    await expect(invoke(call())).rejects.toThrow('still down');
    expect(breaker.state()).toBe('open');
    now = 1000;
    await expect(invoke(call())).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });

  it('bad arguments and client cancellations never trip it; a success resets the count', async () => {
    const breaker = circuitBreaker({ threshold: 2, openMs: 1000 });
    const invoke = breaker.interceptor(async (c: Call) => {
      if (c.target === 'args') throw new GatewayError('INVALID_ARGUMENTS', 'bad');
      if (c.target === 'ok') return 'ok';
      throw new Error('down');
    });
    for (let i = 0; i < 5; i++) await expect(invoke({ ...call(), target: 'args' })).rejects.toThrow();
    const cancelled = new AbortController();
    cancelled.abort(new Error('client went away'));
    for (let i = 0; i < 5; i++) await expect(invoke(call(cancelled.signal))).rejects.toThrow();
    expect(breaker.state()).toBe('closed');
    await expect(invoke(call())).rejects.toThrow('down');
    await invoke({ ...call(), target: 'ok' });
    await expect(invoke(call())).rejects.toThrow('down');
    expect(breaker.state()).toBe('closed');
  });
});
