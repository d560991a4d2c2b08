// Closed-loop load: `concurrency` workers each call `once()` back to back for `seconds`.
// Returns calls/s and latency percentiles; CPU and peak RSS come from the target process
// (with `tree`, the process and its descendants: a gateway together with the servers it runs).
import { cpuSeconds, peakRss, treeCpuSeconds, treePeakRss } from './process-stats.mjs';

/**
 * CPU and memory readers for a subject: its process (or several: `pid` may be a list), or with `tree`
 * each process and its descendants. Memory is the sum of the processes' peaks.
 */
export function meters(pid, tree = false) {
  const pids = [pid].flat().filter(Boolean);
  if (pids.length === 0) return { cpu: () => Number.NaN, rss: () => Number.NaN };
  const sum = (read) => pids.reduce((total, one) => total + read(one), 0);
  return { cpu: () => sum(tree ? treeCpuSeconds : cpuSeconds), rss: () => sum(tree ? treePeakRss : peakRss) };
}

export async function closedLoop({ once, concurrency, seconds, pid, tree = false }) {
  const latencies = [];
  let errors = 0;
  const meter = meters(pid, tree);
  const cpuBefore = meter.cpu();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (index) => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await once(index);
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors++;
        if (errors === 1) process.stderr.write(`    first error: ${error?.message ?? error}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const calls = latencies.length;
  const cpu = meter.cpu() - cpuBefore;
  return {
    calls,
    errors,
    callsPerSecond: calls / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    cpuPer1000: calls ? (cpu / calls) * 1000 : Number.NaN,
    peakRss: meter.rss(),
  };
}

/** The q-quantile of an ascending list (NaN when empty). */
export const percentile = (sorted, q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : Number.NaN);

export const median = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
