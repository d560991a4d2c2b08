// Checks a YAML document against the published JSON Schema with a real JSON Schema validator — the one the
// gateway uses for tool arguments — the way an editor would underline it.
import { fromJsonSchema } from '@modelcontextprotocol/server';
import { parse } from 'yaml';
import { configJsonSchema } from '../../src/config/json-schema.js';

const validator = fromJsonSchema(configJsonSchema() as Parameters<typeof fromJsonSchema>[0]);

/** What the published schema finds wrong with `yamlText` (before references are resolved, as an editor sees it). */
export async function schemaIssues(yamlText: string): Promise<string[]> {
  const result = await validator['~standard'].validate(parse(yamlText) ?? {});
  return 'issues' in result && result.issues ? result.issues.map((issue) => issue.message) : [];
}
