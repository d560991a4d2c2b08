import { connect } from 'node:net';

/** The protocol's CancelRequest code (1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80_877_102;

/**
 * Asks the server to cancel whatever backend `processId` is running, the way psql's Ctrl-C does:
 * a CancelRequest on a fresh socket, which needs no login and no free pool slot (a full pool is
 * exactly when a runaway query must be stopped). Resolves once the server has read it and closed
 * the socket, so the cancel has been delivered by then.
 *
 * @example await sendCancelRequest({ host: '127.0.0.1', port: 5432 }, client.processID, client.secretKey)
 */
export function sendCancelRequest(
  target: { readonly host: string; readonly port: number },
  processId: number,
  secretKey: number,
  timeoutMs = 2000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = target.host.startsWith('/')
      ? connect(`${target.host}/.s.PGSQL.${target.port}`)
      : connect(target.port, target.host);
    const packet = Buffer.alloc(16);
    packet.writeInt32BE(16, 0);
    packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
    packet.writeInt32BE(processId, 8);
    packet.writeInt32BE(secretKey, 12);
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`the cancel request got no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => socket.write(packet));
    socket.once('error', reject);
    socket.once('close', () => resolve());
    socket.resume();
  });
}
