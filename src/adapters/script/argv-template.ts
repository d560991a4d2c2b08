/**
 * The argv template of a script tool: trusted text from config with `{name}` placeholders that
 * untrusted arguments fill in. The process is spawned without a shell, so nothing here is ever
 * parsed as shell syntax; what this module guarantees on top is that a parameter lands in exactly
 * one argv element (or, for `{name...}`, one element per array item) and cannot smuggle in an
 * option: a value that would start an element with `-` is refused unless it follows a literal `--`
 * or its parameter allows a leading dash. NUL bytes, which the kernel would cut the element at,
 * are refused too.
 *
 * Template items (one per entry of `args:`):
 * - `"text"` — one element; literal text and placeholders (`--out={file}`, `{name}`, `{{` / `}}`
 *   for literal braces). Dropped when a parameter in it is absent.
 * - `"{files...}"` — an array parameter, one element per item; the placeholder must be the whole element.
 * - `["--limit", "{limit}"]` — a group: all its elements, or none when any parameter in it is absent.
 * - `{ when: verbose, args: ["--verbose"] }` — its elements only when `verbose` is present and not `false`.
 */

/** One piece of an element template. */
export type Part = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'param'; readonly name: string; readonly spread: boolean };

/** The template of one argv element. */
export interface ElementTemplate {
  readonly source: string;
  readonly parts: readonly Part[];
}

export type TemplateItem =
  | { readonly kind: 'element'; readonly element: ElementTemplate }
  | { readonly kind: 'group'; readonly elements: readonly ElementTemplate[] }
  | { readonly kind: 'when'; readonly param: string; readonly elements: readonly ElementTemplate[] };

/** The `args:` entries as config writes them. */
export type ArgSource = string | readonly string[] | { readonly when: string; readonly args: readonly string[] };

/** Linux refuses a single argv element longer than this (MAX_ARG_STRLEN, 32 pages), with E2BIG. */
export const MAX_ELEMENT_BYTES = 131_071;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** A template mistake in config: where (indexes inside the item) and what. */
export class TemplateProblem extends Error {
  override readonly name = 'TemplateProblem';
  /** Which entry of `args:` it is in, once known. */
  index: number | undefined;
}

