/**
 * Generated request bodies for POST /lark/events and /lark/card, with what the bot must do with each: the fuzz run
 * (bench/fuzz.ts) and its short version in the suite (test/integration/ingress/fuzz.test.ts) share them.
 *
 * The guarantee under test (../shared/SPEC.md "Bad input gets a clear 4xx and nothing else", issue 11): wrong
 * signature or token → 401, malformed → 400, oversized → 413, unstorable → 422, unknown event types acknowledged
 * (200) and ignored; none of them queues a job. Each body says which answer it must get, worked out from the order
 * in which Lark pushes are opened (../shared/reference/lark-platform.md §3, §4): the body is parsed (and decrypted)
 * first, then a URL challenge is answered (unsigned, node-sdk issue #67), then the signature, the envelope's
 * shape, and last the token. So unsigned garbage is a 400, unsigned JSON a 401, a badly signed body of any shape
 * a 401, and a signed body of a wrong shape a 400 even when its token is wrong too.
 */
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { cardActionEvent, encryptText, legacyCardCallback, messageEvent, signEvent, signLegacyCard } from './lark-signing.js';

/** The bot's body limit, as SPEC and its 413 answer state it ("body larger than 1 MiB"). */
export const MAX_BODY_BYTES = 1024 * 1024;

export type FuzzPath = '/lark/events' | '/lark/card';

export type Expectation =
  /** A 4xx with exactly this status, nothing queued (431: headers over Node's limit, refused before the bot sees them). */
  | { kind: 'reject'; status: 400 | 401 | 413 | 422 | 431 }
  /** 200, nothing queued: unknown event types, URL challenges, clicks on a button value no card of ours carries. */
  | { kind: 'ignore' }
  /** 200 and exactly one job in `queue` (with this id, when the id is known without the bot's own code). */
  | { kind: 'accept'; queue: 'inbound' | 'clicks'; jobId?: string }
  /** The client gives up halfway through the body: no answer to check, and nothing may be queued or crash. */
  | { kind: 'abort' };

export const CATEGORIES = [
  'unsigned',
  'bad-signature',
  'wrong-token',
  'garbage',
  'wrong-shape',
  'hostile-refused',
  'oversized',
  'near-limit',
  'aborted',
  'unknown-type',
  'challenge',
  'bad-button',
  'hostile-ignored',
  'valid-message',
  'valid-click',
  'hostile-stored',
] as const;
export type FuzzCategory = (typeof CATEGORIES)[number];

export interface FuzzBody {
  category: FuzzCategory;
  path: FuzzPath;
  body: Buffer;
  headers: Record<string, string>;
  expect: Expectation;
  /** What was done to the body, for failure reports. */
  note: string;
  /** Sent chunked, without content-length: the limit must hold while the body streams in. */
  chunked?: boolean;
  /** The client aborts after this many bytes (category `aborted`). */
  abortAfter?: number;
  /** A user message the bot will answer: it must exist in the Lark fake for the reply to land. */
  incoming?: { chatId: string; messageId: string };
  /** A URL challenge: the answer must echo it. */
  challenge?: string;
}

export interface FuzzSecrets {
  encryptKey: string;
  verificationToken: string;
  /** The bot's open_id in the Lark fake, so @mentions address it. */
  botOpenId: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
/** encrypted + signed (how Lark sends with an encrypt key), or signed plain JSON. */
type Seal = 'sealed' | 'plain';

const reject = (status: 400 | 401 | 413 | 422 | 431): Expectation => ({ kind: 'reject', status });
const IGNORE: Expectation = { kind: 'ignore' };
const seal = fc.constantFrom<Seal>('sealed', 'plain');
const eventPath = fc.constantFrom<FuzzPath>('/lark/events', '/lark/card');
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const clone = <T>(value: T): T => structuredClone(value);

interface Sent {
  body: Buffer;
  headers: Record<string, string>;
}

/** `text` as Lark sends an event: encrypted or plain, signed with the encrypt key (both paths take v2 pushes). */
function signed(text: string | Buffer, secrets: FuzzSecrets, how: Seal): Sent {
  const body = Buffer.from(how === 'sealed' ? encryptText(text, secrets.encryptKey) : text);
  return { body, headers: signEvent(body, secrets.encryptKey) };
}

/** The legacy card callback: plain JSON signed with SHA-1 over the verification token. */
function signedLegacy(text: string | Buffer, secrets: FuzzSecrets): Sent {
  const body = Buffer.from(text);
  return { body, headers: signLegacyCard(body, secrets.verificationToken) };
}

/**
 * Correctly signed for `path`: /lark/card takes a plain body without `schema` as a legacy callback (SHA-1 over the
 * token), anything encrypted or with `schema` as an event.
 */
function signedFor(path: FuzzPath, value: unknown, secrets: FuzzSecrets, how: Seal): Sent {
  const text = JSON.stringify(value);
  const v2 = typeof value === 'object' && value !== null && 'schema' in value;
  return path === '/lark/card' && how === 'plain' && !v2 ? signedLegacy(text, secrets) : signed(text, secrets, how);
}

function make(category: FuzzCategory, path: FuzzPath, sent: Sent, expect: Expectation, note: string): FuzzBody {
  // Anything over the limit is a 413 whatever else is wrong with it: the limit is checked before the body is read.
  const final = sent.body.length > MAX_BODY_BYTES && expect.kind !== 'abort' ? reject(413) : expect;
  return { category, path, ...sent, expect: final, note };
}

// ---- valid payloads --------------------------------------------------------------------------------------------

const issueId = () => `issue_${hex(16)}`;
const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }));
const COMMANDS = ['help', 'list', 'ack', `ack issue_${'9'.repeat(3000)}`, 'resolve issue_nothex', '帮助', '确认', 'snooze 30m', 'what is this'];

