// TEST DOUBLES — not service types of the product. The seeds name types that land with later issues (mysql,
// hashicorp-vault, rest, editor, git, memory). To prove the rest of each seed validates today, these register
// stand-ins under those names that accept any config and do nothing. A name a built-in already provides is left
// to the built-in, so the seed tests start checking the real type the day it lands.
import { BUILT_IN_SERVICE_TYPES } from '../../src/adapters/built-in.js';
import { defineServiceType, z } from '../../src/sdk/index.js';
import type { ServiceType } from '../../src/sdk/service-type.js';

/** A do-nothing test double named `name` that accepts any config (no tools, no I/O). */
export function seedTypeDouble(name: string, category: string): ServiceType<unknown> {
  return defineServiceType({
    name,
    version: '0.0.0-test-double',
    category,
    description: `test double standing in for the ${name} service type`,
    configSchema: z.record(z.string(), z.unknown()),
    create: () => ({}),
  }) as ServiceType<unknown>;
}

/** Test doubles for the given `name → category` pairs, except names a built-in type already has. */
export function seedTypeDoubles(types: Readonly<Record<string, string>>): ServiceType<unknown>[] {
  return Object.entries(types)
    .filter(([name]) => !(name in BUILT_IN_SERVICE_TYPES))
    .map(([name, category]) => seedTypeDouble(name, category));
}
