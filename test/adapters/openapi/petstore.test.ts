// The public Petstore examples of the OpenAPI Specification (stored as fixtures) as tools, against a real
// node:http implementation of them on port 0: through the gateway, and through a real MCP client over HTTP.
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openapiType from '../../../src/adapters/openapi/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { httpClient, serveHttp } from '../../helpers/servers.js';
import { FIXTURES, type Petstore, startPetstore } from './petstore-server.js';

const types = [openapiType as ServiceType<unknown>];

describe('openapi: the Petstore examples against a local Petstore', () => {
  let store: Petstore;
  let gateway: Gateway;
  const call = (tool: string, args: Record<string, unknown> = {}) => gateway.dispatcher.callTool(tool, args, scope());
  const body = (result: unknown) => (result as { structuredContent: { body: any } }).structuredContent.body;
  const tool = (name: string) => gateway.dispatcher.listTools(undefined).tools.find((candidate) => candidate.name === name)!;

  beforeAll(async () => {
    store = await startPetstore();
    gateway = await gatewayFrom(
      `services:
  pets:
    driver: openapi
    spec: ${FIXTURES}petstore.yaml
    base_url: ${store.url}/v1
  expanded:
    driver: openapi
    spec: ${FIXTURES}petstore-expanded.yaml
    base_url: ${store.url}/v2
  fetched:
    driver: openapi
    spec: ${store.url}/spec/petstore-expanded.yaml
    include: [findPets, "find*"]
`,
      types,
    );
    await gateway.warmUp(20_000);
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    await store?.close();
  });

  it('petstore.yaml: one tool per operation, named by operationId, described by its summary, with honest hints', () => {
    const names = gateway.dispatcher.listTools(undefined).tools.map((candidate) => candidate.name).filter((name) => name.startsWith('pets__'));
    expect(names.sort()).toEqual(['pets__createPets', 'pets__listPets', 'pets__showPetById']);
    expect(tool('pets__listPets').description).toBe('List all pets\n\n(GET /pets)');
    expect(tool('pets__listPets').annotations).toMatchObject({ readOnlyHint: true });
    expect(tool('pets__createPets').annotations).toMatchObject({ readOnlyHint: false });
    expect(tool('pets__listPets').inputSchema).toEqual({
      type: 'object',
      properties: { limit: { type: 'integer', maximum: 100, format: 'int32', description: 'How many items to return at one time (max 100)' } },
      additionalProperties: false,
    });
    expect(tool('pets__showPetById').inputSchema).toMatchObject({ properties: { petId: { type: 'string' } }, required: ['petId'] });
    expect(tool('pets__createPets').inputSchema).toEqual({
      type: 'object',
      properties: { body: { $ref: '#/$defs/Pet' } },
      required: ['body'],
      additionalProperties: false,
      $defs: {
        Pet: {
          type: 'object',
          required: ['id', 'name'],
          properties: { id: { type: 'integer', format: 'int64' }, name: { type: 'string' }, tag: { type: 'string' } },
        },
      },
    });
  });

  it('petstore.yaml: the tools work against the implementation', async () => {
    const listed = await call('pets__listPets', { limit: 2 });
    expect(body(listed)).toEqual([
      { id: 1, name: 'Rex', tag: 'dog' },
      { id: 2, name: 'Tom', tag: 'cat' },
    ]);
    expect(store.requests.at(-1)!.url).toBe('/v1/pets?limit=2');
    const created = await call('pets__createPets', { body: { id: 10, name: 'Kiki', tag: 'bird' } });
    expect(created.isError).toBeFalsy();
    expect(text(created)).toBe('HTTP 201 (no content)');
    expect(body(await call('pets__showPetById', { petId: '10' }))).toEqual({ id: 10, name: 'Kiki', tag: 'bird' });
    const missing = await call('pets__showPetById', { petId: '999' });
    expect(missing.isError).toBe(true);
    expect(text(missing)).toBe('[pets] GET /v1/pets/999 answered HTTP 404: {"code":404,"message":"no pet 999"}');
    const invalid = await call('pets__createPets', { body: { name: 'no id' } });
    expect(text(invalid)).toContain("must have required property 'id'");
    const tooMany = await call('pets__listPets', { limit: 101 });
    expect(text(tooMany)).toContain('must be <= 100');
  });

  it('petstore-expanded.yaml: allOf bodies, a sanitized operationId, DELETE destructive, array query parameters', async () => {
    const names = gateway.dispatcher.listTools(undefined).tools.map((candidate) => candidate.name).filter((name) => name.startsWith('expanded__'));
    expect(names.sort()).toEqual(['expanded__addPet', 'expanded__deletePet', 'expanded__findPets', 'expanded__find_pet_by_id']);
    expect(tool('expanded__deletePet').annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
    expect(tool('expanded__findPets').inputSchema.properties).toMatchObject({ tags: { type: 'array', items: { type: 'string' } } });
    const dogsAndCats = body(await call('expanded__findPets', { tags: ['dog', 'cat'] }));
    expect(dogsAndCats.map((pet: { name: string }) => pet.name).sort()).toEqual(['Rex', 'Tom']);
    expect(store.requests.at(-1)!.url).toBe('/v2/pets?tags=dog&tags=cat');
    const added = body(await call('expanded__addPet', { body: { name: 'Bubbles', tag: 'fish' } }));
    expect(added).toMatchObject({ name: 'Bubbles', tag: 'fish' });
    expect(body(await call('expanded__find_pet_by_id', { id: added.id }))).toEqual(added);
    const deleted = await call('expanded__deletePet', { id: added.id });
    expect(text(deleted)).toBe('HTTP 204 (no content)');
    expect(store.pets.has(added.id)).toBe(false);
    expect(text(await call('expanded__find_pet_by_id', { id: 1.5 }))).toContain('must be integer');
  });

  it('a document fetched from a URL at start: its relative server URL resolves against it; include selects operations', async () => {
    const names = gateway.dispatcher.listTools(undefined).tools.map((candidate) => candidate.name).filter((name) => name.startsWith('fetched__'));
    expect(names.sort()).toEqual(['fetched__findPets', 'fetched__find_pet_by_id']);
    expect(body(await call('fetched__find_pet_by_id', { id: 2 }))).toMatchObject({ name: 'Tom' });
    expect(store.requests.at(-1)!.url).toBe('/v2/pets/2');
  });
});

describe('openapi: the Petstore through a real MCP client over HTTP', () => {
  let store: Petstore;
  let client: Client;
  let close: () => Promise<void>;

  beforeAll(async () => {
    store = await startPetstore();
    const gateway = await gatewayFrom(
      `services:
  petstore:
    driver: openapi
    spec: ${store.url}/spec/petstore.yaml
`,
      types,
    );
    await gateway.warmUp(20_000);
    const served = await serveHttp(gateway);
    close = served.close;
    client = await httpClient(served.url, 'auto');
  });
  afterAll(async () => {
    await client?.close();
    await close?.();
    await store?.close();
  });

  it('the first tools/list is complete (eager start), and a call reaches the Petstore', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((candidate) => candidate.name).sort()).toEqual(['petstore__createPets', 'petstore__listPets', 'petstore__showPetById']);
    const result = await client.callTool({ name: 'petstore__showPetById', arguments: { petId: '1' } });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { body: unknown }).body).toEqual({ id: 1, name: 'Rex', tag: 'dog' });
  });
});
