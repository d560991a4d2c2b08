import type { Logger, ToolResult } from '../../sdk/index.js';
import type { EditorConfig } from './config.js';
import type { FilePolicy } from './file-policy.js';
import type { KeyLock } from './key-lock.js';
import { ENCODINGS } from './text-codec.js';
import type { Workspace } from './workspace.js';

/** What every editor tool works with: one service's workspace, policy and per-file lock. */
export interface EditorContext {
  readonly service: string;
  readonly config: EditorConfig;
  readonly workspace: Workspace;
  readonly policy: FilePolicy;
  readonly lock: KeyLock;
  readonly logger: Logger;
}

/** JSON Schema of a path argument. */
export const PATH_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  description: 'Path relative to the workspace (e.g. notes/todo.md; "." is the workspace), or an absolute path inside a workspace root',
} as const;

export const ENCODING_SCHEMA = {
  type: 'string',
  enum: [...ENCODINGS] as string[],
  default: 'utf-8',
  description: 'utf-8 (default), utf-16le, latin1, or base64 for bytes that are not text',
};

/** A successful result: text for the model, the same facts as structured content. */
export function done(text: string, structured: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}
