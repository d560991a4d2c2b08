import { z } from '../../sdk/index.js';
import { size } from '../../sdk/units.js';
import { hasControlCharacters } from './paths.js';
import { branchNameProblem } from './refs.js';

/** Transports that authenticate: the seed's `auth_methods`. */
export const AUTH_METHODS = ['ssh', 'https'] as const;
/** Transports without authentication, off unless listed in `allow_protocols`. */
export const PLAIN_PROTOCOLS = ['git', 'http', 'file'] as const;

export type Transport = (typeof AUTH_METHODS)[number] | (typeof PLAIN_PROTOCOLS)[number];

/** Where repositories live when `workspace_dir` is not set: the editor plugin's workspace in the ADR-020 example. */
export const DEFAULT_WORKSPACE = './build/data/workspaces';

const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !hasControlCharacters(value), 'must not contain control characters (newlines, NUL, …)');

/**
 * Settings of the `git` plugin (ADR-020: `default_branch`, `auth_methods`, `clone_depth`), plus where the
 * repositories live, who commits, and how to authenticate.
 *
 * @example gitConfigSchema.parse({ default_branch: 'main', auth_methods: ['ssh', 'https'], clone_depth: 50 })
 */
export const gitConfigSchema = z
  .strictObject({
    workspace_dir: text(4096)
      .default(DEFAULT_WORKSPACE)
      .describe(
        'The folder that holds the repositories (the same key and folder as the editor plugin, so one workspace serves both); ' +
          'a relative path resolves against the working directory of the gateway; created on start when missing',
      ),
    default_branch: text(255)
      .default('main')
      .superRefine((value, ctx) => {
        const problem = branchNameProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid branch name: ${problem}` });
      })
      .describe('The first branch of a repository the init tool creates'),
    auth_methods: z
      .array(z.enum(AUTH_METHODS))
      .default([...AUTH_METHODS])
      .describe('Authenticated transports remotes may use: ssh (ssh:// and user@host:path) and https'),
    allow_protocols: z
      .array(z.enum(PLAIN_PROTOCOLS))
      .default([])
      .describe('Unauthenticated transports allowed as well: git (git://), http (plain http://), file (a repository inside the workspace)'),
    clone_depth: z
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(0)
      .describe('History depth of a clone when the call gives none; 0 clones the whole history'),
    author_name: text(200).default('MCPEG').describe('Author and committer name of commits and merges'),
    author_email: text(200).default('mcpeg@localhost').describe('Author and committer email of commits and merges'),
    https_token: z.string().min(1).optional().describe('A token for https remotes; use a reference like ${GIT_TOKEN} or ${file:/run/secrets/git_token}'),
    https_username: text(200).default('x-access-token').describe('The user name sent with https_token (GitHub: x-access-token; GitLab: oauth2)'),
    https_hosts: z
      .array(text(253).regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'must be a host name, optionally with :port'))
      .optional()
      .describe('The hosts https_token is sent to (required with https_token), e.g. [github.com]'),
    https_ca_file: text(4096)
      .optional()
      .describe('A PEM file of certificate authorities to trust for https remotes (a private CA), instead of the system ones'),
    ssh_key: text(4096).optional().describe('Path of the private key for ssh remotes (passed with -i and IdentitiesOnly=yes)'),
    ssh_known_hosts: text(4096).optional().describe('A known_hosts file for ssh remotes (default: ~/.ssh/known_hosts)'),
    ssh_accept_new_hosts: z
      .boolean()
      .default(false)
      .describe('Trust an ssh host key seen for the first time (StrictHostKeyChecking=accept-new); otherwise unknown hosts are refused'),
    max_output: size().default(1_000_000).describe('Most bytes of output (diff, show, log) a call returns; the rest is cut and marked truncated'),
    allow_force_push: z.boolean().default(false).describe('Let push overwrite remote history (--force-with-lease)'),
    allow_hooks: z.boolean().default(false).describe("Run the repositories' hooks (off: core.hooksPath is pointed at an empty place)"),
    trust_repo_config: z
      .boolean()
      .default(false)
      .describe('Work in repositories whose own config names programs to run (filters, merge drivers, helpers); refused by default'),
  })
  .superRefine((config, ctx) => {
    if (config.https_token !== undefined && config.https_hosts === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['https_token'],
        message: 'https_token needs https_hosts: the hosts the token may be sent to (e.g. [github.com]), so a clone from another host never receives it',
      });
    }
    if (config.https_token !== undefined && !config.auth_methods.includes('https')) {
      ctx.addIssue({ code: 'custom', path: ['https_token'], message: 'https_token is set but auth_methods does not list https: add it or remove the token' });
    }
    if (config.ssh_key !== undefined && !config.auth_methods.includes('ssh')) {
      ctx.addIssue({ code: 'custom', path: ['ssh_key'], message: 'ssh_key is set but auth_methods does not list ssh: add it or remove the key' });
    }
  });

export type GitConfig = z.output<typeof gitConfigSchema>;

/** Every transport a service allows. */
export function allowedTransports(config: Pick<GitConfig, 'auth_methods' | 'allow_protocols'>): ReadonlySet<Transport> {
  return new Set<Transport>([...config.auth_methods, ...config.allow_protocols]);
}
