import { inboundJobSchemas, type InboundJobData } from '../../src/queue/jobs.js';
import type { JobDefinition } from '../../src/queue/workers.js';

export const handleCardAction: JobDefinition<InboundJobData<'card-action'>> = {
  queue: 'inbound',
  name: 'card-action',
  schema: inboundJobSchemas['card-action'],
  async run(data, ctx) {
    ctx.log.info('card action received', {
      eventId: data.eventId,
      style: data.click.style,
      messageId: data.click.messageId,
      operator: data.click.operatorOpenId,
    });
  },
};
