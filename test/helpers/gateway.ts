import { buildGateway, loadConfig } from '../../src/bootstrap.js';
import type { Gateway } from '../../src/core/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import type { ServiceType } from '../../src/sdk/service-type.js';

export const quietLogger = () => createLogger({ level: process.env.MCPEG_TEST_LOG ?? 'silent' });

/** Loads YAML text with extra service types and builds a started gateway; throws with the issues when invalid. */
export async function gatewayFrom(text: string, types: readonly ServiceType<unknown>[] = [], origin = '/tmp/mcpeg-test.yaml'): Promise<Gateway> {
  const logger = quietLogger();
  const loaded = await loadConfig({ text, origin, env: process.env, logger, types });
  if (!loaded.ok) throw new Error(`invalid test config:\n${loaded.issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n')}`);
  return buildGateway({ config: loaded.config, registry: loaded.registry, logger });
}
