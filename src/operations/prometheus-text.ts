/** Label names to values for one sample. */
export type Labels = Readonly<Record<string, string>>;

/**
 * Writes the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then samples, with
 * label values and help text escaped as the format requires.
 *
 * @example const out = new PrometheusText(); out.family('mcpeg_up', 'gauge', 'Up'); out.sample('mcpeg_up', {}, 1); out.toString();
 */
export class PrometheusText {
  #lines: string[] = [];

  family(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${name} ${type}`);
    return this;
  }

  sample(name: string, labels: Labels, value: number): this {
    this.#lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }

  toString(): string {
    return `${this.#lines.join('\n')}\n`;
  }
}

export function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([key, value]) => `${key}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** Latency buckets in seconds: 5 ms to 60 s. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** A cumulative histogram for one label set. */
export class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let index = 0; index < LATENCY_BUCKETS.length; index++) if (seconds <= LATENCY_BUCKETS[index]!) this.counts[index]!++;
  }

  write(out: PrometheusText, name: string, labels: Labels): void {
    LATENCY_BUCKETS.forEach((bound, index) => out.sample(`${name}_bucket`, { ...labels, le: String(bound) }, this.counts[index]!));
    out.sample(`${name}_bucket`, { ...labels, le: '+Inf' }, this.count);
    out.sample(`${name}_sum`, labels, this.sum);
    out.sample(`${name}_count`, labels, this.count);
  }
}