interface MessageSpec {
  payload: JsonObject;
  messageId: string;
  eventId: string;
  incoming?: { chatId: string; messageId: string };
}

/** A valid im.message.receive_v1: group chatter, an @bot command, or a direct message (the last two are answered). */
const validMessage = (secrets: FuzzSecrets): fc.Arbitrary<MessageSpec> =>
  fc
    .record({
      kind: fc.constantFrom('chatter', 'chatter', 'command', 'direct'),
      words: text,
      command: fc.constantFrom(...COMMANDS),
      type: fc.constantFrom('text', 'text', 'text', 'post', 'image'),
    })
    .map(({ kind, words, command, type }) => {
      const chatId = `oc_fuzz${hex(8)}`;
      const mention = { key: '@_user_1', id: { open_id: secrets.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' };
      const content =
        type === 'text'
          ? JSON.stringify({ text: kind === 'command' ? `@_user_1 ${command}` : kind === 'direct' ? command : words })
          : type === 'post'
            ? JSON.stringify({ title: words, content: [[{ tag: 'at', user_id: '@_user_1' }, { tag: 'text', text: ` ${command}` }]] })
            : JSON.stringify({ image_key: `img_${hex(8)}` });
      const event = messageEvent({
        token: secrets.verificationToken,
        chatId,
        chatType: kind === 'direct' ? 'p2p' : 'group',
        messageType: type,
        content,
        mentions: kind === 'command' ? [mention] : [],
      });
      const answered = kind !== 'chatter';
      return { payload: event.payload as JsonObject, messageId: event.messageId, eventId: event.eventId, ...(answered ? { incoming: { chatId, messageId: event.messageId } } : {}) };
    });

const buttonValue = () => ({ action: 'ack', issue: issueId() });
const validClickPayload = (secrets: FuzzSecrets, value: Json = buttonValue()) =>
  cardActionEvent({ messageId: `om_fuzz${hex(10)}`, value, token: secrets.verificationToken });
const legacyClickPayload = (value: Json = buttonValue()) => legacyCardCallback({ messageId: `om_fuzz${hex(10)}`, value }) as JsonObject;

// ---- hostile fragments (raw JSON text) -------------------------------------------------------------------------

/** A placeholder replaced by raw JSON text after JSON.stringify: 10,000 levels cannot be built as objects and stringified. */
const HOLE = '\u0001fuzz-hole\u0001';
const HOLE_JSON = JSON.stringify(HOLE);

function withRaw(payload: JsonObject, path: readonly string[], raw: string): string {
  const copy = clone(payload);
  setAt(copy, path, HOLE);
  return JSON.stringify(copy).replace(HOLE_JSON, () => raw);
}

function setAt(target: JsonObject, path: readonly string[], value: Json | undefined): void {
  let node: Json = target;
  for (const key of path.slice(0, -1)) {
    const next: Json | undefined = (node as JsonObject)[key];
    if (next === null || typeof next !== 'object') (node as JsonObject)[key] = {};
    node = (node as JsonObject)[key] as Json;
  }
  const last = path[path.length - 1] as string;
  if (value === undefined) delete (node as JsonObject)[last];
  else (node as JsonObject)[last] = value;
}

interface Poison {
  raw: string;
  what: string;
  /** A JSON string: some used string fields take it (within their length limit). */
  isString: boolean;
}

const PROTO = '{"__proto__":{"polluted":"yes","schema":"2.0"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}';

const poison: fc.Arbitrary<Poison> = fc.oneof(
  fc
    .record({ depth: fc.constantFrom(1_000, 10_000, 100_000), open: fc.constantFrom('[', '{"a":') })
    .map(({ depth, open }) => ({
      raw: open === '[' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${open.repeat(depth)}1${'}'.repeat(depth)}`,
      what: `${depth} levels of ${open}`,
      isString: false,
    })),
  fc.integer({ min: 1_000, max: 600_000 }).map((n) => ({ raw: JSON.stringify('x'.repeat(n)), what: `a ${n}-char string`, isString: true })),
  fc.integer({ min: 1, max: 64 }).map((n) => ({ raw: JSON.stringify(`nul\u0000`.repeat(n)), what: 'NUL bytes in a string', isString: true })),
  fc.constant({ raw: PROTO, what: '__proto__/constructor/prototype keys', isString: false }),
  fc.integer({ min: 10_000, max: 150_000 }).map((n) => ({ raw: `[${'0,'.repeat(n)}0]`, what: `an array of ${n + 1} items`, isString: false })),
  fc.integer({ min: 1_000, max: 30_000 }).map((n) => ({
    raw: `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`,
    what: `an object of ${n} keys`,
    isString: false,
  })),
  fc.constantFrom('"\\ud800\\udfff\\ud800"', '1e400', '-0', '123456789012345678901234567890', '"\\u0000\\u001f\\"\\\\"').map((raw) => ({
    raw,
    what: `odd scalar ${raw}`,
    isString: raw.startsWith('"'),
  })),
);

/** Fields of a message event the bot does not read: poison there is dropped, and the event stored without it. */
const UNUSED_MESSAGE_PATHS = [
  ['fuzz'],
  ['header', 'fuzz'],
  ['header', 'tenant_key'],
  ['event', 'fuzz'],
  ['event', 'sender', 'fuzz'],
  ['event', 'message', 'fuzz'],
  ['event', 'message', 'update_time'],
  ['event', 'message', 'user_agent'],
] as const;

/** Fields the bot reads that no poison satisfies (strings only take strings within their length). */
const USED_MESSAGE_PATHS = [
  { path: ['header'], max: 0 },
  { path: ['event'], max: 0 },
  { path: ['event', 'message'], max: 0 },
  { path: ['event', 'message', 'mentions'], max: 0 },
  { path: ['event', 'message', 'content'], max: 200_000 },
  { path: ['event', 'message', 'message_id'], max: 256 },
  { path: ['event', 'message', 'chat_id'], max: 256 },
] as const;

// ---- known fields and wrong types -------------------------------------------------------------------------------

type Kind = 'string' | 'object' | 'array';
interface Field {
  path: readonly string[];
  kind: Kind;
  /** Longest accepted string. */
  max?: number;
  /** Deleting it makes the push malformed (the bot needs it). */
  required?: boolean;
}

const f = (path: string, kind: Kind, max?: number, required = false): Field => ({ path: path.split('.'), kind, ...(max ? { max } : {}), required });
const HEADER_FIELDS = [
  f('schema', 'string', undefined, true),
  f('header', 'object', undefined, true),
  f('header.event_id', 'string', 256, true),
  f('header.token', 'string', 256),
  f('header.create_time', 'string', 32),
  f('header.app_id', 'string', 256),
];
const MESSAGE_FIELDS: Field[] = [
  ...HEADER_FIELDS,
  f('header.event_type', 'string', 128, true),
  f('event', 'object', undefined, true),
  f('event.sender', 'object', undefined, true),
  f('event.sender.sender_id', 'object'),
  f('event.sender.sender_id.open_id', 'string', 256),
  f('event.sender.sender_id.union_id', 'string', 256),
  f('event.sender.sender_type', 'string', 64),
  f('event.sender.tenant_key', 'string', 256),
  f('event.message', 'object', undefined, true),
  f('event.message.message_id', 'string', 256, true),
  f('event.message.root_id', 'string', 256),
  f('event.message.parent_id', 'string', 256),
  f('event.message.thread_id', 'string', 256),
  f('event.message.chat_id', 'string', 256, true),
  f('event.message.chat_type', 'string', 64, true),
  f('event.message.message_type', 'string', 64, true),
  f('event.message.content', 'string', 200_000, true),
  f('event.message.create_time', 'string', 32),
  f('event.message.mentions', 'array'),
  f('event.message.mentions.0', 'object'),
  f('event.message.mentions.0.key', 'string', 64, true),
  f('event.message.mentions.0.id', 'object'),
  f('event.message.mentions.0.name', 'string', 512),
  f('event.message.mentions.0.mentioned_type', 'string', 64),
];
const CLICK_FIELDS: Field[] = [
  ...HEADER_FIELDS,
  f('event', 'object', undefined, true),
  f('event.operator', 'object', undefined, true),
  f('event.operator.open_id', 'string', 256, true),
  f('event.token', 'string', 256),
  f('event.action', 'object', undefined, true),
  f('event.action.tag', 'string', 64),
  f('event.action.name', 'string', 256),
  f('event.context', 'object'),
  f('event.context.open_message_id', 'string', 256, true),
  f('event.context.open_chat_id', 'string', 256),
];
const LEGACY_FIELDS: Field[] = [
  f('open_id', 'string', 256, true),
  f('user_id', 'string', 256),
  f('open_message_id', 'string', 256, true),
  f('open_chat_id', 'string', 256),
  f('token', 'string', 256),
  f('action', 'object', undefined, true),
  f('action.tag', 'string', 64),
];

const small: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>;
const notA = (kind: Kind): fc.Arbitrary<Json> =>
  fc.oneof(
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    ...(kind === 'array' ? [] : [fc.array(small, { maxLength: 3 })]),
    ...(kind === 'object' ? [] : [fc.dictionary(fc.string({ maxLength: 6 }), small, { maxKeys: 3 })]),
    ...(kind === 'string' ? [] : [fc.string({ maxLength: 20 })]),
  );

type Mutation = { how: 'type'; value: Json } | { how: 'delete' } | { how: 'long'; extra: number };
const mutation = (field: Field): fc.Arbitrary<Mutation> =>
  fc.oneof(
    notA(field.kind).map((value): Mutation => ({ how: 'type', value })),
    ...(field.required ? [fc.constant<Mutation>({ how: 'delete' })] : []),
    ...(field.max ? [fc.integer({ min: 1, max: 2_000 }).map((extra): Mutation => ({ how: 'long', extra }))] : []),
  );

function mutate(payload: JsonObject, field: Field, change: Mutation): JsonObject {
  const copy = clone(payload);
  if (change.how === 'delete') setAt(copy, field.path, undefined);
  else if (change.how === 'type') setAt(copy, field.path, change.value);
  else setAt(copy, field.path, 'y'.repeat((field.max ?? 0) + change.extra));
  return copy;
}

// ---- the categories ---------------------------------------------------------------------------------------------

/** Any well-formed push the bot would act on or acknowledge, as a payload for `path`, before it is signed. */
const anyPayload = (secrets: FuzzSecrets): fc.Arbitrary<{ path: FuzzPath; payload: JsonObject; legacy: boolean }> =>
  fc.oneof(
    validMessage(secrets).map((m) => ({ path: '/lark/events' as FuzzPath, payload: m.payload, legacy: false })),
    eventPath.map((path) => ({ path, payload: validClickPayload(secrets).payload as JsonObject, legacy: false })),
    fc.constant(null).map(() => ({ path: '/lark/card' as FuzzPath, payload: legacyClickPayload(), legacy: true })),
  );

function unsigned(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc
    .record({ push: anyPayload(secrets), how: seal, drop: fc.constantFrom('all', 'x-lark-signature', 'x-lark-request-timestamp', 'x-lark-request-nonce') })
    .map(({ push, how, drop }) => {
      const text = JSON.stringify(push.payload);
      const sent = push.legacy ? signedLegacy(text, secrets) : signed(text, secrets, how);
      const headers = drop === 'all' ? { 'content-type': 'application/json' } : Object.fromEntries(Object.entries(sent.headers).filter(([name]) => name !== drop));
      return make('unsigned', push.path, { body: sent.body, headers }, reject(401), `missing ${drop} header(s)`);
    });
}

function badSignature(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  const ways = ['other key', 'other body', 'random hex', 'one char changed', 'timestamp changed', 'nonce changed', 'other algorithm', 'empty'] as const;
  return fc.record({ push: anyPayload(secrets), how: seal, way: fc.constantFrom(...ways), junk: fc.string({ maxLength: 80 }) }).map(({ push, how, way, junk }) => {
    const text = JSON.stringify(push.payload);
    const sent = push.legacy ? signedLegacy(text, secrets) : signed(text, secrets, how);
    const raw = sent.body;
    const headers = { ...sent.headers };
    const sig = headers['x-lark-signature'] ?? '';
    if (way === 'other key') Object.assign(headers, push.legacy ? signLegacyCard(raw, `${secrets.verificationToken}x`) : signEvent(raw, `${secrets.encryptKey}x`));
    const other = Buffer.concat([raw, Buffer.from(' ')]);
    if (way === 'other body') Object.assign(headers, push.legacy ? signLegacyCard(other, secrets.verificationToken) : signEvent(other, secrets.encryptKey));
    if (way === 'random hex') headers['x-lark-signature'] = hex(push.legacy ? 20 : 32);
    if (way === 'one char changed') headers['x-lark-signature'] = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
    if (way === 'timestamp changed') headers['x-lark-request-timestamp'] = String(Number(headers['x-lark-request-timestamp']) + 1);
    // HTTP trims a header value's surrounding blanks: the 'x' keeps the change when `junk` is all blanks.
    if (way === 'nonce changed') headers['x-lark-request-nonce'] = `${headers['x-lark-request-nonce']}x${junk}`;
    if (way === 'other algorithm') Object.assign(headers, push.legacy ? signEvent(raw, secrets.verificationToken) : signLegacyCard(raw, secrets.encryptKey));
    if (way === 'empty') headers['x-lark-signature'] = '';
    return make('bad-signature', push.path, { body: sent.body, headers }, reject(401), way);
  });
}

/** Correctly signed v2 pushes (and challenges, which are not signed) whose token is not LARK_VERIFICATION_TOKEN. */
function wrongToken(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  // Within the 256 characters a token may have: a longer one is a malformed envelope (400), not a wrong token.
  const token = fc.option(fc.string({ unit: 'binary', maxLength: 256 }).filter((t) => t.length <= 256 && t !== secrets.verificationToken), { nil: undefined });
  return fc
    .record({ kind: fc.constantFrom('message', 'click', 'unknown', 'challenge'), token, how: seal, path: eventPath })
    .map(({ kind, token: wrong, how, path }) => {
      const payload: JsonObject =
        kind === 'message'
          ? (messageEvent({ token: 'x' }).payload as JsonObject)
          : kind === 'click'
            ? (validClickPayload(secrets).payload as JsonObject)
            : kind === 'unknown'
              ? { schema: '2.0', header: { event_id: `ev${hex(8)}`, event_type: 'im.chat.member.bot.added_v1', token: 'x' }, event: {} }
              : { type: 'url_verification', challenge: hex(8), token: 'x' };
      setAt(payload, kind === 'challenge' ? ['token'] : ['header', 'token'], wrong ?? undefined);
      const chosenPath = kind === 'message' ? '/lark/events' : path;
      return make('wrong-token', chosenPath, signed(JSON.stringify(payload), secrets, how), reject(401), `${kind}, token ${wrong === undefined ? 'missing' : 'wrong'}`);
    });
}

/** Signed bytes that are not JSON at all, sealed or plain. */
function garbage(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  const valid = JSON.stringify(messageEvent({ token: secrets.verificationToken }).payload);
  const bytes = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 2_000 }).map((b) => ({ raw: Buffer.from(b), what: 'random bytes' })),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }).map((s) => ({ raw: Buffer.from(`{${s}`), what: 'text after {' })),
    fc.integer({ min: 1, max: valid.length - 1 }).map((n) => ({ raw: Buffer.from(valid.slice(0, n)), what: `event cut at ${n}` })),
    fc.string({ maxLength: 20 }).map((s) => ({ raw: Buffer.from(`${valid}${s}}`), what: 'trailing junk' })),
    fc.constantFrom('', ' ', '\u0000', 'null\u0000', '{"a":"\u0000"}', '\ufeff{}', 'NaN', '{"a":1,}', "{'a':1}").map((s) => ({ raw: Buffer.from(s), what: `text ${JSON.stringify(s)}` })),
    fc.constant(null).map(() => ({ raw: Buffer.concat([Buffer.from('{"schema":"2.0","x":'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]), Buffer.from('}')]), what: 'invalid UTF-8 outside strings' })),
  );
  return fc.record({ b: bytes, how: seal, path: eventPath }).filter(({ b }) => !isJson(b.raw)).map(({ b, how, path }) => make('garbage', path, signed(b.raw, secrets, how), reject(400), `${how} ${b.what}`));
}

function isJson(raw: Buffer): boolean {
  try {
    JSON.parse(raw.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** Signed JSON of a wrong shape: any JSON at all, `{"encrypt": …}` that does not decrypt, or one known field of a push made wrong. */
function wrongShape(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  const anyJson = fc.record({ value: fc.jsonValue({ maxDepth: 4, stringUnit: 'binary' }), how: seal, path: eventPath }).map(({ value, how, path }) => {
    return make('wrong-shape', path, signedFor(path, value, secrets, how), reject(400), `${how} random JSON`);
  });
  const badSeal = fc.record({ encrypt: fc.oneof(fc.base64String({ maxLength: 200 }), fc.string({ minLength: 1, maxLength: 50 })), path: eventPath }).map(({ encrypt, path }) => {
    const body = JSON.stringify({ encrypt: encrypt || '=' });
    return make('wrong-shape', path, { body: Buffer.from(body), headers: signEvent(body, secrets.encryptKey) }, reject(400), 'encrypt field that does not decrypt');
  });
  const field = (fields: Field[], payloadOf: () => JsonObject, legacy: boolean, paths: FuzzPath[]) =>
    fc
      .constantFrom(...fields)
      .chain((fieldChosen) => fc.record({ field: fc.constant(fieldChosen), change: mutation(fieldChosen), how: seal, path: fc.constantFrom(...paths) }))
      .map(({ field: chosen, change, how, path }) => {
        const payload = mutate(payloadOf(), chosen, change);
        const sent = legacy ? signedLegacy(JSON.stringify(payload), secrets) : signedFor(path, payload, secrets, how);
        return make('wrong-shape', path, sent, reject(400), `${chosen.path.join('.')}: ${change.how}`);
      });
  return fc.oneof(
    { arbitrary: anyJson, weight: 3 },
    { arbitrary: badSeal, weight: 1 },
    { arbitrary: field(MESSAGE_FIELDS, () => messageEvent({ token: secrets.verificationToken, mentions: [{ key: '@_user_1', id: { open_id: 'ou_x' }, name: 'n' }] }).payload as JsonObject, false, ['/lark/events']), weight: 4 },
    { arbitrary: field(CLICK_FIELDS, () => validClickPayload(secrets).payload as JsonObject, false, ['/lark/events', '/lark/card']), weight: 3 },
    { arbitrary: field(LEGACY_FIELDS, () => legacyClickPayload(), true, ['/lark/card']), weight: 2 },
  );
}

/** Poison where the bot needs something else, or as the whole body: refused with a 400. */
function hostileRefused(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc
    .record({ p: poison, where: fc.constantFrom(...USED_MESSAGE_PATHS, null), how: seal })
    .filter(({ p, where }) => !(where && p.isString && JSON.parse(p.raw).length <= where.max))
    .map(({ p, where, how }) => {
      const payload = messageEvent({ token: secrets.verificationToken }).payload as JsonObject;
      const text = where ? withRaw(payload, where.path, p.raw) : p.raw;
      return make('hostile-refused', '/lark/events', signed(text, secrets, how), reject(400), `${p.what} at ${where ? where.path.join('.') : 'the top'}`);
    });
}

/** Poison in unknown events and in button values: acknowledged, nothing queued. */
function hostileIgnored(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ p: poison, into: fc.constantFrom('unknown event', 'button value', 'legacy button value'), how: seal, path: eventPath }).map(({ p, into, how, path }) => {
    if (into === 'legacy button value') return make('hostile-ignored', '/lark/card', signedLegacy(withRaw(legacyClickPayload(), ['action', 'value'], p.raw), secrets), IGNORE, `${p.what} as ${into}`);
    const payload =
      into === 'unknown event'
        ? { schema: '2.0', header: { event_id: `ev${hex(8)}`, event_type: 'fuzz.unknown_v1', token: secrets.verificationToken }, event: {} }
        : (validClickPayload(secrets).payload as JsonObject);
    const text = withRaw(payload, into === 'unknown event' ? ['event'] : ['event', 'action', 'value'], p.raw);
    return make('hostile-ignored', path, signed(text, secrets, how), IGNORE, `${p.what} as ${into}`);
  });
}

/**
 * Text a person may send (a Lark text message holds up to 150 KB: ../shared/reference/lark-platform.md §5.3) that
 * is costly to take apart: long runs of brackets, link starts and blanks, where a backtracking pattern goes quadratic.
 */
const heavyText: fc.Arbitrary<{ text: string; what: string }> = fc.oneof(
  fc.integer({ min: 20_000, max: 150_000 }).map((n) => ({ text: '['.repeat(n), what: `${n} × "["` })),
  fc.integer({ min: 2_000, max: 15_000 }).map((n) => ({ text: '[](http://'.repeat(n), what: `${n} × "[](http://"` })),
  fc.integer({ min: 20_000, max: 150_000 }).map((n) => ({ text: `a${' '.repeat(n)}b`, what: `${n} blanks inside` })),
  fc.integer({ min: 20_000, max: 150_000 }).map((n) => ({ text: `#issue_${'a'.repeat(n)}`, what: `#issue_ and ${n} letters` })),
  fc.integer({ min: 20_000, max: 150_000 }).map((n) => ({ text: `reply ${'\u3000'.repeat(n)}x`, what: `reply, ${n} ideographic spaces` })),
);

/** An @bot command (text or rich-text post) made of heavy text: answered, its job completes, and nothing stalls meanwhile. */
function heavyCommand(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ heavy: heavyText, post: fc.boolean(), how: seal }).map(({ heavy, post, how }) => {
    const chatId = `oc_fuzz${hex(8)}`;
    const mention = { key: '@_user_1', id: { open_id: secrets.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' };
    const content = post
      ? JSON.stringify({ title: '', content: [[{ tag: 'at', user_id: '@_user_1' }, { tag: 'text', text: ` ${heavy.text}` }]] })
      : JSON.stringify({ text: `@_user_1 ${heavy.text}` });
    const m = messageEvent({ token: secrets.verificationToken, chatId, messageType: post ? 'post' : 'text', content, mentions: [mention] });
    const expect: Expectation = { kind: 'accept', queue: 'inbound', jobId: `msg-${m.messageId}` };
    const body = make('hostile-stored', '/lark/events', signed(JSON.stringify(m.payload), secrets, how), expect, `${post ? 'post' : 'text'}: ${heavy.what}`);
    return { ...body, incoming: { chatId, messageId: m.messageId } };
  });
}

/** A valid message carrying poison in fields the bot does not read, or odd but valid text: stored (without the poison), one job. */
function hostileStored(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  const poisoned = fc
    .record({ m: validMessage(secrets), p: poison, where: fc.constantFrom(...UNUSED_MESSAGE_PATHS), how: seal, odd: fc.boolean() })
    .map(({ m, p, where, how, odd }) => {
      const text = odd
        ? Buffer.concat([Buffer.from(JSON.stringify(m.payload).replace('"content":"', '"content":"\\u0000\u00ff')).subarray(0, -1), Buffer.from([0x2c, 0x22, 0x78, 0x22, 0x3a, 0x22, 0xff, 0xc0, 0x22, 0x7d])])
        : withRaw(m.payload, where, p.raw);
      const note = odd ? 'NUL and invalid UTF-8 inside strings' : `${p.what} at ${where.join('.')}`;
      const expect: Expectation = { kind: 'accept', queue: 'inbound', jobId: `msg-${m.messageId}` };
      return { ...make('hostile-stored', '/lark/events', signed(text, secrets, how), expect, note), ...(m.incoming ? { incoming: m.incoming } : {}) };
    });
  return fc.oneof({ arbitrary: poisoned, weight: 3 }, { arbitrary: heavyCommand(secrets), weight: 1 });
}

/**
 * A message event padded (in a field the bot does not read) to `MAX_BODY_BYTES + over` bytes: over the limit it is a
 * 413 however it is sent (with its length, or streamed chunked) and whether signed or not; at or under it, it is read
 * as usual. `sign: false` makes it a 401 when under the limit.
 */
function sized(secrets: FuzzSecrets, over: fc.Arbitrary<number>, sign: fc.Arbitrary<boolean>): fc.Arbitrary<FuzzBody> {
  return fc.record({ over, how: seal, chunked: fc.boolean(), sign, path: eventPath }).map(({ over: by, how, chunked, sign: signIt, path }) => {
    const target = MAX_BODY_BYTES + by;
    const m = messageEvent({ token: secrets.verificationToken });
    const build = (filler: number) => signed(withRaw(m.payload as JsonObject, ['event', 'message', 'fuzz'], JSON.stringify('z'.repeat(Math.max(0, filler)))), secrets, how);
    const sent = fitTo(build, target, how, by > 0);
    const headers = signIt ? sent.headers : { 'content-type': 'application/json' };
    const under = sent.body.length <= MAX_BODY_BYTES;
    const expect: Expectation = under ? (signIt ? { kind: 'accept', queue: 'inbound', jobId: `msg-${m.messageId}` } : reject(401)) : reject(413);
    const body = make(under ? 'near-limit' : 'oversized', path, { body: sent.body, headers }, expect, `${how} ${sent.body.length} bytes ${chunked ? 'chunked' : 'with length'}`);
    return { ...body, ...(chunked ? { chunked } : {}) };
  });
}

/**
 * The signed body nearest `target` bytes (the cipher's blocks make sealed sizes step by ~21 bytes), on the side of
 * the limit that `over` says.
 */
function fitTo(build: (filler: number) => Sent, target: number, how: Seal, over: boolean): Sent {
  const ratio = how === 'sealed' ? 4 / 3 : 1;
  let filler = Math.floor(target / ratio);
  let sent = build(filler);
  for (let i = 0; i < 3 && sent.body.length !== target; i += 1) {
    filler += Math.round((target - sent.body.length) / ratio);
    sent = build(filler);
  }
  while (over ? sent.body.length <= MAX_BODY_BYTES : sent.body.length > MAX_BODY_BYTES) {
    filler += over ? 16 : -16;
    sent = build(filler);
  }
  return sent;
}

/** The client announces a body and stops halfway. */
function aborted(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }), how: seal, path: eventPath }).map(({ cut, how, path }) => {
    const sent = signed(JSON.stringify(messageEvent({ token: secrets.verificationToken }).payload), secrets, how);
    const abortAfter = Math.max(1, Math.floor(sent.body.length * cut));
    return { ...make('aborted', path, sent, { kind: 'abort' }, `aborted after ${abortAfter} bytes`), abortAfter };
  });
}

/** Validly signed pushes of types the bot does not handle (v2 and v1): 200, nothing queued. */
function unknownType(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  const real = ['im.chat.member.bot.added_v1', 'im.message.message_read_v1', 'application.bot.menu_v6', 'im.message.reaction.created_v1', 'contact.user.updated_v3'];
  // At most 128 UTF-16 units (fast-check counts code points): a longer type is a malformed envelope, a 400.
  const type = fc.oneof(fc.constantFrom(...real), fc.string({ unit: 'binary', minLength: 1, maxLength: 128 }).filter((t) => t.length <= 128 && t !== 'im.message.receive_v1' && t !== 'card.action.trigger'));
  return fc.record({ type, event: fc.jsonValue({ maxDepth: 3 }), v1: fc.boolean(), how: seal, path: eventPath }).map(({ type: eventType, event, v1, how, path }) => {
    const payload = v1
      ? { uuid: hex(16), token: secrets.verificationToken, ts: String(Date.now() / 1000), type: 'event_callback', event: { type: eventType.slice(0, 128), fuzz: event as Json } }
      : { schema: '2.0', header: { event_id: `ev${hex(8)}`, event_type: eventType, token: secrets.verificationToken, create_time: String(Date.now()) }, event: event as Json };
    // At /lark/card only an encrypted or `schema` push is an event; a plain v1 one there is a legacy callback (400).
    const chosen: FuzzPath = v1 && how === 'plain' ? '/lark/events' : path;
    return make('unknown-type', chosen, signed(JSON.stringify(payload), secrets, how), IGNORE, `${v1 ? 'v1' : 'v2'} ${JSON.stringify(eventType).slice(0, 40)}`);
  });
}

function challenge(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ value: fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }), how: seal, path: eventPath, sign: fc.boolean() }).map(({ value, how, path, sign }) => {
    const sent = signed(JSON.stringify({ challenge: value, token: secrets.verificationToken, type: 'url_verification' }), secrets, how);
    return { ...make('challenge', path, sign ? sent : { body: sent.body, headers: { 'content-type': 'application/json' } }, IGNORE, `${how} challenge`), challenge: value };
  });
}

