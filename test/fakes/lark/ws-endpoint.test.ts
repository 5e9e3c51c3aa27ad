/**
 * The long-connection fake against node-sdk's real WSClient: if the SDK connects, decodes our frames and its acks
 * decode here, the fake's independent codec and the SDK's protobufjs one agree on the wire format (§3).
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, startWsEndpointFake, type WsEndpointFake } from './ws-endpoint.js';

const silent: lark.Logger = { error() {}, warn() {}, info() {}, debug() {}, trace() {} };
const APP_ID = 'cli_0123456789abcdef';

interface Started {
  client: lark.WSClient;
  received: unknown[];
  ready: Promise<void>;
  failed: Promise<Error>;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function fake(options: Parameters<typeof startWsEndpointFake>[0] = {}): Promise<WsEndpointFake> {
  const started = await startWsEndpointFake({ appId: APP_ID, pingIntervalSeconds: 0.1, ...options });
  cleanup.push(() => started.close());
  return started;
}

function client(server: WsEndpointFake, handle: (data: unknown) => unknown, secret = server.appSecret): Started {
  const received: unknown[] = [];
  let ready!: () => void;
  let fail!: (error: Error) => void;
  const readyP = new Promise<void>((resolve) => (ready = resolve));
  const failed = new Promise<Error>((resolve) => (fail = resolve));
  const ws = new lark.WSClient({ appId: APP_ID, appSecret: secret, domain: server.url, logger: silent, onReady: () => ready(), onError: (e) => fail(e) });
  const dispatcher = new lark.EventDispatcher({ logger: silent }).register({
    'im.message.receive_v1': async (data) => {
      received.push(data);
      return handle(data);
    },
  });
  void ws.start({ eventDispatcher: dispatcher });
  cleanup.push(() => ws.close({ force: true }));
  return { client: ws, received, ready: readyP, failed };
}

const envelope = (eventId: string, text = 'hello') => ({
  schema: '2.0',
  header: { event_id: eventId, event_type: 'im.message.receive_v1', token: 't', app_id: APP_ID },
  event: { message: { message_id: `om_${eventId}`, content: JSON.stringify({ text }) }, sender: {} },
});

describe('ws endpoint fake', () => {
  it('round-trips a frame through its own codec', () => {
    const frame = { SeqID: 2n ** 40n, LogID: 7n, service: 33554678, method: 1, headers: [{ key: 'type', value: 'event' }], payload: Buffer.from('{"a":"é"}') };
    expect(decodeFrame(encodeFrame(frame))).toEqual(frame);
    expect(() => decodeFrame(Buffer.from([0x08, 0x01]))).toThrow(/required LogID/);
  });

  it('serves the endpoint, pushes a split event, reads the ack with its data and answers pings', async () => {
    const server = await fake();
    const sdk = client(server, () => ({ toast: { type: 'success', content: 'ok' } }));
    await sdk.ready;
    expect(server.endpointRequests).toEqual([expect.objectContaining({ appId: APP_ID, code: 0 })]);
    const delivery = server.push(envelope('ev1', 'x'.repeat(300)), { parts: 3 });
    const ack = await server.waitForAck(delivery.messageId);
    expect(ack).toMatchObject({ code: 200, data: { toast: { type: 'success', content: 'ok' } } });
    expect(sdk.received).toEqual([expect.objectContaining({ event_id: 'ev1', message: expect.objectContaining({ message_id: 'om_ev1' }) })]);
    await server.waitFor(() => server.pings.length >= 2, 'two pings');
    expect(server.protocolErrors).toEqual([]);
  });

  it('records a throwing handler as an ack with code 500', async () => {
    const server = await fake();
    const sdk = client(server, () => {
      throw new Error('boom');
    });
    await sdk.ready;
    const ack = await server.waitForAck(server.push(envelope('ev2')).messageId);
    expect(ack).toMatchObject({ code: 500, data: undefined });
  });

  it('drops a connection on demand; the SDK reconnects and a replayed message arrives again', async () => {
    const server = await fake({ reconnectIntervalSeconds: 0.05 });
    const sdk = client(server, () => undefined);
    await sdk.ready;
    const first = server.push(envelope('ev3'));
    await server.waitForAck(first.messageId);
    server.dropConnections();
    await server.waitFor(() => server.connectionsOpened() === 2 && server.openConnections().length === 1, 'a second connection');
    const replayed = server.replay(first.messageId);
    expect(replayed.connectionId).toBe(2);
    await server.waitForAck(first.messageId, 5_000, 2);
    expect(sdk.received).toHaveLength(2);
    expect(server.endpointRequests).toHaveLength(2);
  });

  it('answers a wrong secret with code 514 in the fatal shape: onError, no retry', async () => {
    const server = await fake();
    const sdk = client(server, () => undefined, 'wrong-secret');
    const error = await sdk.failed;
    expect(error.message).toContain('code=514');
    expect(server.endpointRequests.map((r) => r.code)).toEqual([514]);
    expect(sdk.client.getConnectionStatus().state).toBe('failed');
  });

  it('delivers each event to one of several connections, in turn', async () => {
    const server = await fake();
    const a = client(server, () => undefined);
    const b = client(server, () => undefined);
    await Promise.all([a.ready, b.ready]);
    const pushed = [1, 2, 3, 4].map((n) => server.push(envelope(`ev-many-${n}`)));
    await Promise.all(pushed.map((d) => server.waitForAck(d.messageId)));
    expect(a.received).toHaveLength(2);
    expect(b.received).toHaveLength(2);
    expect(new Set(pushed.map((d) => d.connectionId)).size).toBe(2);
  });
});
