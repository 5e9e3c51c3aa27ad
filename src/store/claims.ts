import type { RedisConnection } from './redis.js';
import { z } from 'zod';
import { parseJsonAs } from '../json.js';
import { CARD_LINK_SECONDS, DEDUPE_SECONDS, DELIVERY_ID_SECONDS, SYNC_STATE_SECONDS } from './ttl.js';

/**
 * "Do this once" marks. Each is a SET NX (or an existence check and a set after the effect) under a name that
 * says what it guards, so retries, restarts and replicas agree on what was already done.
 */
export class Claims {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private async once(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}:${key}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  /** The first attempt to comment for this Lark message; a retry that is not first looks for its own comment first. */
  claimComment(messageId: string): Promise<boolean> {
    return this.once(`comment-claim:${messageId}`, DEDUPE_SECONDS);
  }

  /** The first acknowledgement (or resolution) of a carded issue, wherever it was made: it is timed once. */
  claimFirstResponse(issueUuid: string, kind: 'ack' | 'resolve'): Promise<boolean> {
    return this.once(`first-response:${kind}:${issueUuid}`, CARD_LINK_SECONDS);
  }

  /** Has this escalation step of this card already buzzed (set right after the urgent call)? */
  async isEscalated(itemId: string, chatId: string, step: number, round: number): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:escalated:${itemId}:${chatId}:${step}:${round}`)) === 1;
  }

  async markEscalated(itemId: string, chatId: string, step: number, round: number): Promise<void> {
    await this.redis.set(`${this.prefix}:escalated:${itemId}:${chatId}:${step}:${round}`, '1', 'EX', CARD_LINK_SECONDS);
  }

  /** Has this robot message (by its job id) already been accepted by its robot? Set after the send, checked before. */
  async isRobotSent(jobId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:robot-sent:${jobId}`)) === 1;
  }

  async markRobotSent(jobId: string): Promise<void> {
    await this.redis.set(`${this.prefix}:robot-sent:${jobId}`, '1', 'EX', DELIVERY_ID_SECONDS);
  }

  /** Has sync already posted this Guance entry (reply, status line) into this chat's card thread? */
  async isPostedToThread(entryKey: string, chatId: string): Promise<boolean> {
    return (await this.redis.exists(`${this.prefix}:sync:posted:${entryKey}:${chatId}`)) === 1;
  }

  /** Set after the post: a crash between the two re-posts with the same Lark uuid, which Lark makes a no-op. */
  async markPostedToThread(entryKey: string, chatId: string): Promise<void> {
    await this.redis.set(`${this.prefix}:sync:posted:${entryKey}:${chatId}`, '1', 'EX', SYNC_STATE_SECONDS);
  }

  /**
   * Stores `proposal` as the decision for `key` unless one exists, and returns the decision in force: a step
   * repeated after a crash acts on what it decided the first time, not on a second opinion.
   */
  async decideOnce<T>(key: string, schema: z.ZodType<T>, proposal: T): Promise<T> {
    const name = `${this.prefix}:sync:decision:${key}`;
    await this.redis.set(name, JSON.stringify(proposal), 'EX', SYNC_STATE_SECONDS, 'NX');
    return parseJsonAs(schema, await this.redis.get(name)) ?? proposal;
  }
}

/** The answer to a chat message, stored before it is posted so a retried job re-posts the same one. */
export class Answers {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  async save(messageId: string, answer: unknown): Promise<void> {
    await this.redis.set(`${this.prefix}:message-answer:${messageId}`, JSON.stringify(answer), 'EX', DEDUPE_SECONDS);
  }

  async find<T>(messageId: string, schema: z.ZodType<T>): Promise<T | null> {
    return parseJsonAs(schema, await this.redis.get(`${this.prefix}:message-answer:${messageId}`));
  }

  /**
   * The "waiting for Guance" card of a message whose command had to wait: `intended` once the bot decided to
   * show one (set before sending it), `cardMessageId` once it was sent. The final answer replaces that card.
   */
  async waiting(messageId: string): Promise<{ intended: boolean; cardMessageId: string | null }> {
    const value = await this.redis.get(`${this.prefix}:message-waiting:${messageId}`);
    return { intended: value !== null, cardMessageId: value || null };
  }

  async markWaitingIntended(messageId: string): Promise<void> {
    await this.redis.set(`${this.prefix}:message-waiting:${messageId}`, '', 'EX', DEDUPE_SECONDS, 'NX');
  }

  async saveWaitingCard(messageId: string, cardMessageId: string): Promise<void> {
    await this.redis.set(`${this.prefix}:message-waiting:${messageId}`, cardMessageId, 'EX', DEDUPE_SECONDS);
  }
}
