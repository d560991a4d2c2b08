import { test } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/bootstrap.js';
import { quietLogger } from '../helpers/gateway.js';
test('scratch', async () => {
  const md = readFileSync('../shared/seeds/000_3eb43bfe21da1bab.txt', 'utf8');
  const blocks = [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  for (const text of blocks) {
    const r = await loadConfig({ text, origin: '/tmp/x.yaml', env: { WEATHER_API_KEY: 'k', MYSQL_DSN: 'u:p@tcp(h:3306)/db', VAULT_TOKEN: 's.abc' }, logger: quietLogger() });
    console.log(JSON.stringify(r.ok ? r.config : r.issues, null, 1));
  }
  const bad = `global:\n  timout: 3s\n  memory_limit: lots\nservices:\n  a:\n    enabled: yes\n    driver: nope\n  a2: {timeout: 1x}\n`;
  const r = await loadConfig({ text: bad, origin: '/tmp/x.yaml', env: {}, logger: quietLogger() });
  console.log(JSON.stringify(r.ok ? r.config : r.issues, null, 1));
});
