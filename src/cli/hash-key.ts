import { generateApiKey, hashApiKey } from '../security/api-key-hash.js';
import { CliError } from './runtime.js';

/**
 * `mcpeg hash-key`: prints the hash to put under `server.auth.api_keys[].hash`. With no key given it
 * makes a new random one and prints it once (the gateway never stores it). The key is read from stdin
 * when `-` is given, so it stays out of the shell history and the process list.
 */
export async function hashKey(options: { key?: string; scrypt?: boolean; principal?: string }, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let key = options.key;
  if (key === '-') key = (await readAll(stdin)).replace(/\r?\n$/, '');
  const generated = key === undefined;
  key ??= generateApiKey();
  if (key.length < 16) throw new CliError('the key is shorter than 16 characters: use a long random value (run mcpeg hash-key without a key to make one)');
  const hash = hashApiKey(key, options.scrypt ? 'scrypt' : 'sha256');
  const principal = options.principal ?? 'my-client';
  if (generated) {
    console.log(`key:  ${key}`);
    console.log('      (shown once: give it to the client; the gateway keeps only the hash)');
  }
  console.log(`hash: ${hash}`);
  console.log('');
  console.log('mcpeg.yaml:');
  console.log('  server:');
  console.log('    auth:');
  console.log('      mode: api_keys');
  console.log('      api_keys:');
  console.log(`        - principal: ${principal}`);
  console.log(`          hash: ${hash}`);
  console.log('          roles: [reader]');
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
