// Durations and sizes as config files write them (`30s`, `512MB`), parsed to milliseconds and bytes.
import { describe, expect, test } from 'vitest';
import { duration, MAX_DURATION_MS, parseDuration, parseSize, size } from '../../src/sdk/units.js';

describe('parseDuration', () => {
  test.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    [' 30s ', 30_000],
    ['0s', 0],
    [250, 250],
    [0, 0],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each([
    ['30'],
    ['30 s'],
    ['30sec'],
    ['1w'],
    ['-5s'],
    ['s'],
    [''],
    ['5M'],
    [-1],
    [Number.NaN],
    [Number.POSITIVE_INFINITY],
    [null],
    [true],
    [{}],
  ])('%j is not a duration', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe('parseSize', () => {
  test.each([
    ['10MB', 10_000_000],
    ['512MB', 512_000_000],
    ['100MB', 100_000_000],
    ['1GB', 1_000_000_000],
    ['512KB', 512_000],
    ['1KiB', 1_024],
    ['1MiB', 1_048_576],
    ['1GiB', 1_073_741_824],
    ['1.5KB', 1_500],
    ['10 MB', 10_000_000],
    ['10mb', 10_000_000],
    ['42B', 42],
    ['4096', 4_096],
    [4096, 4_096],
    [10.7, 10],
  ])('%j → %d bytes', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  test.each([['10 megabytes'], ['1TB'], ['MB'], ['-1MB'], [''], [-1], [Number.NaN], [null], [[]]])(
    '%j is not a size',
    (input) => {
      expect(parseSize(input)).toBeUndefined();
    },
  );
});

describe('the zod schemas', () => {
  test('duration() outputs milliseconds and explains a bad value', () => {
    expect(duration().parse('2m')).toBe(120_000);
    const result = duration().safeParse('2 minutes');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      '"2 minutes" is not a duration: write a number with a unit, like 500ms, 30s, 5m, 1h or 1d',
    );
  });

  test('duration() refuses what a Node timer cannot wait for (setTimeout fires at once beyond 2^31-1 ms)', () => {
    expect(duration().parse(MAX_DURATION_MS)).toBe(MAX_DURATION_MS);
    expect(duration().parse('24d')).toBe(24 * 86_400_000);
    expect(duration().safeParse('25d').success).toBe(false);
    expect(duration().safeParse(MAX_DURATION_MS + 1).success).toBe(false);
  });

  test('size() outputs bytes and explains a bad value', () => {
    expect(size().parse('512MB')).toBe(512_000_000);
    expect(size().safeParse('lots').error?.issues[0]?.message).toBe(
      '"lots" is not a size: write a number with a unit, like 512KB, 10MB, 1GB or 1GiB',
    );
  });
});
