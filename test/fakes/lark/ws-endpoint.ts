/**
 * Fake of Lark's long-connection endpoint (../shared/reference/lark-platform.md §3 "Protocol"), for node-sdk's
 * WSClient pointed at it with `domain: fake.url`:
 *   - `POST /callback/ws/endpoint` {AppID, AppSecret} → `{code:0,data:{URL:'ws://…/ws?device_id&service_id&ticket',
 *     ClientConfig}}`; wrong credentials or an injected fatal code → HTTP 200 `{code,msg,data:{}}` (the shape the
 *     SDK treats as fatal, §3 test gotchas);
 *   - the socket speaks `pbbp2.Frame` protobuf, with our own codec (./ws-frames.ts, from the field list in §3,
 *     not the SDK's), so the SDK's real wire format is what is checked: data frames (method 1, type=event) carry the
 *     JSON envelope, acks are decoded (`{code, data: base64(JSON)}`), pings (method 0, type=ping) get a pong
 *     with the ClientConfig JSON;
 *   - each event goes to ONE open connection (round robin, like Lark's "one random client");
 *   - any other HTTP request is forwarded to `upstream` (the Lark API fake), so one `domain` serves both.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeFrame, encodeFrame, headerOf, type Frame } from './ws-frames.js';

export { decodeFrame, encodeFrame, headerOf, type Frame, type FrameHeader } from './ws-frames.js';

export interface WsEndpointFakeOptions {
  appId?: string;
  appSecret?: string;
  /** Where every other HTTP request goes (the Lark API fake's url); without it they get 404. */
  upstream?: string;
  /** Seconds (fractions allowed); small so tests see pings and reconnects quickly. */
  pingIntervalSeconds?: number;
  reconnectIntervalSeconds?: number;
  /** -1 = retry forever (§3). */
  reconnectCount?: number;
}

export interface EndpointRequest {
  at: number;
  appId: unknown;
  /** The code answered (0, or the fatal one). */
  code: number;
}
export interface Delivery {
  messageId: string;
  connectionId: number;
  envelope: unknown;
  at: number;
}
export interface Ack {
  messageId: string;
  connectionId: number;
  /** 200, or 500 when the client's handler threw. */
  code: number;
  /** The base64 `data`, decoded and parsed: what the handler returned (a card click's toast and card). */
  data: unknown;
  at: number;
}

