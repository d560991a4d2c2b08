/** The phases git reports with `--progress`, in the order they come; each is an equal share of the total. */
const PHASES = [
  'Enumerating objects',
  'Counting objects',
  'Compressing objects',
  'Delta compression',
  'Writing objects',
  'Receiving objects',
  'Resolving deltas',
  'Updating files',
  'Checking out files',
  'Unpacking objects',
];

const METER = /^(?:remote: *)?([A-Za-z][A-Za-z ]+?):\s+(\d{1,3})% \((\d+)\/(\d+)\)/;

/**
 * Turns git's `--progress` lines (`Receiving objects:  45% (45/100)`) into MCP progress: a number that
 * only grows, out of 100, with git's line as the message. Lines that are not meters are ignored, and a
 * report is sent only when the whole percent changes.
 *
 * @example const meter = new ProgressMeter((p, total, message) => ctx.progress(p, total, message)); meter.line('Receiving objects:  50% (1/2)');
 */
export class ProgressMeter {
  #last = -1;

  constructor(private readonly report: (progress: number, total: number, message: string) => Promise<void> | void) {}

  /** Feed one stderr line. */
  line(text: string): void {
    const match = METER.exec(text);
    if (!match) return;
    const phase = PHASES.indexOf(match[1]!.trim());
    const percent = Math.min(100, Number(match[2]));
    const overall = phase < 0 ? this.#last : Math.floor(((phase + percent / 100) / PHASES.length) * 100);
    if (overall <= this.#last) return;
    this.#last = overall;
    void Promise.resolve(this.report(overall, 100, text.replace(/^remote: */, 'remote: ').trim())).catch(() => {});
  }

  /** Report completion (100 of 100) once the command succeeded. */
  done(message: string): void {
    if (this.#last >= 100) return;
    this.#last = 100;
    void Promise.resolve(this.report(100, 100, message)).catch(() => {});
  }
}
