// The memory plugin under a killed gateway: a real `mcpeg serve --stdio` child process takes a stream
// of writes (several in flight) and is SIGKILLed in the middle of it, 20 times over the same store.
// After each kill, SQLite's integrity check passes and every write the gateway acknowledged is there.
// Also: two gateway processes writing to one store at once. Needs dist/ (npx tsc -p tsconfig.build.json).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from './memory-fixture.js';
import { StdioGateway } from './stdio-gateway.js';

afterAll(cleanup);

const KILLS = 20;
const IN_FLIGHT = 8;

function configFile(dir: string, storage: string): string {
  const file = join(dir, 'mcpeg.yaml');
  writeFileSync(
    file,
    `global: { prefix: never, log_level: warn }
plugins:
  memory:
    enabled: true
    config:
      storage_path: ${JSON.stringify(storage)}
      cache_size: "100MB"
      backup_interval: "1h"
`,
  );
  return file;
}

/** Writes until the gateway dies; returns what it acknowledged. Kills it `killAfterMs` after the first acknowledgement. */
async function writeUntilKilled(gateway: StdioGateway, round: number, killAfterMs: number) {
  const keys: string[] = [];
  const entities: string[] = [];
  let dead = false;
  void gateway.exited.then(() => (dead = true));
  let next = 0;
  let killer: NodeJS.Timeout | undefined;
  const writer = async () => {
    while (!dead) {
      const index = next++;
      try {
        if (index % 5 === 4) {
          const name = `entity-${round}-${index}`;
          await gateway.call('create_entities', { entities: [{ name, entityType: 'crash-test', observations: [`round ${round}`, `write ${index}`] }] });
          entities.push(name);
        } else {
          const key = `k-${round}-${index}`;
          await gateway.call('memory_set', { key, value: { round, index, pad: 'x'.repeat(index % 300) } });
          keys.push(key);
        }
        killer ??= setTimeout(() => gateway.kill('SIGKILL'), killAfterMs);
      } catch (error) {
        if (!dead) await gateway.exited; // a call cut off by the kill: not acknowledged, not counted
        void error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
  clearTimeout(killer);
  return { keys, entities };
}

describe('memory plugin: SIGKILL during a stream of writes', () => {
  it(`keeps every acknowledged write and a sound database across ${KILLS} kills`, { timeout: 300_000 }, async () => {
    const dir = tempDir();
    const storage = join(dir, 'memory_storage.json');
    const config = configFile(dir, storage);
    const acknowledged: { keys: string[]; entities: string[] } = { keys: [], entities: [] };
    for (let round = 0; round < KILLS; round++) {
      const gateway = new StdioGateway(config);
      await gateway.initialize();
      const killAfterMs = 100 + ((round * 97) % 400);
      const acked = await writeUntilKilled(gateway, round, killAfterMs);
      expect(await gateway.exited).toBe('SIGKILL');
      expect(acked.keys.length, `round ${round}: the gateway acknowledged no write before the kill\n${gateway.stderr}`).toBeGreaterThan(0);
      acknowledged.keys.push(...acked.keys);
      acknowledged.entities.push(...acked.entities);

      // What a restart finds: opened fresh (SQLite recovers the WAL), checked, and every acknowledged write there.
      const db = new Database(join(dir, 'memory_storage.sqlite'), { fileMustExist: true });
      try {
        expect(db.pragma('integrity_check', { simple: true }), `round ${round}`).toBe('ok');
        const stored = new Map(
          (db.prepare("SELECT key, value FROM kv WHERE namespace = 'default'").all() as { key: string; value: string }[]).map((row) => [row.key, row.value]),
        );
        const missing = acknowledged.keys.filter((key) => !stored.has(key));
        expect(missing, `round ${round}: acknowledged keys lost`).toEqual([]);
        for (const key of acked.keys) {
          const [, r, i] = key.split('-');
          expect(JSON.parse(stored.get(key)!)).toMatchObject({ round: Number(r), index: Number(i) });
        }
        const names = new Set(db.prepare('SELECT name FROM entities').pluck().all() as string[]);
        expect(acknowledged.entities.filter((name) => !names.has(name)), `round ${round}: acknowledged entities lost`).toEqual([]);
        const observations = db.prepare('SELECT count(*) FROM observations o JOIN entities e ON e.id = o.entity_id WHERE e.name = ?').pluck();
        for (const name of acked.entities) expect(observations.get(name), name).toBe(2);
      } finally {
        db.close();
      }
    }
    expect(acknowledged.keys.length).toBeGreaterThan(KILLS * 5);
  });

  it('lets two gateway processes write to one store at the same time (busy_timeout, no lost write)', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const storage = join(dir, 'shared.json');
    const config = configFile(dir, storage);
    const gateways = [new StdioGateway(config), new StdioGateway(config)];
    try {
      await Promise.all(gateways.map((gateway) => gateway.initialize()));
      const per = 200;
      await Promise.all(
        gateways.map(async (gateway, which) => {
          for (let start = 0; start < per; start += IN_FLIGHT) {
            await Promise.all(
              Array.from({ length: IN_FLIGHT }, (_, offset) => gateway.call('memory_set', { key: `p${which}-${start + offset}`, value: which, namespace: 'shared' })),
            );
          }
          await gateway.call('memory_set_many', {
            namespace: 'batch',
            entries: Array.from({ length: 1000 }, (_, index) => ({ key: `g${which}-${index}`, value: index })),
          });
        }),
      );
      // Each sees the other's writes (its read cache follows the other process's commits).
      for (const [which, gateway] of gateways.entries()) {
        const other = 1 - which;
        const reply = await gateway.request('tools/call', { name: 'memory_get', arguments: { key: `p${other}-7`, namespace: 'shared' } });
        expect(JSON.parse(reply.result!.content![0]!.text!)).toMatchObject({ found: true, value: other });
      }
    } finally {
      for (const gateway of gateways) gateway.kill('SIGTERM');
      await Promise.all(gateways.map((gateway) => gateway.exited));
    }
    const db = new Database(join(dir, 'shared.sqlite'), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) FROM kv WHERE namespace = 'shared'").pluck().get()).toBe(400);
      expect(db.prepare("SELECT count(*) FROM kv WHERE namespace = 'batch'").pluck().get()).toBe(2000);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
