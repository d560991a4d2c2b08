import { readFileSync } from 'node:fs';

/** The gateway's own version, read once from package.json. */
export const GATEWAY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
