import { refuse } from './fs-errors.js';

/** Most `{a,b}` alternatives one glob may expand to. */
const MAX_ALTERNATIVES = 256;

type Token = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; char: string } | { kind: 'class'; negated: boolean; ranges: [string, string][] };

/**
 * Compiles a glob to a matcher over `/`-separated relative paths: `*` and `?` stay within one name,
 * a `**` segment spans any number of folders, `{a,b}` is a choice, `[abc]` / `[!abc]` / `[a-z]` a
 * class. A pattern without `/` matches the last name at any depth (`*.md` finds `docs/a.md`).
 * Matching never backtracks exponentially (no RegExp): a hostile glob costs at most
 * pattern length × path length per alternative. Throws a plain Error for too many alternatives.
 *
 * @example globMatcher('src/**\/*.ts')('src/a/b.ts') // true
 */
export function globMatcher(pattern: string): (relative: string) => boolean {
  const alternatives = expandBraces(pattern).map((alternative) => alternative.split('/').map((segment) => (segment === '**' ? '**' : tokenize(segment))));
  const anyDepth = !pattern.includes('/');
  return (relative) => {
    const parts = (anyDepth ? relative.slice(relative.lastIndexOf('/') + 1) : relative).split('/');
    return alternatives.some((segments) => matchSegments(segments, parts));
  };
}

function matchSegments(segments: readonly (Token[] | '**')[], parts: readonly string[]): boolean {
  // memo[i * (parts.length + 1) + j]: does segments[i..] match parts[j..]? 0 unknown, 1 yes, 2 no.
  const memo = new Uint8Array((segments.length + 1) * (parts.length + 1));
  const match = (i: number, j: number): boolean => {
    const key = i * (parts.length + 1) + j;
    if (memo[key]) return memo[key] === 1;
    let result: boolean;
    if (i === segments.length) result = j === parts.length;
    else if (segments[i] === '**') result = match(i + 1, j) || (j < parts.length && match(i, j + 1));
    else result = j < parts.length && matchName(segments[i] as Token[], parts[j]!) && match(i + 1, j + 1);
    memo[key] = result ? 1 : 2;
    return result;
  };
  return match(0, 0);
}

/** Wildcard matching of one name, linear-time backtracking to the last `*` only. */
function matchName(tokens: readonly Token[], name: string): boolean {
  const chars = [...name];
  let t = 0;
  let c = 0;
  let star = -1;
  let resume = 0;
  while (c < chars.length) {
    const token = tokens[t];
    if (token && token.kind !== 'star' && matchesChar(token, chars[c]!)) {
      t++;
      c++;
    } else if (token?.kind === 'star') {
      star = t++;
      resume = c;
    } else if (star >= 0) {
      t = star + 1;
      c = ++resume;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

function matchesChar(token: Exclude<Token, { kind: 'star' }>, char: string): boolean {
  if (token.kind === 'any') return true;
  if (token.kind === 'char') return token.char === char;
  return token.ranges.some(([from, to]) => char >= from && char <= to) !== token.negated;
}

function tokenize(segment: string): Token[] {
  const chars = [...segment];
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '[' && chars.indexOf(']', i + 2) > 0) {
      const end = chars.indexOf(']', i + 2);
      let body = chars.slice(i + 1, end);
      const negated = body[0] === '!' || body[0] === '^';
      if (negated) body = body.slice(1);
      const ranges: [string, string][] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && body[k + 2] !== undefined) {
          ranges.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else {
          ranges.push([body[k]!, body[k]!]);
        }
      }
      tokens.push({ kind: 'class', negated, ranges });
      i = end;
    } else {
      tokens.push({ kind: 'char', char });
    }
  }
  return tokens;
}

/** `a{b,c{d,e}}` → `ab`, `acd`, `ace`. An unmatched `{` is literal. */
function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < pattern.length && close < 0; i++) {
    if (pattern[i] === '{') depth++;
    else if (pattern[i] === '}' && --depth === 0) close = i;
    else if (pattern[i] === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [pattern];
  const head = pattern.slice(0, open);
  const tails = expandBraces(pattern.slice(close + 1));
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    for (const middle of expandBraces(pattern.slice(bounds[k]! + 1, bounds[k + 1]))) {
      for (const tail of tails) {
        out.push(head + middle + tail);
        if (out.length > MAX_ALTERNATIVES) throw new Error(`the glob expands to more than ${MAX_ALTERNATIVES} alternatives`);
      }
    }
  }
  return out;
}

/** The matcher of a tool's `glob` argument (everything matches without one); a glob that expands too far is refused. */
export function globArgument(service: string, glob: unknown): (relative: string) => boolean {
  if (typeof glob !== 'string') return () => true;
  try {
    return globMatcher(glob);
  } catch (error) {
    throw refuse(service, `glob ${glob}: ${(error as Error).message}; simplify it`);
  }
}
