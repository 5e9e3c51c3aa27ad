import { z } from 'zod';
import { cardClickSchema, messageEventSchema } from '../lark/envelope.js';

/** Queue names. Keys live under the configured prefix, so several bots (or test runs) can share one Redis. */
export const QUEUES = {
  inbound: 'inbound',
  /** Card clicks: their own queue, so waiting for a click's result watches clicks only, not all message traffic. */
  clicks: 'clicks',
  deliver: 'deliver',
  schedule: 'schedule',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Lark retries a failed push for ~7.1 h; completed ids stay taken longer than that, so a late retry is still a duplicate. */
export const DEDUPE_SECONDS = 9 * 60 * 60;

export const inboundJobSchemas = {
  message: z.object({ eventId: z.string(), receivedAt: z.number(), event: messageEventSchema }),
  'card-action': z.object({ eventId: z.string(), receivedAt: z.number(), click: cardClickSchema }),
} as const;
export type InboundJobName = keyof typeof inboundJobSchemas;
export type InboundJobData<N extends InboundJobName> = z.infer<(typeof inboundJobSchemas)[N]>;

/** BullMQ refuses ':' in custom ids and treats pure integers specially; ids are built only here. */
export function jobId(...parts: string[]): string {
  return parts.map((part) => part.replace(/[^A-Za-z0-9_.-]/g, '_')).join('-');
}
