import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { jsonWithin } from '../json.js';

/** The challenge Lark sends when a request URL is saved (events and legacy card URL alike). */
export const challengeSchema = z.object({
  type: z.literal('url_verification'),
  challenge: z.string().min(1),
  token: z.string().optional(),
});

/*
 * What is kept of a push is what the bot uses, bounded: `z.object` drops every other key (a field the bot does
 * not read can never make an event unstorable, however deep or large it is), and ids and texts have limits well
 * above what Lark sends (a text message is at most 150 KB: ../shared/reference/lark-platform.md §5).
 */
const id = z.string().max(256);
const optionalId = id.optional();

const userIdSchema = z.object({ open_id: optionalId, union_id: optionalId, user_id: optionalId });

const mentionSchema = z.object({
  key: z.string().max(64),
  id: userIdSchema.default({}),
  name: z.string().max(512).default(''),
  mentioned_type: z.string().max(64).optional(),
});

export const messageEventSchema = z.object({
  sender: z.object({
    sender_id: userIdSchema.default({}),
    sender_type: z.string().max(64).default('user'),
    tenant_key: optionalId,
  }),
  message: z.object({
    message_id: id.min(1),
    root_id: optionalId,
    parent_id: optionalId,
    thread_id: optionalId,
    chat_id: id.min(1),
    chat_type: z.string().max(64),
    message_type: z.string().max(64),
    content: z.string().max(200_000),
    create_time: z.string().max(32).optional(),
    mentions: z.array(mentionSchema).max(500).optional(),
  }),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

/** A button's `value` travels through the client: kept only when it is small and shallow, as ours are (else null, an invalid button). */
const buttonValue = z.unknown().transform((value) => (jsonWithin(value, { maxDepth: 8, maxNodes: 200, maxStringLength: 1024 }) ? value : null));

/**
 * What a select, a person picker, an input or a form sends besides the value (lark-platform.md §4.1): the chosen
 * option (a preset, an open_id), the typed text, the form's fields. Oversize text is kept whole here and refused
 * with a toast by the handler; anything that is not a string (or a small flat form) is dropped.
 */
const text = z.string().max(64 * 1024);
const formValue = z
  .record(z.string().max(128), z.unknown())
  .transform((value) => (jsonWithin(value, { maxDepth: 3, maxNodes: 100, maxStringLength: 64 * 1024 }) ? value : undefined))
  .optional()
  .catch(undefined);

const cardActionSchema = z.object({
  value: buttonValue,
  tag: z.string().max(64).optional(),
  name: z.string().max(256).optional(),
  option: text.optional().catch(undefined),
  input_value: text.optional().catch(undefined),
  form_value: formValue,
});

const cardActionEventSchema = z.object({
  operator: userIdSchema,
  token: optionalId,
  action: cardActionSchema,
  context: z.object({ open_message_id: optionalId, open_chat_id: optionalId }).default({}),
});

/** What both callback styles are normalised to: who clicked what on which card. */
export const cardClickSchema = z.object({
  style: z.enum(['v2', 'legacy']),
  operatorOpenId: id.min(1),
  messageId: id.min(1),
  chatId: optionalId,
  updateToken: optionalId,
  value: buttonValue,
  /** A select's or a person picker's choice. */
  option: text.optional(),
  /** A standalone input's text. */
  inputValue: text.optional(),
  /** A form's fields by name (a submit button inside a form). */
  formValue: z.record(z.string(), z.unknown()).optional(),
});
export type CardClick = z.infer<typeof cardClickSchema>;

const legacyCardCallbackSchema = z.object({
  open_id: id.min(1),
  user_id: optionalId,
  open_message_id: id.min(1),
  open_chat_id: optionalId,
  token: optionalId,
  action: cardActionSchema,
});

const v2EnvelopeSchema = z.object({
  schema: z.literal('2.0'),
  header: z.object({
    event_id: id.min(1),
    event_type: z.string().min(1).max(128),
    token: optionalId,
    create_time: z.string().max(32).optional(),
    app_id: optionalId,
  }),
  event: z.unknown(),
});

const v1EnvelopeSchema = z.object({
  uuid: id.min(1),
  token: optionalId,
  type: z.string().max(128),
  event: z.object({ type: z.string().max(128).default('unknown') }).default({ type: 'unknown' }),
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
        ...extrasOf(event.action),
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
  const { option, input_value: input, form_value: form } = body.action;
  const identity = JSON.stringify([body.open_message_id, body.open_id, body.token ?? '', body.action.value ?? null, option ?? null, input ?? null, form ?? null]);
  const eventId = `legacy-${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`;
  const click: CardClick = {
    style: 'legacy',
    operatorOpenId: body.open_id,
    messageId: body.open_message_id,
    chatId: body.open_chat_id,
    updateToken: body.token,
    value: body.action.value,
    ...extrasOf(body.action),
  };
  return { type: 'card.action.trigger', eventId, dedupeKey: `card-${eventId}`, click: checkClick(click) };
}

function extrasOf(action: z.infer<typeof cardActionSchema>): Pick<CardClick, 'option' | 'inputValue' | 'formValue'> {
  return {
    ...(action.option !== undefined ? { option: action.option } : {}),
    ...(action.input_value !== undefined ? { inputValue: action.input_value } : {}),
    ...(action.form_value !== undefined ? { formValue: action.form_value } : {}),
  };
}

function checkClick(click: CardClick): CardClick {
  return parseOrBadRequest(cardClickSchema, click, 'card.action.trigger');
}
