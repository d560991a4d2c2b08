#!/usr/bin/env node
/**
 * `npm run conformance`: runs the official MCP conformance suite against the real gateway.
 *
 * 1. Installs Node 22 and the suite into .conformance/tools (npm registry, once; the suite needs Node 22).
 * 2. For each target, starts `mcpeg serve` on a free loopback port and runs the suite against it:
 *    - plugin: test/fixtures/conformance/mcpeg.yaml, whose plugin provides the tools, resources and
 *      prompts the suite calls (logs: .conformance/gateway.log);
 *    - federation-stdio: the same fixture as a separate upstream MCP server — another mcpeg process on
 *      stdio, launched by the gateway's `mcp` service (test/fixtures/upstreams/federation-stdio.yaml);
 *    - federation-http: the same, the upstream mcpeg serving Streamable HTTP on its own port
 *      (test/fixtures/upstreams/federation-http.yaml).
 *    Federation logs go to .conformance/<target>/.
 * 3. Runs the suite for the 2025-11-25 requirements (sessions) and the 2026-07-28 ones (stateless).
 * 4. Prints each run's `Total:` line and every FAILURE check from the per-scenario checks.json files.
 *
 * `node scripts/conformance.mjs federation-http` runs only the named targets (default: all).
 *
 * The suite's exit code is the verdict: it is 1 when a *scored* scenario failed. Not-scored scenarios
 * (pending or extension ones) are listed for information only. Exits non-zero when a run failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, '.conformance');
const TOOLS = join(WORK, 'tools');
const SUITE_PACKAGE = '@modelcontextprotocol/conformance';
const SUITE_VERSION = '0.2.0-alpha.12';
const NODE_MAJOR = 22;
const REQUIREMENTS = ['2025-11-25', '2026-07-28'];
const GATEWAY_MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const CONFIG = join(ROOT, 'test', 'fixtures', 'conformance', 'mcpeg.yaml');
const GATEWAY_LOG = join(WORK, 'gateway.log');
const UPSTREAMS = join(ROOT, 'test', 'fixtures', 'upstreams');
/**
 * What the suite runs against. `outDir` keeps the plugin run's results where they always were;
 * `upstream: true` starts the fixture as a separate mcpeg HTTP server first (its URL goes to the
 * gateway's config as MCPEG_UPSTREAM_URL).
 */
const TARGETS = [
  { name: 'plugin', config: CONFIG, log: GATEWAY_LOG, outDir: (requirements) => join(WORK, requirements) },
  {
    name: 'federation-stdio',
    config: join(UPSTREAMS, 'federation-stdio.yaml'),
    log: join(WORK, 'federation-stdio', 'gateway.log'),
    outDir: (requirements) => join(WORK, 'federation-stdio', requirements),
  },
  {
    name: 'federation-http',
    config: join(UPSTREAMS, 'federation-http.yaml'),
    log: join(WORK, 'federation-http', 'gateway.log'),
    upstreamLog: join(WORK, 'federation-http', 'upstream.log'),
    outDir: (requirements) => join(WORK, 'federation-http', requirements),
    upstream: true,
  },
];
const READY_TIMEOUT_MS = 20_000;
/** Each scenario has its own 30 s timeout; this only guards against a suite that hangs altogether. */
const RUN_TIMEOUT_MS = 20 * 60_000;
const STOP_TIMEOUT_MS = 15_000;
const LOG_TAIL_LINES = 60;

/** Child processes still running, stopped on every way out (normal end, error, signal). */
let gateway;
let upstream;
let suite;
/** Set once a signal or the end of main() started the shutdown. */
let stopping = false;

function say(message) {
  console.log(`[conformance] ${message}`);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function exited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves with the exit code (or signal name) once `child` is gone. */
function whenExited(child) {
  if (exited(child)) return Promise.resolve(child.exitCode ?? child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
}

/** SIGTERM, then SIGKILL if it is still there after `graceMs`; waits until it is gone. */
async function stop(child, graceMs) {
  if (!child || child.pid === undefined || exited(child)) return;
  const gone = whenExited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (!exited(child)) child.kill('SIGKILL');
  }, graceMs);
  await gone;
  clearTimeout(timer);
}

