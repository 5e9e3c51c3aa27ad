import type { RedisConnection } from './redis.js';
import { z } from 'zod';
import { parseJsonAs } from '../json.js';
import { CARD_LINK_SECONDS as LINK_TTL_SECONDS } from './ttl.js';

const cardLinkSchema = z.object({
  issueUuid: z.string(),
  chatId: z.string(),
  messageId: z.string(),
  postedAt: z.number(),
});
export type CardLink = z.infer<typeof cardLinkSchema>;

/** What the card shows, kept so a card can be re-rendered (click, sync) without asking Guance again. */
export const issueSnapshotSchema = z.object({
  uuid: z.string(),
  title: z.string(),
  level: z.object({ name: z.string(), color: z.string().optional() }).nullable(),
  statusType: z.number(),
  source: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  assignees: z.array(z.string()),
  description: z.string(),
  /** "Open in Guance" link. */
  link: z.string(),
  /** The watched channel the poller found it in (metrics labels); absent on snapshots from before it was kept. */
  channel: z.string().optional(),
  lastChange: z
    .object({
      action: z.enum(['ack', 'resolve', 'reopen', 'status']),
      statusType: z.number(),
      by: z.object({ name: z.string(), at: z.number(), via: z.enum(['lark', 'guance', 'source']) }),
    })
    .optional(),
  /** Where the card came from; absent means a Guance issue (snapshots from before other sources existed). */
  kind: z.enum(['guance-issue', 'guance-alert', 'sentry', 'error-api']).optional(),
  /** Source details shown on the card (project, environment, service, host…). */
  fields: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
  /** Links besides the Guance console link ("Open in Sentry", the alert's link, the report's url). */
  links: z.array(z.object({ kind: z.enum(['sentry', 'guance-alert', 'report']), url: z.string() })).optional(),
  /** How many notifications this card stands for, and when the last one arrived (unix seconds). */
  count: z.number().optional(),
  lastSeenAt: z.number().optional(),
  /** E-mails the source named (a Guance issue's assignees, an alert's or a Sentry issue's people). */
  people: z.array(z.string()).optional(),
  /** Those people as the card @mentions them: open_id when Lark knows the e-mail, else shown by name. */
  mentions: z.array(z.object({ name: z.string(), email: z.string().optional(), openId: z.string().nullable() })).optional(),
  /** The Guance level uuid (ESCALATION_LEVELS may name levels by uuid). */
  levelId: z.string().optional(),
  /** The last escalation step that fired: when, how, and whom it buzzed. */
  escalated: z.object({ step: z.number(), kind: z.string(), at: z.number(), names: z.array(z.string()) }).optional(),
  /** Escalations restart after a snooze: each round has job ids of its own. */
  escalationRound: z.number().optional(),
  /** Snoozed until (unix seconds), by whom (name, and open_id for the re-surface mention). */
  snoozed: z.object({ until: z.number(), by: z.string(), openId: z.string().optional() }).optional(),
  /** The issue's war-room group. */
  warRoom: z.object({ chatId: z.string(), link: z.string().optional() }).optional(),
});
export type IssueSnapshot = z.infer<typeof issueSnapshotSchema>;

/** issue ↔ card message, per chat, and the last known state of each carded issue. */
export class IssueLinks {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private cardKey(issueUuid: string) {
    return `${this.prefix}:card:${issueUuid}`;
  }
  private messageKey(messageId: string) {
    return `${this.prefix}:card-message:${messageId}`;
  }
  private snapshotKey(issueUuid: string) {
    return `${this.prefix}:issue-snapshot:${issueUuid}`;
  }

  private chatKey(chatId: string) {
    return `${this.prefix}:chat-cards:${chatId}`;
  }
  private listingKey(messageId: string) {
    return `${this.prefix}:listing:${messageId}`;
  }

  async save(link: CardLink): Promise<void> {
    const value = JSON.stringify(link);
    await this.redis
      .multi()
      .hset(this.cardKey(link.issueUuid), link.chatId, value)
      .expire(this.cardKey(link.issueUuid), LINK_TTL_SECONDS)
      .set(this.messageKey(link.messageId), value, 'EX', LINK_TTL_SECONDS)
      .zadd(this.chatKey(link.chatId), link.postedAt, link.issueUuid)
      .zremrangebyscore(this.chatKey(link.chatId), '-inf', link.postedAt - LINK_TTL_SECONDS * 1000)
      .expire(this.chatKey(link.chatId), LINK_TTL_SECONDS)
      .exec();
  }

  /** The items carded in a chat since `sinceMs`, oldest first. */
  cardedInChat(chatId: string, sinceMs: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.chatKey(chatId), sinceMs, '+inf');
  }

  /** A war-room group ↔ its issue: every message written there is about that issue. */
  async saveWarRoom(chatId: string, itemId: string): Promise<void> {
    await this.redis.set(`${this.prefix}:war-room:${chatId}`, itemId, 'EX', LINK_TTL_SECONDS);
  }

  warRoomItem(chatId: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}:war-room:${chatId}`);
  }

  /** A message that lists items with buttons (the daily digest): its buttons may act on exactly those items. */
  async saveListing(messageId: string, itemIds: readonly string[]): Promise<void> {
    if (itemIds.length === 0) return;
    await this.redis.multi().sadd(this.listingKey(messageId), ...itemIds).expire(this.listingKey(messageId), LINK_TTL_SECONDS).exec();
  }

  async listingHas(messageId: string, itemId: string): Promise<boolean> {
    return (await this.redis.sismember(this.listingKey(messageId), itemId)) === 1;
  }

  async cardFor(issueUuid: string, chatId: string): Promise<CardLink | null> {
    return parseJsonAs(cardLinkSchema, await this.redis.hget(this.cardKey(issueUuid), chatId));
  }

  async cardsFor(issueUuid: string): Promise<CardLink[]> {
    const all = await this.redis.hvals(this.cardKey(issueUuid));
    return all.map((text) => parseJsonAs(cardLinkSchema, text)).filter((link): link is CardLink => link !== null);
  }

  /** The card a message is (or whose thread it belongs to). */
  async byMessage(messageId: string): Promise<CardLink | null> {
    return parseJsonAs(cardLinkSchema, await this.redis.get(this.messageKey(messageId)));
  }

  async saveSnapshot(snapshot: IssueSnapshot): Promise<void> {
    await this.redis.set(this.snapshotKey(snapshot.uuid), JSON.stringify(snapshot), 'EX', LINK_TTL_SECONDS);
  }

  async snapshot(issueUuid: string): Promise<IssueSnapshot | null> {
    return parseJsonAs(issueSnapshotSchema, await this.redis.get(this.snapshotKey(issueUuid)));
  }
}
