// 1,000 concurrent legacy (2025-era) sessions on MCPEG's HTTP front door for 60 s: every session opens
// with initialize, calls the echo tool with a random think time between calls, and ends with DELETE.
// Reports errors (target: none) and the resident memory each idle session costs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median, percentile } from '../lib/load.mjs';
import { cpuSeconds, currentRss, peakRss } from '../lib/process-stats.mjs';
import { ECHO_PLUGIN, ROOT, startMcpegHttp, writeConfig } from '../lib/processes.mjs';
import { LEGACY, openLegacySession, rpcMessage, toolCallRequest } from '../lib/raw-load.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ARGS = { text: 'hello from a session' };

/** Runs `task` over `items` with at most `limit` at a time. */
async function pool(items, limit, task) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

/** RSS read a few times after a pause; the median smooths out a collection caught mid-way. */
async function settledRss(pid, ms) {
  const reads = [];
  for (let index = 0; index < 5; index++) {
    await sleep(ms / 5);
    reads.push(currentRss(pid));
  }
  return median(reads);
}

export default {
  title: '1,000 concurrent legacy sessions',
  description:
    'MCPEG on HTTP with the echo plugin; 1,000 2025-era sessions (`initialize` + `notifications/initialized`, then `Mcp-Session-Id` on every ' +
    'request) opened from the benchmark process, all kept alive for 60 s while each calls the echo tool after a random think time of 0–2 s ' +
    '(one call in flight per session at most: up to about 1,000 calls/s offered), then closed with DELETE. **RSS per idle session**: resident memory after ' +
    'opening the sessions minus before, divided by their number, read with the sessions idle. Targets: 0 errors; RSS per idle session ≤ 20 KB.',
  async setup({ quick }) {
    // Sized for this load: the echo service may run every session's call at once.
    const config = writeConfig(
      `global: { log_level: warn }\nplugins:\n  echo:\n    module: ${JSON.stringify(ECHO_PLUGIN)}\n    bulkhead: { max_concurrent: 2000, max_queue: 2000 }\n`,
    );
    const server = await startMcpegHttp(config);
    return {
      server,
      sessions: quick ? 100 : 1000,
      seconds: quick ? 3 : 60,
      settleMs: quick ? 300 : 2000,
      thinkMs: quick ? 500 : 2000,
      versions: { mcpeg: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version },
    };
  },
  async run({ state, log, quick, machine }) {
    const { url, pid } = state.server;
    const errors = { open: 0, call: 0, close: 0 };
    let firstError;
    const fail = (kind, error) => {
      errors[kind]++;
      firstError ??= `${kind}: ${error.message}`;
    };
    // Warm the path once so the baseline includes everything a first session loads.
    const warm = await openLegacySession(url);
    await callOnce(url, warm);
    const before = await settledRss(pid, state.settleMs);

    log(`  opening ${state.sessions} sessions`);
    const ids = [];
    await pool(Array.from({ length: state.sessions }, (_, index) => index), 50, async () => {
      try {
        const id = await openLegacySession(url);
        if (!id) throw new Error('no Mcp-Session-Id in the initialize answer');
        ids.push(id);
      } catch (error) {
        fail('open', error);
      }
    });
    const idle = await settledRss(pid, state.settleMs);
    const perSession = (idle - before) / Math.max(1, ids.length);
    log(`  ${ids.length} sessions open; RSS ${Math.round(before / 1e6)} → ${Math.round(idle / 1e6)} MB, ${(perSession / 1e3).toFixed(1)} KB per idle session`);

    log(`  every session calling for ${state.seconds} s`);
    const latencies = [];
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const deadline = started + state.seconds * 1000;
    const think = () => sleep(Math.min(Math.random() * state.thinkMs, Math.max(0, deadline - performance.now())));
    await Promise.all(
      ids.map(async (id) => {
        await think();
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await callOnce(url, id);
            latencies.push(performance.now() - t0);
          } catch (error) {
            fail('call', error);
          }
          await think();
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(pid) - cpuBefore;
    latencies.sort((a, b) => a - b);

    await pool(ids, 50, async (id) => {
      try {
        const response = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': LEGACY } });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`DELETE answered HTTP ${response.status}`);
      } catch (error) {
        fail('close', error);
      }
    });
    const total = errors.open + errors.call + errors.close;
    if (firstError) log(`  first error: ${firstError}`);
    log(`  ${latencies.length} calls, ${total} errors (open ${errors.open}, call ${errors.call}, close ${errors.close})`);
    const rows = [
      {
        name: `MCPEG, ${state.sessions.toLocaleString('en-US')} legacy sessions`,
        sessions: ids.length,
        calls: latencies.length,
        callsPerSecond: latencies.length / elapsed,
        p50: percentile(latencies, 0.5),
        p99: percentile(latencies, 0.99),
        errors: total,
        cpuPer1000: latencies.length ? (cpu / latencies.length) * 1000 : Number.NaN,
        peakRss: peakRss(pid),
        perSession,
      },
    ];
    return {
      rows,
      errors,
      firstError,
      method: `Run ${new Date().toISOString().slice(0, 10)}${quick ? ' (--quick)' : ''} on ${machine}; ${state.sessions} sessions for ${state.seconds} s with think times of 0–${state.thinkMs / 1000} s; RSS read over ${state.settleMs} ms of idleness.`,
      columns: [
        { key: 'sessions', label: 'sessions' },
        { key: 'calls', label: 'calls' },
        { key: 'callsPerSecond', label: 'calls/s' },
        { key: 'p50', label: 'p50 ms', digits: 2 },
        { key: 'p99', label: 'p99 ms', digits: 2 },
        { key: 'errors', label: 'errors' },
        { key: 'cpuPer1000', label: 'CPU s / 1,000 calls', digits: 3 },
        { key: 'peakRss', label: 'peak RSS', unit: 'MB' },
        { key: 'perSession', label: 'RSS per idle session', unit: 'KB' },
      ],
    };
  },
  ratios(rows) {
    const [row] = Object.values(rows);
    return [
      { label: 'errors', value: row.errors, measured: String(row.errors), target: '0', met: row.errors === 0 },
      { label: 'RSS per idle session', value: row.perSession, measured: `${(row.perSession / 1e3).toFixed(1)} KB`, target: '≤ 20 KB', met: row.perSession <= 20e3 },
    ];
  },
  notes: (rows) => [
    ...Object.values(rows)
      .filter((row) => row.perSession > 20e3)
      .map(
        (row) =>
          `**RSS per idle session not met** (${(row.perSession / 1e3).toFixed(0)} KB, ${(row.perSession / 20e3).toFixed(1)}× the target): every legacy session holds its own SDK \`Server\` ` +
          '(with the gateway\'s request handlers registered on it) and a Streamable HTTP transport (`src/transports/legacy-sessions.ts`, `mcp-server.ts`). ' +
          'Opening sessions without them until first needed would meet the target here, but not for the SDK\'s own client, which opens the GET ' +
          'notification stream (served by that transport) right after `initialize`; it was left for a session layer of the gateway\'s own.',
      ),
    'Sessions are opened 50 at a time with raw `fetch` (undici), not the SDK client, so that 1,000 of them fit in the benchmark process; each call carries the headers the SDK v2 client sends in the 2025 era.',
    'RSS is the median of five reads over the settle time, before and after opening the sessions; garbage collection timing makes the per-session figure approximate.',
  ],
  async cleanup(state) {
    await state.server.stop();
  },
};

async function callOnce(url, sessionId) {
  const { headers, body } = toolCallRequest('legacy', 'echo__echo', ARGS, sessionId);
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  const message = rpcMessage(text);
  if (message.error || message.result?.isError) throw new Error(`answer: ${JSON.stringify(message).slice(0, 200)}`);
}
