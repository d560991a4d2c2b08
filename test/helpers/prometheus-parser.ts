// A strict parser of the Prometheus text exposition format 0.0.4, for tests: it throws on anything a
// Prometheus server would reject (bad names, bad escapes, samples without a TYPE, duplicate series,
// histograms whose buckets are not cumulative or whose +Inf bucket differs from _count).

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1}: ${line}`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // a comment
      const [, kind, name, rest] = match;
      if (!NAME.test(name!)) throw new Error(`bad metric name, ${where}`);
      const family = families.get(name!) ?? { name: name!, type: 'untyped' as Family['type'], help: '', samples: [] };
      if (kind === 'TYPE') {
        if (families.get(name!)?.samples.length) throw new Error(`TYPE after samples, ${where}`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!)) throw new Error(`bad type, ${where}`);
        (family as { type: string }).type = rest!;
      } else (family as { help: string }).help = unescape(rest!, false, where);
      families.set(name!, family);
      return;
    }
    const sample = parseSample(line, where);
    const family = familyOf(families, sample.name);
    if (!family) throw new Error(`sample without a # TYPE for its family, ${where}`);
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series, ${where}`);
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function familyOf(families: Map<string, Family>, name: string): Family | undefined {
  const direct = families.get(name);
  if (direct) return direct;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const family = families.get(name.slice(0, -suffix.length));
      if (family && (family.type === 'histogram' || family.type === 'summary')) return family;
    }
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) throw new Error(`bad sample name, ${where}`);
  const name = nameMatch[1]!;
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    let index = 1;
    while (rest[index] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest.slice(index));
      if (!labelMatch || !LABEL.test(labelMatch[1]!)) throw new Error(`bad label, ${where}`);
      index += labelMatch[0].length;
      let value = '';
      for (;;) {
        const char = rest[index];
        if (char === undefined) throw new Error(`unterminated label value, ${where}`);
        if (char === '"') break;
        if (char === '\\') {
          const next = rest[index + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else throw new Error(`bad escape in label value, ${where}`);
          index += 2;
        } else {
          value += char;
          index++;
        }
      }
      index++;
      if (labelMatch[1]! in labels) throw new Error(`duplicate label, ${where}`);
      labels[labelMatch[1]!] = value;
      if (rest[index] === ',') index++;
      else if (rest[index] !== '}') throw new Error(`expected , or } in labels, ${where}`);
    }
    rest = rest.slice(index + 1);
  }
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) throw new Error(`bad value part, ${where}`);
  const raw = valueMatch[1]!;
  const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : raw === 'NaN' ? NaN : Number(raw);
  if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad number, ${where}`);
  return { name, labels, value };
}

function unescape(text: string, _quoted: boolean, where: string): string {
  return text.replace(/\\(.)/g, (_, char: string) => {
    if (char === 'n') return '\n';
    if (char === '\\') return '\\';
    throw new Error(`bad escape in HELP, ${where}`);
  });
}

function checkHistogram(family: Family) {
  const groups = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const samples of groups.values()) {
    const buckets = samples.filter((sample) => sample.name === `${family.name}_bucket`);
    const count = samples.find((sample) => sample.name === `${family.name}_count`);
    const sum = samples.find((sample) => sample.name === `${family.name}_sum`);
    if (!count || !sum) throw new Error(`histogram ${family.name} lacks _count or _sum`);
    const bounds = buckets.map((sample) => {
      if (sample.labels.le === undefined) throw new Error(`histogram ${family.name} bucket without le`);
      return sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
    });
    if (bounds.at(-1) !== Infinity) throw new Error(`histogram ${family.name} lacks the +Inf bucket`);
    for (let index = 1; index < buckets.length; index++) {
      if (bounds[index]! <= bounds[index - 1]!) throw new Error(`histogram ${family.name} buckets out of order`);
      if (buckets[index]!.value < buckets[index - 1]!.value) throw new Error(`histogram ${family.name} buckets not cumulative`);
    }
    if (buckets.at(-1)!.value !== count.value) throw new Error(`histogram ${family.name}: +Inf bucket ${buckets.at(-1)!.value} ≠ _count ${count.value}`);
  }
}

/** The value of the one sample of `family` whose labels include `labels`; throws when there is not exactly one. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const family = familyOf(families, name);
  const found = (family?.samples ?? []).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]!.value;
}
