import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT, startAppStack, type AppStack } from '../../helpers/app-stack.js';
import { buttonValue, cardsFor, waitForCard } from '../../helpers/cards.js';
import { cardActionEvent, messageEvent } from '../../helpers/lark-signing.js';
import { startRedisCluster, type RedisClusterHandle } from '../../helpers/redis-cluster.js';
import { scanKeys, testClient } from '../../helpers/redis.js';
import { waitFor } from '../../helpers/wait.js';

/**
 * REDIS_MODE=cluster against a real Redis Cluster started here, 3 masters with a replica each (the machine's Redis
 * is not involved): the bot's keys and BullMQ's all carry the prefix as a hash tag (`{prefix}:…`), so every
 * script, MULTI and multi-key command of theirs stays in one slot, and the whole bot works: cards, clicks,
 * comments; and it goes on when the master of its slot dies and the Cluster promotes that master's replica.
 */
const PER_MINUTE = 300;
const ALICE = { open_id: 'ou_alice00000000000000000000000001', name: 'Alice Chen' };
/** Every node requires it; `/` and `@` must reach Redis decoded from REDIS_URL's percent-encoding. */
const SECRET = randomBytes(6).toString('hex');
const PASSWORD = `cl/${SECRET}@x`;

const readyz = async (stack: AppStack) => (await stack.request.get('/readyz')).status;

