/**
 * The page's view of the world, read from the stand-ins (what the Lark fake holds, what the Guance fake holds,
 * what the robots received) plus the two things only the demo knows: what people typed, and cards the bot
 * returned in a callback answer (Lark shows those at once, without a PATCH, so the fake never sees them).
 * Pure reads: building a snapshot changes nothing.
 */
import type { FakeMessage, LarkFake } from '../test/fakes/lark-server.js';
import type { GuanceFake, Issue, Reply } from '../test/fakes/guance-server.js';
import type { RobotHandle, RobotsFake } from '../test/fakes/robots-server.js';
import type { Said } from './lark-wire.js';

export interface Person {
  openId: string;
  name: string;
  email: string;
}

export interface ChatView {
  id: string;
  name: string;
  kind: 'group' | 'war-room';
}

export interface MessageView {
  id: string;
  chatId: string;
  rootId?: string;
  from: { kind: 'bot' | 'person'; name: string };
  at: number;
  kind: 'card' | 'text';
  card?: unknown;
  text?: string;
  urgents: { kind: string; names: string[]; at: number }[];
}

export interface IssueView {
  uuid: string;
  name: string;
  level: string;
  statusType: number;
  status: string;
  replies: { author: string; content: string; type: string; at: number }[];
}

export interface RobotView {
  id: string;
  label: string;
  messages: { at: number; body: Record<string, unknown> }[];
}

export interface Snapshot {
  bot: { name: string; openId: string };
  people: Person[];
  chats: ChatView[];
  messages: MessageView[];
  issues: IssueView[];
  robots: RobotView[];
}

export interface DemoWorld {
  lark: LarkFake;
  guance: GuanceFake;
  robots: RobotsFake;
  robotHandles: { handle: RobotHandle; label: string }[];
  chatId: string;
  people: Person[];
  /** What people wrote, in order. */
  said: Said[];
  /** Uuids of the issues created from the page, in order. */
  issues: string[];
  /** Cards answered in callbacks: message id → card and when. */
  answeredCards: Map<string, { card: unknown; at: number }>;
}

const STATUS_NAMES: Record<number, string> = { 10: 'Open', 15: 'Working', 20: 'Resolved', 25: 'Closed', 30: 'Pending' };
export const statusName = (statusType: number): string => STATUS_NAMES[statusType] ?? `Status ${statusType}`;

/** `system_level_0` → `P0`; a custom level keeps its id. */
export const levelName = (level: string | number): string => {
  const match = /^system_level_(\d)$/.exec(String(level));
  return match ? `P${match[1]}` : typeof level === 'number' ? `P${level}` : level;
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** The words of a text or post message (post: every text-ish node of every line). */
export function messageText(msgType: string, content: string): string {
  const parsed = parseJson(content) as Record<string, unknown> | undefined;
  if (!parsed) return content;
  if (typeof parsed.text === 'string') return parsed.text;
  const post = (parsed.zh_cn ?? parsed.en_us ?? parsed) as { title?: string; content?: { text?: string; href?: string }[][] };
  if (Array.isArray(post.content)) {
    const lines = post.content.map((line) => (Array.isArray(line) ? line.map((node) => node.text ?? node.href ?? '').join('') : ''));
    return [post.title ?? '', ...lines].filter(Boolean).join('\n');
  }
  return `[${msgType}] ${content}`;
}

function botMessage(world: DemoWorld, message: FakeMessage, nameOf: (openId: string) => string): MessageView {
  const answered = world.answeredCards.get(message.message_id);
  const interactive = message.msg_type === 'interactive';
  // The newer of "card answered to a click" and "card as last sent or PATCHed" is what Lark shows.
  const card = interactive ? (answered && answered.at >= message.update_time ? answered.card : parseJson(message.content)) : undefined;
  return {
    id: message.message_id,
    chatId: message.chat_id,
    ...(message.root_id ? { rootId: message.root_id } : {}),
    from: { kind: 'bot', name: world.lark.botName },
    at: message.create_time,
    kind: interactive ? 'card' : 'text',
    ...(interactive ? { card } : { text: messageText(message.msg_type, message.content) }),
    urgents: message.urgents.map((u) => ({ kind: u.kind, names: u.user_ids.map(nameOf), at: u.at })),
  };
}

function personMessage(said: Said, nameOf: (openId: string) => string, botName: string): MessageView {
  return {
    id: said.messageId,
    chatId: said.chatId,
    ...(said.rootId ? { rootId: said.rootId } : {}),
    from: { kind: 'person', name: nameOf(said.senderOpenId) },
    at: said.at,
    kind: 'text',
    text: said.mentionsBot ? `@${botName} ${said.text}` : said.text,
    urgents: [],
  };
}

function issueView(issue: Issue, replies: Reply[]): IssueView {
  return {
    uuid: issue.uuid,
    name: issue.name,
    level: levelName(issue.level),
    statusType: issue.statusType,
    status: statusName(issue.statusType),
    replies: replies.map((r) => ({ author: r.creatorInfo.name, content: r.content, type: r.type, at: r.createAt })),
  };
}

export function snapshot(world: DemoWorld): Snapshot {
  const { lark, guance } = world;
  const names = new Map(world.people.map((p) => [p.openId, p.name]));
  const nameOf = (openId: string) => names.get(openId) ?? openId;
  const rooms: ChatView[] = lark.chats().map((c) => ({ id: c.chat_id, name: c.name, kind: 'war-room' }));
  const messages = [
    ...lark.messages.map((m) => botMessage(world, m, nameOf)),
    ...world.said.map((s) => personMessage(s, nameOf, lark.botName)),
  ].sort((a, b) => a.at - b.at);
  const issues = world.issues.flatMap((uuid) => {
    const issue = guance.issue(uuid);
    return issue ? [issueView(issue, guance.repliesOf(uuid))] : [];
  });
  const robots = world.robotHandles.map(({ handle, label }) => ({
    id: handle.id,
    label,
    messages: world.robots.messages(handle.id).map((m) => ({ at: m.at, body: m.body })),
  }));
  return {
    bot: { name: lark.botName, openId: lark.botOpenId },
    people: world.people,
    chats: [{ id: world.chatId, name: 'Group chat', kind: 'group' }, ...rooms],
    messages,
    issues,
    robots,
  };
}
