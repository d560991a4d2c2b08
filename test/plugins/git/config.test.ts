// The git plugin's config: the ADR-020 example loads unchanged, defaults are what the docs say, and
// mistakes are reported with their path.
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKSPACE, gitConfigSchema } from '../../../src/plugins/git/config.js';
import { sshCommand } from '../../../src/plugins/git/environment.js';
import { describeIssues, loadInvalid, loadText, loadValid, serviceNamed } from '../../config/load.js';

/** The plugins block of ADR-020 (seed 004), byte for byte. */
const SEED = `# config/mcpeg.yaml - Plugin configuration
plugins:
  editor:
    enabled: true
    config:
      workspace_dir: "./build/data/workspaces"
      max_file_size: "10MB"
      allowed_extensions: [".go", ".yaml", ".json", ".md"]
  
  git:
    enabled: true
    config:
      default_branch: "main"
      auth_methods: ["ssh", "https"]
      clone_depth: 50
  
  memory:
    enabled: true
    config:
      storage_path: "./build/data/memory_storage.json"
      cache_size: "100MB"
      backup_interval: "1h"
`;

describe('git plugin config', () => {
  it('loads the ADR-020 example unchanged: the key "git" names the built-in type', async () => {
    const result = await loadText(SEED);
    if (!result.ok) expect.fail(describeIssues(result.issues));
    const git = serviceNamed(result.config, 'git');
    expect(git).toMatchObject({ section: 'plugins', type: 'git', category: 'git', enabled: true });
    expect(git.config).toMatchObject({
      default_branch: 'main',
      auth_methods: ['ssh', 'https'],
      clone_depth: 50,
      workspace_dir: DEFAULT_WORKSPACE,
    });
    // The editor of the same example works on the folder git defaults to: one workspace serves both.
    expect((serviceNamed(result.config, 'editor').config as { workspace_dir: string }).workspace_dir).toBe(DEFAULT_WORKSPACE);
  });

  it('has safe defaults', () => {
    expect(gitConfigSchema.parse({})).toMatchObject({
      workspace_dir: './build/data/workspaces',
      default_branch: 'main',
      auth_methods: ['ssh', 'https'],
      allow_protocols: [],
      clone_depth: 0,
      max_output: 1_000_000,
      allow_force_push: false,
      allow_hooks: false,
      trust_repo_config: false,
      ssh_accept_new_hosts: false,
    });
  });

  it('serves a second instance under another name with driver: git', async () => {
    const config = await loadValid(`plugins:
  repos:
    driver: git
    workspace_dir: /srv/repos
    config:
      author_name: Release Bot
`);
    expect(serviceNamed(config, 'repos').config).toMatchObject({ workspace_dir: '/srv/repos', author_name: 'Release Bot' });
  });

  it.each([
    ['clone_dept: 5', 'plugins.git.config.clone_dept', 'unknown key "clone_dept"'],
    ['clone_depth: -1', 'plugins.git.config.clone_depth', ''],
    ['default_branch: "-D"', 'plugins.git.config.default_branch', 'must not start with "-"'],
    ['default_branch: "a..b"', 'plugins.git.config.default_branch', 'must not contain ".."'],
    ['auth_methods: [ftp]', 'plugins.git.config.auth_methods[0]', ''],
    ['allow_protocols: [ext]', 'plugins.git.config.allow_protocols[0]', ''],
    ['https_token: abc', 'plugins.git.config.https_token', 'the hosts the token may be sent to'],
    ['max_output: lots', 'plugins.git.config.max_output', 'is not a size'],
    ['author_name: "a\\nb"', 'plugins.git.config.author_name', 'control characters'],
  ])('rejects %s at %s', async (line, path, message) => {
    const issues = await loadInvalid(`plugins:\n  git:\n    config:\n      ${line}\n`);
    const issue = issues.find((candidate) => candidate.path === path);
    if (!issue) expect.fail(`no issue at ${path} in:\n${describeIssues(issues)}`);
    expect(issue.message).toContain(message);
  });

  it('refuses credentials for a method auth_methods leaves out', async () => {
    const issues = await loadInvalid(`plugins:
  git:
    config:
      auth_methods: [https]
      ssh_key: /keys/id_ed25519
`);
    expect(issues.map((issue) => issue.message).join('\n')).toContain('ssh_key is set but auth_methods does not list ssh');
  });

  it('quotes configured paths in the ssh command git runs through sh', () => {
    const config = gitConfigSchema.parse({ ssh_key: "/keys/it's; touch x", ssh_known_hosts: '/k/known' });
    expect(sshCommand(config)).toBe(
      "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -i '/keys/it'\\''s; touch x' -o IdentitiesOnly=yes -o 'UserKnownHostsFile=/k/known'",
    );
  });
});
