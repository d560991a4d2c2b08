import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Why a command or working directory cannot be used; the message says what to fix. */
export class CommandNotUsable extends Error {
  override readonly name = 'CommandNotUsable';
}

/**
 * Resolves `command:` once, when the service starts, to the absolute path of an executable file:
 * an absolute path is checked as is; a relative path containing `/` resolves against the tool's
 * working directory; a bare name is looked up in `searchPath` (the child's PATH), skipping relative
 * PATH entries (which would make the program depend on the working directory).
 *
 * @example await resolveCommand('du', { cwd: '/srv', searchPath: '/usr/bin:/bin' }) // '/usr/bin/du'
 */
export async function resolveCommand(command: string, options: { cwd: string; searchPath: string | undefined }): Promise<string> {
  if (command.includes('/') || isAbsolute(command)) {
    const file = isAbsolute(command) ? command : resolve(options.cwd, command);
    const problem = await executableProblem(file);
    if (problem) throw new CommandNotUsable(`command "${command}" (${file}) ${problem}`);
    return file;
  }
  const directories = (options.searchPath ?? '').split(delimiter).filter((entry) => entry !== '' && isAbsolute(entry));
  for (const directory of directories) {
    const file = join(directory, command);
    if ((await executableProblem(file)) === undefined) return file;
  }
  throw new CommandNotUsable(
    directories.length === 0
      ? `command "${command}" is a bare name, but there is no PATH to look it up in — give an absolute path in command:, or allow PATH in env_allow:`
      : `command "${command}" was not found on PATH (${directories.join(delimiter)}) — install it, or give an absolute path in command:`,
  );
}

/** Checks a working directory exists and is a directory; returns its absolute path. */
export async function resolveDirectory(directory: string, base: string): Promise<string> {
  const absolute = resolve(base, directory);
  try {
    if (!(await stat(absolute)).isDirectory()) throw new CommandNotUsable(`cwd "${directory}" (${absolute}) is not a directory — fix cwd:`);
  } catch (error) {
    if (error instanceof CommandNotUsable) throw error;
    throw new CommandNotUsable(`cwd "${directory}" (${absolute}) does not exist or cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}) — fix cwd:`);
  }
  return absolute;
}

/** What keeps `file` from being run, or undefined when it is an executable file. */
export async function executableProblem(file: string): Promise<string | undefined> {
  try {
    if (!(await stat(file)).isFile()) return 'is not a file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(error)})`;
  }
  try {
    await access(file, constants.X_OK);
  } catch {
    return 'is not executable (chmod +x it, or run it through its interpreter: command: python3, args: [script.py, …])';
  }
  return undefined;
}
