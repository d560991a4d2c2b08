// Workspace files as resources through the gateway's dispatcher: the editor://<service>/{+path} template,
// text and binary contents, the protocol errors, confinement of resource URIs, and path completion.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../../../src/core/gateway.js';
import { scope } from '../../helpers/scope.js';
import { cleanup, editorGateway, expectOutsideUntouched, type Sandbox, sandbox, SECRET } from './editor-fixture.js';
import { plantTraps } from './escape-corpus.js';

afterAll(cleanup);

let box: Sandbox;
let gateway: Gateway;

beforeEach(async () => {
  box = sandbox();
  plantTraps(box);
  mkdirSync(join(box.ws, 'docs'));
  writeFileSync(join(box.ws, 'docs', 'guide.md'), '# Guide\n');
  writeFileSync(join(box.ws, 'docs', 'my file.md'), 'spaced\n');
  writeFileSync(join(box.ws, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]));
  gateway = await editorGateway(box);
});

describe('file resources', () => {
  it('declares one template per editor service, without starting it', () => {
    expect(gateway.dispatcher.listResourceTemplates(undefined).resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: 'editor://ed/{+path}', name: 'ed files' }),
    ]);
    expect(gateway.host('ed')?.phase).toBe('loading');
  });

  it('reads text files as text and other files as a base64 blob; URIs are percent-decoded', async () => {
    expect(await gateway.dispatcher.readResource('editor://ed/docs/guide.md', scope())).toEqual({
      contents: [{ uri: 'editor://ed/docs/guide.md', mimeType: 'text/markdown', text: '# Guide\n' }],
    });
    const spaced = (await gateway.dispatcher.readResource('editor://ed/docs/my%20file.md', scope())) as { contents: unknown[] };
    expect(spaced.contents[0]).toMatchObject({ text: 'spaced\n' });
    const logo = (await gateway.dispatcher.readResource('editor://ed/logo.png', scope())) as { contents: unknown[] };
    expect(logo.contents[0]).toMatchObject({ mimeType: 'image/png', blob: 'iVBORwAB' });
  });

  it('a missing file is resource-not-found; a refused path is invalid params; nothing outside is read', async () => {
    await expect(gateway.dispatcher.readResource('editor://ed/nope.md', scope())).rejects.toMatchObject({ code: -32602, message: expect.stringContaining('Resource not found') });
    for (const uri of [
      'editor://ed/../outside/secret.txt',
      'editor://ed/%2e%2e/outside/secret.txt',
      'editor://ed/..%2Foutside%2Fsecret.txt',
      `editor://ed/${encodeURIComponent(join(box.outside, 'secret.txt'))}`,
      'editor://ed/link_secret.md',
      'editor://ed/hard_secret.md',
      'editor://ed/link_out_dir/secret.md',
      'editor://ed/%00',
      'editor://ed/%E0%A4%A',
    ]) {
      const failure = await gateway.dispatcher.readResource(uri, scope()).then(
        (result) => ({ ok: true, text: JSON.stringify(result) }),
        (error: Error & { code?: number }) => ({ ok: false, text: error.message, code: error.code }),
      );
      expect(failure.ok, `${uri}: ${failure.text}`).toBe(false);
      expect(failure.text).not.toContain(SECRET);
    }
    expectOutsideUntouched(box);
  });

  it('completes the path from the folder being typed, never outside', async () => {
    const complete = async (value: string) =>
      (await gateway.dispatcher.complete({ type: 'ref/resource', uri: 'editor://ed/{+path}' }, { name: 'path', value }, undefined, scope())).completion.values;
    expect(await complete('do')).toEqual(['docs/']);
    expect(await complete('docs/')).toEqual(['docs/guide.md', 'docs/my file.md']);
    expect(await complete('docs/g')).toEqual(['docs/guide.md']);
    expect(await complete('../')).toEqual([]);
    expect(await complete('link_out_dir/')).toEqual([]);
  });
});
