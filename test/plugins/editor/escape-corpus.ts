// The path-escape corpus: every way we know to make an editor tool touch something outside its
// workspace. Each case runs in a fresh sandbox with the traps below planted inside the workspace and
// sentinel files outside it; escape.test.ts asserts, for every case, that nothing outside changed,
// nothing was created beside the workspace, and no result contains the sentinel secret.
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './editor-fixture.js';

export interface EscapeCase {
  readonly name: string;
  readonly tool: string;
  readonly args: (box: Sandbox) => Record<string, unknown>;
  /** refused: the call must fail. allowed: it must succeed (and stay inside). either: whatever it does stays inside. */
  readonly expect: 'refused' | 'allowed' | 'either';
  /** Calls to make first (same service), e.g. moving a link before reading through it. */
  readonly before?: readonly { tool: string; args: (box: Sandbox) => Record<string, unknown> }[];
  /** Extra check of the workspace afterwards. */
  readonly after?: (box: Sandbox) => void | Promise<void>;
}

/**
 * Plants the traps: symbolic links to outside (relative, absolute, chained, looping, dangling, to /,
 * to /proc/self/root), a link climbing two levels, a hard link to an outside file, and a few honest
 * files and links for the positive controls.
 */
export function plantTraps(box: Sandbox): void {
  const { ws, outside } = box;
  writeFileSync(join(ws, 'inside.md'), 'inside\n');
  mkdirSync(join(ws, 'sub'));
  mkdirSync(join(ws, 'inner'));
  writeFileSync(join(ws, 'inner', 'keep.md'), 'keep\n');
  symlinkSync('..', join(ws, 'sub', 'link_parent'));
  symlinkSync('../..', join(ws, 'inner', 'up'));
  symlinkSync('../outside', join(ws, 'link_out_dir'));
  symlinkSync(outside, join(ws, 'link_out_abs'));
  symlinkSync('../outside/secret.txt', join(ws, 'link_secret'));
  symlinkSync(join(outside, 'secret.md'), join(ws, 'link_secret.md'));
  symlinkSync('../outside/new-from-dangling.md', join(ws, 'dangling_out.md'));
  symlinkSync('chain2', join(ws, 'chain1'));
  symlinkSync('../outside', join(ws, 'chain2'));
  symlinkSync('loop_b', join(ws, 'loop_a'));
  symlinkSync('loop_a', join(ws, 'loop_b'));
  symlinkSync('/', join(ws, 'link_root'));
  symlinkSync('/proc/self/root', join(ws, 'link_proc'));
  symlinkSync('sub/../inside.md', join(ws, 'link_inside.md'));
  linkSync(join(outside, 'secret.md'), join(ws, 'hard_secret.md'));
  writeFileSync(join(ws, 'caf\u00e9.md'), 'nfc\n');
}

const read = (path: string | ((box: Sandbox) => string)) => (box: Sandbox) => ({ path: typeof path === 'string' ? path : path(box) });

