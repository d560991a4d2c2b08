import { isGatewayError, type Logger, type ToolDefinition } from '../../sdk/index.js';
import { errnoOf, fsFailure } from './fs-errors.js';

/** What each tool does to its path, for messages about an unexpected file-system error. */
const VERBS: Record<string, string> = {
  read_file: 'read',
  list_directory: 'list',
  search: 'search',
  validate: 'validate',
  write_file: 'write',
  create_file: 'create',
  create_directory: 'create the folder',
  edit_file: 'edit',
  move: 'move',
  delete: 'delete',
  format: 'format',
};

/**
 * The editor's error boundary around each tool: a file-system error no step mapped (a file removed
 * in the middle of a walk) becomes a coded error naming the path as given, and every refused attempt
 * to reach outside the workspace is logged as a warning the operator may want to see.
 */
export function atBoundary(tool: ToolDefinition, service: string, logger: Logger): ToolDefinition {
  return {
    ...tool,
    call: async (args, call) => {
      try {
        return await tool.call(args, call);
      } catch (error) {
        if (isGatewayError(error)) {
          if (error.data?.reason === 'outside_workspace') logger.warn({ tool: tool.name, principal: call.principal.id, code: error.code }, error.message);
          throw error;
        }
        if (errnoOf(error) === undefined || call.signal.aborted) throw error;
        throw fsFailure(error, service, VERBS[tool.name] ?? tool.name, String(args.path ?? args.from ?? '.'));
      }
    },
  };
}
