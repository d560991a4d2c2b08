// The small pieces on their own: config rules, the child's environment, bounded line reading, and the
// stream tap that tells which call a server→client message belongs to.
import { describe, expect, it } from 'vitest';
import { mcpConfigSchema } from '../../../src/adapters/mcp/config.js';
import { childEnvironment } from '../../../src/adapters/mcp/environment.js';
import { idOfOversized, LineReader, type OversizedLine } from '../../../src/adapters/mcp/line-reader.js';
import { templateVariables } from '../../../src/adapters/mcp/mirror.js';
import { RELATED_REQUEST_META_KEY, tappedFetch, withoutRelatedStamp } from '../../../src/adapters/mcp/stream-tap.js';

describe('mcp config', () => {
  it('takes a stdio upstream with defaults', () => {
    expect(mcpConfigSchema.parse({ command: 'node', args: ['server.js'], idle_timeout: '5m' })).toMatchObject({
      command: 'node',
      negotiation: 'auto',
      idle_timeout: 300_000,
      max_message_size: 4_000_000,
      connect_timeout: 20_000,
      input_timeout: 300_000,
      log_level: 'debug',
    });
  });

  it('needs exactly one of command and url', () => {
    expect(mcpConfigSchema.safeParse({}).error?.issues[0]?.message).toBe('set command: (a stdio server the gateway launches) or url: (an HTTP server it connects to)');
    expect(mcpConfigSchema.safeParse({ command: 'x', url: 'http://h/mcp' }).error?.issues[0]?.message).toBe('set either command: (a stdio server) or url: (an HTTP server), not both');
  });

  it('refuses keys of the other kind of upstream, at their path', () => {
    const issues = mcpConfigSchema.safeParse({ url: 'http://h/mcp', env: { A: 'b' }, idle_timeout: '1m' }).error?.issues ?? [];
    expect(issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['env', 'env: applies to stdio (command:) upstreams only; this one is HTTP'],
      ['idle_timeout', 'idle_timeout: applies to stdio (command:) upstreams only; this one is HTTP'],
    ]);
    expect(mcpConfigSchema.safeParse({ command: 'x', headers: { A: 'b' } }).error?.issues[0]?.path).toEqual(['headers']);
    expect(mcpConfigSchema.safeParse({ url: 'ftp://h/mcp' }).success).toBe(false);
  });
});

describe('childEnvironment', () => {
  it('keeps the minimal safe set, drops everything else, lays the configured env over it', () => {
    const env = childEnvironment({ HOME: '/srv', API: 'x' }, { PATH: '/bin', HOME: '/root', AWS_SECRET_ACCESS_KEY: 'no', FN: '() { evil; }', TERM: '() {' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/srv', API: 'x' });
  });
});

describe('LineReader', () => {
  it('splits lines across chunks and reports an oversized line without keeping it', () => {
    const lines: string[] = [];
    const big: OversizedLine[] = [];
    const reader = new LineReader(10, (line) => lines.push(line), (line) => big.push(line));
    reader.push(Buffer.from('ab\r\ncd'));
    reader.push(Buffer.from('e\n0123456789ABC'));
    reader.push(Buffer.from('DEF\nok\n'));
    expect(lines).toEqual(['ab', 'cde', 'ok']);
    expect(big).toEqual([{ bytes: 16, head: '0123456789ABC', tail: '0123456789ABCDEF' }]);
  });

  it('finds the id of an oversized response at either end', () => {
    expect(idOfOversized({ bytes: 1, head: '{"jsonrpc":"2.0","id":42,"result":{"x', tail: '' })).toBe(42);
    expect(idOfOversized({ bytes: 1, head: '{"result":{"content":[', tail: 'xx"}]},"jsonrpc":"2.0","id":"a-1"}' })).toBe('a-1');
    expect(idOfOversized({ bytes: 1, head: '{"result":', tail: 'nothing here' })).toBeUndefined();
  });
});

describe('the stream tap', () => {
  const sse = (events: string[]) =>
    new Response(events.map((event) => `${event}\n\n`).join(''), { headers: { 'content-type': 'text/event-stream' } });

  it('stamps server→client requests and notifications on a POST’s stream with that POST’s request id', async () => {
    const fetch = tappedFetch(
      async () =>
        sse([
          'id: 1\nevent: message\ndata: {"jsonrpc":"2.0","id":0,"method":"elicitation/create","params":{"message":"?"}}',
          'data: {"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x","_meta":{"k":1}}}',
          'data: {"jsonrpc":"2.0","id":7,"result":{}}',
        ]),
      1_000_000,
    );
    const response = await fetch('http://x/mcp', { method: 'POST', body: '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}' });
    const events = (await response.text()).trim().split('\n\n');
    expect(events[0]).toBe(`id: 1\nevent: message\ndata: {"jsonrpc":"2.0","id":0,"method":"elicitation/create","params":{"message":"?","_meta":{"${RELATED_REQUEST_META_KEY}":7}}}`);
    expect(JSON.parse(events[1]!.slice(6)).params._meta).toEqual({ k: 1, [RELATED_REQUEST_META_KEY]: 7 });
    expect(events[2]).toBe('data: {"jsonrpc":"2.0","id":7,"result":{}}');
  });

  it('answers an oversized event with an error for the request it answers', async () => {
    const fetch = tappedFetch(async () => sse([`data: {"jsonrpc":"2.0","id":3,"result":{"text":"${'x'.repeat(5000)}"}}`]), 1000);
    const response = await fetch('http://x/mcp', { method: 'POST', body: '{"jsonrpc":"2.0","id":3,"method":"tools/call"}' });
    const body = await response.text();
    expect(body).toContain('"id":3');
    expect(body).toContain('more than max_message_size (1000 bytes)');
    expect(body).not.toContain('xxxx');
  });

  it('removes its stamp before anything is relayed', () => {
    expect(withoutRelatedStamp({ message: 'm', _meta: { [RELATED_REQUEST_META_KEY]: 1 } })).toEqual({ message: 'm' });
    expect(withoutRelatedStamp({ message: 'm', _meta: { a: 1, [RELATED_REQUEST_META_KEY]: 1 } })).toEqual({ message: 'm', _meta: { a: 1 } });
  });
});

describe('templateVariables', () => {
  it('reads the variable names of RFC 6570 expressions', () => {
    expect(templateVariables('file:///{dir}/{+path}{?q,lang}{#frag*}')).toEqual(['dir', 'path', 'q', 'lang', 'frag']);
  });
});
