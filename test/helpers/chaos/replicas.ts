/**
 * Bot replicas on one Redis prefix, and the chaos loop that SIGKILLs one of them at random intervals
 * and starts it again, as a crashing pod would be replaced.
 */
import type { BotProcess } from '../bot-process.js';
import type { Stack } from '../stack.js';

export interface KillPlan {
  /** Time between two kills, drawn uniformly from [min, max] ms. */
  everyMs: [number, number];
}

const alive = (bot: BotProcess | undefined): bot is BotProcess => bot !== undefined && bot.child.exitCode === null && bot.child.signalCode === null;

export class Replicas {
  kills = 0;
  restarts = 0;
  /** One slot per replica: the process currently running in it (a killed one until its successor is up). */
  private readonly slots: (BotProcess | undefined)[];
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly stack: Stack,
    count: number,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.slots = Array.from({ length: count }, () => undefined);
  }

  async start(): Promise<void> {
    await Promise.all(this.slots.map(async (_, i) => (this.slots[i] = await this.stack.startBot())));
  }

  /** The replicas that serve right now. */
  live(): BotProcess[] {
    return this.slots.filter(alive);
  }

  /** A live replica at random, or undefined while none serves. */
  any(): BotProcess | undefined {
    const live = this.live();
    return live[Math.floor(Math.random() * live.length)];
  }

  /** Every process ever started for this run (killed ones included), for their logs. */
  all(): BotProcess[] {
    return this.stack.bots;
  }

  startChaos(plan: KillPlan): void {
    this.stopping = false;
    // Kept, not thrown here: a replica that cannot start again fails the run when the loop is stopped.
    this.loop = this.chaos(plan).catch((error: unknown) => {
      this.failure = error instanceof Error ? error : new Error(String(error));
    });
  }

  /** Ends the loop; resolves when every replica serves again. */
  async stopChaos(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    if (this.failure) throw this.failure;
    await Promise.all(this.slots.map(async (bot, i) => {
      if (!alive(bot)) this.slots[i] = await this.stack.startBot();
    }));
  }

  private async chaos(plan: KillPlan): Promise<void> {
    const [min, max] = plan.everyMs;
    const started = Date.now();
    while (!this.stopping) {
      await this.pause(min + Math.random() * (max - min));
      if (this.stopping) return;
      const slot = Math.floor(Math.random() * this.slots.length);
      const victim = this.slots[slot];
      if (!alive(victim)) continue;
      await victim.kill();
      this.kills += 1;
      this.log(`  t+${((Date.now() - started) / 1000).toFixed(1)} s: SIGKILL replica ${slot} (pid ${victim.child.pid ?? '?'}), restarting`);
      this.slots[slot] = await this.stack.startBot();
      this.restarts += 1;
    }
  }

  /** A sleep that stopChaos() cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