describe('REDIS_MODE=cluster (3 masters, 1 replica each)', () => {
  let cluster: RedisClusterHandle | undefined;
  let stack: AppStack;

  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3, replicas: 1, password: PASSWORD });
    stack = await startAppStack('cluster', {
      guance: { requestsPerMinute: PER_MINUTE },
      env: { REDIS_MODE: 'cluster', REDIS_URL: cluster.url, GUANCE_REQUESTS_PER_MINUTE: String(PER_MINUTE) },
    });
    stack.lark.addUser(ALICE);
  });
  afterAll(async () => {
    try {
      await stack?.close();
    } finally {
      await cluster?.close();
    }
  });

  it('wraps the key prefix in a hash tag', () => {
    expect(stack.config.redis.mode).toBe('cluster');
    expect(stack.config.redis.nodes).toHaveLength(3);
    expect(stack.config.redis.password).toBe(PASSWORD);
    expect(stack.config.keyPrefix).toBe(`{${stack.prefix}}`);
  });

  it('a new Guance issue becomes exactly one card; a click changes it once; an @bot comment becomes one Guance comment', async () => {
    const issue = stack.guance.createIssue({ name: 'Cluster checkout 500', level: 'P1' });
    const card = await waitForCard(stack, issue.uuid, 15_000);

    // The same click delivered twice (Lark retries): one job id, one change.
    const click = cardActionEvent({ messageId: card.message_id, value: buttonValue(card.card, 'ack'), operatorOpenId: ALICE.open_id });
    expect((await stack.postEvent(click.payload)).status).toBe(200);
    expect((await stack.postEvent(click.payload)).status).toBe(200);
    await waitFor(() => stack.guance.issue(issue.uuid)?.statusType === 15, 'the issue acknowledged (Working)', 10_000, 25);

    const said = messageEvent({
      text: '@_user_1 restarted the payment pods',
      mentions: [{ key: '@_user_1', id: { open_id: stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
      senderOpenId: ALICE.open_id,
      rootId: card.message_id,
    });
    stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: said.messageId, root_id: card.message_id, parent_id: card.message_id });
    expect((await stack.postEvent(said.payload)).status).toBe(200);
    expect((await stack.postEvent(said.payload)).status).toBe(200);
    await stack.jobs.waitFor('inbound', { name: 'message', id: said.messageId }, 10_000);

    // Later polls and sync rounds (positive signals) re-see the issue and find nothing new to do.
    await stack.pollsAfter(Date.now(), 2, 15_000);
    expect(cardsFor(stack, issue.uuid)).toHaveLength(1);
    expect(stack.guance.requestsMatching(`POST /api/v1/issue/${issue.uuid}/modify`)).toHaveLength(1);
    const comments = stack.guance.repliesOf(issue.uuid).filter((reply) => JSON.stringify(reply).includes('restarted the payment pods'));
    expect(comments).toHaveLength(1);
  });

  it("every key the bot wrote is under its hash tag: one slot, on one master, and no CROSSSLOT anywhere", async () => {
    const client = testClient(stack.config.redis) as Cluster;
    client.on('error', () => undefined);
    try {
      await client.connect();
      // The cluster is this file's alone: every key on any master is the bot's (or BullMQ's for the bot).
      const keys = await scanKeys(client, '*');
      expect(keys.length).toBeGreaterThan(10);
      expect(keys.filter((key) => !key.startsWith(`${stack.config.keyPrefix}:`))).toEqual([]);
      // BullMQ's own keys (job hashes, queue lists, event streams) and the store's are all there.
      expect(keys.some((key) => key.startsWith(`${stack.config.keyPrefix}:deliver:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${stack.config.keyPrefix}:card:`))).toBe(true);
      const slots = new Set(await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key))));
      expect(slots.size).toBe(1);
      const perMaster = await Promise.all(client.nodes('master').map(async (node) => (await scanKeys(node, '*')).length));
      expect(perMaster.filter((count) => count > 0)).toHaveLength(1);
    } finally {
      client.disconnect();
    }
    expect(stack.logs.filter((line) => JSON.stringify(line).includes('CROSSSLOT'))).toEqual([]);
    expect(JSON.stringify(stack.logs)).not.toContain(SECRET);
  });

  it("the master of the bot's slot is SIGKILLed: its replica takes over, and every issue gets exactly one card", async () => {
    const nodes = cluster as RedisClusterHandle;
    const slotKey = `${stack.config.keyPrefix}:ready-probe`;
    const before = stack.guance.createIssue({ name: 'Before the cluster failover', level: 'P1' });
    const beforeCard = await waitForCard(stack, before.uuid, 15_000);
    const master = await nodes.masterOf(slotKey);
    // Replication is asynchronous: the kill comes once the replica has every write acknowledged so far.
    await stack.jobs.idle('deliver');
    await nodes.replicasCaughtUp(master);

    await nodes.kill(master);
    const during = stack.guance.createIssue({ name: 'During the cluster failover', level: 'P1' });
    // The Cluster connection stays "ready" (other masters answer); readiness probes the bot's own slot.
    await waitFor(async () => (await readyz(stack)) === 503, "/readyz 503 while the bot's slot has no master", 10_000, 25);
    await nodes.waitForOk(slotKey);
    expect(await nodes.masterOf(slotKey)).not.toBe(master);
    await waitFor(async () => (await readyz(stack)) === 200, '/readyz 200 on the promoted replica', 20_000, 50);

    const after = stack.guance.createIssue({ name: 'After the cluster failover', level: 'P1' });
    // BullMQ may sleep out its block timeout (up to ~10 s) before it sees the delayed poll the failover left due, and a
    // job that was running on the dead master waits out its lock (10 s) and the stalled check: alone this takes
    // ~10 s. Under load a worker's blocking connection sometimes wedges for good; the watchdog (src/queue/workers.ts)
    // replaces it after 20 s, so allow a minute.
    await waitForCard(stack, during.uuid, 60_000);
    await waitForCard(stack, after.uuid, 60_000);
    const click = cardActionEvent({ messageId: beforeCard.message_id, value: buttonValue(beforeCard.card, 'ack'), operatorOpenId: ALICE.open_id });
    expect((await stack.postEvent(click.payload)).status).toBe(200);
    await waitFor(() => stack.guance.issue(before.uuid)?.statusType === 15, 'the click acknowledging the issue', 10_000, 25);

    await stack.pollsAfter(Date.now(), 2, 15_000);
    for (const issue of [before, during, after]) expect(cardsFor(stack, issue.uuid), issue.name).toHaveLength(1);
    expect(stack.guance.requestsMatching(`POST /api/v1/issue/${before.uuid}/modify`)).toHaveLength(1);
    expect(JSON.stringify(stack.logs)).not.toContain(SECRET);
  }, 120_000);
});