export const ESCAPE_CASES: readonly EscapeCase[] = [
  // Plain `..` and absolute paths.
  { name: '.. to a sibling file', tool: 'read_file', args: read('../outside/secret.txt'), expect: 'refused' },
  { name: '.. twice to /etc/passwd', tool: 'read_file', args: read('../../etc/passwd'), expect: 'refused' },
  { name: 'many .. to /etc/passwd', tool: 'read_file', args: read('../../../../../../../../etc/passwd'), expect: 'refused' },
  { name: 'absolute /etc/passwd', tool: 'read_file', args: read('/etc/passwd'), expect: 'refused' },
  { name: 'absolute path of the outside secret', tool: 'read_file', args: read((box) => join(box.outside, 'secret.txt')), expect: 'refused' },
  { name: 'absolute path through the workspace and ..', tool: 'read_file', args: read((box) => `${box.ws}/../outside/secret.txt`), expect: 'refused' },
  { name: 'absolute sibling sharing the workspace prefix', tool: 'read_file', args: read((box) => `${box.ws}-evil/secret.txt`), expect: 'refused' },
  { name: 'a/../../ climbing out', tool: 'read_file', args: read('a/../../outside/secret.txt'), expect: 'refused' },
  { name: './../ climbing out', tool: 'read_file', args: read('./../outside/secret.txt'), expect: 'refused' },
  { name: 'read .. itself', tool: 'read_file', args: read('..'), expect: 'refused' },
  { name: 'list ..', tool: 'list_directory', args: read('..'), expect: 'refused' },
  { name: 'list /', tool: 'list_directory', args: read('/'), expect: 'refused' },
  { name: 'list /tmp', tool: 'list_directory', args: read('/tmp'), expect: 'refused' },
  { name: 'search ..', tool: 'search', args: () => ({ pattern: 'SENTINEL', path: '..' }), expect: 'refused' },
  { name: 'write through ..', tool: 'write_file', args: () => ({ path: '../outside/secret.txt', content: 'pwned' }), expect: 'refused' },
  { name: 'create beside the workspace', tool: 'create_file', args: () => ({ path: '../planted.md', content: 'x' }), expect: 'refused' },
  { name: 'create_directory beside the workspace', tool: 'create_directory', args: read('../planted-dir'), expect: 'refused' },
  { name: 'delete through ..', tool: 'delete', args: () => ({ path: '../outside/secret.txt', confirm: true }), expect: 'refused' },
  { name: 'delete the workspace root', tool: 'delete', args: () => ({ path: '.', confirm: true, recursive: true }), expect: 'refused' },
  { name: 'move out through ..', tool: 'move', args: () => ({ from: 'inside.md', to: '../outside/moved.md' }), expect: 'refused' },
  { name: 'move in from outside', tool: 'move', args: () => ({ from: '../outside/secret.txt', to: 'got.txt' }), expect: 'refused' },
  { name: 'file: URL is a literal relative name', tool: 'read_file', args: read('file:///etc/passwd'), expect: 'refused' },
  { name: '~ is a literal name', tool: 'read_file', args: read('~/.ssh/id_rsa'), expect: 'refused' },
  // Encodings are never decoded: they are names.
  { name: '%2e%2e is a literal name', tool: 'read_file', args: read('%2e%2e/outside/secret.txt'), expect: 'refused' },
  { name: 'fully encoded ../', tool: 'read_file', args: read('%2e%2e%2foutside%2fsecret.txt'), expect: 'refused' },
  { name: 'double-encoded %252e', tool: 'read_file', args: read('%252e%252e/outside/secret.txt'), expect: 'refused' },
  { name: '..%2f mixed', tool: 'read_file', args: read('..%2foutside%2fsecret.txt'), expect: 'refused' },
  {
    name: 'writing %2e%2e/x.md creates a literal folder inside',
    tool: 'write_file',
    args: () => ({ path: '%2e%2e/x.md', content: 'literal', create_parents: true }),
    expect: 'allowed',
    after: async (box) => expectFile(join(box.ws, '%2e%2e', 'x.md')),
  },
  { name: 'backslashes are literal on Linux', tool: 'read_file', args: read('..\\outside\\secret.txt'), expect: 'refused' },
  { name: 'overlong UTF-8 style %c0%ae', tool: 'read_file', args: read('%c0%ae%c0%ae/outside/secret.txt'), expect: 'refused' },
  // Unicode look-alikes and controls.
  { name: 'fullwidth dots ．．', tool: 'read_file', args: read('\uff0e\uff0e/outside/secret.txt'), expect: 'refused' },
  {
    name: 'fullwidth dots make a literal folder inside',
    tool: 'write_file',
    args: () => ({ path: '\uff0e\uff0e/x.md', content: 'literal', create_parents: true }),
    expect: 'allowed',
    after: async (box) => expectFile(join(box.ws, '\uff0e\uff0e', 'x.md')),
  },
  { name: 'one-dot leaders ․․', tool: 'read_file', args: read('\u2024\u2024/outside/secret.txt'), expect: 'refused' },
  { name: 'NFD spelling is not folded to the NFC file', tool: 'read_file', args: read('cafe\u0301.md'), expect: 'refused' },
  { name: 'NFC spelling reads the NFC file', tool: 'read_file', args: read('caf\u00e9.md'), expect: 'allowed' },
  { name: 'right-to-left override in a name', tool: 'read_file', args: read('\u202e../outside/secret.txt'), expect: 'refused' },
  { name: 'right-to-left override in a new name', tool: 'write_file', args: () => ({ path: 'invoice\u202egpj.md', content: 'x' }), expect: 'refused' },
  { name: 'left-to-right isolate', tool: 'create_file', args: () => ({ path: '\u2066x.md' }), expect: 'refused' },
  { name: 'NUL byte truncating to a real name', tool: 'read_file', args: read('../outside/secret.txt\u0000.md'), expect: 'refused' },
  { name: 'NUL byte in a write', tool: 'write_file', args: () => ({ path: 'inside.md\u0000../../x', content: 'x' }), expect: 'refused' },
  { name: 'newline in a name', tool: 'create_file', args: () => ({ path: 'a\nb.md' }), expect: 'refused' },
  { name: 'empty path', tool: 'read_file', args: read(''), expect: 'refused' },
  { name: 'path of 5000 characters', tool: 'read_file', args: read('a/'.repeat(2500)), expect: 'refused' },
  // Symbolic links.
  { name: 'relative link to an outside folder', tool: 'read_file', args: read('link_out_dir/secret.txt'), expect: 'refused' },
  { name: 'absolute link to an outside folder', tool: 'read_file', args: read('link_out_abs/secret.txt'), expect: 'refused' },
  { name: 'link to an outside file', tool: 'read_file', args: read('link_secret'), expect: 'refused' },
  { name: 'absolute link to an outside .md file', tool: 'read_file', args: read('link_secret.md'), expect: 'refused' },
  { name: 'link climbing two levels', tool: 'read_file', args: read('inner/up/outside/secret.txt'), expect: 'refused' },
  { name: 'chain of links ending outside', tool: 'read_file', args: read('chain1/secret.txt'), expect: 'refused' },
  { name: 'link loop', tool: 'read_file', args: read('loop_a'), expect: 'refused' },
  { name: 'link to /', tool: 'read_file', args: read('link_root/etc/passwd'), expect: 'refused' },
  { name: 'link to /proc/self/root', tool: 'read_file', args: read('link_proc/etc/passwd'), expect: 'refused' },
  { name: 'absolute /proc/self/root', tool: 'read_file', args: read('/proc/self/root/etc/passwd'), expect: 'refused' },
  { name: 'absolute /proc/self/cwd', tool: 'list_directory', args: read('/proc/self/cwd'), expect: 'refused' },
  { name: 'list through an outside link', tool: 'list_directory', args: read('link_out_dir'), expect: 'refused' },
  { name: 'search through an outside link', tool: 'search', args: () => ({ pattern: 'SENTINEL', path: 'link_out_abs' }), expect: 'refused' },
  { name: 'write into an outside folder link', tool: 'write_file', args: () => ({ path: 'link_out_dir/new.md', content: 'x' }), expect: 'refused' },
  { name: 'write over an outside file link', tool: 'write_file', args: () => ({ path: 'link_secret.md', content: 'pwned' }), expect: 'refused' },
  { name: 'write through a dangling outside link', tool: 'write_file', args: () => ({ path: 'dangling_out.md', content: 'x' }), expect: 'refused' },
  { name: 'create inside an outside link', tool: 'create_file', args: () => ({ path: 'link_out_abs/new.md' }), expect: 'refused' },
  { name: 'create_directory inside an outside link', tool: 'create_directory', args: read('link_out_dir/newdir'), expect: 'refused' },
  { name: 'create_parents through an outside link', tool: 'write_file', args: () => ({ path: 'inner/up/outside/x/y.md', content: 'x', create_parents: true }), expect: 'refused' },
  { name: 'edit an outside file link', tool: 'edit_file', args: () => ({ path: 'link_secret.md', old_text: 'SENTINEL', new_text: 'x' }), expect: 'refused' },
  { name: 'validate an outside file link', tool: 'validate', args: () => ({ path: 'link_secret.md', format: 'yaml' }), expect: 'refused' },
  { name: 'format an outside json through a link', tool: 'format', args: () => ({ path: 'link_out_dir/nested/deep.json' }), expect: 'refused' },
  { name: 'move into an outside folder link', tool: 'move', args: () => ({ from: 'inside.md', to: 'link_out_dir/moved.md' }), expect: 'refused' },
  { name: 'move out of an outside folder link', tool: 'move', args: () => ({ from: 'link_out_dir/secret.md', to: 'got.md' }), expect: 'refused' },
  { name: 'delete through an outside folder link', tool: 'delete', args: () => ({ path: 'link_out_dir/secret.txt', confirm: true }), expect: 'refused' },
  {
    name: 'delete an outside link removes only the link',
    tool: 'delete',
    args: () => ({ path: 'link_out_dir', confirm: true }),
    expect: 'allowed',
  },
  {
    name: 'recursive delete of a folder holding a climbing link removes only the link',
    tool: 'delete',
    args: () => ({ path: 'inner', confirm: true, recursive: true }),
    expect: 'allowed',
  },
  {
    name: 'a moved outside link still leads nowhere',
    tool: 'read_file',
    before: [{ tool: 'move', args: () => ({ from: 'link_secret.md', to: 'sub/stolen.md' }) }],
    args: read('sub/stolen.md'),
    expect: 'refused',
  },
  { name: 'recursive listing shows links without following them', tool: 'list_directory', args: () => ({ recursive: true, include_hidden: true }), expect: 'allowed' },
  { name: 'glob with .. only filters', tool: 'list_directory', args: () => ({ recursive: true, glob: '../**' }), expect: 'allowed' },
  { name: 'search the whole workspace never reaches outside', tool: 'search', args: () => ({ pattern: 'SENTINEL', include_hidden: true }), expect: 'allowed' },
  { name: 'a link inside the workspace is followed', tool: 'read_file', args: read('link_inside.md'), expect: 'allowed' },
  { name: 'a link to the parent inside the workspace is followed', tool: 'read_file', args: read('sub/link_parent/inside.md'), expect: 'allowed' },
  // Hard links.
  { name: 'read a hard link to an outside file', tool: 'read_file', args: read('hard_secret.md'), expect: 'refused' },
  { name: 'write a hard link to an outside file', tool: 'write_file', args: () => ({ path: 'hard_secret.md', content: 'pwned' }), expect: 'refused' },
  { name: 'edit a hard link to an outside file', tool: 'edit_file', args: () => ({ path: 'hard_secret.md', old_text: 'SENTINEL', new_text: 'x' }), expect: 'refused' },
  { name: 'format a hard link to an outside file', tool: 'format', args: () => ({ path: 'hard_secret.md', format: 'yaml' }), expect: 'refused' },
  { name: 'delete a hard link removes only its name inside', tool: 'delete', args: () => ({ path: 'hard_secret.md', confirm: true }), expect: 'allowed' },
  { name: 'search for the secret skips the hard link', tool: 'search', args: () => ({ pattern: 'SENTINEL', glob: 'hard_*' }), expect: 'allowed' },
  { name: 'overwrite a hard link by moving onto it', tool: 'move', args: () => ({ from: 'inside.md', to: 'hard_secret.md', overwrite: true }), expect: 'refused' },
];

async function expectFile(path: string): Promise<void> {
  const { statSync } = await import('node:fs');
  if (!statSync(path).isFile()) throw new Error(`${path} is not a file`);
}
