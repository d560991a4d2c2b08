// Loading YAML text the way `mcpeg validate` does, for the config tests: through loadConfig, with an explicit
// environment (never the test runner's) and any extra service types.
import { expect } from 'vitest';
import { type LoadResult, loadConfig } from '../../src/bootstrap.js';
import type { GatewayConfig, ServiceConfig } from '../../src/config/model.js';
import type { ConfigIssue } from '../../src/config/source.js';
import type { ServiceType } from '../../src/sdk/service-type.js';
import { quietLogger } from '../helpers/gateway.js';

export interface LoadTextOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly types?: readonly ServiceType<unknown>[];
  readonly origin?: string;
}

/** Validates YAML text with loadConfig; nothing starts. */
export function loadText(text: string, options: LoadTextOptions = {}): Promise<LoadResult> {
  return loadConfig({
    text,
    origin: options.origin ?? '/tmp/mcpeg-config-test/mcpeg.yaml',
    env: options.env ?? {},
    logger: quietLogger(),
    types: options.types ?? [],
  });
}

/** Loads text that must be valid; fails with every issue listed when it is not. */
export async function loadValid(text: string, options: LoadTextOptions = {}): Promise<GatewayConfig> {
  const result = await loadText(text, options);
  if (!result.ok) expect.fail(`expected a valid config, got:\n${describeIssues(result.issues)}`);
  return result.config;
}

/** Loads text that must be invalid and returns its issues. */
export async function loadInvalid(text: string, options: LoadTextOptions = {}): Promise<ConfigIssue[]> {
  const result = await loadText(text, options);
  if (result.ok) expect.fail('expected the config to be rejected, but it validated');
  return result.issues;
}

/** The one issue at `path`; fails when there is none or more than one there. */
export function issueAt(issues: readonly ConfigIssue[], path: string): ConfigIssue {
  const found = issues.filter((issue) => issue.path === path);
  if (found.length !== 1)
    expect.fail(`expected one issue at ${path}, found ${found.length} in:\n${describeIssues(issues)}`);
  return found[0]!;
}

/** The configured service called `name`. */
export function serviceNamed(config: GatewayConfig, name: string): ServiceConfig {
  const found = config.services.find((service) => service.name === name);
  if (!found) expect.fail(`no service ${name} in: ${config.services.map((service) => service.name).join(', ')}`);
  return found;
}

/** The 1-based line of the first line of `text` that contains `needle`: expected lines are computed, not counted. */
export function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  if (index < 0) throw new Error(`"${needle}" is not in the test YAML`);
  return index + 1;
}

export function describeIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => `  ${issue.line ?? '?'}:${issue.column ?? '?'}  ${issue.path}  ${issue.message}`)
    .join('\n');
}
