// Documents the openapi type must refuse, or serve only in part, each with a message that says what is
// wrong and where: external and dangling $refs, $ref cycles, Swagger 2.0, broken YAML, missing files,
// unreachable URLs, credentials for schemes the document lacks, servers it cannot use.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openapiType from '../../../src/adapters/openapi/index.js';
import type { Gateway } from '../../../src/core/gateway.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { gatewayFrom } from '../../helpers/gateway.js';
import { scope, text } from '../../helpers/scope.js';
import { type Petstore, startPetstore } from './petstore-server.js';

const types = [openapiType as ServiceType<unknown>];

const doc = (paths: string, extra = '') => `openapi: 3.0.3
info: { title: t, version: "1" }
servers: [{ url: "http://127.0.0.1:9/api" }]
paths:
${paths}
${extra}`;

const EXTERNAL = doc(`  /things:
    post:
      operationId: addThing
      requestBody:
        content:
          application/json:
            schema: { $ref: "other.yaml#/components/schemas/Thing" }
      responses: { "200": { description: ok } }
  /things/{id}:
    get:
      operationId: getThing
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { "200": { description: ok } }`);

const CYCLE = doc(
  `  /loop:
    get:
      operationId: loop
      parameters: [{ $ref: "#/components/parameters/A" }]
      responses: { "200": { description: ok } }`,
  `components:
  parameters:
    A: { $ref: "#/components/parameters/B" }
    B: { $ref: "#/components/parameters/A" }`,
);

const DANGLING = doc(`  /x:
    get:
      operationId: dangling
      responses:
        "200":
          description: ok
      parameters: [{ name: q, in: query, schema: { $ref: "#/components/schemas/Nope" } }]`);

const SELF = doc(
  `  /tree:
    post:
      operationId: plant
      requestBody:
        required: true
        content: { application/json: { schema: { $ref: "#/components/schemas/Node" } } }
      responses: { "200": { description: ok } }`,
  `components:
  schemas:
    Node:
      type: object
      nullable: true
      properties:
        value: { type: integer, minimum: 0, exclusiveMinimum: true, example: 3 }
        next: { $ref: "#/components/schemas/Node" }
        kids: { type: array, items: { $ref: "#/components/schemas/Node" } }`,
);

