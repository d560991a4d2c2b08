// A gateway as a real child process (`node dist/cli/main.js serve --stdio`), spoken to with plain
// JSON-RPC lines so a test controls every request in flight and knows exactly which calls were
// answered — acknowledged — before it kills the process.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CLI, ROOT } from '../../helpers/cli.js';

interface Reply {
  result?: { isError?: boolean; content?: { text?: string }[] };
  error?: { message: string };
}

export class StdioGateway {
  readonly child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  stderr = '';
  readonly exited: Promise<NodeJS.Signals | number | null>;

  constructor(config: string) {
    this.child = spawn(process.execPath, [CLI, 'serve', '--stdio', '--config', config], {
      cwd: ROOT,
      env: { ...process.env, MCPEG_CONFIG: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stderr.on('data', (chunk) => (this.stderr = (this.stderr + chunk).slice(-20_000)));
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code, signal) => {
        // Calls still waiting were never answered: they fail, and are never counted as acknowledged.
        for (const { reject } of this.#pending.values()) reject(new Error(`the gateway exited (${signal ?? code}) before answering`));
        this.#pending.clear();
        resolve(signal ?? code);
      }),
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      let message: { id?: number } & Reply;
      try {
        message = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof message.id === 'number') {
        this.#pending.get(message.id)?.resolve(message);
        this.#pending.delete(message.id);
      }
    });
    // A write to a killed child fails with EPIPE; the test only counts answered calls.
    this.child.stdin.on('error', () => {});
  }

  request(method: string, params: Record<string, unknown>): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        reject(new Error('the gateway has exited'));
        return;
      }
      this.#pending.set(id, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  async initialize(): Promise<void> {
    const reply = await this.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'memory-crash-test', version: '1.0.0' } });
    if (reply.error) throw new Error(`initialize failed: ${reply.error.message}\n${this.stderr}`);
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  }

  /** Calls a tool; resolves true once the gateway answered with a successful result. */
  async call(name: string, args: Record<string, unknown>): Promise<boolean> {
    const reply = await this.request('tools/call', { name, arguments: args });
    if (reply.error || reply.result?.isError) throw new Error(`${name} failed: ${reply.error?.message ?? reply.result?.content?.[0]?.text}`);
    return true;
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}
