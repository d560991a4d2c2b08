// The argv template on its own: parsing placeholders, groups, when-flags and spreads, and the rules that
// keep a value inside one element and out of option position.
import { describe, expect, it } from 'vitest';
import { ArgumentRefused, MAX_ELEMENT_BYTES, parseElement, parseTemplate, renderArgv, TemplateProblem } from '../../../src/adapters/script/argv-template.js';

const render = (args: (string | string[] | { when: string; args: string[] })[], values: Record<string, unknown>, allow: string[] = []) =>
  renderArgv(parseTemplate(args), values, { allowLeadingDash: new Set(allow) });
const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ArgumentRefused) return { parameter: error.parameter, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('argv template parsing', () => {
  it('splits literal text and placeholders; {{ and }} are literal braces', () => {
    expect(parseElement('--out={file}.txt').parts).toEqual([
      { kind: 'literal', text: '--out=' },
      { kind: 'param', name: 'file', spread: false },
      { kind: 'literal', text: '.txt' },
    ]);
    expect(parseElement('{{x}} {{{y}}}').parts).toEqual([
      { kind: 'literal', text: '{x} {' },
      { kind: 'param', name: 'y', spread: false },
      { kind: 'literal', text: '}' },
    ]);
    expect(parseElement('{files...}').parts).toEqual([{ kind: 'param', name: 'files', spread: true }]);
  });

  it('explains malformed placeholders', () => {
    expect(() => parseElement('{}')).toThrow(TemplateProblem);
    expect(() => parseElement('find {} ;')).toThrow('write {{ and }} for literal braces');
    expect(() => parseElement('{a b}')).toThrow('starts no placeholder');
    expect(() => parseElement('{1x}')).toThrow('starts no placeholder');
    expect(() => parseElement('a}')).toThrow('closes no placeholder');
    expect(() => parseElement('{open')).toThrow('starts no placeholder');
    expect(() => parseElement('x{files...}')).toThrow('must be the whole element');
  });

  it('says which args: entry is wrong', () => {
    try {
      parseTemplate(['ok', ['fine', '{bad']]);
      expect.fail('should throw');
    } catch (error) {
      expect((error as TemplateProblem).index).toBe(1);
    }
  });
});

describe('argv template rendering', () => {
  it('places each value as one element, never split on whitespace', () => {
    expect(render(['-n', '{a}', 'x={b}'], { a: 'one two', b: ' three ' })).toEqual(['-n', 'one two', 'x= three ']);
  });

  it('renders numbers and booleans as text', () => {
    expect(render(['{n}', '{f}', '{t}', '{z}'], { n: 1.5, f: false, t: true, z: 0 })).toEqual(['1.5', 'false', 'true', '0']);
  });

  it('drops an element, a group or a when-item whose parameter is absent (undefined or null)', () => {
    const template = ['a', '{x}', ['--limit', '{limit}'], { when: 'verbose', args: ['-v', '--level={level}'] }, 'x{y}'];
    expect(render(template, {})).toEqual(['a']);
    expect(render(template, { x: 'X', limit: null, y: 'Y' })).toEqual(['a', 'X', 'xY']);
    expect(render(template, { limit: 3, verbose: true })).toEqual(['a', '--limit', '3']);
    expect(render(template, { verbose: true, level: 'high' })).toEqual(['a', '-v', '--level=high']);
    expect(render(template, { verbose: false, level: 'high' })).toEqual(['a']);
  });

  it('expands {name...} into one element per item, each checked on its own', () => {
    expect(render(['--', '{f...}'], { f: ['a b', '-c', ''] })).toEqual(['--', 'a b', '-c', '']);
    expect(render(['{f...}'], { f: [] })).toEqual([]);
    expect(refusal(() => render(['{f...}'], { f: ['ok', '-x'] }))).toMatchObject({ parameter: 'f[1]' });
    expect(refusal(() => render(['{f...}'], { f: 'not an array' }))).toMatchObject({ parameter: 'f' });
    expect(refusal(() => render(['{f...}'], { f: [{}] }))).toMatchObject({ parameter: 'f[0]', message: expect.stringContaining('not object') });
  });

  it('refuses a leading dash in option position, and only there', () => {
    expect(refusal(() => render(['{a}'], { a: '-rf' })).message).toContain('starts with "-"');
    expect(refusal(() => render(['{a}.txt'], { a: '-rf' })).message).toContain('starts with "-"');
    expect(refusal(() => render(['{a}{b}'], { a: '', b: '-x' })).parameter).toBe('a, b');
    expect(refusal(() => render(['{a}'], { a: -1 })).message).toContain('starts with "-"');
    expect(render(['--out={a}'], { a: '-rf' })).toEqual(['--out=-rf']);
    expect(render(['--', '{a}'], { a: '-rf' })).toEqual(['--', '-rf']);
    expect(render([['--', '{a}']], { a: '-rf' })).toEqual(['--', '-rf']);
    expect(render(['{a}'], { a: '-rf' }, ['a'])).toEqual(['-rf']);
  });

  it('a "--" counts only when it is literal config text that was emitted', () => {
    // The value "--" is not a separator: what follows is still in option position.
    expect(refusal(() => render(['{sep}', '{a}'], { sep: '--', a: '-x' }, ['sep'])).parameter).toBe('a');
    // A dropped group's "--" separates nothing.
    expect(refusal(() => render([['--', '{gone}'], '{a}'], { a: '-x' })).parameter).toBe('a');
    // A "--" embedded in other text is not a separator either.
    expect(refusal(() => render(['x--', '{a}'], { a: '-x' })).parameter).toBe('a');
  });

  it('refuses NUL bytes and elements longer than the operating system accepts', () => {
    expect(refusal(() => render(['x{a}'], { a: 'a\u0000b' })).message).toContain('NUL byte');
    expect(refusal(() => render(['--', '{a}'], { a: '\u0000' })).message).toContain('NUL byte');
    expect(render(['{a}'], { a: 'é'.repeat(MAX_ELEMENT_BYTES / 2 - 1) })).toHaveLength(1);
    expect(refusal(() => render(['{a}'], { a: 'é'.repeat(MAX_ELEMENT_BYTES / 2 + 1) })).message).toContain(`at most ${MAX_ELEMENT_BYTES}`);
  });
});
