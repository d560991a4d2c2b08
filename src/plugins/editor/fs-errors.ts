import { type ErrorCode, GatewayError, isGatewayError } from '../../sdk/index.js';

/**
 * What an errno means for the person who asked, and whose problem it is. Problems with the request
 * (a missing file, a name taken) are INVALID_ARGUMENTS, so the model can correct itself and they
 * never open the service's circuit breaker; a full or read-only disk is the backend's (BACKEND_ERROR).
 */
const EXPLAIN: Record<string, { code: ErrorCode; text: string }> = {
  ENOENT: { code: 'INVALID_ARGUMENTS', text: 'does not exist — list_directory shows what does' },
  EEXIST: { code: 'INVALID_ARGUMENTS', text: 'already exists' },
  ENOTDIR: { code: 'INVALID_ARGUMENTS', text: 'has a file where the path needs a folder' },
  EISDIR: { code: 'INVALID_ARGUMENTS', text: 'is a folder, not a file — list_directory shows its entries' },
  ENOTEMPTY: { code: 'INVALID_ARGUMENTS', text: 'is a folder that is not empty — pass recursive: true to delete it with everything in it' },
  EACCES: { code: 'INVALID_ARGUMENTS', text: 'is not accessible to the operating-system user the gateway runs as (permission denied)' },
  EPERM: { code: 'INVALID_ARGUMENTS', text: 'is not accessible to the operating-system user the gateway runs as (operation not permitted)' },
  ENAMETOOLONG: { code: 'INVALID_ARGUMENTS', text: 'has a name that is too long for the file system' },
  ELOOP: { code: 'INVALID_ARGUMENTS', text: 'was replaced by a symbolic link while the gateway worked on it — nothing was done; retry' },
  EXDEV: { code: 'INVALID_ARGUMENTS', text: 'cannot be moved there: the two places are on different file systems — read, create and delete instead' },
  EINVAL: { code: 'INVALID_ARGUMENTS', text: 'cannot be moved into itself' },
  EBUSY: { code: 'INVALID_ARGUMENTS', text: 'is in use by the system (a mount point?)' },
  ETXTBSY: { code: 'INVALID_ARGUMENTS', text: 'is a program that is running' },
  ENOSPC: { code: 'BACKEND_ERROR', text: 'could not be written: the disk is full — free space on the workspace disk' },
  EDQUOT: { code: 'BACKEND_ERROR', text: 'could not be written: the disk quota of the gateway user is used up' },
  EROFS: { code: 'BACKEND_ERROR', text: 'could not be written: the file system is mounted read-only' },
  EMFILE: { code: 'BACKEND_ERROR', text: 'could not be opened: the gateway has too many open files (raise ulimit -n)' },
  ENFILE: { code: 'BACKEND_ERROR', text: 'could not be opened: the system has too many open files' },
  EIO: { code: 'BACKEND_ERROR', text: 'failed with an input/output error of the disk' },
};

/** The errno code of a Node file-system error, if it is one. */
export function errnoOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * Turns a file-system error into a coded error naming the service, the action and the path the
 * caller gave (never the real path outside it). Coded errors pass through unchanged.
 *
 * @example throw fsFailure(error, 'notes', 'read', 'todo.md') // [notes] cannot read todo.md: it does not exist — …
 */
export function fsFailure(error: unknown, service: string, action: string, path: string): GatewayError {
  if (isGatewayError(error)) return error;
  const errno = errnoOf(error);
  const known = errno === undefined ? undefined : EXPLAIN[errno];
  const text = known?.text ?? (error instanceof Error ? error.message : String(error));
  return new GatewayError(known?.code ?? 'BACKEND_ERROR', `cannot ${action} ${path}: it ${text}`, {
    service,
    cause: error,
    data: { path, ...(errno ? { errno } : {}) },
  });
}

/** A refusal that is about the request, not the disk. */
export function refuse(service: string, message: string, data: Record<string, unknown> = {}): GatewayError {
  return new GatewayError('INVALID_ARGUMENTS', message, { service, data });
}
