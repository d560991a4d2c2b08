/**
 * Config keys with which a repository makes git run a program of its choosing. A repository's own
 * `.git/config` can be written by anyone who can write the workspace — another plugin, an agent with a
 * file editor — so MCPEG refuses to run git in a repository that sets one, unless the service sets
 * `trust_repo_config: true`. Keys whose effect MCPEG overrides on every command line (core.hooksPath,
 * core.fsmonitor, core.sshCommand, core.askPass, core.editor, core.pager, protocol.*) need no refusal.
 */
const RUNS_A_PROGRAM: readonly RegExp[] = [
  /^filter\..+\.(clean|smudge|process)$/,
  /^merge\..+\.driver$/,
  /^diff\.external$/,
  /^diff\..+\.(command|textconv)$/,
  /^remote\..+\.(uploadpack|receivepack|vcs)$/,
  /^url\..+\.(insteadof|pushinsteadof)$/,
  /^core\.(gitproxy|alternaterefscommand)$/,
  /^gpg\.(.+\.)?program$/,
  /^credential\.(.+\.)?helper$/,
  /^submodule\..+\.update$/,
  /^uploadpack\.packobjectshook$/,
];

/**
 * The keys in `listing` (the NUL-separated output of `git config -l -z --name-only --show-scope`) that
 * the repository sets (scope local or worktree, includes followed) and that run a program.
 *
 * @example riskyRepositoryKeys('local\0filter.x.smudge\0command\0core.x\0') // ['filter.x.smudge']
 */
export function riskyRepositoryKeys(listing: string): string[] {
  const fields = listing.split('\0');
  const found: string[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const scope = fields[index]!;
    const key = fields[index + 1]!.toLowerCase();
    if (scope === 'command') continue;
    if (RUNS_A_PROGRAM.some((pattern) => pattern.test(key)) && !found.includes(key)) found.push(key);
  }
  return found;
}
