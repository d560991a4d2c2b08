/** The shortest gap between two progress notifications of one call; lines in between are summed up by the next. */
const MIN_INTERVAL_MS = 50;
const MESSAGE_CHARS = 200;

type Report = (progress: number, total?: number, message?: string) => Promise<void>;

/**
 * Turns stdout lines into progress notifications. `lines`: every non-empty line is a step (progress
 * is the line count, the line the message). A pattern: only matching lines count, and its first
 * capture group is a percentage (progress of 100). Notifications are paced and always increase; a
 * client that asked for no progress costs nothing (`report` is then a no-op).
 *
 * @example const progress = new LineProgress(/(\d+)%/, ctx.progress); progress.line('copied 40%'); await progress.done();
 */
export class LineProgress {
  readonly #pattern: RegExp | undefined;
  readonly #report: Report;
  #count = 0;
  #last = 0;
  #sentAt = 0;
  #pending: { progress: number; total: number | undefined; message: string } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(mode: 'lines' | RegExp, report: Report) {
    this.#pattern = mode === 'lines' ? undefined : mode;
    this.#report = report;
  }

  line(text: string): void {
    const line = text.trim();
    if (line === '') return;
    let progress: number;
    let total: number | undefined;
    if (this.#pattern) {
      const match = this.#pattern.exec(line);
      const value = match ? Number(match[1]) : Number.NaN;
      if (!Number.isFinite(value)) return;
      progress = Math.min(100, value);
      total = 100;
    } else {
      progress = ++this.#count;
    }
    if (progress <= this.#last) return;
    this.#last = progress;
    this.#pending = { progress, total, message: line.slice(0, MESSAGE_CHARS) };
    const wait = this.#sentAt + MIN_INTERVAL_MS - Date.now();
    if (wait <= 0) this.#send();
    else this.#timer ??= setTimeout(() => this.#send(), wait);
  }

  /** Sends what is pending and waits for every notification to go out (before the result does). */
  async done(): Promise<void> {
    this.#send();
    await this.#chain;
  }

  #send() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    this.#sentAt = Date.now();
    this.#chain = this.#chain.then(() => this.#report(pending.progress, pending.total, pending.message)).catch(() => {});
  }
}
