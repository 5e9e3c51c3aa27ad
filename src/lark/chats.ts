/**
 * Group chats the bot creates (war rooms): create with an idempotency uuid, add members beyond the 50 allowed at
 * creation, a share link, and pins (../shared/reference/lark-platform.md §6.7).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { chunks } from './directory.js';
import { okEnvelope, type LarkHttp } from './http.js';

/** Lark takes at most 50 users at creation; the rest are added afterwards, 50 per call. */
export const MAX_USERS_AT_CREATION = 50;

const createAnswer = okEnvelope.extend({ data: z.looseObject({ chat_id: z.string().min(1), invalid_id_list: z.array(z.string()).optional() }) });
const membersAnswer = okEnvelope.extend({
  data: z.looseObject({ invalid_id_list: z.array(z.string()).optional(), not_existed_id_list: z.array(z.string()).optional() }).optional(),
});
const linkAnswer = okEnvelope.extend({ data: z.looseObject({ share_link: z.string().min(1) }) });

export class LarkChats {
  constructor(private readonly http: LarkHttp) {}

  /**
   * Creates a private group with the bot (as its manager) and up to 50 people; the same `idempotencyKey` creates at
   * most one group within Lark's window (its `uuid`, hashed to Lark's 50 characters).
   */
  async create(input: { name: string; openIds: string[]; idempotencyKey: string }): Promise<{ chatId: string; invalid: string[] }> {
    const first = input.openIds.slice(0, MAX_USERS_AT_CREATION);
    const answer = await this.http.call('im.chat.create', createAnswer, () =>
      this.http.sdk.im.v1.chat.create({
        params: { user_id_type: 'open_id', set_bot_manager: true, uuid: createHash('sha256').update(input.idempotencyKey).digest('hex').slice(0, 50) },
        data: { name: input.name, user_id_list: first, chat_mode: 'group', chat_type: 'private' },
      }),
    );
    const chatId = answer.data.chat_id;
    const invalid = [...(answer.data.invalid_id_list ?? [])];
    for (const batch of chunks(input.openIds.slice(MAX_USERS_AT_CREATION), MAX_USERS_AT_CREATION)) invalid.push(...(await this.addMembers(chatId, batch)));
    return { chatId, invalid };
  }

  async addMembers(chatId: string, openIds: string[]): Promise<string[]> {
    const answer = await this.http.call('im.chat.members.create', membersAnswer, () =>
      this.http.sdk.im.v1.chatMembers.create({ path: { chat_id: chatId }, params: { member_id_type: 'open_id' }, data: { id_list: openIds } }),
    );
    return [...(answer.data?.invalid_id_list ?? []), ...(answer.data?.not_existed_id_list ?? [])];
  }

  async shareLink(chatId: string): Promise<string> {
    const answer = await this.http.call('im.chat.link', linkAnswer, () =>
      this.http.sdk.im.v1.chat.link({ path: { chat_id: chatId }, data: { validity_period: 'permanently' } }),
    );
    return answer.data.share_link;
  }

  async pin(messageId: string): Promise<void> {
    await this.http.call('im.pin.create', okEnvelope, () => this.http.sdk.im.v1.pin.create({ data: { message_id: messageId } }));
  }
}
