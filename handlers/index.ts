import type { Config } from '../src/config.js';
import type { Ctx } from '../src/context.js';
import type { Schedule } from '../src/queue/schedules.js';
import type { JobRegistry } from '../src/queue/workers.js';
import type { Router } from '../src/router.js';
import { refreshCard } from './card-refresh.js';
import { onCardAction } from './events/card-action.js';
import { onMessageReceived } from './events/message-received.js';
import { handleCardAction } from './jobs/handle-card-action.js';
import { handleMessage } from './jobs/handle-message.js';
import { markFirstRun, pollIssues } from './jobs/poll-issues.js';
import { postIssueCard } from './jobs/post-issue-card.js';
import { syncIssues } from './jobs/sync-issues.js';

export interface Registered {
  /** Job schedulers to keep in place. */
  schedules: Schedule[];
  /** Run whenever Redis becomes reachable (start-up and reconnects). */
  onRedisReady: { what: string; run: (ctx: Ctx) => Promise<unknown> }[];
}

/** One line per event, job and schedule: the whole product surface at a glance. */
export function registerHandlers(router: Router, jobs: JobRegistry, config: Config): Registered {
  router.on('im.message.receive_v1', onMessageReceived);
  router.on('card.action.trigger', onCardAction);

  jobs.on(handleMessage);
  jobs.on(handleCardAction);
  jobs.on(pollIssues);
  jobs.on(postIssueCard);
  jobs.on(refreshCard);
  jobs.on(syncIssues);

  return {
    schedules: [
      { id: pollIssues.name, everyMs: config.guance.pollIntervalSeconds * 1000 },
      { id: syncIssues.name, everyMs: config.guance.syncIntervalSeconds * 1000 },
    ],
    onRedisReady: [{ what: 'record the first start', run: markFirstRun }],
  };
}
