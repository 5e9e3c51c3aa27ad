import { inboundJobSchemas } from '../../src/queue/jobs.js';
import type { JobDefinition } from '../../src/queue/workers.js';
import type { InboundJobData } from '../../src/queue/jobs.js';

export const handleMessage: JobDefinition<InboundJobData<'message'>> = {
  queue: 'inbound',
  name: 'message',
  schema: inboundJobSchemas.message,
  async run(data, ctx) {
    const { message, sender } = data.event;
    ctx.log.info('message received', {
      eventId: data.eventId,
      messageId: message.message_id,
      chatId: message.chat_id,
      chatType: message.chat_type,
      messageType: message.message_type,
      sender: sender.sender_id.open_id,
    });
  },
};
