/**
 * What a chaos run asks of the bot: issues appearing in Guance, and @bot comment messages that Lark
 * delivers several times each (signed and encrypted as Lark does), to either replica, some at once.
 * A delivery that finds no replica or is not answered 200 is re-sent, as Lark re-sends it.
 */
import type { Issue } from '../../fakes/guance-server.js';
import { encryptPayload, messageEvent, signEvent } from '../lark-signing.js';
import { CHAT, type Stack } from '../stack.js';
import { sleep } from '../wait.js';
import type { Replicas } from './replicas.js';

export const ENCRYPT_KEY = 'chaos-encrypt-key-0123456789';
export const VERIFICATION_TOKEN = 'chaos-verification-token';
export const SENDER = { open_id: 'ou_chaos00000000000000000000000001', name: 'Chaos Monkey' };

/** How long a delivery is re-sent before it counts as never accepted. */
const REDELIVER_FOR_MS = 60_000;

export interface ChaosEvent {
  /** Unique text in the comment, to find it in Guance. */
  tag: string;
  messageId: string;
  issueUuid: string;
  /** Deliveries answered 200 (the target is every one of them). */
  accepted: number;
  /** Deliveries that never got a 200 within REDELIVER_FOR_MS. */
  lost: number;
}

export interface DeliveryFigures {
  /** HTTP status (or `no-replica` / `connection`) → how many delivery attempts got it. */
  outcomes: Map<string, number>;
}

export class Workload {
  readonly issues: Issue[] = [];
  readonly events: ChaosEvent[] = [];
  readonly delivery: DeliveryFigures = { outcomes: new Map() };
  private readonly pending: Promise<void>[] = [];

  constructor(
    private readonly stack: Stack,
    private readonly replicas: Replicas,
    private readonly deliveriesPerEvent: number,
  ) {
    stack.lark.addUser(SENDER);
  }

  createIssue(n: number): Issue {
    const issue = this.stack.guance.createIssue({ name: `Chaos issue ${n}`, level: `P${n % 4}`, description: `created by the chaos run (#${n})` });
    this.issues.push(issue);
    return issue;
  }

  /** Starts an event's deliveries: the first two at once (to different replicas when both serve), the rest spread over a few seconds. */
  sendEvent(n: number, issueUuid: string, spreadMs: number): void {
    const tag = `chaos-e${String(n).padStart(4, '0')}-x`;
    const { payload, messageId } = messageEvent({
      token: VERIFICATION_TOKEN,
      text: `@_user_1 #${issueUuid}#${tag}`,
      mentions: [{ key: '@_user_1', id: { open_id: this.stack.lark.botOpenId }, name: 'IssueBot', mentioned_type: 'bot' }],
      senderOpenId: SENDER.open_id,
    });
    // The user's message exists in Lark, so the bot can reply to it.
    this.stack.lark.addIncomingMessage({ chat_id: CHAT, message_id: messageId });
    const event: ChaosEvent = { tag, messageId, issueUuid, accepted: 0, lost: 0 };
    this.events.push(event);
    const live = this.replicas.live();
    for (let i = 0; i < this.deliveriesPerEvent; i += 1) {
      const delay = i < 2 ? 0 : Math.random() * spreadMs;
      this.pending.push(this.deliver(event, payload, delay, i < 2 ? live[i % Math.max(1, live.length)]?.url : undefined));
    }
  }

  /** Resolves when every delivery has been accepted or given up. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  private async deliver(event: ChaosEvent, payload: unknown, delayMs: number, firstUrl: string | undefined): Promise<void> {
    if (delayMs > 0) await sleep(delayMs);
    const deadline = Date.now() + REDELIVER_FOR_MS;
    let url = firstUrl;
    while (Date.now() < deadline) {
      url ??= this.replicas.any()?.url;
      const outcome = url === undefined ? 'no-replica' : await this.post(url, payload);
      this.count(outcome);
      if (outcome === '200') {
        event.accepted += 1;
        return;
      }
      url = undefined;
      await sleep(200 + Math.random() * 800);
    }
    event.lost += 1;
  }

  private async post(url: string, payload: unknown): Promise<string> {
    const body = encryptPayload(payload, ENCRYPT_KEY);
    try {
      const response = await fetch(`${url}/lark/events`, { method: 'POST', headers: signEvent(body, ENCRYPT_KEY), body });
      await response.arrayBuffer();
      return String(response.status);
    } catch {
      return 'connection';
    }
  }

  private count(outcome: string): void {
    this.delivery.outcomes.set(outcome, (this.delivery.outcomes.get(outcome) ?? 0) + 1);
  }
}
