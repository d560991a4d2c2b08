#!/usr/bin/env node
// npm run bench [-- --quick] [-- --scenario NAME]: runs scenarios, alternating each reference with
// MCPEG round by round after a warm-up, then writes docs/benchmarks.md and one SVG per scenario.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { closedLoop, median } from './lib/load.mjs';
import { writeReport } from './lib/report.mjs';

const SCENARIOS = {
  sql: () => import('./scenarios/sql.mjs'),
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--scenario') ? args[args.indexOf('--scenario') + 1] : undefined;
if (args.includes('--help')) {
  console.log(`usage: npm run bench [-- --quick] [-- --scenario ${Object.keys(SCENARIOS).join('|')}]`);
  process.exit(0);
}
if (only && !SCENARIOS[only]) {
  console.error(`unknown scenario "${only}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const log = (message) => process.stderr.write(`[bench] ${message}\n`);
const plan = quick ? { rounds: 2, seconds: 3, warmup: 1 } : { rounds: 5, seconds: 8, warmup: 3 };
const machine = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

for (const name of only ? [only] : Object.keys(SCENARIOS)) {
  const scenario = (await SCENARIOS[name]()).default;
  log(`scenario ${name}: ${scenario.title}`);
  const state = await scenario.setup({ log, quick });
  try {
    const samples = new Map(scenario.subjects.map((subject) => [subject.name, []]));
    const running = [];
    for (const subject of scenario.subjects) {
      log(`  starting ${subject.name}`);
      running.push({ subject, handle: await subject.start(state) });
    }
    for (const { subject, handle } of running) {
      log(`  warm-up ${subject.name} (${plan.warmup} s)`);
      await closedLoop({ once: handle.once, concurrency: scenario.concurrency, seconds: plan.warmup, pid: handle.pid });
    }
    for (let round = 1; round <= plan.rounds; round++) {
      for (const { subject, handle } of running) {
        const result = await closedLoop({ once: handle.once, concurrency: scenario.concurrency, seconds: plan.seconds, pid: handle.pid });
        samples.get(subject.name).push(result);
        log(`  round ${round}/${plan.rounds} ${subject.name}: ${Math.round(result.callsPerSecond)} calls/s, p50 ${result.p50.toFixed(2)} ms${result.errors ? `, ${result.errors} errors` : ''}`);
      }
    }
    for (const { handle } of running) await handle.stop();
    const rows = scenario.subjects.map((subject) => {
      const runs = samples.get(subject.name);
      const pick = (key) => median(runs.map((run) => run[key]));
      return {
        name: subject.name,
        callsPerSecond: pick('callsPerSecond'),
        p50: pick('p50'),
        p99: pick('p99'),
        cpuPer1000: pick('cpuPer1000'),
        peakRss: Math.max(...runs.map((run) => run.peakRss)),
        errors: runs.reduce((sum, run) => sum + run.errors, 0),
      };
    });
    const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
    const ratios = scenario.ratios(byName);
    for (const ratio of ratios) log(`  ${ratio.label}: ${ratio.value.toFixed(2)}× (target ${ratio.target}) ${ratio.met ? 'met' : 'NOT met'}`);
    const result = {
      scenario: name,
      title: scenario.title,
      description: scenario.description,
      date: new Date().toISOString().slice(0, 10),
      quick,
      machine,
      rounds: plan.rounds,
      seconds: plan.seconds,
      warmup: plan.warmup,
      concurrency: scenario.concurrency,
      versions: { node: process.version, ...state.versions },
      rows,
      ratios,
      chart: rows.map((row) => ({ label: row.name, value: row.callsPerSecond, highlight: row.name.startsWith('MCPEG') })),
      notes: scenario.notes?.(byName) ?? [],
    };
    writeFileSync(fileURLToPath(new URL(`./results/${name}.json`, import.meta.url)), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await scenario.cleanup(state);
  }
}
writeReport();
log('wrote docs/benchmarks.md');
