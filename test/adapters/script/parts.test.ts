// The small parts of the script type on their own: output capture, line splitting, progress pacing,
// the per-tool limit and the child environment.
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit, LimitFull } from '../../../src/adapters/script/concurrency-limit.js';
import { scriptEnvironment } from '../../../src/adapters/script/environment.js';
import { LineProgress } from '../../../src/adapters/script/line-progress.js';
import { CappedOutput, LineSplitter, TailBuffer } from '../../../src/adapters/script/output-capture.js';

describe('CappedOutput', () => {
  it('keeps the first bytes, counts the rest, and never ends in half a character', () => {
    for (const [char, cap] of [['é', 5], ['日', 4], ['🎉', 6], ['a', 3]] as const) {
      const out = new CappedOutput(cap);
      out.push(Buffer.from(char.repeat(10)));
      expect(out.truncated).toBe(true);
      expect(out.totalBytes).toBe(Buffer.byteLength(char) * 10);
      expect(out.text()).toMatch(new RegExp(`^(${char})+$`, 'u'));
      expect(Buffer.byteLength(out.text())).toBeLessThanOrEqual(cap);
    }
    const whole = new CappedOutput(100);
    whole.push(Buffer.from('ab'));
    whole.push(Buffer.from('c'));
    expect([whole.text(), whole.truncated]).toEqual(['abc', false]);
  });
});

describe('TailBuffer', () => {
  it('keeps the last lines of a long stream', () => {
    const tail = new TailBuffer(64);
    for (let line = 1; line <= 1000; line++) tail.push(Buffer.from(`line ${line}\n`));
    expect(tail.lines(3)).toEqual(['line 998', 'line 999', 'line 1000']);
  });
});

describe('LineSplitter', () => {
  it('splits on \\n, \\r\\n and \\r, across chunks and inside multi-byte characters', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), 10);
    const bytes = Buffer.from('a\r\nb\rcé\nthis line is long\nend');
    for (const byte of bytes) splitter.push(Buffer.from([byte]));
    splitter.flush();
    expect(lines.filter((line) => line !== '')).toEqual(['a', 'b', 'cé', 'this line ', 'end']);
  });
});

describe('LineProgress', () => {
  it('counts lines, paces notifications, and sends the last one before done() resolves', async () => {
    const sent: [number, number | undefined, string | undefined][] = [];
    const progress = new LineProgress('lines', async (value, total, message) => {
      sent.push([value, total, message]);
    });
    for (let line = 1; line <= 100; line++) progress.line(`step ${line}`);
    progress.line('   ');
    await progress.done();
    expect(sent.length).toBeLessThan(10);
    expect(sent.at(-1)).toEqual([100, undefined, 'step 100']);
  });

  it('with a pattern, reports increasing percentages of 100 and skips other lines', async () => {
    const sent: number[] = [];
    const progress = new LineProgress(/(\d+(?:\.\d+)?)%/, async (value, total) => {
      expect(total).toBe(100);
      sent.push(value);
    });
    for (const line of ['starting', '10%', '5%', 'x 42.5% y', '250%']) {
      progress.line(line);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await progress.done();
    expect(sent).toEqual([10, 42.5, 100]);
  });

  it('a client that fails to take a notification does not fail the run', async () => {
    const progress = new LineProgress('lines', () => Promise.reject(new Error('gone')));
    progress.line('x');
    await expect(progress.done()).resolves.toBeUndefined();
  });
});

describe('ConcurrencyLimit', () => {
  it('runs up to max, queues up to queue, refuses beyond, and lets an aborted waiter leave', async () => {
    const limit = new ConcurrencyLimit(1, 1);
    let release!: () => void;
    const first = limit.run(new AbortController().signal, () => new Promise<string>((resolve) => (release = () => resolve('first'))));
    const controller = new AbortController();
    const waiting = limit.run(controller.signal, async () => 'never');
    await expect(limit.run(new AbortController().signal, async () => 'x')).rejects.toBeInstanceOf(LimitFull);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    expect(limit.waiting).toBe(0);
    const third = limit.run(new AbortController().signal, async () => 'third');
    release();
    expect(await Promise.all([first, third])).toEqual(['first', 'third']);
    expect(limit.active).toBe(0);
  });
});

describe('scriptEnvironment', () => {
  it('passes allowlisted names and prefixes, declared values over them, and no shell functions', () => {
    const parent = { PATH: '/bin', LC_ALL: 'C', LC_TIME: 'x', SECRET_TOKEN: 's', HOME: '/root', BASH_FUNC_x: '() { evil; }' };
    expect(scriptEnvironment(['PATH', 'LC_*', 'BASH_FUNC_x'], { HOME: '/srv', NEW: 'n' }, parent)).toEqual({
      PATH: '/bin',
      LC_ALL: 'C',
      LC_TIME: 'x',
      HOME: '/srv',
      NEW: 'n',
    });
  });
});
