import type { Config } from '../src/config.js';
import type { Schedule } from '../src/queue/schedules.js';
import type { JobRegistry } from '../src/queue/workers.js';
import type { Router } from '../src/router.js';
import { refreshCard } from './card-refresh.js';
import { onCardAction } from './events/card-action.js';
import { onMessageReceived } from './events/message-received.js';
import { handleCardAction } from './jobs/handle-card-action.js';
import { handleMessage } from './jobs/handle-message.js';
import { pollIssues } from './jobs/poll-issues.js';
import { postIssueCard } from './jobs/post-issue-card.js';
import { SYNC_EVERY_MS, syncIssues } from './jobs/sync-issues.js';

/** One line per event, job and schedule: the whole product surface at a glance. Returns the schedules to keep. */
export function registerHandlers(router: Router, jobs: JobRegistry, config: Config): Schedule[] {
  router.on('im.message.receive_v1', onMessageReceived);
  router.on('card.action.trigger', onCardAction);

  jobs.on(handleMessage);
  jobs.on(handleCardAction);
  jobs.on(pollIssues);
  jobs.on(postIssueCard);
  jobs.on(refreshCard);
  jobs.on(syncIssues);

  return [
    { id: pollIssues.name, everyMs: config.guance.pollIntervalSeconds * 1000 },
    { id: syncIssues.name, everyMs: SYNC_EVERY_MS },
  ];
}
