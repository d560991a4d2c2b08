/** ADR-020 lifecycle phases. `loading` = declared and waiting for its first call (services start lazily). */
export const PHASES = ['loading', 'initializing', 'running', 'stopping', 'stopped', 'failed'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * Runs `work` with a deadline: its signal aborts at `ms`, and the returned promise rejects at `ms`
 * even if `work` ignores the signal (a hung plugin cannot hang the gateway).
 */
export async function withDeadline<T>(ms: number, onTimeout: () => Error, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = onTimeout();
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => work(controller.signal)), deadline]);
  } finally {
    clearTimeout(timer);
    deadline.catch(() => {});
  }
}

/** Exponential backoff with a cap: 1 s, 2 s, 4 s … `maxMs`. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
}