function tail(file, lines = LOG_TAIL_LINES) {
  if (!existsSync(file)) return `(${relative(ROOT, file)} does not exist)`;
  const all = readFileSync(file, 'utf8').trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

function printGatewayLog(file = GATEWAY_LOG) {
  console.log(`\n----- last ${LOG_TAIL_LINES} lines of ${relative(ROOT, file)} -----`);
  console.log(tail(file));
  console.log('----- end of gateway log -----\n');
}

// ---------------------------------------------------------------------------------------------------
// Tools: Node 22 and the suite, from the npm registry, cached in .conformance/tools.

function suitePaths() {
  const packageDir = join(TOOLS, 'node_modules', ...SUITE_PACKAGE.split('/'));
  const node = join(TOOLS, 'node_modules', '.bin', process.platform === 'win32' ? 'node.cmd' : 'node');
  return { packageDir, node };
}

/** Returns { node, bin } when the cached tools are the expected versions, else a reason. */
function inspectTools() {
  const { packageDir, node } = suitePaths();
  const manifestPath = join(packageDir, 'package.json');
  if (!existsSync(manifestPath)) return { problem: `${SUITE_PACKAGE} is not installed` };
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (manifest.version !== SUITE_VERSION)
    return { problem: `${SUITE_PACKAGE} is ${manifest.version}, not ${SUITE_VERSION}` };
  const binEntry = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.conformance;
  if (!binEntry) return { problem: `${SUITE_PACKAGE} declares no conformance binary` };
  const probe = existsSync(node) ? spawnSync(node, ['--version'], { encoding: 'utf8' }) : undefined;
  const version = probe?.status === 0 ? probe.stdout.trim() : undefined;
  if (!version) return { problem: `no working node binary at ${relative(ROOT, node)}` };
  if (!version.startsWith(`v${NODE_MAJOR}.`))
    return { problem: `${relative(ROOT, node)} is ${version}, not Node ${NODE_MAJOR}` };
  return { node, bin: join(packageDir, binEntry), nodeVersion: version };
}

function ensureTools() {
  let tools = inspectTools();
  if (!tools.problem) return tools;
  say(
    `installing Node ${NODE_MAJOR} and ${SUITE_PACKAGE}@${SUITE_VERSION} into ${relative(ROOT, TOOLS)} (${tools.problem})`,
  );
  mkdirSync(TOOLS, { recursive: true });
  const manifest = join(TOOLS, 'package.json');
  if (!existsSync(manifest)) {
    // The `node` package fetches the platform's binary in a preinstall script: allow that one explicitly,
    // since newer npm versions block unreviewed install scripts.
    const content = { name: 'mcpeg-conformance-tools', private: true, allowScripts: { node: true } };
    writeFileSync(manifest, `${JSON.stringify(content, null, 2)}\n`);
  }
  // Under `npm run`, npm_execpath names the npm that runs us; otherwise use the one on PATH.
  const npm = process.env.npm_execpath?.endsWith('.js')
    ? { command: process.execPath, args: [process.env.npm_execpath] }
    : { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
  const args = [
    ...npm.args,
    'install',
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--prefix',
    TOOLS,
    `node@${NODE_MAJOR}`,
    `${SUITE_PACKAGE}@${SUITE_VERSION}`,
  ];
  const result = spawnSync(npm.command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`npm install failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`})`);
  }
  tools = inspectTools();
  if (tools.problem) throw new Error(`tools are unusable after npm install: ${tools.problem}`);
  return tools;
}

// ---------------------------------------------------------------------------------------------------
// The gateway under test.

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `mcpeg serve --http 127.0.0.1:<port>` with `config`, logging to `logFile`. */
function startServe({ config, port, logFile, env = {} }) {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = openSync(logFile, 'w');
  let child;
  try {
    child = spawn(process.execPath, [GATEWAY_MAIN, 'serve', '--config', config, '--http', `127.0.0.1:${port}`], {
      cwd: ROOT,
      stdio: ['ignore', log, log],
      // MCPEG_NODE / MCPEG_ROOT let the federation configs launch an upstream mcpeg on stdio.
      env: { ...process.env, NO_COLOR: '1', MCPEG_NODE: process.execPath, MCPEG_ROOT: ROOT, ...env },
    });
  } finally {
    closeSync(log); // the child holds its own copy of the descriptor
  }
  child.once('error', (error) => say(`mcpeg process error: ${error.message}`));
  return child;
}

function startGateway(port, target, env) {
  gateway = startServe({ config: target.config, port, logFile: target.log, env });
  return gateway;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function waitUntilListening(port, child = gateway, what = 'the gateway') {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (stopping) throw new Error('interrupted');
    if (exited(child)) {
      throw new Error(`${what} exited during startup (${child.exitCode ?? child.signalCode})`);
    }
    if (await canConnect(port)) return;
    await sleep(200);
  }
  throw new Error(`${what} did not accept connections on 127.0.0.1:${port} within ${READY_TIMEOUT_MS / 1000} s`);
}

// ---------------------------------------------------------------------------------------------------
// One suite run and its results.

/** Forwards the suite's output to its log file; echoes scenario progress and the closing summary. */
function forwardOutput(stream, requirements, sink, { echoAll }) {
  let pending = '';
  let inSummary = false;
  stream.setEncoding('utf8');
  const handle = (line) => {
    sink.push(line);
    const scenario = /^=== Running scenario: (.+) ===$/.exec(line);
    if (scenario) say(`[${requirements}] ${scenario[1]}`);
    else if (line.startsWith('=== SUMMARY ===')) inSummary = true;
    if (echoAll || inSummary) console.log(line);
  };
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) handle(line.replace(/\r$/, ''));
  });
  stream.on('end', () => {
    if (pending) handle(pending);
  });
}

async function runSuite(tools, url, requirements, target) {
  const outDir = target.outDir(requirements);
  rmSync(outDir, { recursive: true, force: true }); // stale checks.json files would be misread as this run's
  const args = [tools.bin, 'server', '--url', url, '--requirements', requirements, '-o', outDir];
  say(`running the suite for ${requirements} → ${relative(ROOT, outDir)}`);
  const stdout = [];
  const stderr = [];
  suite = spawn(tools.node, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close' (not 'exit') fires once the output pipes are drained too, so the summary is never cut off.
  const closed = new Promise((resolve) => suite.once('close', (code, signal) => resolve(code ?? signal)));
  forwardOutput(suite.stdout, requirements, stdout, { echoAll: false });
  forwardOutput(suite.stderr, requirements, stderr, { echoAll: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    say(`[${requirements}] the suite ran longer than ${RUN_TIMEOUT_MS / 60_000} min: stopping it`);
    void stop(suite, 5_000);
  }, RUN_TIMEOUT_MS);
  const spawnError = new Promise((resolve) => suite.once('error', resolve));
  const outcome = await Promise.race([closed, spawnError]);
  clearTimeout(timer);
  suite = undefined;
  const suiteLog = target.name === 'plugin' ? `suite-${requirements}.log` : `suite-${target.name}-${requirements}.log`;
  writeFileSync(join(WORK, suiteLog), [...stdout, ...stderr].join('\n'));
  if (outcome instanceof Error) throw new Error(`could not start the suite: ${outcome.message}`);

  const output = stdout.join('\n');
  const total = /^Total: .*$/m.exec(output)?.[0];
  const notScored = notScoredScenarios(output);
  const failures = readFailures(outDir).map((failure) => ({ ...failure, scored: !notScored.has(failure.scenario) }));
  return { target: target.name, requirements, exitCode: outcome, timedOut, total, failures };
}

/** Names the suite lists under "Not scored for …": their failures do not affect its exit code. */
function notScoredScenarios(output) {
  const names = new Set();
  const start = output.search(/^Not scored for /m);
  if (start < 0) return names;
  for (const line of output.slice(start).split('\n').slice(1)) {
    const match = /^\s+[✓✗]\s+(\S+)/.exec(line);
    if (!match) break;
    names.add(match[1]);
  }
  return names;
}

/** Every FAILURE check of every scenario directory (`server-<scenario>-<timestamp>/checks.json`). */
function readFailures(outDir) {
  if (!existsSync(outDir)) return [];
  const failures = [];
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const scenario = /^(?:server-)?(.+?)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(entry.name)?.[1] ?? entry.name;
    const file = join(outDir, entry.name, 'checks.json');
    if (!existsSync(file)) continue;
    let checks;
    try {
      checks = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      failures.push({ scenario, id: '(checks.json)', message: `unreadable: ${error.message}` });
      continue;
    }
    for (const check of Array.isArray(checks) ? checks : []) {
      if (check?.status !== 'FAILURE') continue;
      failures.push({ scenario, id: check.id, message: check.errorMessage ?? check.description ?? '' });
    }
  }
  return failures.sort((a, b) => a.scenario.localeCompare(b.scenario) || String(a.id).localeCompare(String(b.id)));
}

function report(run) {
  const scored = run.failures.filter((failure) => failure.scored);
  const unscored = run.failures.filter((failure) => !failure.scored);
  const label = `${run.target} ${run.requirements}`;
  console.log('');
  say(`${label}: ${run.total ?? 'no Total: line in the suite output'} (suite exit code ${run.exitCode})`);
  if (run.timedOut) say(`${label}: the suite was stopped after ${RUN_TIMEOUT_MS / 60_000} min`);
  const print = (title, list) => {
    if (list.length === 0) return;
    say(`${label}: ${title} (${list.length})`);
    for (const { scenario, id, message } of list) console.log(`  ✗ ${scenario} › ${id}: ${message}`);
  };
  print('FAILURE checks in scored scenarios', scored);
  print('FAILURE checks in not-scored scenarios (informational)', unscored);
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(GATEWAY_MAIN)) {
    throw new Error(
      `${relative(ROOT, GATEWAY_MAIN)} is missing: run \`npm run build\` first (npm run conformance does)`,
    );
  }
  const tools = ensureTools();
  say(`suite ${SUITE_PACKAGE}@${SUITE_VERSION} on Node ${tools.nodeVersion}`);

  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !TARGETS.some((target) => target.name === name));
  if (unknown.length > 0) throw new Error(`unknown target(s) ${unknown.join(', ')}: choose from ${TARGETS.map((t) => t.name).join(', ')}`);
  const targets = TARGETS.filter((target) => wanted.length === 0 || wanted.includes(target.name));

  const runs = [];
  for (const target of targets) {
    const result = await runTarget(tools, target);
    if (result === 'interrupted') return 1;
    runs.push(...result.runs);
    if (result.broken) {
      printGatewayLog(target.log);
      if (target.upstreamLog) printGatewayLog(target.upstreamLog);
      return 1;
    }
  }

  const failed = runs.filter((run) => run.exitCode !== 0);
  console.log('');
  say('summary');
  for (const run of runs) {
    const scored = run.failures.filter((failure) => failure.scored).length;
    const verdict = run.exitCode === 0 ? 'PASS' : 'FAIL';
    console.log(
      `  ${verdict} ${run.target} ${run.requirements}: ${run.total ?? '(no total)'}; ` +
        `FAILURE checks: ${scored} scored, ${run.failures.length - scored} not scored; suite exit ${run.exitCode}`,
    );
  }
  for (const target of new Set(failed.map((run) => TARGETS.find((t) => t.name === run.target)))) {
    printGatewayLog(target.log);
    if (target.upstreamLog) printGatewayLog(target.upstreamLog);
  }
  // The closing line counts suite runs (a run passes with 0 scored failures); the suite's own "Total:"
  // lines above include not-scored scenarios, which never fail a run.
  console.log(`conformance: ${runs.length - failed.length} passed, ${failed.length} failed`);
  return failed.length > 0 ? 1 : 0;
}

