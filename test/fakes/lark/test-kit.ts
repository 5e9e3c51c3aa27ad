/**
 * What the Lark fake's own tests share: a fake per test (users Alice and Bob, a tenant token
 * fetched), fetch helpers and JSON readers.
 */
import { afterEach, beforeEach } from 'vitest';
import { startLarkFake, type LarkFake, type LarkFakeOptions } from '../lark-server.js';

export const CHAT = 'oc_84983ff6516d731e5b5f68d4ea2e1da5';
export const ALICE = { open_id: 'ou_alice000000000000000000000000001', name: 'Alice', email: 'alice@example.com', mobile: '+8613011111111' };
export const BOB = { open_id: 'ou_bob00000000000000000000000000002', name: 'Bob', email: 'bob@example.com' };

export const sharedCard = (title: string): string =>
  JSON.stringify({ config: { update_multi: true }, header: { title: { tag: 'plain_text', content: title } }, elements: [{ tag: 'markdown', content: title }] });
export const v2Card = (title: string): string =>
  JSON.stringify({ schema: '2.0', header: { title: { tag: 'plain_text', content: title } }, body: { elements: [{ tag: 'markdown', content: title }] } });

/** Read a nested field of an unknown JSON value. */
export function at(value: unknown, ...path: string[]): unknown {
  let cur = value;
  for (const key of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[key] : undefined;
  return cur;
}
export function str(value: unknown, ...path: string[]): string {
  const v = at(value, ...path);
  if (typeof v !== 'string') throw new Error(`expected a string at ${path.join('.')}, got ${JSON.stringify(v)}`);
  return v;
}

interface CallResult {
  status: number;
  headers: Headers;
  json: unknown;
}

type Extra = Record<string, unknown>;

interface LarkKit {
  /** The fake of the running test (closed after each test). */
  fake: LarkFake;
  /** A tenant token fetched at start. */
  token: string;
  /** A new fake with these options (users Alice and Bob) and a new token. */
  restart(options?: LarkFakeOptions): Promise<void>;
  /** `auth` null sends no Authorization header; a string body is sent as is. */
  call(method: string, path: string, body?: unknown, auth?: string | null): Promise<CallResult>;
  fetchToken(): Promise<string>;
  send(receiveId: string, msgType: string, content: string, extra?: Extra, idType?: string): Promise<CallResult>;
  sendText(text: string, extra?: Extra): Promise<CallResult>;
  reply(messageId: string, text: string, extra?: Extra): Promise<CallResult>;
}

/** Call at the top of a test file. */
export function useLarkFake(): LarkKit {
  let current: LarkFake | undefined;
  const kit: LarkKit = {
    get fake(): LarkFake {
      if (current === undefined) throw new Error('lark test kit: no fake running');
      return current;
    },
    token: '',
    async restart(options = {}) {
      await current?.close();
      current = await startLarkFake({ users: [ALICE, BOB], ...options });
      kit.token = await kit.fetchToken();
    },
    async call(method, path, body, auth = kit.token) {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (auth !== null) headers.authorization = `Bearer ${auth}`;
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const res = await fetch(`${kit.fake.url}${path}`, { method, headers, body: payload });
      const text = await res.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // keep the raw text
      }
      return { status: res.status, headers: res.headers, json };
    },
    async fetchToken() {
      const body = { app_id: kit.fake.appId, app_secret: kit.fake.appSecret };
      return str((await kit.call('POST', '/open-apis/auth/v3/tenant_access_token/internal', body, null)).json, 'tenant_access_token');
    },
    send: (receiveId, msgType, content, extra = {}, idType = 'chat_id') =>
      kit.call('POST', `/open-apis/im/v1/messages?receive_id_type=${idType}`, { receive_id: receiveId, msg_type: msgType, content, ...extra }),
    sendText: (text, extra = {}) => kit.send(CHAT, 'text', JSON.stringify({ text }), extra),
    reply: (messageId, text, extra = {}) =>
      kit.call('POST', `/open-apis/im/v1/messages/${messageId}/reply`, { msg_type: 'text', content: JSON.stringify({ text }), ...extra }),
  };
  beforeEach(() => kit.restart());
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return kit;
}
