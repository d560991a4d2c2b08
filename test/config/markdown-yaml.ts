// Reads the YAML examples out of a Markdown document (the seed ADRs, docs/configuration.md) by parsing its
// code fences, so the tests check the very text a reader sees.

export interface YamlBlock {
  /** The YAML inside the fence. */
  readonly text: string;
  /** 1-based line of the opening fence in the Markdown file. */
  readonly line: number;
  /** The nearest heading above the block, without its #s. */
  readonly heading: string;
  /** The body of an HTML comment on the line just above the fence (`<!-- needs: mysql -->` → `needs: mysql`). */
  readonly marker: string | undefined;
  /** The fenced block that directly follows this one (its language and text), for example an expected output. */
  readonly next: { readonly lang: string; readonly text: string; readonly marker: string | undefined } | undefined;
}

interface Fence {
  lang: string;
  text: string;
  line: number;
  heading: string;
  marker: string | undefined;
  /** Index of the first line after the closing fence. */
  end: number;
}

const OPEN = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/;
const MARKER = /^\s*<!--\s*(.*?)\s*-->\s*$/;

/** Every fenced code block of `markdown`, in order. An unclosed fence is an error, not a silent skip. */
export function fencedBlocks(markdown: string): Fence[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: Fence[] = [];
  let heading = '';
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const headingMatch = /^#{1,6}\s+(.*)$/.exec(line);
    if (headingMatch) heading = headingMatch[1]!.trim();
    const open = OPEN.exec(line);
    if (!open) continue;
    const [, indent = '', fence = '', lang = ''] = open;
    const body: string[] = [];
    let close = index + 1;
    while (close < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[close]!)) {
      body.push(lines[close]!.startsWith(indent) ? lines[close]!.slice(indent.length) : lines[close]!);
      close++;
    }
    if (close >= lines.length) throw new Error(`unclosed code fence opened at line ${index + 1}`);
    let above = index - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const marker = above >= 0 ? MARKER.exec(lines[above]!)?.[1] : undefined;
    blocks.push({
      lang: lang.toLowerCase(),
      text: `${body.join('\n')}\n`,
      line: index + 1,
      heading,
      marker,
      end: close + 1,
    });
    index = close;
  }
  return blocks;
}

/** The ```yaml / ```yml blocks of `markdown`, each with its heading, marker and the block after it. */
export function yamlBlocks(markdown: string): YamlBlock[] {
  const blocks = fencedBlocks(markdown);
  return blocks.flatMap((block, index) => {
    if (block.lang !== 'yaml' && block.lang !== 'yml') return [];
    const after = blocks[index + 1];
    const lines = markdown.split(/\r?\n/);
    // "Directly follows": only blank lines and a marker comment between the two fences.
    const between = after ? lines.slice(block.end, after.line - 1).filter((line) => line.trim() !== '') : [];
    const adjacent = after !== undefined && between.every((line) => MARKER.test(line));
    return [
      {
        text: block.text,
        line: block.line,
        heading: block.heading,
        marker: block.marker,
        next: adjacent ? { lang: after.lang, text: after.text, marker: after.marker } : undefined,
      },
    ];
  });
}
