import type { Config } from '../src/config.js';
import type { Ctx } from '../src/context.js';
import type { Schedule } from '../src/queue/schedules.js';
import type { JobRegistry } from '../src/queue/workers.js';
import type { WebhookRegistry } from '../src/http/webhook-routes.js';
import type { Router } from '../src/router.js';
import { handleCardAction } from './actions/index.js';
import { handleMessage } from './commands/index.js';
import { dailyDigest, postDailyDigest } from './digest/index.js';
import { escalate } from './escalation/index.js';
import { snoozeExpiry } from './snooze/index.js';
import { markFirstRun, pollIssues, postCard, postDigest, postIssueCard, postRobot, refreshDigest } from './delivery/index.js';
import { onCardClicked, onMessageReceived } from './ingress/index.js';
import { refreshCard } from './issues/index.js';
import { hintPoll, hintSync, ingestNotification, onErrorReport, onGuanceAlert, onGuancePush, onSentry } from './sources/index.js';
import { syncIssues } from './sync/index.js';

export interface Registered {
  /** Job schedulers to keep in place. */
  schedules: Schedule[];
  /** Run whenever Redis becomes reachable (start-up and reconnects). */
  onRedisReady: { what: string; run: (ctx: Ctx) => Promise<unknown> }[];
}

/** One line per event, job and schedule: the whole product surface at a glance. */
export function registerHandlers(router: Router, webhooks: WebhookRegistry, jobs: JobRegistry, config: Config): Registered {
  router.on('im.message.receive_v1', onMessageReceived);
  router.on('card.action.trigger', onCardClicked);

  webhooks.on('/webhooks/guance-alert', onGuanceAlert);
  webhooks.on('/webhooks/sentry', onSentry);
  webhooks.on('/api/errors', onErrorReport);
  webhooks.on('/webhooks/guance-issue', onGuancePush);

  jobs.on(handleMessage);
  jobs.on(handleCardAction);
  jobs.on(pollIssues);
  jobs.on(postIssueCard);
  jobs.on(refreshCard);
  jobs.on(syncIssues);
  jobs.on(ingestNotification);
  jobs.on(postCard);
  jobs.on(escalate);
  jobs.on(snoozeExpiry);
  jobs.on(dailyDigest);
  jobs.on(postDailyDigest);
  jobs.on(postRobot);
  jobs.on(postDigest);
  jobs.on(refreshDigest);
  jobs.on(hintPoll);
  jobs.on(hintSync);

  return {
    schedules: [
      { job: pollIssues.spec, everyMs: config.guance.pollIntervalSeconds * 1000 },
      { job: syncIssues.spec, everyMs: config.guance.syncIntervalSeconds * 1000 },
      config.digestCron ? { job: dailyDigest.spec, pattern: config.digestCron, timeZone: config.timeZone } : { job: dailyDigest.spec, off: true },
    ],
    onRedisReady: [{ what: 'record the first start', run: markFirstRun }],
  };
}
