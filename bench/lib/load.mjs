// Closed-loop load: `concurrency` workers each call `once()` back to back for `seconds`.
// Returns calls/s and latency percentiles; CPU and peak RSS come from the target process.
import { cpuSeconds, peakRss } from './process-stats.mjs';

export async function closedLoop({ once, concurrency, seconds, pid }) {
  const latencies = [];
  let errors = 0;
  const cpuBefore = pid ? cpuSeconds(pid) : 0;
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
  const pick = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : Number.NaN);
  const calls = latencies.length;
  const cpu = pid ? cpuSeconds(pid) - cpuBefore : Number.NaN;
  return {
    calls,
    errors,
    callsPerSecond: calls / elapsed,
    p50: pick(0.5),
    p99: pick(0.99),
    cpuPer1000: calls ? (cpu / calls) * 1000 : Number.NaN,
    peakRss: pid ? peakRss(pid) : Number.NaN,
  };
}

export const median = (values) => {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
