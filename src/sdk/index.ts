/**
 * `mcpeg/sdk` — the public API for service-type and plugin authors. Built-in adapters and plugins use
 * exactly this surface. See docs/plugins.md.
 */
export { ByteLruCache } from './byte-lru-cache.js';
export { defineServiceType } from './define-service-type.js';
export { ERROR_CODES, GatewayError, isGatewayError } from './errors.js';
export type { ErrorCode, GatewayErrorOptions } from './errors.js';
export type { Logger } from './logger.js';
export type {
  CallContext,
  Completer,
  Completion,
  Era,
  HealthReport,
  Principal,
  PromptDefinition,
  PromptResult,
  ResourceDefinition,
  ResourceResult,
  ResourceTemplateDefinition,
  ServiceContext,
  ServiceInstance,
  ServiceStats,
  ServiceType,
  ServiceTypeMetadata,
  ToolDefinition,
  ToolResult,
} from './service-type.js';
export { acceptedContent, inputRequired, inputResponse } from '@modelcontextprotocol/server';
export type {
  CallToolResult,
  ContentBlock,
  GetPromptResult,
  InputRequiredResult,
  ReadResourceResult,
  ToolAnnotations,
} from '@modelcontextprotocol/server';
export { z } from 'zod';
export { duration, size } from './units.js';
