// Peers are installed from the npm registry at pinned versions into bench/.peers (never committed).
// They are saved (exact versions) into bench/.peers/package.json, so installing one peer never prunes
// another that an earlier scenario installed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('../.peers', import.meta.url));

/** Every peer the scenarios use, at the version they are measured at. */
export const PEERS = Object.freeze({
  autocannon: '9.0.0',
  supergateway: '4.0.0',
  'mcp-proxy': '6.7.19',
  '@modelcontextprotocol/server-memory': '2026.8.31',
  '@modelcontextprotocol/server-postgres': '0.6.2',
});

/** Installs the pinned version of each named peer that is missing, in one npm run. */
export function ensurePeers(names, log) {
  const missing = names.filter((name) => installedVersion(name) !== PEERS[name]);
  if (missing.length === 0) return;
  mkdirSync(PEERS_DIR, { recursive: true });
  if (!existsSync(join(PEERS_DIR, 'package.json'))) writeFileSync(join(PEERS_DIR, 'package.json'), '{"private":true}\n');
  const specs = missing.map((name) => `${name}@${PEERS[name]}`);
  log(`installing ${specs.join(', ')} into bench/.peers …`);
  execFileSync('npm', ['install', '--save-exact', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, ...specs], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function installedVersion(name) {
  const manifest = join(PEERS_DIR, 'node_modules', name, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

/** Installs `name@version` unless that exact version is there; returns its package folder. */
export function ensurePeer(name, version, log) {
  const folder = join(PEERS_DIR, 'node_modules', name);
  const manifest = join(folder, 'package.json');
  if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version) return folder;
  mkdirSync(PEERS_DIR, { recursive: true });
  if (!existsSync(join(PEERS_DIR, 'package.json'))) writeFileSync(join(PEERS_DIR, 'package.json'), '{"private":true}\n');
  log(`installing ${name}@${version} into bench/.peers …`);
  execFileSync('npm', ['install', '--save-exact', '--no-audit', '--no-fund', '--prefix', PEERS_DIR, `${name}@${version}`], {
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
