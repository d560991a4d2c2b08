// A spec file that changes while the gateway runs: its new operations are served (list_changed), and a
// broken version in between is ignored — the service keeps the tools it has.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openapiType from '../../../src/adapters/openapi/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';

const document = (operations: string[]) => `openapi: 3.1.0
info: { title: t, version: "1" }
servers: [{ url: "http://127.0.0.1:9/api" }]
paths:
${operations.map((id) => `  /${id}:\n    get:\n      operationId: ${id}\n      responses: { "200": { description: ok } }`).join('\n')}
`;

describe('openapi: a spec file that changes', () => {
  let dir: string;
  let gateway: Gateway;
  let changes = 0;
  const names = () => gateway.dispatcher.listTools(undefined).tools.map((tool) => tool.name).sort();
  /** Writes the way editors do: a new file renamed over the old one. */
  const save = (text: string) => {
    writeFileSync(join(dir, 'api.yaml.tmp'), text);
    renameSync(join(dir, 'api.yaml.tmp'), join(dir, 'api.yaml'));
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpeg-openapi-watch-'));
    writeFileSync(join(dir, 'api.yaml'), document(['first']));
    writeFileSync(join(dir, 'still.yaml'), document(['first']));
    gateway = await gatewayFrom(
      `services:
  api: { driver: openapi, spec: ${dir}/api.yaml }
  still: { driver: openapi, spec: still.yaml, watch: false }
`,
      [openapiType as ServiceType<unknown>],
      // A relative spec: resolves against the config file's folder.
      join(dir, 'mcpeg.yaml'),
    );
    await gateway.warmUp(20_000);
    gateway.on('listChanged', (kinds) => {
      if (kinds.includes('tools')) changes++;
    });
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the operations of the new version, and tells clients the list changed', async () => {
    expect(names()).toEqual(['api__first', 'still__first']);
    save(document(['first', 'second']));
    writeFileSync(join(dir, 'still.yaml'), document(['first', 'second']));
    await expect.poll(names, { timeout: 10_000 }).toEqual(['api__first', 'api__second', 'still__first']);
    expect(changes).toBeGreaterThanOrEqual(1);
  });

  it('ignores a broken version, keeping the tools, and picks up the next good one', async () => {
    const before = changes;
    save('openapi: 3.1.0\npaths: [\n');
    // Give the watcher time to see it and try (an absence cannot be polled for).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(names()).toEqual(['api__first', 'api__second', 'still__first']);
    expect(gateway.host('api')!.status().phase).toBe('running');
    expect(changes).toBe(before);
    save(document(['first', 'second', 'third']));
    await expect.poll(names, { timeout: 10_000 }).toContain('api__third');
  });
});
