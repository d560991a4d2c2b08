// Native tool call over stdio: MCPEG serving the echo plugin on stdio, against the SDK v2 McpServer
// serving the same echo tool on stdio. One SDK v2 client per server, 8 calls in flight.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECHO_PLUGIN, ECHO_SERVERS, expectText, MCPEG, ROOT, stdioClient, writeConfig } from '../lib/processes.mjs';

const IN_FLIGHT = 8;
const ARGS = { text: 'hello from the benchmark' };

function subject(name, tool, command) {
  return {
    name,
    async start(state) {
      const { client, pid, stop } = await stdioClient(process.execPath, command(state));
      const once = () => client.callTool({ name: tool, arguments: ARGS }).then((result) => expectText(result, ARGS.text));
      await once();
      return { once, pid, stop };
    },
  };
}

export default {
  title: 'Native tool call over stdio',
  description:
    `One echo tool over stdio, one client per server with ${IN_FLIGHT} calls in flight: MCPEG (\`serve --stdio\`, the echo plugin) ` +
    'against the SDK v2 `McpServer` serving the same tool on stdio (`bench/fixtures/echo-servers.mjs sdk-stdio`). Target: ≥ 1.0× the SDK server.',
  concurrency: IN_FLIGHT,
  subjects: [
    subject('SDK stdio server', 'echo', () => [ECHO_SERVERS, 'sdk-stdio']),
    subject('MCPEG stdio', 'echo__echo', (state) => [MCPEG, 'serve', '--stdio', '--config', state.config]),
  ],
  async setup() {
    const config = writeConfig(`global: { log_level: warn }\nplugins:\n  echo:\n    module: ${JSON.stringify(ECHO_PLUGIN)}\n`);
    const version = (folder) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).version;
    return {
      config,
      versions: { mcpeg: version(ROOT), '@modelcontextprotocol/server': version(join(ROOT, 'node_modules/@modelcontextprotocol/server')) },
    };
  },
  ratios(rows) {
    const value = rows['MCPEG stdio'].callsPerSecond / rows['SDK stdio server'].callsPerSecond;
    return [{ label: 'MCPEG / SDK stdio server', value, target: '≥ 1.0×', met: value >= 1 }];
  },
  notes: (rows) => [
    'CPU and peak RSS are those of the server process (the gateway or the SDK server), not of the client.',
    'MCPEG answers a plain `tools/call` on its fast path (`server.fast_path`): straight from the parsed line to the dispatcher and back to stdout.',
    ...(rows['MCPEG stdio'].callsPerSecond < rows['SDK stdio server'].callsPerSecond
      ? [
          '**Target not met.** A plain `tools/call` skips the SDK `Server` (the fast path), but MCPEG still does more per call than the reference: ' +
            'catalog lookup, argument validation against the schema, the service pipeline (timeout, breaker, bulkhead, memory guard) and the error boundary; ' +
            'both share the SDK\'s stdio transport, which parses every line with zod.',
        ]
      : []),
  ],
};
