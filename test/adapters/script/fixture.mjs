#!/usr/bin/env node
// The program the script tests run (as `node fixture.mjs MODE …`): each mode is one behaviour a real
// script shows — printing its argv or environment, reading stdin, failing, flooding its output,
// printing progress, spawning grandchildren, hanging.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const [mode, ...rest] = process.argv.slice(2);
const hang = () => setInterval(() => {}, 60_000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

switch (mode) {
  case 'argv':
    process.stdout.write(JSON.stringify(rest));
    break;
  case 'env':
    process.stdout.write(JSON.stringify({ env: process.env, cwd: process.cwd() }));
    break;
  case 'stdin': {
    const chunks = [];
    for await (const chunk of process.stdin) chunks.push(chunk);
    const data = Buffer.concat(chunks);
    process.stdout.write(JSON.stringify({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') }));
    break;
  }
  case 'exit': {
    // 30 numbered lines on stderr, a line on stdout, then the exit code asked for.
    for (let line = 1; line <= 30; line++) process.stderr.write(`problem line ${line}\n`);
    process.stdout.write('partial output\n');
    process.exitCode = Number(rest[0]);
    break;
  }
  case 'signal':
    process.kill(process.pid, 'SIGKILL');
    break;
  case 'flood': {
    const bytes = Number(rest[0]);
    const chunk = Buffer.alloc(64 * 1024, rest[1] ?? 'x');
    for (let sent = 0; sent < bytes; sent += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
      if (!process.stdout.write(part)) await new Promise((resolve) => process.stdout.once('drain', resolve));
      if (!process.stderr.write(part)) await new Promise((resolve) => process.stderr.once('drain', resolve));
    }
    break;
  }
  case 'print':
    process.stdout.write(rest[0] ?? '');
    break;
  case 'steps': {
    const [count, ms, style] = rest.map((value, index) => (index < 2 ? Number(value) : value));
    for (let step = 1; step <= count; step++) {
      process.stdout.write(style === 'percent' ? `copying… ${Math.round((step / count) * 100)}%\r` : `step ${step} of ${count}\n`);
      await sleep(ms);
    }
    process.stdout.write('done\n');
    break;
  }
  case 'hold': {
    // Record that a run started, hold for a while, then end.
    writeFileSync(`${rest[0]}/${process.pid}`, 'started');
    await sleep(Number(rest[1]));
    process.stdout.write('held');
    break;
  }
  case 'family': {
    // A child of this program, and a grandchild under it; both ignore SIGTERM, so only SIGKILL of the
    // whole group ends them. Their pids go to the file named, then this program hangs.
    const code = `
      const { spawn } = require('node:child_process');
      process.on('SIGTERM', () => {});
      const grandchild = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 60000)"], { stdio: 'ignore' });
      process.stdout.write(String(grandchild.pid));
      setInterval(() => {}, 60000);`;
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.once('data', (data) => {
      writeFileSync(rest[0], JSON.stringify({ self: process.pid, child: child.pid, grandchild: Number(String(data)) }));
      process.stdout.write('family started\n');
    });
    hang();
    break;
  }
  case 'orphan': {
    // Leaves a child behind that holds stdout open, then exits at once.
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: ['ignore', 'inherit', 'inherit'] });
    writeFileSync(rest[0], JSON.stringify({ self: process.pid, child: child.pid }));
    process.stdout.write('left a child behind\n');
    process.exit(0);
    break;
  }
  case 'hang':
    if (rest[0]) writeFileSync(rest[0], String(process.pid));
    hang();
    break;
  default:
    process.stderr.write(`fixture.mjs: unknown mode ${mode}\n`);
    process.exitCode = 64;
}
