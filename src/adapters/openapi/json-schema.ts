import { isRecord, resolvePointer, UnsupportedReference } from './refs.js';

/** Deeper schemas than this are refused: no real API needs them, and a hostile document could. */
const MAX_DEPTH = 64;

/** Keywords of OpenAPI's schema object that JSON Schema does not have (or that mean nothing for input). */
const DROPPED = new Set(['xml', 'externalDocs', 'discriminator', 'nullable', 'example', 'writeOnly']);
/** Keywords whose value is one schema. */
const ONE = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'additionalItems'];
/** Keywords whose value is a list of schemas. */
const MANY = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to schemas. */
const MAPS = ['properties', 'patternProperties', 'dependentSchemas'];

/**
 * Converts OpenAPI schema objects into the plain JSON Schema a tool's `inputSchema` holds. Local `$ref`s
 * become `#/$defs/<Name>` references, and each referenced schema is converted once into `defs` — so a
 * recursive schema (a tree node whose children are nodes) stays finite. OpenAPI 3.0's `nullable`,
 * `example` and boolean `exclusiveMinimum`/`exclusiveMaximum` become their JSON Schema forms.
 *
 * @example
 * const converter = new SchemaConverter(document, '3.0');
 * const schema = converter.convert({ $ref: '#/components/schemas/Pet' }, 'paths./pets.post');
 * // { $ref: '#/$defs/Pet' }, converter.defs.Pet holds the schema
 */
export class SchemaConverter {
  readonly defs: Record<string, unknown> = {};
  readonly #document: unknown;
  readonly #version: '3.0' | '3.1';
  readonly #names = new Map<string, string>();

  constructor(document: unknown, version: '3.0' | '3.1') {
    this.#document = document;
    this.#version = version;
  }

  /** The `$defs` a tool needs: those reachable from `schema` (a tool carries only its own). */
  defsFor(schemas: readonly unknown[]): Record<string, unknown> {
    const needed = new Set<string>();
    const visit = (value: unknown) => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (!isRecord(value)) return;
      const ref = value.$ref;
      if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
        const name = ref.slice('#/$defs/'.length);
        if (!needed.has(name)) {
          needed.add(name);
          visit(this.defs[name]);
        }
      }
      for (const child of Object.values(value)) visit(child);
    };
    schemas.forEach(visit);
    return Object.fromEntries([...needed].sort().map((name) => [name, this.defs[name]]));
  }

  convert(schema: unknown, at: string, depth = 0): unknown {
    if (depth > MAX_DEPTH) throw new UnsupportedReference(`the schema at ${at} is nested more than ${MAX_DEPTH} levels deep`);
    if (typeof schema === 'boolean') return schema;
    if (!isRecord(schema)) return {};
    if (typeof schema.$ref === 'string') {
      const ref = this.#reference(schema.$ref, at);
      // 3.1 allows keywords beside $ref (a description, say); 3.0 ignores them.
      const siblings = Object.entries(schema).filter(([key]) => key !== '$ref');
      if (this.#version === '3.0' || siblings.length === 0) return ref;
      return { allOf: [ref, this.convert(Object.fromEntries(siblings), at, depth + 1)] };
    }
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      if (DROPPED.has(key)) continue;
      if (ONE.includes(key) && (isRecord(value) || typeof value === 'boolean')) out[key] = this.convert(value, `${at}.${key}`, depth + 1);
      // The draft-04 tuple form `items: [a, b]` is `prefixItems` in the JSON Schema tools use (2020-12).
      else if (key === 'items' && Array.isArray(value)) out.prefixItems = value.map((item, index) => this.convert(item, `${at}.items[${index}]`, depth + 1));
      else if (MANY.includes(key) && Array.isArray(value)) out[key] = value.map((item, index) => this.convert(item, `${at}.${key}[${index}]`, depth + 1));
      else if (MAPS.includes(key) && isRecord(value)) {
        out[key] = Object.fromEntries(Object.entries(value).map(([name, item]) => [name, this.convert(item, `${at}.${key}.${name}`, depth + 1)]));
      } else if (key === '$defs' || key === 'definitions' || key === '$id' || key === '$schema' || key === '$anchor' || key === '$dynamicRef' || key === '$dynamicAnchor') {
        continue; // nested schema resources would re-root references; local component refs are what documents use
      } else out[key] = value;
    }
    if (schema.example !== undefined && out.examples === undefined) out.examples = [schema.example];
    if (this.#version === '3.0') {
      if (schema.nullable === true) {
        if (typeof out.type === 'string') out.type = [out.type, 'null'];
        else if (out.type === undefined && out.enum === undefined) {
          /* any value, null included */
        } else return { anyOf: [out, { type: 'null' }] };
        if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
      }
      for (const [flag, bound] of [
        ['exclusiveMinimum', 'minimum'],
        ['exclusiveMaximum', 'maximum'],
      ] as const) {
        if (out[flag] === true && typeof out[bound] === 'number') {
          out[flag] = out[bound];
          delete out[bound];
        } else if (typeof out[flag] === 'boolean') delete out[flag];
      }
    }
    return out;
  }

  #reference(ref: string, at: string): { $ref: string } {
    let name = this.#names.get(ref);
    if (name === undefined) {
      const target = resolvePointer(this.#document, ref, at);
      name = this.#uniqueName(ref);
      this.#names.set(ref, name);
      this.defs[name] = true; // placeholder: a cycle back to this ref ends here
      this.defs[name] = this.convert(target, ref.slice(2).replace(/\//g, '.'), 1);
    }
    return { $ref: `#/$defs/${name}` };
  }

  #uniqueName(ref: string): string {
    const base = (ref.startsWith('#/components/schemas/') ? ref.slice('#/components/schemas/'.length) : ref.slice(2)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'root';
    let name = base;
    for (let n = 2; Object.hasOwn(this.defs, name); n++) name = `${base}_${n}`;
    return name;
  }
}
