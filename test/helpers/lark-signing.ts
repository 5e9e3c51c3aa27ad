import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';

/** Encrypts a payload the way Lark does: AES-256-CBC, key sha256(encryptKey), body {"encrypt": base64(iv‖ct)}. */
export function encryptPayload(payload: unknown, encryptKey: string): string {
  return encryptText(JSON.stringify(payload), encryptKey);
}

/**
 * The same sealing for any plaintext: the fuzz seals text that is not JSON, or JSON written by hand that
 * JSON.stringify cannot produce (10,000 levels deep, raw NUL bytes, invalid UTF-8).
 */
export function encryptText(plaintext: string | Buffer, encryptKey: string): string {
  const key = createHash('sha256').update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const data = Buffer.concat([iv, typeof plaintext === 'string' ? cipher.update(plaintext, 'utf8') : cipher.update(plaintext), cipher.final()]);
  return JSON.stringify({ encrypt: data.toString('base64') });
}

export interface SignedHeaders extends Record<string, string> {
  'content-type': string;
  'x-lark-request-timestamp': string;
  'x-lark-request-nonce': string;
  'x-lark-signature': string;
}

/** Headers as Lark sends them: hex(hash(timestamp + nonce + secret + rawBody)), computed here independently of src/. */
function signed(algorithm: 'sha256' | 'sha1', rawBody: string | Buffer, secret: string, timestamp: string): SignedHeaders {
  const nonce = randomUUID();
  return {
    'content-type': 'application/json',
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': nonce,
    // Over the bytes as sent: a body that is not valid UTF-8 (the fuzz sends some) must still be signed correctly.
    'x-lark-signature': createHash(algorithm).update(timestamp + nonce + secret).update(rawBody).digest('hex'),
  };
}

const nowSeconds = () => String(Math.floor(Date.now() / 1000));

/** Events and new-style card callbacks (signed with the encrypt key). */
export function signEvent(rawBody: string | Buffer, encryptKey: string, timestamp = nowSeconds()): SignedHeaders {
  return signed('sha256', rawBody, encryptKey, timestamp);
}

/** Legacy card callbacks (signed with the verification token). */
export function signLegacyCard(rawBody: string | Buffer, verificationToken: string, timestamp = nowSeconds()): SignedHeaders {
  return signed('sha1', rawBody, verificationToken, timestamp);
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(16)}${(counter++).toString(16).padStart(6, '0')}${randomBytes(4).toString('hex')}`;

export interface MessageEventInput {
  messageId?: string;
  eventId?: string;
  chatId?: string;
  chatType?: 'group' | 'p2p';
  text?: string;
  messageType?: string;
  content?: string;
  senderOpenId?: string;
  senderType?: string;
  rootId?: string;
  threadId?: string;
  mentions?: { key: string; id: { open_id: string }; name: string; mentioned_type?: string }[];
  token?: string;
}

/** A v2 im.message.receive_v1 envelope shaped like the doc sample. */
export function messageEvent(input: MessageEventInput = {}): { payload: Record<string, unknown>; messageId: string; eventId: string } {
  const messageId = input.messageId ?? unique('om_');
  const eventId = input.eventId ?? unique('ev');
  const payload = {
    schema: '2.0',
    header: {
      event_id: eventId,
      event_type: 'im.message.receive_v1',
      create_time: String(Date.now()),
      token: input.token ?? 'test-verification-token',
      app_id: 'cli_a1b2c3d4e5f60718',
      tenant_key: 'tenant_test',
    },
    event: {
      sender: {
        sender_id: { open_id: input.senderOpenId ?? 'ou_user0000000000000000000000001', union_id: 'on_u1', user_id: 'u1' },
        sender_type: input.senderType ?? 'user',
        tenant_key: 'tenant_test',
      },
      message: {
        message_id: messageId,
        ...(input.rootId ? { root_id: input.rootId, parent_id: input.rootId } : {}),
        ...(input.threadId ? { thread_id: input.threadId } : {}),
        create_time: String(Date.now()),
        chat_id: input.chatId ?? 'oc_test_chat',
        chat_type: input.chatType ?? 'group',
        message_type: input.messageType ?? 'text',
        content: input.content ?? JSON.stringify({ text: input.text ?? '@_user_1 hello' }),
        mentions: input.mentions ?? [],
      },
    },
  };
  return { payload, messageId, eventId };
}

export interface CardActionInput {
  eventId?: string;
  messageId: string;
  chatId?: string;
  operatorOpenId?: string;
  value: unknown;
  token?: string;
  /** What a select or person picker sends (`action.option`), a standalone input (`input_value`), a form (`form_value`). */
  option?: string;
  inputValue?: string;
  formValue?: Record<string, unknown>;
  tag?: string;
}

function actionOf(input: CardActionInput): Record<string, unknown> {
  return {
    value: input.value,
    tag: input.tag ?? 'button',
    ...(input.option !== undefined ? { option: input.option } : {}),
    ...(input.inputValue !== undefined ? { input_value: input.inputValue } : {}),
    ...(input.formValue !== undefined ? { form_value: input.formValue } : {}),
  };
}

export function cardActionEvent(input: CardActionInput): { payload: Record<string, unknown>; eventId: string } {
  const eventId = input.eventId ?? unique('ev');
  return {
    eventId,
    payload: {
      schema: '2.0',
      header: {
        event_id: eventId,
        token: input.token ?? 'test-verification-token',
        create_time: String(Date.now() * 1000),
        event_type: 'card.action.trigger',
        tenant_key: 'tenant_test',
        app_id: 'cli_a1b2c3d4e5f60718',
      },
      event: {
        operator: { tenant_key: 'tenant_test', open_id: input.operatorOpenId ?? 'ou_user0000000000000000000000001' },
        token: `c-${unique('')}`,
        action: actionOf(input),
        host: 'im_message',
        context: { open_message_id: input.messageId, open_chat_id: input.chatId ?? 'oc_test_chat' },
      },
    },
  };
}

export function legacyCardCallback(input: CardActionInput): Record<string, unknown> {
  return {
    open_id: input.operatorOpenId ?? 'ou_user0000000000000000000000001',
    user_id: 'u1',
    open_message_id: input.messageId,
    open_chat_id: input.chatId ?? 'oc_test_chat',
    tenant_key: 'tenant_test',
    token: `c-${unique('')}`,
    action: actionOf(input),
  };
}
