import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { appStackForTest } from '../../helpers/app-stack.js';
import { waitForCard } from '../../helpers/cards.js';
import { postJson } from '../../helpers/sources.js';
import { waitFor } from '../../helpers/wait.js';

const TOKEN = 'guance-push-token-0123';
const PATH = `/webhooks/guance-issue?token=${TOKEN}`;
/** Polls and sync rounds far apart: whatever happens within seconds is the hint's doing. */
const slowSchedules = {
  env: { GUANCE_WEBHOOK_TOKEN: TOKEN },
  config: (config: { guance: { pollIntervalSeconds: number; syncIntervalSeconds: number } }) => {
    config.guance.pollIntervalSeconds = 600;
    config.guance.syncIntervalSeconds = 600;
  },
};
const issueList = (stack: { guance: { requests: { path: string }[] } }) => stack.guance.requests.filter((r) => r.path === '/api/v1/issue/list').length;

describe.concurrent('POST /webhooks/guance-issue (push hints)', () => {
  it('is off (404) while GUANCE_WEBHOOK_TOKEN is unset; with it, a missing or wrong token is refused', async (context) => {
    const { expect } = context;
    const off = await appStackForTest(context, 'hint-off');
    expect((await postJson(off, PATH, { issue_uuid: `issue_${'a'.repeat(32)}` })).status).toBe(404);
    const on = await appStackForTest(context, 'hint-token', slowSchedules);
    expect((await postJson(on, '/webhooks/guance-issue', {})).status).toBe(401);
    expect((await postJson(on, '/webhooks/guance-issue?token=bad', {})).status).toBe(403);
    const none = await postJson(on, PATH, { event: 'something', data: { id: 42 } });
    expect(none).toMatchObject({ status: 202, json: { issues: 0 } });
    await on.waitForLog((line) => line.message === 'Guance push named no issue; nothing to check' && JSON.stringify(line).includes('"event"'), 'the shape log');
  });

  it('a new issue named by a hint gets its card long before the next poll; a reply named by a hint reaches the thread before its sync turn', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'hint-card', slowSchedules);
    const listsBefore = issueList(stack);
    const issue = stack.guance.createIssue({ name: 'Orders stuck in pending', level: 'P1' });
    // A shape we do not know: the uuid nested in text, the way any notification body might carry it.
    const hinted = await postJson(stack, PATH, { title: 'Issue created', content: `New issue ${issue.uuid} in channel default` });
    expect(hinted.status).toBe(202);
    const card = await waitForCard(stack, issue.uuid, 5_000);
    expect(issueList(stack) - listsBefore).toBe(1);

    // The card's first sync check is 30 s away and rounds start every 10 minutes here.
    await waitFor(() => stack.jobs.list('deliver', { name: 'post-issue-card' }).length > 0, 'the card job');
    stack.guance.addReply(issue.uuid, { content: 'Rolling back the release', authorName: 'Alice' });
    await stack.post(PATH, `reply created on ${issue.uuid}`, { 'content-type': 'text/plain' });
    await waitFor(() => stack.lark.repliesTo(card.message_id).find((m) => m.content.includes('Rolling back the release')), 'the thread line', 5_000);
  });

  it('a burst of 100 hints stays inside the Guance budget and costs a handful of issue/list calls', async (context) => {
    const { expect } = context;
    const stack = await appStackForTest(context, 'hint-burst', slowSchedules);
    const issue = stack.guance.createIssue({ name: 'Burst target issue', level: 'P2' });
    const listsBefore = issueList(stack);
    const bodies = Array.from({ length: 100 }, (_, index) =>
      index === 50 ? { issueUUID: issue.uuid } : { issueUUID: `issue_${randomBytes(16).toString('hex')}` },
    );
    const burstStarted = Date.now();
    const answers = await Promise.all(bodies.map((body) => postJson(stack, PATH, body)));
    const burstSeconds = Math.ceil((Date.now() - burstStarted) / 1000);
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await waitForCard(stack, issue.uuid, 10_000);
    await waitFor(async () => (await stack.jobs.pending('schedule', 'hint-poll')) === 0 || undefined, 'every hint poll to finish', 20_000);
    // One poll per one-second slot the burst touched, at most; the fake's per-minute ceiling is checked when the
    // test ends (20/min).
    expect(issueList(stack) - listsBefore).toBeLessThanOrEqual(burstSeconds + 2);
  });
});
