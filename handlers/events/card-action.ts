import { jobId } from '../../src/queue/jobs.js';
import { ok, type IngressHandler } from '../../src/router.js';

/** Queues the click under its event id, so a re-sent callback is the same job. */
export const onCardAction: IngressHandler<'card.action.trigger'> = async (inbound, ctx) => {
  await ctx.queues.add(
    'inbound',
    'card-action',
    { eventId: inbound.eventId, receivedAt: Date.now(), click: inbound.click },
    jobId(inbound.dedupeKey),
  );
  return ok();
};
