#!/usr/bin/env node
// npm run bench [-- --quick] [-- --scenario NAME]: runs scenarios, alternating each reference with
// MCPEG round by round after a warm-up, then writes docs/benchmarks.md and one SVG per scenario.
import { cpus, totalmem } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { alternate } from './lib/alternate.mjs';
import { writeReport } from './lib/report.mjs';

const SCENARIOS = {
  http: () => import('./scenarios/http.mjs'),
  stdio: () => import('./scenarios/stdio.mjs'),
  passthrough: () => import('./scenarios/passthrough.mjs'),
  sql: () => import('./scenarios/sql.mjs'),
  memory: () => import('./scenarios/memory.mjs'),
  catalog: () => import('./scenarios/catalog.mjs'),
  coldstart: () => import('./scenarios/coldstart.mjs'),
  sessions: () => import('./scenarios/sessions.mjs'),
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--scenario') ? args[args.indexOf('--scenario') + 1] : undefined;
if (args.includes('--help')) {
  console.log(`usage: npm run bench [-- --quick] [-- --scenario ${Object.keys(SCENARIOS).join('|')}]`);
  process.exit(0);
}
if (args.includes('--scenario') && !SCENARIOS[only]) {
  console.error(`unknown scenario "${only ?? ''}"; known: ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s`;
const log = (message) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);
// --quick is a smoke run of every scenario (under two minutes in all); its numbers are indicative only.
const plan = quick ? { rounds: 2, seconds: 0.4, warmup: 0.2 } : { rounds: 5, seconds: 8, warmup: 3 };
const machine = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const resultFile = (name) => fileURLToPath(new URL(`./results/${name}.json`, import.meta.url));
const failed = [];

for (const name of only ? [only] : Object.keys(SCENARIOS)) {
  const scenario = (await SCENARIOS[name]()).default;
  const base = { scenario: name, title: scenario.title, description: scenario.description, date: new Date().toISOString().slice(0, 10), quick, machine };
  log(`scenario ${name}: ${scenario.title}`);
  try {
    const result = await runScenario(scenario);
    writeFileSync(resultFile(name), `${JSON.stringify({ ...base, ...result }, null, 2)}\n`);
  } catch (error) {
    // One scenario failing (a missing database, a plugin not there yet) must not hide the others;
    // its result file says why, so the report never shows stale numbers as current.
    log(`scenario ${name} FAILED: ${error.message}`);
    failed.push(name);
    writeFileSync(resultFile(name), `${JSON.stringify({ ...base, failed: error.message }, null, 2)}\n`);
  }
}
writeReport();
log(`wrote docs/benchmarks.md${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);

async function runScenario(scenario) {
  const state = await scenario.setup({ log, quick, plan });
  try {
    const outcome = scenario.run
      ? await scenario.run({ state, log, quick, plan, machine })
      : { rows: await alternate({ subjects: typeof scenario.subjects === 'function' ? scenario.subjects(state) : scenario.subjects, state, plan, concurrency: scenario.concurrency, log }) };
    const byName = Object.fromEntries(outcome.rows.map((row) => [row.name, row]));
    const ratios = scenario.ratios(byName, state);
    for (const ratio of ratios) log(`  ${ratio.label}: ${ratio.measured ?? `${ratio.value.toFixed(2)}×`} (target ${ratio.target})${ratio.met === undefined ? '' : ratio.met ? ' met' : ' NOT met'}`);
    return {
      rounds: outcome.rounds ?? plan.rounds,
      seconds: outcome.seconds ?? plan.seconds,
      warmup: outcome.warmup ?? plan.warmup,
      concurrency: scenario.concurrency,
      versions: { node: process.version, ...state.versions },
      columns: outcome.columns,
      method: outcome.method,
      rows: outcome.rows,
      ratios,
      chart: outcome.chart ?? { rows: outcome.rows.map((row) => ({ label: row.name, value: row.callsPerSecond, highlight: row.name.startsWith('MCPEG') })) },
      notes: scenario.notes?.(byName, state) ?? [],
    };
  } finally {
    await scenario.cleanup?.(state);
  }
}
