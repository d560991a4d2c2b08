/**
 * Picks part of a JSON response: a JSON Pointer (`/properties/periods/0`, RFC 6901) or a dotted path
 * (`properties.periods[0].name`). Returns `{ found: false }` when a step does not exist.
 *
 * @example selectValue({ a: { b: [1, 2] } }, '/a/b/1') // { found: true, value: 2 }
 * @example selectValue({ a: { b: [1, 2] } }, 'a.b[0]') // { found: true, value: 1 }
 */
export function selectValue(value: unknown, selector: string): { found: true; value: unknown } | { found: false; at: string } {
  const steps = selectorSteps(selector);
  let current = value;
  for (const [index, step] of steps.entries()) {
    if (Array.isArray(current) && /^\d+$/.test(step) && Number(step) < current.length) current = current[Number(step)];
    else if (current !== null && typeof current === 'object' && !Array.isArray(current) && Object.hasOwn(current, step)) {
      current = (current as Record<string, unknown>)[step];
    } else return { found: false, at: steps.slice(0, index + 1).join('/') };
  }
  return { found: true, value: current };
}

/** The steps of a selector; throws on a malformed one (config validation calls this). */
export function selectorSteps(selector: string): string[] {
  if (selector === '' || selector === '/') return [];
  if (selector.startsWith('/')) {
    return selector
      .slice(1)
      .split('/')
      .map((step) => step.replace(/~1/g, '/').replace(/~0/g, '~'));
  }
  const steps: string[] = [];
  for (const part of selector.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match || part === '') throw new Error(`"${selector}" is not a field path (a.b[0].c) or a JSON Pointer (/a/b/0/c)`);
    if (match[1] !== '') steps.push(match[1]!);
    for (const index of match[2]!.matchAll(/\[(\d+)\]/g)) steps.push(index[1]!);
  }
  if (steps.length === 0) throw new Error(`"${selector}" is not a field path (a.b[0].c) or a JSON Pointer (/a/b/0/c)`);
  return steps;
}
