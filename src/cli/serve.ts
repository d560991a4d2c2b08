import { isGatewayError } from '../sdk/errors.js';
import { checkBindAddress } from '../security/listener.js';
import { HttpFrontDoor } from '../transports/http.js';
import { StdioFrontDoor } from '../transports/stdio.js';
import { GATEWAY_VERSION } from '../version.js';
import { startOperations } from '../operations/operations.js';
import { CliError, loadGateway, parseListen, reloadSource } from './runtime.js';

/** `mcpeg serve`: runs the gateway on stdio or HTTP until SIGINT/SIGTERM, then drains and stops. */
export async function serve(options: { config?: string; stdio?: boolean; http?: string; allowRemote?: boolean }): Promise<void> {
  const { gateway, location, logger, registry } = await loadGateway({ config: options.config });
  let sessions: (() => { legacy: number; modern: number }) | undefined;
  // Hot reload, health checks, admin API, metrics, tracing, audit (docs/operations.md).
  const ops = await startOperations({ gateway, registry, logger, ...reloadSource(location, logger), sessions: () => sessions?.() ?? { legacy: 0, modern: 0 } });
  process.on('SIGHUP', () => void ops.reloader.reload('SIGHUP'));
  const http = gateway.config.server.http;
  const listen = options.http ? parseListen(options.http) : { host: http.host, port: http.port };
  const tools = gateway.catalog.tools.length;
  const services = gateway.hosts.length;
  // Signal handlers first: a SIGTERM that arrives while we start up must still drain and exit 0.
  let stop: () => Promise<void> = async () => {};
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down: finishing in-flight calls');
    await gateway.shutdown();
    await ops.close();
    await stop();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  if (options.stdio) {
    const door = new StdioFrontDoor(gateway);
    stop = () => door.close();
    logger.info({ config: location.path, services, tools }, `mcpeg ${GATEWAY_VERSION} serving on stdio: ${services} services, ${tools} tools (config: ${location.reason})`);
    door.closed.then(() => shutdown('stdin closed'));
    return;
  }
  let door: HttpFrontDoor;
  const doorOptions = { ...listen, allowUnauthenticatedRemote: options.allowRemote === true };
  try {
    // Without authentication, nothing but loopback unless forced; TLS files must be readable.
    checkBindAddress(listen.host, gateway.config.server.auth, doorOptions.allowUnauthenticatedRemote);
    door = new HttpFrontDoor(gateway, { ...doorOptions, routes: ops.routes });
    sessions = () => door.sessions();
  } catch (error) {
    await gateway.shutdown();
    throw new CliError(isGatewayError(error) ? error.message : String(error));
  }
  let address: { url: string };
  try {
    address = await door.listen(doorOptions);
  } catch (error) {
    throw new CliError(`cannot listen on ${listen.host}:${listen.port}: ${(error as Error).message} — pick another port with --http HOST:PORT`);
  }
  stop = () => door.close();
  try {
    await ops.listenAdmin();
  } catch (error) {
    throw new CliError(`cannot listen on server.admin.listen ${gateway.config.server.admin.listen}: ${(error as Error).message}`);
  }
  process.stderr.write(banner(address.url, services, tools, location));
  logger.info({ url: address.url, services, tools }, `listening on ${address.url}`);
}

function banner(url: string, services: number, tools: number, location: { path: string; reason: string }): string {
  const indent = (value: unknown) => JSON.stringify(value, null, 2).split('\n').map((line) => `      ${line}`);
  const config = location.reason === 'embedded default' ? [] : ['--config', location.path];
  return [
    '',
    `  mcpeg ${GATEWAY_VERSION} listening on ${url}`,
    `  ${services} service${services === 1 ? '' : 's'}, ${tools} tool${tools === 1 ? '' : 's'} — config: ${location.path} (${location.reason})`,
    '',
    '  Connect a client:',
    '    Cursor (~/.cursor/mcp.json):',
    ...indent({ mcpServers: { mcpeg: { url } } }),
    '    VS Code (.vscode/mcp.json):',
    ...indent({ servers: { mcpeg: { type: 'http', url } } }),
    '    Claude Desktop (claude_desktop_config.json) launches it on stdio:',
    ...indent({ mcpServers: { mcpeg: { command: 'npx', args: ['mcpeg', 'serve', '--stdio', ...config] } } }),
    '',
    '',
  ].join('\n');
}
