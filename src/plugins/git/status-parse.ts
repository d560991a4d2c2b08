/** One changed path in `git status`. `index` and `worktree` are git's X and Y letters (`.` = unchanged). */
export interface StatusEntry {
  readonly path: string;
  readonly index: string;
  readonly worktree: string;
  /** For renames and copies: where the file came from. */
  readonly from?: string;
}

export interface Status {
  readonly branch: {
    /** The branch checked out; undefined when HEAD is detached. */
    readonly head: string | undefined;
    /** The commit checked out; undefined before the first commit. */
    readonly commit: string | undefined;
    readonly upstream: string | undefined;
    readonly ahead: number | undefined;
    readonly behind: number | undefined;
  };
  readonly staged: StatusEntry[];
  readonly unstaged: StatusEntry[];
  readonly untracked: string[];
  readonly conflicted: StatusEntry[];
  readonly clean: boolean;
}

/**
 * Parses `git status --porcelain=v2 --branch -z`.
 *
 * @example parseStatus('# branch.head main\0? notes.txt\0').untracked // ['notes.txt']
 */
export function parseStatus(output: string): Status {
  const records = output.split('\0');
  const branch: { head?: string; commit?: string; upstream?: string; ahead?: number; behind?: number } = {};
  const staged: StatusEntry[] = [];
  const unstaged: StatusEntry[] = [];
  const untracked: string[] = [];
  const conflicted: StatusEntry[] = [];
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    if (record.length === 0) continue;
    if (record.startsWith('# ')) {
      const [key = '', ...rest] = record.slice(2).split(' ');
      const value = rest.join(' ');
      if (key === 'branch.head') branch.head = value === '(detached)' ? undefined : value;
      else if (key === 'branch.oid') branch.commit = value === '(initial)' ? undefined : value;
      else if (key === 'branch.upstream') branch.upstream = value;
      else if (key === 'branch.ab') {
        const match = /^\+(\d+) -(\d+)$/.exec(value);
        if (match) [branch.ahead, branch.behind] = [Number(match[1]), Number(match[2])];
      }
      continue;
    }
    const kind = record[0];
    if (kind === '?') untracked.push(record.slice(2));
    else if (kind === '1' || kind === '2' || kind === 'u') {
      // 1 XY sub mH mI mW hH hI path | 2 XY sub mH mI mW hH hI Xscore path \0 from | u XY sub m1 m2 m3 mW h1 h2 h3 path
      const fieldsBeforePath = kind === '1' ? 8 : kind === '2' ? 9 : 10;
      const parts = record.split(' ');
      const xy = parts[1] ?? '..';
      const path = parts.slice(fieldsBeforePath).join(' ');
      const entry: StatusEntry = { path, index: xy[0] ?? '.', worktree: xy[1] ?? '.' };
      if (kind === '2') (entry as { from?: string }).from = records[++index];
      if (kind === 'u') conflicted.push(entry);
      else {
        if (entry.index !== '.') staged.push(entry);
        if (entry.worktree !== '.') unstaged.push(entry);
      }
    }
  }
  return {
    branch: { head: branch.head, commit: branch.commit, upstream: branch.upstream, ahead: branch.ahead, behind: branch.behind },
    staged,
    unstaged,
    untracked,
    conflicted,
    clean: staged.length + unstaged.length + untracked.length + conflicted.length === 0,
  };
}

/** A short human summary of a status, like `git status -s` with a header. */
export function describeStatus(status: Status, repo: string): string {
  const { branch } = status;
  const where = branch.head ? `on branch ${branch.head}` : `detached at ${branch.commit?.slice(0, 12) ?? '(no commit)'}`;
  const track =
    branch.upstream !== undefined ? `, tracking ${branch.upstream}${branch.ahead || branch.behind ? ` (ahead ${branch.ahead}, behind ${branch.behind})` : ''}` : '';
  const lines = [`${repo}: ${where}${track}${branch.commit ? '' : ', no commits yet'}`];
  if (status.clean) lines.push('working tree clean');
  for (const entry of status.conflicted) lines.push(`conflict  ${entry.path}`);
  for (const entry of status.staged) lines.push(`staged    ${entry.index} ${entry.from ? `${entry.from} -> ` : ''}${entry.path}`);
  for (const entry of status.unstaged) lines.push(`unstaged  ${entry.worktree} ${entry.path}`);
  for (const path of status.untracked) lines.push(`untracked ${path}`);
  return lines.join('\n');
}
