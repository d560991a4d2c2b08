import { describe, expect, it } from 'vitest';
import { checkParamHeaders } from '../../src/transports/param-headers.js';

const tool = {
  name: 'route',
  inputSchema: { type: 'object' as const, properties: { region: { type: 'string', 'x-mcp-header': 'Region' }, q: { type: 'string' } } },
};
const check = (args: Record<string, unknown>, headers: Record<string, string>) => checkParamHeaders(tool, args, new Headers(headers));

describe('Mcp-Param-* headers (SEP-2243)', () => {
  it('accepts a literal or canonical Base64 value that matches the body', () => {
    expect(check({ region: 'eu' }, { 'Mcp-Param-Region': 'eu' })).toBeUndefined();
    expect(check({ region: 'Hello' }, { 'mcp-param-region': `=?base64?${Buffer.from('Hello').toString('base64')}?=` })).toBeUndefined();
    expect(check({ region: '=?base64?SGVsbG8' }, { 'mcp-param-region': '=?base64?SGVsbG8' })).toBeUndefined();
    expect(check({ q: 'no header needed' }, {})).toBeUndefined();
  });

  it('rejects a missing header, a mismatch, and malformed Base64', () => {
    expect(check({ region: 'eu' }, {})).toContain('Mcp-Param-Region is required');
    expect(check({ region: 'eu' }, { 'mcp-param-region': 'us' })).toContain('does not match');
    expect(check({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVsbG8?=' })).toContain('not valid');
    expect(check({ region: 'Hello' }, { 'mcp-param-region': '=?base64?SGVs!!!bG8=?=' })).toContain('not valid');
  });
});
