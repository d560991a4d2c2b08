// The standard way a scenario measures: start every subject, warm each up, then measure in rounds
// that alternate between subjects (A B C A B C …) so machine noise hits all of them alike, and
// report the median of the rounds per subject.
import { closedLoop, median } from './load.mjs';

/**
 * One measurement of a started subject: its own `measure` (e.g. autocannon) or closed-loop calls of
 * `once`; then its `afterMeasure`, untimed, to undo what the measurement changed (rows it created)
 * so that the next subject measures the same state.
 */
async function measure({ subject, handle }, seconds, concurrency) {
  const inFlight = subject.concurrency ?? concurrency;
  const result = handle.measure
    ? await handle.measure({ seconds, concurrency: inFlight })
    : await closedLoop({ once: handle.once, concurrency: inFlight, seconds, pid: handle.pid, tree: handle.tree });
  await handle.afterMeasure?.();
  return result;
}

export async function alternate({ subjects, state, plan, concurrency, log }) {
  const running = [];
  const samples = new Map(subjects.map((subject) => [subject.name, []]));
  try {
    // Started together: some take seconds (a peer spawning an upstream per session), and nothing is measured yet.
    log(`  starting ${subjects.map((subject) => subject.name).join('; ')}`);
    const started = await Promise.allSettled(subjects.map((subject) => subject.start(state)));
    started.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') running.push({ subject: subjects[index], handle: outcome.value });
    });
    const failure = started.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    for (const entry of running) {
      log(`  warm-up ${entry.subject.name} (${plan.warmup} s)`);
      await measure(entry, plan.warmup, concurrency);
    }
    for (let round = 1; round <= plan.rounds; round++) {
      for (const entry of running) {
        const result = await measure(entry, plan.seconds, concurrency);
        samples.get(entry.subject.name).push(result);
        log(
          `  round ${round}/${plan.rounds} ${entry.subject.name}: ${Math.round(result.callsPerSecond)} calls/s, p50 ${result.p50.toFixed(2)} ms` +
            `${result.errors ? `, ${result.errors} errors` : ''}`,
        );
      }
    }
  } finally {
    await Promise.all(running.map(({ handle }) => handle.stop().catch((error) => log(`  stopping failed: ${error.message}`))));
  }
  return subjects.map((subject) => {
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
}
