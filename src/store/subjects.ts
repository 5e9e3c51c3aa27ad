import type { RedisConnection } from './redis.js';

/** Claims the subject for a new card, or answers the card that already has it: one round trip, so racers agree. */
const CLAIM = `
local taken = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
if taken then return {ARGV[1], 1} end
return {redis.call('GET', KEYS[1]), 0}
`;

export interface SubjectCard {
  itemId: string;
  /** True for the caller whose candidate id won: it opens the card. */
  fresh: boolean;
}

/**
 * What a webhook notification is about (a Sentry issue, an alert's fault round, an error fingerprint) → the card
 * item it lands on. Every notification of one subject finds the same card while the claim lives; a windowed
 * subject (the error API) gets a new card once its window has passed.
 */
export class Subjects {
  constructor(
    private readonly redis: RedisConnection,
    private readonly prefix: string,
  ) {}

  private key(subject: string) {
    return `${this.prefix}:subject:${subject}`;
  }

  async claim(subject: string, candidateItemId: string, ttlSeconds: number): Promise<SubjectCard> {
    const [itemId, fresh] = (await this.redis.eval(CLAIM, 1, this.key(subject), candidateItemId, String(Math.max(1, Math.ceil(ttlSeconds))))) as [
      string | null,
      number,
    ];
    // A claim that expired between SET and GET: take it again (the next call sets it).
    if (itemId === null) return this.claim(subject, candidateItemId, ttlSeconds);
    return { itemId, fresh: fresh === 1 };
  }

  /** The subject's card is over (resolved) and the problem is back: later notifications go to a new card. */
  async replace(subject: string, itemId: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.key(subject), itemId, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
  }

  current(subject: string): Promise<string | null> {
    return this.redis.get(this.key(subject));
  }
}