describe('openapi: documents it refuses or serves in part', () => {
  let dir: string;
  let store: Petstore;
  let gateway: Gateway;
  const failure = (name: string) => gateway.host(name)!.status().lastError?.message ?? `(${name} did not fail)`;
  const names = (prefix: string) => gateway.dispatcher.listTools(undefined).tools.map((tool) => tool.name).filter((name) => name.startsWith(prefix));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mcpeg-openapi-'));
    store = await startPetstore();
    const files: Record<string, string> = {
      'external.yaml': EXTERNAL,
      'cycle.yaml': CYCLE,
      'dangling.yaml': DANGLING,
      'self.yaml': SELF,
      'swagger.json': JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, paths: {} }),
      'broken.yaml': 'openapi: 3.0.0\npaths: {\n  /a: [\n',
      'old.yaml': 'openapi: 2.5.0\npaths: {}\n',
      'relative.yaml': 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\nservers: [{ url: /v1 }]\npaths: {}\n',
      'noserver.yaml': 'openapi: 3.1.0\ninfo: { title: t, version: "1" }\npaths: {}\n',
      'laughs.yaml': `openapi: 3.0.0\npaths: {}\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
      'hostile.yaml': doc(`  /get-body:
    get:
      operationId: getWithBody
      parameters:
        - { name: Host, in: header, schema: { type: string } }
        - { name: "X Bad", in: header, schema: { type: string } }
        - { name: X-Fine, in: header, schema: { type: string } }
        - { name: session, in: cookie, schema: { type: string } }
      requestBody:
        content: { application/json: { schema: { type: object } } }
      responses: { "200": { description: ok } }
  /bad-schema:
    get:
      operationId: badSchema
      parameters: [{ name: q, in: query, schema: { type: strin } }]
      responses: { "200": { description: ok } }
  /tuple:
    get:
      operationId: tuple
      parameters: [{ name: pair, in: query, schema: { type: array, items: [{ $ref: "#/components/schemas/Word" }, { type: integer }] } }]
      responses: { "200": { description: ok } }
  /get-body-required:
    get:
      operationId: getWithRequiredBody
      requestBody:
        required: true
        content: { application/json: { schema: { type: object } } }
      responses: { "200": { description: ok } }`, 'components:\n  schemas:\n    Word: { type: string }'),
      'multipart.yaml': doc(`  /upload:
    post:
      operationId: upload
      requestBody:
        required: true
        content: { multipart/form-data: { schema: { type: object } } }
      responses: { "200": { description: ok } }
  /ok:
    get:
      operationId: ok
      responses: { "200": { description: ok } }`),
    };
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
    gateway = await gatewayFrom(
      `global:
  recovery: { initial_delay: 1m }
services:
  external: { driver: openapi, spec: ${dir}/external.yaml }
  external_excluded: { driver: openapi, spec: ${dir}/external.yaml, exclude: [addThing] }
  cycle: { driver: openapi, spec: ${dir}/cycle.yaml }
  dangling: { driver: openapi, spec: ${dir}/dangling.yaml }
  self: { driver: openapi, spec: ${dir}/self.yaml }
  swagger: { driver: openapi, spec: ${dir}/swagger.json }
  broken: { driver: openapi, spec: ${dir}/broken.yaml }
  old: { driver: openapi, spec: ${dir}/old.yaml }
  missing: { driver: openapi, spec: ${dir}/missing.yaml }
  relative: { driver: openapi, spec: ${dir}/relative.yaml }
  noserver: { driver: openapi, spec: ${dir}/noserver.yaml }
  multipart: { driver: openapi, spec: ${dir}/multipart.yaml }
  laughs: { driver: openapi, spec: ${dir}/laughs.yaml }
  hostile: { driver: openapi, spec: ${dir}/hostile.yaml }
  not_found: { driver: openapi, spec: "${store.url}/spec/nothing.yaml" }
  too_big: { driver: openapi, spec: "${store.url}/spec/petstore.yaml", max_spec_size: 1KB }
  too_big_file: { driver: openapi, spec: ${dir}/self.yaml, max_spec_size: 100B }
  bad_scheme:
    driver: openapi
    spec: ${dir}/self.yaml
    credentials: { api_key: { value: abcdef } }
`,
      types,
    );
    await gateway.warmUp(20_000);
  });
  afterAll(async () => {
    await gateway?.shutdown(1000);
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an external $ref fails the start, naming it and how to exclude the operation; excluded, the rest is served', () => {
    expect(gateway.host('external')!.status().phase).toBe('failed');
    expect(failure('external')).toContain(
      `POST /things: $ref "other.yaml#/components/schemas/Thing" at paths./things.post.requestBody points outside this document; only local references (#/components/…) are supported`,
    );
    expect(failure('external')).toContain('leave the operation out with exclude: ["addThing"]');
    expect(names('external_excluded__')).toEqual(['external_excluded__getThing']);
  });

  it('a $ref cycle and a dangling $ref fail the start with the path', () => {
    expect(failure('cycle')).toContain('$ref cycle at paths./loop.get.parameters[0]: #/components/parameters/A → #/components/parameters/B → #/components/parameters/A');
    expect(failure('dangling')).toContain('$ref "#/components/schemas/Nope" at paths./x.get.parameters.q points to nothing in the document');
  });

  it('a recursive schema is fine: $defs refer to themselves; 3.0 nullable and boolean exclusiveMinimum are converted', () => {
    const plant = gateway.dispatcher.listTools(undefined).tools.find((tool) => tool.name === 'self__plant')!;
    expect(plant.inputSchema).toEqual({
      type: 'object',
      properties: { body: { $ref: '#/$defs/Node' } },
      required: ['body'],
      additionalProperties: false,
      $defs: {
        Node: {
          type: ['object', 'null'],
          properties: {
            value: { type: 'integer', exclusiveMinimum: 0, examples: [3] },
            next: { $ref: '#/$defs/Node' },
            kids: { type: 'array', items: { $ref: '#/$defs/Node' } },
          },
        },
      },
    });
  });

  it('documents that are not OpenAPI 3.0/3.1, or not readable, fail with what to do', () => {
    expect(failure('swagger')).toContain('is a Swagger 2.0 document; only OpenAPI 3.0 and 3.1 are supported — convert it');
    expect(failure('broken')).toContain('is neither valid JSON nor valid YAML');
    expect(failure('old')).toContain('is not an OpenAPI 3.0 or 3.1 document (its "openapi" field is "2.5.0")');
    expect(failure('missing')).toContain(`cannot read the OpenAPI document ${dir}/missing.yaml (ENOENT)`);
    expect(failure('not_found')).toContain('answered HTTP 404');
    expect(failure('laughs')).toContain('is neither valid JSON nor valid YAML');
    expect(failure('too_big')).toContain(`the OpenAPI document ${store.url}/spec/petstore.yaml is larger than max_spec_size (1000 bytes)`);
    expect(failure('too_big_file')).toContain('is larger than max_spec_size (100 bytes)');
  });

  it('servers it cannot use and credentials for schemes the document lacks fail the start', () => {
    expect(failure('relative')).toContain('its server URL /v1 is relative, and the document was read from a file — set base_url:');
    expect(failure('noserver')).toContain('the document names no server — set base_url:');
    expect(failure('bad_scheme')).toContain('credentials.api_key names no security scheme of the document (it has: none)');
    expect(failure('bad_scheme')).not.toContain('abcdef');
  });

  it('a document cannot hand a caller framing or credential headers, odd header names, cookies, or a GET body', () => {
    // badSchema is left out (type: strin is not JSON Schema); tuple items are converted like any schema.
    expect(names('hostile__').sort()).toEqual(['hostile__getWithBody', 'hostile__tuple']);
    const tuple = gateway.dispatcher.listTools(undefined).tools.find((candidate) => candidate.name === 'hostile__tuple')!;
    expect((tuple.inputSchema.properties as any).pair.prefixItems).toEqual([{ $ref: '#/$defs/Word' }, { type: 'integer' }]);
    const tool = gateway.dispatcher.listTools(undefined).tools.find((candidate) => candidate.name === 'hostile__getWithBody')!;
    expect(Object.keys(tool.inputSchema.properties ?? {})).toEqual(['X-Fine']);
  });

  it('a multipart-only operation is left out, the others are served', async () => {
    expect(names('multipart__')).toEqual(['multipart__ok']);
    const result = await gateway.dispatcher.callTool('external_excluded__getThing', { id: '../x' }, scope());
    expect(text(result)).toContain('has a "." or ".." segment');
  });
});
