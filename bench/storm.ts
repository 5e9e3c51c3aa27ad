import { freePort } from '../test/helpers/ports.js';
import { CHAT, startStack } from '../test/helpers/stack.js';
import { sleep, waitFor } from '../test/helpers/wait.js';

const TOKEN = 'bench-storm-token';

/** The current text of every message in the chat (the last PATCH of a digest page, else what was sent). */
function chatTexts(stack: Awaited<ReturnType<typeof startStack>>): { cards: string[]; digests: string[] } {
  const messages = stack.lark.cardsIn(CHAT).map((m) => m.patches.at(-1) ?? m.content);
  return {
    cards: messages.filter((text) => !text.includes('new issues in the last minute')),
    digests: messages.filter((text) => text.includes('new issues in the last minute')),
  };
}

/** A storm of 1,000 new notifications for one chat (error API, STORM_THRESHOLD 10): cards, digests, pace, none lost. */
export async function benchStorm(): Promise<void> {
  const count = Number(process.env.BENCH_STORM ?? 1000);
  const stack = await startStack('bench-storm', { env: { ERROR_API_TOKEN: TOKEN, STORM_THRESHOLD: '10' } });
  try {
    const bot = await stack.startBot({ PORT: String(await freePort()), LOG_LEVEL: 'warn' });
    await sleep(2_000);
    // Start at the beginning of a minute's first half, so the storm usually falls in one window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 30_000) await sleep(60_000 - intoMinute + 200);
    const names = Array.from({ length: count }, (_, i) => `S${String(i).padStart(4, '0')}X`);
    const started = Date.now();
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(
        names.slice(i, i + 50).map((message) =>
          fetch(`${bot.url}/api/errors`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ service: 'bench', message }),
          }),
        ),
      );
    }
    const posted = Date.now();
    const where = () => {
      const { cards, digests } = chatTexts(stack);
      return names.map((name) => cards.filter((c) => c.includes(`"${name}"`)).length + digests.filter((d) => d.includes(name)).length);
    };
    await waitFor(() => where().every((n) => n >= 1) || undefined, 'every issue on a card or a digest', 180_000, 250);
    const allShown = Date.now();
    // Let the digests close (the window's end + the final refresh), then count again.
    await sleep(Math.max(0, Math.ceil(Date.now() / 60_000) * 60_000 + 5_000 - Date.now()));
    const seen = where();
    const { cards, digests } = chatTexts(stack);
    const sends = stack.lark.cardsIn(CHAT).map((m) => m.create_time).sort((a, b) => a - b);
    const perSecond = Math.max(...sends.map((t) => sends.filter((u) => u >= t && u < t + 1_000).length));
    console.log(`\n== storm: ${count} notifications for one chat, STORM_THRESHOLD 10 ==`);
    console.log(`posted in ${((posted - started) / 1000).toFixed(1)} s; every issue on a card or digest after ${((allShown - started) / 1000).toFixed(1)} s`);
    console.log(`messages in the chat: ${cards.length} cards + ${digests.length} digest pages; max ${perSecond} messages in any second (limit 5)`);
    console.log(`lost: ${seen.filter((n) => n === 0).length}, doubled: ${seen.filter((n) => n > 1).length}`);
    console.log(`Lark 230020 (rate limited) answers: ${stack.lark.requests.filter((r) => r.status === 400).length}`);
  } finally {
    await stack.close();
  }
}
