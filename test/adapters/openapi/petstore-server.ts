// A small, real implementation of the two Petstore example APIs (test/fixtures/openapi/petstore.yaml under
// /v1, petstore-expanded.yaml under /v2) on node:http, port 0, plus the documents themselves under /spec/
// (with a relative server URL, so a document fetched from here sends its requests here).
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/openapi/', import.meta.url));

export interface Pet {
  id: number;
  name: string;
  tag?: string;
}

export interface Petstore {
  readonly url: string;
  readonly pets: Map<number, Pet>;
  readonly requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

export async function startPetstore(): Promise<Petstore> {
  const pets = new Map<number, Pet>([
    [1, { id: 1, name: 'Rex', tag: 'dog' }],
    [2, { id: 2, name: 'Tom', tag: 'cat' }],
    [3, { id: 3, name: 'Nemo' }],
  ]);
  let nextId = 4;
  const requests: Petstore['requests'] = [];
  const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
  const error = (res: ServerResponse, status: number, message: string) => json(res, status, { code: status, message });
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://petstore');
    const parse = (): Record<string, unknown> | undefined => {
      try {
        const value = JSON.parse(body) as unknown;
        return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
      } catch {
        return undefined;
      }
    };
    const list = () => [...pets.values()];
    const limit = url.searchParams.get('limit');
    if (url.pathname.startsWith('/spec/')) {
      const file = url.pathname.slice('/spec/'.length);
      if (!/^[a-z0-9.-]+\.yaml$/.test(file) || !existsSync(`${FIXTURES}${file}`)) return error(res, 404, 'no such document');
      const base = file === 'petstore-expanded.yaml' ? '/v2' : '/v1';
      const text = readFileSync(`${FIXTURES}${file}`, 'utf8').replace(/^servers:\n\s+- url: .*$/m, `servers:\n  - url: ${base}`);
      res.writeHead(200, { 'content-type': 'application/yaml' });
      return void res.end(text);
    }
    // petstore.yaml
    if (url.pathname === '/v1/pets' && req.method === 'GET') {
      const max = Math.min(Number(limit ?? 100), 100);
      return json(res, 200, list().slice(0, max), { 'x-next': '/v1/pets?page=2' });
    }
    if (url.pathname === '/v1/pets' && req.method === 'POST') {
      const pet = parse();
      if (!pet || typeof pet.id !== 'number' || typeof pet.name !== 'string') return error(res, 400, 'a pet needs an integer id and a name');
      pets.set(pet.id, { id: pet.id, name: pet.name, ...(typeof pet.tag === 'string' ? { tag: pet.tag } : {}) });
      res.writeHead(201);
      return void res.end();
    }
    const v1 = /^\/v1\/pets\/([^/]+)$/.exec(url.pathname);
    if (v1 && req.method === 'GET') {
      const pet = pets.get(Number(decodeURIComponent(v1[1]!)));
      return pet ? json(res, 200, pet) : error(res, 404, `no pet ${decodeURIComponent(v1[1]!)}`);
    }
    // petstore-expanded.yaml
    if (url.pathname === '/v2/pets' && req.method === 'GET') {
      const tags = url.searchParams.getAll('tags');
      const found = list().filter((pet) => tags.length === 0 || (pet.tag !== undefined && tags.includes(pet.tag)));
      return json(res, 200, found.slice(0, Number(limit ?? 1000)));
    }
    if (url.pathname === '/v2/pets' && req.method === 'POST') {
      const pet = parse();
      if (!pet || typeof pet.name !== 'string') return error(res, 400, 'a new pet needs a name');
      const created: Pet = { id: nextId++, name: pet.name, ...(typeof pet.tag === 'string' ? { tag: pet.tag } : {}) };
      pets.set(created.id, created);
      return json(res, 200, created);
    }
    const v2 = /^\/v2\/pets\/([^/]+)$/.exec(url.pathname);
    if (v2) {
      const id = Number(decodeURIComponent(v2[1]!));
      if (!Number.isInteger(id)) return error(res, 400, 'id must be an integer');
      if (req.method === 'GET') return pets.has(id) ? json(res, 200, pets.get(id)) : error(res, 404, `no pet ${id}`);
      if (req.method === 'DELETE') {
        if (!pets.delete(id)) return error(res, 404, `no pet ${id}`);
        res.writeHead(204);
        return void res.end();
      }
    }
    error(res, 404, `no route ${req.method} ${url.pathname}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    pets,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
