import WebSocket from 'ws';
import { waitFor } from '../../helpers/wait.js';

/** A graphql-transport-ws socket driven message by message, to see exactly what the server sends. */
export interface RawSocket {
  messages: any[];
  closed?: { code: number; reason: string };
  send(message: unknown): void;
  sendText(text: string): void;
  /** The messages for one operation id until it ended (error or complete). */
  answer(id: string, timeoutMs?: number): Promise<any[]>;
  whenClosed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

export async function rawSocket(httpUrl: string, token: string | null): Promise<RawSocket> {
  const ws = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const socket: RawSocket = {
    messages: [],
    send: (m) => ws.send(JSON.stringify(m)),
    sendText: (t) => ws.send(t),
    answer: (id, timeoutMs = 15_000) =>
      waitFor(async () => {
        const mine = socket.messages.filter((m) => m.id === id);
        return mine.some((m) => m.type === 'error' || m.type === 'complete') ? mine : undefined;
      }, `an answer to operation ${id}`, timeoutMs),
    whenClosed: (timeoutMs = 15_000) => waitFor(async () => socket.closed, 'the socket to close', timeoutMs),
    close: async () => {
      if (socket.closed) return;
      ws.close();
      await socket.whenClosed();
    },
  };
  ws.on('message', (d) => socket.messages.push(JSON.parse(String(d))));
  ws.on('close', (code, reason) => (socket.closed = { code, reason: String(reason) }));
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  socket.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
  await waitFor(async () => socket.closed ?? socket.messages.find((m) => m.type === 'connection_ack'), 'connection_ack or close');
  return socket;
}