/** Clicks whose value is no button of ours (wrong action, a 3,000-digit id, extra keys, not an object): a toast, nothing queued. */
function badButton(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  const value: fc.Arbitrary<Json> = fc.oneof(
    fc.constantFrom<Json>(
      { action: 'delete', issue: issueId() },
      { action: 'ack', issue: `issue_${'1'.repeat(3000)}` },
      { action: 'ack', issue: 'issue_ABCDEF' },
      { action: 'ack', issue: issueId(), extra: 1 },
      { action: 'ack' },
      null,
      'ack',
    ),
    fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  );
  return fc.record({ value, legacy: fc.boolean(), how: seal, path: eventPath }).map(({ value: v, legacy, how, path }) =>
    legacy
      ? make('bad-button', '/lark/card', signedLegacy(JSON.stringify(legacyClickPayload(v)), secrets), IGNORE, `legacy value ${JSON.stringify(v).slice(0, 40)}`)
      : make('bad-button', path, signed(JSON.stringify(validClickPayload(secrets, v).payload), secrets, how), IGNORE, `value ${JSON.stringify(v).slice(0, 40)}`),
  );
}

function validMessageBody(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ m: validMessage(secrets), how: seal }).map(({ m, how }) => {
    const body = make('valid-message', '/lark/events', signed(JSON.stringify(m.payload), secrets, how), { kind: 'accept', queue: 'inbound', jobId: `msg-${m.messageId}` }, `${how} message`);
    return m.incoming ? { ...body, incoming: m.incoming } : body;
  });
}

