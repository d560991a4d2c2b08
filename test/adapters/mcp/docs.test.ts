// Every ```yaml block of docs/federation.md is a real config (test/helpers/docs-examples.ts): the valid ones
// configure mcp services only; secret files the examples read from /run/secrets/ are provided.
import { expect } from 'vitest';
import mcpServiceType from '../../../src/adapters/mcp/index.js';
import type { ServiceType } from '../../../src/sdk/service-type.js';
import { checkDocsExamples } from '../../helpers/docs-examples.js';

checkDocsExamples('docs/federation.md', {
  types: [mcpServiceType as ServiceType<unknown>],
  minimumBlocks: 6,
  whenValid: (config, where) => expect(config.services.every((service) => service.type === 'mcp'), where).toBe(true),
});