export interface WsEndpointFake {
  url: string;
  appId: string;
  appSecret: string;
  endpointRequests: EndpointRequest[];
  deliveries: Delivery[];
  acks: Ack[];
  pings: { connectionId: number; at: number }[];
  /** Frames or acks the fake could not accept (wrong service id, undecodable bytes): tests expect none. */
  protocolErrors: string[];
  /** Connections ever accepted. */
  connectionsOpened(): number;
  /** Ids of the open connections, oldest first. */
  openConnections(): number[];
  /** The next `times` endpoint requests (default: all) answer HTTP 200 `{code, msg, data:{}}`. */
  failEndpoint(code: number, msg?: string, times?: number): void;
  /** Ends every endpoint fault: the next request is answered normally. */
  clearEndpointFaults(): void;
  /** Sends the envelope as a data frame to one open connection (round robin, or `connectionId`), in `parts` pieces. */
  push(envelope: unknown, options?: { connectionId?: number; messageId?: string; parts?: number }): Delivery;
  /** Sends an already delivered message again (same message_id), as Lark may after a reconnect. */
  replay(messageId: string, connectionId?: number): Delivery;
  waitForAck(messageId: string, timeoutMs?: number, nth?: number): Promise<Ack>;
  /** Closes connections from the server side without a close frame (all, or one). */
  dropConnections(connectionId?: number): void;
  waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

const ENDPOINT_PATH = '/callback/ws/endpoint';
const SERVICE_ID = 33554678;

export async function startWsEndpointFake(options: WsEndpointFakeOptions = {}): Promise<WsEndpointFake> {
  const appId = options.appId ?? 'cli_a1b2c3d4e5f60718';
  const appSecret = options.appSecret ?? 'fake-secret';
  const clientConfig = {
    PingInterval: options.pingIntervalSeconds ?? 1,
    ReconnectCount: options.reconnectCount ?? -1,
    ReconnectInterval: options.reconnectIntervalSeconds ?? 0.2,
    ReconnectNonce: 0,
  };
  const endpointRequests: EndpointRequest[] = [];
  const deliveries: Delivery[] = [];
  const acks: Ack[] = [];
  const pings: { connectionId: number; at: number }[] = [];
  const protocolErrors: string[] = [];
  const sockets = new Map<number, WebSocket>();
  const tickets = new Set<string>();
  const faults: { code: number; msg: string; times: number }[] = [];
  let nextConnection = 1;
  let nextSeq = 1n;
  let turn = 0;

  const answerEndpoint = (body: unknown): { code: number; msg: string; data: object } => {
    const { AppID, AppSecret } = (body && typeof body === 'object' ? body : {}) as { AppID?: unknown; AppSecret?: unknown };
    const fault = faults[0];
    if (fault && fault.times-- > 0) {
      if (fault.times <= 0) faults.shift();
      endpointRequests.push({ at: Date.now(), appId: AppID, code: fault.code });
      return { code: fault.code, msg: fault.msg, data: {} };
    }
    const code = AppID === appId && AppSecret === appSecret ? 0 : 514;
    endpointRequests.push({ at: Date.now(), appId: AppID, code });
    if (code !== 0) return { code, msg: 'auth failed', data: {} };
    const ticket = randomBytes(8).toString('hex');
    tickets.add(ticket);
    const URL = `ws://127.0.0.1:${port}/ws?device_id=${randomBytes(6).toString('hex')}&service_id=${SERVICE_ID}&ticket=${ticket}`;
    return { code: 0, msg: 'ok', data: { URL, ClientConfig: clientConfig } };
  };

  const forward = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!options.upstream) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":404,"msg":"not found"}');
      return;
    }
    const out = http.request(new URL(req.url ?? '/', options.upstream), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(out);
  };

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== ENDPOINT_PATH) return forward(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answerEndpoint(body)));
    });
  });

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/ws' || !tickets.delete(ticket) || !url.searchParams.get('device_id') || url.searchParams.get('service_id') !== String(SERVICE_ID)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  const send = (ws: WebSocket, frame: Omit<Frame, 'SeqID' | 'LogID' | 'service'>): void => {
    ws.send(encodeFrame({ SeqID: nextSeq++, LogID: 0n, service: SERVICE_ID, ...frame }));
  };

  const accept = (ws: WebSocket): void => {
    const connectionId = nextConnection++;
    sockets.set(connectionId, ws);
    ws.on('close', () => sockets.delete(connectionId));
    ws.on('error', () => sockets.delete(connectionId));
    ws.on('message', (raw: Buffer) => {
      try {
        const frame = decodeFrame(raw);
        if (frame.service !== SERVICE_ID) protocolErrors.push(`connection ${connectionId}: service ${frame.service}`);
        const type = headerOf(frame, 'type');
        if (frame.method === 0 && type === 'ping') {
          pings.push({ connectionId, at: Date.now() });
          send(ws, { method: 0, headers: [{ key: 'type', value: 'pong' }], payload: Buffer.from(JSON.stringify(clientConfig)) });
        } else if (frame.method === 1) {
          const { code, data } = JSON.parse((frame.payload ?? Buffer.alloc(0)).toString('utf8')) as { code: number; data?: string };
          const decoded: unknown = data === undefined ? undefined : JSON.parse(Buffer.from(data, 'base64').toString('utf8'));
          acks.push({ messageId: headerOf(frame, 'message_id') ?? '', connectionId, code, data: decoded, at: Date.now() });
        } else protocolErrors.push(`connection ${connectionId}: unexpected frame method ${frame.method} type ${type}`);
      } catch (error) {
        protocolErrors.push(`connection ${connectionId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };

  const pickConnection = (connectionId?: number): [number, WebSocket] => {
    const open = [...sockets.entries()];
    const chosen = connectionId !== undefined ? open.find(([id]) => id === connectionId) : open[turn++ % Math.max(open.length, 1)];
    if (!chosen) throw new Error(`ws fake: no open connection${connectionId !== undefined ? ` ${connectionId}` : ''} to push to`);
    return chosen;
  };

  const pushTo = (envelope: unknown, messageId: string, parts: number, connectionId?: number): Delivery => {
    const [id, ws] = pickConnection(connectionId);
    const bytes = Buffer.from(JSON.stringify(envelope), 'utf8');
    const size = Math.ceil(bytes.length / parts);
    const traceId = randomBytes(8).toString('hex');
    for (let seq = 0; seq < parts; seq += 1) {
      const headers = { type: 'event', message_id: messageId, sum: String(parts), seq: String(seq), trace_id: traceId };
      const frameHeaders = Object.entries(headers).map(([k, value]) => ({ key: k, value }));
      send(ws, { method: 1, headers: frameHeaders, payload: bytes.subarray(seq * size, (seq + 1) * size) });
    }
    const delivery = { messageId, connectionId: id, envelope, at: Date.now() };
    deliveries.push(delivery);
    return delivery;
  };

  const waitFor = async <T>(check: () => T | undefined | null | false, what: string, timeoutMs = 5_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== null && value !== false) return value;
      if (Date.now() > deadline) throw new Error(`ws fake: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('ws fake: unexpected server address');
  const port = address.port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    endpointRequests,
    deliveries,
    acks,
    pings,
    protocolErrors,
    connectionsOpened: () => nextConnection - 1,
    openConnections: () => [...sockets.keys()],
    failEndpoint(code, msg = 'refused', times = Number.POSITIVE_INFINITY) {
      faults.push({ code, msg, times });
    },
    clearEndpointFaults() {
      faults.length = 0;
    },
    push: (envelope, { connectionId, messageId, parts = 1 } = {}) =>
      pushTo(envelope, messageId ?? `msg_${randomBytes(8).toString('hex')}`, parts, connectionId),
    replay(messageId, connectionId) {
      const first = deliveries.find((d) => d.messageId === messageId);
      if (!first) throw new Error(`ws fake: ${messageId} was never delivered`);
      return pushTo(first.envelope, messageId, 1, connectionId);
    },
    waitForAck: (messageId, timeoutMs = 5_000, nth = 1) =>
      waitFor(() => acks.filter((a) => a.messageId === messageId)[nth - 1], `ack ${nth} of ${messageId}`, timeoutMs),
    dropConnections(connectionId) {
      for (const [id, ws] of sockets) if (connectionId === undefined || id === connectionId) ws.terminate();
    },
    waitFor,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const ws of sockets.values()) ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