/** A value the template refuses to place: the parameter and why. Becomes INVALID_ARGUMENTS. */
export class ArgumentRefused extends Error {
  override readonly name = 'ArgumentRefused';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses one element template; throws a {@link TemplateProblem} explaining a malformed placeholder.
 *
 * @example parseElement('--out={file}').parts // [{ kind: 'literal', text: '--out=' }, { kind: 'param', name: 'file', spread: false }]
 */
export function parseElement(source: string): ElementTemplate {
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === '{' && source[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (char === '}' && source[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (char === '{') {
      const name = NAME.exec(source.slice(i + 1))?.[0];
      const after = name === undefined ? -1 : i + 1 + name.length;
      const spread = after >= 0 && source.startsWith('...', after);
      const close = spread ? after + 3 : after;
      if (name === undefined || source[close] !== '}') {
        throw new TemplateProblem(
          `"${source}" has a "{" at position ${i + 1} that starts no placeholder: a placeholder is {name} or {name...}; write {{ and }} for literal braces`,
        );
      }
      if (literal !== '') parts.push({ kind: 'literal', text: literal });
      literal = '';
      parts.push({ kind: 'param', name, spread });
      i = close + 1;
    } else if (char === '}') {
      throw new TemplateProblem(`"${source}" has a "}" at position ${i + 1} that closes no placeholder: write }} for a literal brace`);
    } else {
      literal += char;
      i++;
    }
  }
  if (literal !== '') parts.push({ kind: 'literal', text: literal });
  if (parts.some((part) => part.kind === 'param' && part.spread) && parts.length > 1) {
    throw new TemplateProblem(`"${source}": a {name...} placeholder expands to several elements, so it must be the whole element, with nothing around it`);
  }
  return { source, parts };
}

/** Parses the `args:` of a tool. Throws a {@link TemplateProblem} whose `index` says which entry. */
export function parseTemplate(items: readonly ArgSource[]): TemplateItem[] {
  return items.map((item, index) => {
    try {
      if (typeof item === 'string') return { kind: 'element', element: parseElement(item) };
      if (Array.isArray(item)) return { kind: 'group', elements: (item as readonly string[]).map(parseElement) };
      const when = item as { when: string; args: readonly string[] };
      return { kind: 'when', param: when.when, elements: when.args.map(parseElement) };
    } catch (error) {
      throw Object.assign(error as TemplateProblem, { index });
    }
  });
}

/** Every parameter a template places, with how: as whole elements, embedded, spread, or as a `when:` condition. */
export function placements(template: readonly TemplateItem[]): { name: string; spread: boolean; condition: boolean }[] {
  const found: { name: string; spread: boolean; condition: boolean }[] = [];
  for (const item of template) {
    if (item.kind === 'when') found.push({ name: item.param, spread: false, condition: true });
    const elements = item.kind === 'element' ? [item.element] : item.elements;
    for (const element of elements) {
      for (const part of element.parts) if (part.kind === 'param') found.push({ name: part.name, spread: part.spread, condition: false });
    }
  }
  return found;
}

export interface RenderOptions {
  /** Parameters whose values may start an element with `-`. */
  readonly allowLeadingDash: ReadonlySet<string>;
}

/**
 * Fills a template with validated arguments. Absent (undefined or null) parameters drop their element,
 * group or `when:` item. Throws {@link ArgumentRefused} for a value that would become an option, holds a
 * NUL byte, or is too long for one argv element.
 *
 * @example renderArgv(parseTemplate(['-n', ['--limit', '{limit}'], '--', '{q}']), { q: '-x' }, { allowLeadingDash: new Set() }) // ['-n', '--', '-x']
 */
export function renderArgv(template: readonly TemplateItem[], args: Readonly<Record<string, unknown>>, options: RenderOptions): string[] {
  const argv: string[] = [];
  // Only a `--` that is literal text from config, actually emitted, ends option parsing for what follows.
  let afterDoubleDash = false;
  const emit = (elements: readonly ElementTemplate[], all: boolean) => {
    const rendered: string[] = [];
    let after = afterDoubleDash;
    for (const element of elements) {
      const values = renderElement(element, args, options, after);
      if (values === undefined) {
        if (all) return;
        continue;
      }
      rendered.push(...values);
      if (isLiteral(element, '--')) after = true;
    }
    argv.push(...rendered);
    afterDoubleDash = after;
  };
  for (const item of template) {
    if (item.kind === 'element') emit([item.element], false);
    else if (item.kind === 'group') emit(item.elements, true);
    else if (isPresent(args[item.param]) && args[item.param] !== false) emit(item.elements, true);
  }
  return argv;
}

function isLiteral(element: ElementTemplate | undefined, text: string): boolean {
  return element !== undefined && element.parts.length === 1 && element.parts[0]!.kind === 'literal' && element.parts[0]!.text === text;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The element(s) one template yields, or undefined when a parameter in it is absent. */
function renderElement(element: ElementTemplate, args: Readonly<Record<string, unknown>>, options: RenderOptions, afterDoubleDash: boolean): string[] | undefined {
  const first = element.parts[0];
  if (first?.kind === 'param' && first.spread) {
    const value = args[first.name];
    if (!isPresent(value)) return undefined;
    if (!Array.isArray(value)) throw new ArgumentRefused(first.name, `must be an array: {${first.name}...} places one argv element per item`);
    if (value.length === 0) return undefined;
    return value.map((item, index) => {
      const label = `${first.name}[${index}]`;
      return check([first.name], scalar(label, item), true, options, afterDoubleDash, label);
    });
  }
  let text = '';
  for (const part of element.parts) {
    if (part.kind === 'literal') {
      text += part.text;
      continue;
    }
    const value = args[part.name];
    if (!isPresent(value)) return undefined;
    text += scalar(part.name, value);
  }
  const names = element.parts.flatMap((part) => (part.kind === 'param' ? [part.name] : []));
  if (names.length === 0) return [text];
  return [check(names, text, first?.kind === 'param', options, afterDoubleDash, names.join(', '))];
}

function scalar(label: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new ArgumentRefused(label, `must be a string, number or boolean to become an argv element, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
}

/** `names`: the parameters in the element; a leading dash is accepted only when every one of them allows it. */
function check(names: readonly string[], text: string, leadsWithParam: boolean, options: RenderOptions, afterDoubleDash: boolean, label: string): string {
  if (text.includes('\0')) throw new ArgumentRefused(label, 'contains a NUL byte, which cannot be passed in an argv element');
  if (leadsWithParam && text.startsWith('-') && !afterDoubleDash && !names.every((name) => options.allowLeadingDash.has(name))) {
    throw new ArgumentRefused(
      label,
      `starts with "-", so the program could take it for an option; it is refused (the tool's config can place it after a literal "--", or set allow_leading_dash: true on the parameter)`,
    );
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_ELEMENT_BYTES) {
    throw new ArgumentRefused(label, `is ${bytes} bytes as one argv element; the operating system takes at most ${MAX_ELEMENT_BYTES} (pass large values on stdin: set stdin: on the tool)`);
  }
  return text;
}
