import type { JobRegistry } from '../src/queue/workers.js';
import type { Router } from '../src/router.js';
import { onCardAction } from './events/card-action.js';
import { onMessageReceived } from './events/message-received.js';
import { handleCardAction } from './jobs/handle-card-action.js';
import { handleMessage } from './jobs/handle-message.js';

/** One line per event and job: the whole product surface at a glance. */
export function registerHandlers(router: Router, jobs: JobRegistry): void {
  router.on('im.message.receive_v1', onMessageReceived);
  router.on('card.action.trigger', onCardAction);

  jobs.on(handleMessage);
  jobs.on(handleCardAction);
}