/** Starts the target's gateway (and upstream), runs both requirement sets, stops what it started. */
async function runTarget(tools, target) {
  let env = {};
  if (target.upstream) {
    const upstreamPort = await freePort();
    say(`[${target.name}] starting the upstream fixture server on 127.0.0.1:${upstreamPort} (logs: ${relative(ROOT, target.upstreamLog)})`);
    upstream = startServe({ config: CONFIG, port: upstreamPort, logFile: target.upstreamLog });
    await waitUntilListening(upstreamPort, upstream, 'the upstream fixture server');
    env = { MCPEG_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}/mcp` };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/mcp`;
  say(`[${target.name}] starting the gateway on 127.0.0.1:${port} (logs: ${relative(ROOT, target.log)})`);
  startGateway(port, target, env);
  try {
    await waitUntilListening(port);
  } catch (error) {
    printGatewayLog(target.log);
    throw error;
  }
  say(`[${target.name}] gateway ready at ${url}`);
  const runs = [];
  let broken = false;
  for (const requirements of REQUIREMENTS) {
    const run = await runSuite(tools, url, requirements, target);
    if (stopping) return 'interrupted'; // shutdown() reports nothing more and stops the gateway
    runs.push(run);
    report(run);
    for (const [child, what] of [
      [gateway, 'the gateway'],
      [upstream, 'the upstream fixture server'],
    ]) {
      if (child && exited(child)) {
        say(`[${target.name}] ${what} exited during the ${requirements} run (${child.exitCode ?? child.signalCode})`);
        broken = true;
      }
    }
    if (broken) break;
  }
  await stop(gateway, STOP_TIMEOUT_MS);
  await stop(upstream, STOP_TIMEOUT_MS);
  gateway = undefined;
  upstream = undefined;
  return { runs, broken };
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  await stop(suite, 5_000);
  await stop(gateway, STOP_TIMEOUT_MS);
  await stop(upstream, STOP_TIMEOUT_MS);
  process.exit(code);
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
]) {
  process.on(signal, () => {
    say(`${signal}: stopping`);
    void shutdown(code);
  });
}
// Last resort (e.g. process.exit elsewhere): never leave a gateway behind.
process.on('exit', () => {
  for (const child of [suite, gateway, upstream]) if (child && !exited(child)) child.kill('SIGKILL');
});

main().then(
  (code) => shutdown(code),
  (error) => {
    say(`error: ${error?.message ?? String(error)}`);
    return shutdown(1);
  },
);
