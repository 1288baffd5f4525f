import type { Duplex } from 'node:stream';
import * as wsModule from 'ws';
import type { WebSocket } from 'ws';

/**
 * Fan-out writes the same frame to thousands of sockets: it is framed once (a server does not
 * mask, and this server does not compress) and written to each socket as is, instead of ws
 * framing it again for every client. `Sender.frame` is ws's own framing.
 */
export function prepareTextFrame(payload: string): Buffer {
  // ws exports its Sender at run time; its type declarations leave it out.
  const { frame } = (wsModule as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;
  return Buffer.concat(frame(Buffer.from(payload), { fin: true, rsv1: false, opcode: 1, mask: false, readOnly: true }));
}

/** Writes a prepared frame; ws's bufferedAmount still counts it, as it reads the socket's queue. */
export function writeFrame(ws: WebSocket, frame: Buffer): void {
  const socket = (ws as unknown as { _socket: Duplex | null })._socket;
  if (socket?.writable) socket.write(frame);
}
