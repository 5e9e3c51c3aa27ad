import { Agent, request } from 'node:http';
import { sleep } from '../wait.js';
import { sealed, type SoakEvent } from './events.js';

/** One push of an event and the bot's answer. `status` 0: no HTTP answer at all (connection refused, reset, timeout). */
export interface Attempt {
  sentAt: number;
  answeredAt: number;
  status: number;
}

export interface Delivery {
  event: SoakEvent;
  attempts: Attempt[];
}

export interface SenderOptions {
  /** The bot's POST /lark/events. */
  url: string;
  total: number;
  ratePerSecond: number;
  encryptKey: string;
  /** The i-th new event (i from 0). */
  eventAt(index: number): SoakEvent;
  /**
   * Pauses before re-sending an event that got no 200, one per re-send (the last repeats). Lark re-sends a push
   * that was not answered 2xx on a schedule of its own (15 s, 5 min, 1 h, 6 h); the run compresses it.
   */
  resendDelaysMs: readonly number[];
  /** Nothing new is sent and re-sends stop at this Date.now(). */
  deadline: number;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends new events at a steady rate (a few every few ms, as independent Lark pushes arrive) and re-sends every
 * event not answered 200, each on its own schedule, until all are answered 200 or the deadline passes.
 */
export class PacedSender {
  readonly deliveries: Delivery[] = [];
  private readonly resends: { delivery: Delivery; dueAt: number }[] = [];
  private inflight = 0;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 128 });
  private readonly target: URL;

  constructor(private readonly options: SenderOptions) {
    this.target = new URL(options.url);
  }

  /** How many new events have been sent so far (re-sends not counted). */
  get sentNew(): number {
    return this.deliveries.length;
  }

  /** Resolves when every event was answered 200 or the deadline passed (then some are left unanswered). */
  async run(): Promise<void> {
    const { total, ratePerSecond, deadline } = this.options;
    const started = performance.now();
    try {
      for (;;) {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * ratePerSecond));
        while (this.deliveries.length < due && Date.now() < deadline) {
          const delivery: Delivery = { event: this.options.eventAt(this.deliveries.length), attempts: [] };
          this.deliveries.push(delivery);
          this.push(delivery);
        }
        const now = Date.now();
        for (let i = this.resends.length - 1; i >= 0; i -= 1) {
          const entry = this.resends[i];
          if (entry && entry.dueAt <= now) {
            this.resends.splice(i, 1);
            this.push(entry.delivery);
          }
        }
        const finished = this.deliveries.length >= total && this.resends.length === 0 && this.inflight === 0;
        if (finished || (now >= deadline && this.inflight === 0)) return;
        await sleep(2);
      }
    } finally {
      this.agent.destroy();
    }
  }

  private push(delivery: Delivery): void {
    const { body, headers } = sealed(delivery.event, this.options.encryptKey);
    const attempt: Attempt = { sentAt: Date.now(), answeredAt: 0, status: 0 };
    delivery.attempts.push(attempt);
    this.inflight += 1;
    let settled = false;
    const settle = (status: number) => {
      if (settled) return;
      settled = true;
      attempt.status = status;
      attempt.answeredAt = Date.now();
      this.inflight -= 1;
      if (status !== 200) {
        const delays = this.options.resendDelaysMs;
        const delay = delays[Math.min(delivery.attempts.length - 1, delays.length - 1)] ?? 1_000;
        this.resends.push({ delivery, dueAt: Date.now() + delay });
      }
    };
    const req = request(
      {
        agent: this.agent,
        host: this.target.hostname,
        port: this.target.port,
        path: this.target.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.resume();
        res.on('end', () => settle(res.statusCode ?? 0));
        res.on('error', () => settle(0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => settle(0));
    req.end(body);
  }
}
