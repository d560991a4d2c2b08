// Reads a process's CPU time and peak memory from /proc (Linux), so a scenario can report
// CPU seconds per 1,000 calls and peak RSS for the process under test, not the load generator.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Peak resident memory (VmHWM) of the process, in bytes. */
export function peakRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** Current resident memory (VmRSS) of the process, in bytes. */
export function currentRss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/** The process and all its descendants (children, grandchildren …), read from /proc. */
export function processTree(pid) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [pid];
  for (let index = 0; index < tree.length; index++) {
    for (const [child, parent] of parents) if (parent === tree[index]) tree.push(child);
  }
  return tree;
}

const sumOver = (pids, read) =>
  pids.reduce((sum, pid) => {
    try {
      return sum + read(pid);
    } catch {
      return sum; // ended meanwhile
    }
  }, 0);

/** CPU seconds of a process tree: what a gateway and the upstream servers it runs cost together. */
export const treeCpuSeconds = (pid) => sumOver(processTree(pid), cpuSeconds);
/** Sum of the peak resident memory of every process in the tree, in bytes. */
export const treePeakRss = (pid) => sumOver(processTree(pid), peakRss);
/** Sum of the current resident memory of every process in the tree, in bytes. */
export const treeRss = (pid) => sumOver(processTree(pid), currentRss);
