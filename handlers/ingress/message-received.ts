import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { ok, type IngressHandler } from '../../src/router.js';

/** Stores the message for the worker and answers at once; whether it is meant for the bot is decided there. */
export const onMessageReceived: IngressHandler<'im.message.receive_v1'> = async (inbound, ctx) => {
  await ctx.queues.add(JOBS.message, { eventId: inbound.eventId, receivedAt: Date.now(), event: inbound.event }, jobIds.inbound(inbound.dedupeKey));
  return ok();
};
