import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/core/gateway.js';
import { publicNames, shorten } from '../../src/core/naming.js';
import { echoType } from '../fixtures/test-types.js';
import { gatewayFrom } from '../helpers/gateway.js';
import { scope, text } from '../helpers/scope.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.shutdown(500);
  gateway = undefined;
});

const names = (g: Gateway) => g.dispatcher.listTools(undefined).tools.map((tool) => tool.name);

describe('catalog names', () => {
  it('prefixes with <service>__ by default and routes by lookup, never by splitting', async () => {
    gateway = await gatewayFrom('services: { my__db: { driver: echo, prefix: always } }', [echoType()]).catch((error) => {
      throw error;
    });
    expect(names(gateway)).toContain('my__db__echo');
    expect(text(await gateway.dispatcher.callTool('my__db__echo', { text: 'x' }, scope()))).toBe('hello x');
  });

  it('prefix never keeps names; on_collision prefixes only the names that collide', async () => {
    gateway = await gatewayFrom(
      `services:
  a: { driver: echo, prefix: on_collision, tools: { include: [echo, slow] } }
  b: { driver: echo, prefix: on_collision, tools: { include: [echo, fail] } }
  c: { driver: echo, prefix: never, tools: { include: [mutate] } }`,
      [echoType()],
    );
    expect(names(gateway)).toEqual(['a__echo', 'slow', 'b__echo', 'fail', 'mutate']);
  });

  it('a collision is a config error naming both sides, never a crash', async () => {
    await expect(
      gatewayFrom(
        `services:
  a: { driver: echo, prefix: never }
  b: { driver: echo, prefix: never }`,
        [echoType()],
      ),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/tool name "echo" is claimed by "a" \(tool echo\) and "b" \(tool echo\)/),
    });
  });

  it('include/exclude globs and overrides (rename, description, annotations)', async () => {
    gateway = await gatewayFrom(
      `services:
  svc:
    driver: echo
    extra_tools: 3
    tools:
      include: [echo, "t*"]
      exclude: [t1]
      overrides:
        echo: { name: say, description: Says it back, annotations: { readOnlyHint: true } }`,
      [echoType()],
    );
    const tools = gateway.dispatcher.listTools(undefined).tools;
    expect(tools.map((tool) => tool.name)).toEqual(['svc__say', 'svc__t0', 'svc__t2']);
    expect(tools[0]).toMatchObject({ description: 'Says it back', annotations: { readOnlyHint: true } });
    expect(text(await gateway.dispatcher.callTool('svc__say', { text: 'x' }, scope()))).toBe('hello x');
    await expect(gateway.dispatcher.callTool('svc__echo', { text: 'x' }, scope())).rejects.toMatchObject({ code: -32602 });
  });

  it('keeps names within ^[A-Za-z0-9_-]{1,64}$, shortening deterministically without collisions', () => {
    const long = 'x'.repeat(80);
    const result = publicNames(
      [
        { service: 'svc', prefix: 'always', name: `${long}_a` },
        { service: 'svc', prefix: 'always', name: `${long}_b` },
        { service: 'svc', prefix: 'always', name: 'has.dots and spaces' },
      ],
      { separator: '__', maxLength: 64 },
    );
    for (const name of result) expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(result[0]).not.toBe(result[1]);
    expect(result[2]).toBe('svc__has_dots_and_spaces');
    expect(shorten(`svc__${long}_a`, 64)).toBe(result[0]);
  });

  it('orders deterministically: services in config order, tools in declaration order', async () => {
    const config = `services:
  zeta: { driver: echo, tools: { include: [echo] } }
  alpha: { driver: echo, tools: { include: [echo] } }`;
    gateway = await gatewayFrom(config, [echoType()]);
    const first = names(gateway);
    await gateway.shutdown(100);
    gateway = await gatewayFrom(config, [echoType()]);
    expect(names(gateway)).toEqual(first);
    expect(first).toEqual(['zeta__echo', 'alpha__echo']);
  });
});
