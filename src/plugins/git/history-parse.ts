/** One commit as the log and show tools return it. */
export interface Commit {
  readonly hash: string;
  readonly short: string;
  readonly parents: string[];
  readonly author: { readonly name: string; readonly email: string; readonly date: string };
  readonly committer: { readonly name: string; readonly email: string; readonly date: string };
  readonly subject: string;
  readonly body: string;
}

/** The `--format` that `parseLog` reads, with `-z` separating commits. */
export const LOG_FORMAT = '--format=%H%x00%h%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%s%x00%b';
const FIELDS = 11;

/**
 * Parses `git log -z` output in {@link LOG_FORMAT}. A cut-off last record (output bounded) is dropped.
 *
 * @example parseLog(stdout).map((commit) => commit.subject)
 */
export function parseLog(output: string): Commit[] {
  const fields = output.split('\0');
  const commits: Commit[] = [];
  for (let index = 0; index + FIELDS <= fields.length; index += FIELDS) {
    const [hash, short, parents, an, ae, ad, cn, ce, cd, subject, body] = fields.slice(index, index + FIELDS) as string[];
    // Each commit after the first starts with the newline git puts between -z records' format output.
    commits.push({
      hash: hash!.replace(/^\n/, ''),
      short: short!,
      parents: parents ? parents.split(' ') : [],
      author: { name: an!, email: ae!, date: ad! },
      committer: { name: cn!, email: ce!, date: cd! },
      subject: subject!,
      body: body!.trimEnd(),
    });
  }
  return commits;
}

export interface Branch {
  readonly name: string;
  readonly ref: string;
  readonly remote: boolean;
  readonly commit: string;
  readonly current: boolean;
  readonly upstream: string | undefined;
  /** `ahead 1, behind 2`, `gone`, or undefined when in sync or untracked. */
  readonly track: string | undefined;
  readonly date: string;
  readonly subject: string;
}

/** The `--format` of `git for-each-ref` that `parseBranches` reads (one ref per line). */
export const BRANCH_FORMAT =
  '--format=%(refname)%00%(refname:short)%00%(objectname)%00%(upstream:short)%00%(upstream:track,nobracket)%00%(HEAD)%00%(committerdate:iso-strict)%00%(contents:subject)';

/** Parses `git for-each-ref` output in {@link BRANCH_FORMAT}; remote HEAD symrefs are left out. */
export function parseBranches(output: string): Branch[] {
  const branches: Branch[] = [];
  for (const line of output.split('\n')) {
    if (line.length === 0) continue;
    const [ref = '', name = '', commit = '', upstream = '', track = '', head = '', date = '', subject = ''] = line.split('\0');
    if (ref.startsWith('refs/remotes/') && ref.endsWith('/HEAD')) continue;
    branches.push({
      name,
      ref,
      remote: ref.startsWith('refs/remotes/'),
      commit,
      current: head === '*',
      upstream: upstream || undefined,
      track: track || undefined,
      date,
      subject,
    });
  }
  return branches;
}

/** Parses `git diff --numstat -z`: added/deleted line counts per file (`-` for binary files). */
export function parseNumstat(output: string): { path: string; from?: string; added: number | null; deleted: number | null }[] {
  const parts = output.split('\0');
  const files: { path: string; from?: string; added: number | null; deleted: number | null }[] = [];
  for (let index = 0; index < parts.length; index++) {
    const record = parts[index]!;
    if (record.length === 0) continue;
    const [added = '-', deleted = '-', path = ''] = record.split('\t');
    const count = (value: string) => (value === '-' ? null : Number(value));
    if (path === '') {
      // A rename: "added\tdeleted\t" then the old and the new path as records of their own.
      const from = parts[++index] ?? '';
      const to = parts[++index] ?? '';
      files.push({ path: to, from, added: count(added), deleted: count(deleted) });
    } else files.push({ path, added: count(added), deleted: count(deleted) });
  }
  return files;
}
