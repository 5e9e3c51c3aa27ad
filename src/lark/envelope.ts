import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** The challenge Lark sends when a request URL is saved (events and legacy card URL alike). */
export const challengeSchema = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1),
  token: z.string().optional(),
});

const userIdSchema = z.looseObject({
  open_id: z.string().optional(),
  union_id: z.string().optional(),
  user_id: z.string().optional(),
});

const mentionSchema = z.looseObject({
  key: z.string(),
  id: userIdSchema.default({}),
  name: z.string().default(''),
  mentioned_type: z.string().optional(),
});

export const messageEventSchema = z.looseObject({
  sender: z.looseObject({
    sender_id: userIdSchema.default({}),
    sender_type: z.string().default('user'),
    tenant_key: z.string().optional(),
  }),
  message: z.looseObject({
    message_id: z.string().min(1),
    root_id: z.string().optional(),
    parent_id: z.string().optional(),
    thread_id: z.string().optional(),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    create_time: z.string().optional(),
    mentions: z.array(mentionSchema).optional(),
  }),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

const cardActionSchema = z.looseObject({
  value: z.unknown(),
  tag: z.string().optional(),
  name: z.string().optional(),
});

const cardActionEventSchema = z.looseObject({
  operator: userIdSchema,
  token: z.string().optional(),
  action: cardActionSchema,
  context: z
    .looseObject({ open_message_id: z.string().optional(), open_chat_id: z.string().optional() })
    .default({}),
});

/** What both callback styles are normalised to: who clicked what on which card. */
export const cardClickSchema = z.object({
  style: z.enum(['v2', 'legacy']),
  operatorOpenId: z.string().min(1),
  messageId: z.string().min(1),
  chatId: z.string().optional(),
  updateToken: z.string().optional(),
  value: z.unknown(),
});
export type CardClick = z.infer<typeof cardClickSchema>;

const legacyCardCallbackSchema = z.looseObject({
  open_id: z.string().min(1),
  user_id: z.string().optional(),
  open_message_id: z.string().min(1),
  open_chat_id: z.string().optional(),
  token: z.string().optional(),
  action: cardActionSchema,
});

const v2EnvelopeSchema = z.object({
  schema: z.literal('2.0'),
  header: z.looseObject({
    event_id: z.string().min(1),
    event_type: z.string().min(1),
    token: z.string().optional(),
    create_time: z.string().optional(),
    app_id: z.string().optional(),
  }),
  event: z.unknown(),
});

const v1EnvelopeSchema = z.object({
  uuid: z.string().min(1),
  token: z.string().optional(),
  type: z.string(),
  event: z.looseObject({ type: z.string().default('unknown') }).default({ type: 'unknown' }),
});

export type Inbound =
  | { type: 'im.message.receive_v1'; eventId: string; dedupeKey: string; token?: string; event: MessageEvent }
  | { type: 'card.action.trigger'; eventId: string; dedupeKey: string; token?: string; click: CardClick }
  | { type: 'unsupported'; eventType: string; eventId: string; token?: string };

function parseOrBadRequest<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequestError(`${what}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}

/** Classifies a decrypted event-subscription payload (v2 or v1). Known types are validated; others pass as unsupported. */
export function parseEventEnvelope(payload: unknown): Inbound {
  if (payload && typeof payload === 'object' && 'schema' in payload) {
    const envelope = parseOrBadRequest(v2EnvelopeSchema, payload, 'event envelope');
    const { event_id: eventId, event_type: eventType, token } = envelope.header;
    if (eventType === 'im.message.receive_v1') {
      const event = parseOrBadRequest(messageEventSchema, envelope.event, 'im.message.receive_v1');
      // Lark asks to dedupe messages by message_id: the same message can arrive under several event ids.
      return { type: eventType, eventId, dedupeKey: `msg-${event.message.message_id}`, token, event };
    }
    if (eventType === 'card.action.trigger') {
      const event = parseOrBadRequest(cardActionEventSchema, envelope.event, 'card.action.trigger');
      const click: CardClick = {
        style: 'v2',
        operatorOpenId: event.operator.open_id ?? '',
        messageId: event.context.open_message_id ?? '',
        chatId: event.context.open_chat_id,
        updateToken: event.token,
        value: event.action.value,
      };
      return { type: eventType, eventId, dedupeKey: `card-${eventId}`, token, click: checkClick(click) };
    }
    return { type: 'unsupported', eventType, eventId, token };
  }
  const v1 = parseOrBadRequest(v1EnvelopeSchema, payload, 'event envelope');
  return { type: 'unsupported', eventType: v1.event.type, eventId: v1.uuid, token: v1.token };
}

/** The legacy card callback has no event id: a retry repeats the same card-update token, so that (with the click) is the key. */
export function parseLegacyCardCallback(payload: unknown): Inbound & { type: 'card.action.trigger' } {
  const body = parseOrBadRequest(legacyCardCallbackSchema, payload, 'card callback');
  const identity = JSON.stringify([body.open_message_id, body.open_id, body.token ?? '', body.action.value ?? null]);
  const eventId = `legacy-${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
  const click: CardClick = {
    style: 'legacy',
    operatorOpenId: body.open_id,
    messageId: body.open_message_id,
    chatId: body.open_chat_id,
    updateToken: body.token,
    value: body.action.value,
  };
  return { type: 'card.action.trigger', eventId, dedupeKey: `card-${eventId}`, click: checkClick(click) };
}

function checkClick(click: CardClick): CardClick {
  return parseOrBadRequest(cardClickSchema, click, 'card.action.trigger');
}
