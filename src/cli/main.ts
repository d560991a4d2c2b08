#!/usr/bin/env node
import { Command } from 'commander';
import { GATEWAY_VERSION } from '../version.js';
import { DEFAULT_ADMIN_URL, reload, serviceAction, services, status } from './admin-commands.js';
import { call, init, tools, validate } from './commands.js';
import { CliError } from './runtime.js';
import { hashKey } from './hash-key.js';
import { serve } from './serve.js';

const CONFIG_HELP = 'config file (default: $MCPEG_CONFIG, else ./mcpeg.yaml, else the embedded default)';

const program = new Command()
  .name('mcpeg')
  .description('MCPEG — one MCP endpoint for your whole stack: databases, brokers, APIs, scripts and other MCP servers')
  .version(GATEWAY_VERSION, '-v, --version')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('serve', { isDefault: true })
  .description('run the gateway (HTTP on 127.0.0.1:3000 by default, or stdio for clients that launch it)')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('--stdio', 'serve one client on stdin/stdout (logs go to stderr)')
  .option('--http <host:port>', 'listen address, e.g. 127.0.0.1:3000 or :0 for any free port')
  .option('--allow-remote', 'allow a non-loopback --http address while server.auth.mode is none (trusted networks only)')
  .action((options) => run(() => serve(options).then(() => undefined)));

program
  .command('validate')
  .description('check a config file; prints every problem with its path and line (exit 0 valid, 1 invalid)')
  .option('-c, --config <file>', CONFIG_HELP)
  .action((options) => run(() => validate(options)));

program
  .command('tools')
  .description('list the tools the config serves, as clients see them (starts only eager services, such as upstream MCP servers)')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('--json', 'print the tool descriptors as JSON')
  .action((options) => run(() => tools(options)));

program
  .command('call')
  .description('call one tool and print its result (exit 1 when the result is an error)')
  .argument('<tool>', 'the tool name as listed by "mcpeg tools"')
  .option('-a, --args <json>', 'the arguments as a JSON object', '{}')
  .option('-c, --config <file>', CONFIG_HELP)
  .option('--json', 'print the structured result (structuredContent) as JSON instead of the text')
  .action((tool, options) => run(() => call(tool, options)));

program
  .command('hash-key')
  .description('hash an API key for server.auth.api_keys (no key: generate a new one; "-": read it from stdin)')
  .argument('[key]', 'the key to hash; leave out to generate one, or "-" to read it from stdin')
  .option('--scrypt', 'a slow scrypt hash instead of sha256 (for keys that are not long random values)')
  .option('-p, --principal <name>', 'the principal name to show in the config snippet')
  .action((key, options) => run(() => hashKey({ ...options, ...(key !== undefined ? { key } : {}) })));

program
  .command('init')
  .description('write a commented starter mcpeg.yaml in the current folder')
  .option('-o, --path <file>', 'where to write it', 'mcpeg.yaml')
  .option('-f, --force', 'overwrite an existing file')
  .action((options) => run(async () => init(options)));

const ADMIN_URL_HELP = `the gateway's admin API (default: $MCPEG_ADMIN_URL, else ${DEFAULT_ADMIN_URL}); the key comes from $MCPEG_ADMIN_KEY`;
const adminVerb = (name: string, description: string) =>
  program.command(name).description(description).option('--admin-url <url>', ADMIN_URL_HELP).option('--json', 'print the admin API answer as JSON');

adminVerb('status', "a running gateway's state: services by phase, catalog size, memory, last reloads (exit 1 when degraded)").action((options) =>
  run(() => status(options)),
);
adminVerb('services', 'every configured service of a running gateway: state, breaker, calls running and queued, tools').action((options) =>
  run(() => services(options)),
);
for (const [verb, text] of [
  ['enable', 'enable a configured service in a running gateway (until the file changes it or a restart)'],
  ['disable', 'disable a service in a running gateway: its tools leave the catalog, running calls finish first'],
  ['restart', "replace a service's instance with a fresh one (running calls finish first)"],
] as const) {
  adminVerb(verb, text)
    .argument('<name>', 'the service name (the YAML key), as "mcpeg services" lists it')
    .action((name: string, options) => run(() => serviceAction(verb, name, options)));
}
adminVerb('reload', 're-read the config file of a running gateway now (like SIGHUP); exit 1 when it is invalid').action((options) =>
  run(() => reload(options)),
);

async function run(action: () => Promise<number | undefined>): Promise<void> {
  try {
    const code = await action();
    if (code !== undefined) process.exit(code);
  } catch (error) {
    if (error instanceof CliError) console.error(`mcpeg: ${error.message}`);
    else console.error(`mcpeg: unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    process.exit(1);
  }
}

await program.parseAsync(process.argv);
