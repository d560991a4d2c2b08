#!/usr/bin/env node
// Writes schema/mcpeg.schema.json, the JSON Schema editors use to complete and check mcpeg.yaml.
// It is generated from the built zod schema (run `npm run build` first); test/config/json-schema.test.ts
// fails when the committed file is not what this script would write.
import { writeFileSync } from 'node:fs';

const target = new URL('../schema/mcpeg.schema.json', import.meta.url);
let configJsonSchema;
try {
  ({ configJsonSchema } = await import('../dist/config/json-schema.js'));
} catch (error) {
  console.error(
    `cannot load dist/config/json-schema.js (${error.message}): run "npm run build" first, then "npm run schema"`,
  );
  process.exit(1);
}
writeFileSync(target, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
