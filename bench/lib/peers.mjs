// Peers are installed from the npm registry at pinned versions into bench/.peers (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('../.peers', import.meta.url));

/** Installs `name@version` unless that exact version is there; returns its package folder. */
export function ensurePeer(name, version, log) {
  const folder = join(PEERS_DIR, 'node_modules', name);
  const manifest = join(folder, 'package.json');
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version) return folder;
  mkdirSync(PEERS_DIR, { recursive: true });
  if (!existsSync(join(PEERS_DIR, 'package.json'))) writeFileSync(join(PEERS_DIR, 'package.json'), '{"private":true}\n');
  log(`installing ${name}@${version} into bench/.peers …`);
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `${name}@${version}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return folder;
}

/** The JS entry of a peer's bin. */
export function peerBin(name, binName) {
  const folder = join(PEERS_DIR, 'node_modules', name);
  const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[binName ?? Object.keys(manifest.bin)[0]];
  return join(folder, bin);
}