function validClick(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ legacy: fc.boolean(), how: seal, path: eventPath, action: fc.constantFrom('ack', 'resolve', 'reopen') }).map(({ legacy, how, path, action }) => {
    const value = { action, issue: issueId() };
    if (legacy) return make('valid-click', '/lark/card', signedLegacy(JSON.stringify(legacyClickPayload(value)), secrets), { kind: 'accept', queue: 'clicks' }, 'legacy click');
    const click = validClickPayload(secrets, value);
    return make('valid-click', path, signed(JSON.stringify(click.payload), secrets, how), { kind: 'accept', queue: 'clicks', jobId: `card-${click.eventId}` }, `${how} click`);
  });
}

/** A correctly signed push with a header over Node's 16 KiB header limit: refused (431) before any of our code runs. */
function hugeHeader(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.record({ size: fc.integer({ min: 17_000, max: 64_000 }), how: seal }).map(({ size, how }) => {
    const sent = signed(JSON.stringify(messageEvent({ token: secrets.verificationToken }).payload), secrets, how);
    return make('oversized', '/lark/events', { body: sent.body, headers: { ...sent.headers, 'x-fuzz-padding': 'p'.repeat(size) } }, reject(431), `${size}-byte header`);
  });
}

/** Everything the bot must refuse or merely acknowledge: after any number of these, no job and no call to Lark or Guance. */
export function rejectedBodies(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { arbitrary: unsigned(secrets), weight: 10 },
    { arbitrary: badSignature(secrets), weight: 12 },
    { arbitrary: wrongToken(secrets), weight: 8 },
    { arbitrary: garbage(secrets), weight: 12 },
    { arbitrary: wrongShape(secrets), weight: 20 },
    { arbitrary: hostileRefused(secrets), weight: 8 },
    { arbitrary: sized(secrets, fc.integer({ min: 1, max: MAX_BODY_BYTES }), fc.boolean()), weight: 3 },
    { arbitrary: hugeHeader(secrets), weight: 1 },
    { arbitrary: sized(secrets, fc.integer({ min: -20_000, max: 0 }), fc.constant(false)), weight: 1 },
    { arbitrary: aborted(secrets), weight: 2 },
    { arbitrary: unknownType(secrets), weight: 10 },
    { arbitrary: challenge(secrets), weight: 3 },
    { arbitrary: badButton(secrets), weight: 6 },
    { arbitrary: hostileIgnored(secrets), weight: 6 },
  );
}

/** Pushes the bot must accept: one job each. */
export function acceptedBodies(secrets: FuzzSecrets): fc.Arbitrary<FuzzBody> {
  return fc.oneof(
    { arbitrary: validMessageBody(secrets), weight: 6 },
    { arbitrary: validClick(secrets), weight: 4 },
    { arbitrary: hostileStored(secrets), weight: 2 },
    { arbitrary: sized(secrets, fc.integer({ min: -20_000, max: 0 }), fc.constant(true)), weight: 1 },
  );
}

/**
 * `count` bodies of `arbitrary`, reproducible from `seed` (ids and signatures are fresh each run; the shapes are
 * not). Generated in slices so that a run never holds more than a slice of megabyte bodies at once.
 */
export function* bodies(arbitrary: fc.Arbitrary<FuzzBody>, count: number, seed: number, slice = 50): Generator<FuzzBody> {
  for (let start = 0; start < count; start += slice) {
    yield* fc.sample(arbitrary, { seed: seed + start, numRuns: Math.min(slice, count - start) });
  }
}
