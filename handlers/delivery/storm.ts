/**
 * Storm control (STORM_THRESHOLD): more new cards than the threshold for one target (a chat or a robot sink)
 * within a window become lines on one digest — a card patched in place as more arrive and closed when the window
 * ends; for a robot, one message at the window's end. Every notification is its own card or a digest line.
 */
import { t } from '../../cards/i18n.js';
import { buildListCard } from '../../cards/list-card.js';
import { formatTime } from '../../cards/parts.js';
import type { IssueListItem, LarkCard } from '../../cards/types.js';
import type { Ctx } from '../../src/context.js';
import { JOBS, jobIds } from '../../src/queue/jobs.js';
import { handle } from '../../src/queue/workers.js';
import type { RobotView } from '../../src/robots/types.js';
import type { IssueSnapshot, StormDecision } from '../../src/store/index.js';
import { levelSeverity } from '../issues/index.js';

const DIGEST_REFRESH_SLOT_MS = 3_000;
/**
 * Lines per digest card. A row is at most ~500 bytes here (title ≤ 100 characters, a link ≤ 300, the level and
 * status), so 40 rows always fit Lark's ~30 KB; a bigger storm gets another page (another card) rather than
 * "…and N more": every notification stays visible somewhere.
 */
export const DIGEST_PAGE_LINES = 40;
const DIGEST_URL_CHARS = 300;
const severity = (s: IssueSnapshot) => levelSeverity(s.level?.name);

/** Storm targets: a chat by its id, a robot sink by its name (prefixed: a sink may be named like a chat). */
export const robotTarget = (sink: string) => `sink:${sink}`;

export const digestPageOf = (line: number) => Math.floor(line / DIGEST_PAGE_LINES);

export const stormWindowOf = (ctx: Ctx, at = Date.now()) => Math.floor(at / ctx.config.stormWindowMs);
const windowEnd = (ctx: Ctx, window: number) => (window + 1) * ctx.config.stormWindowMs;

/** Card or digest line for this target and item; decided once, whoever asks again. */
export function stormDecision(ctx: Ctx, target: string, itemId: string): Promise<StormDecision> {
  const seconds = Math.ceil(ctx.config.stormWindowMs / 1000);
  return ctx.store.storms.decide(target, itemId, stormWindowOf(ctx), ctx.config.stormThreshold, seconds);
}

/** The digest page of a chat's window: posted once, refreshed per slot while lines arrive, and once more when it closes. */
export async function addToChatDigest(ctx: Ctx, chatId: string, window: number, line: number): Promise<void> {
  const now = Date.now();
  const page = digestPageOf(line);
  const data = { chatId, window, page };
  await ctx.queues.add(JOBS.postDigest, data, jobIds.digest(chatId, window, page));
  const slot = Math.floor(now / DIGEST_REFRESH_SLOT_MS);
  await ctx.queues.add(JOBS.refreshDigest, data, jobIds.digestRefresh(chatId, window, page, String(slot)), {
    delayMs: (slot + 1) * DIGEST_REFRESH_SLOT_MS - now,
  });
  await ctx.queues.add(JOBS.refreshDigest, data, jobIds.digestRefresh(chatId, window, page, 'final'), {
    delayMs: windowEnd(ctx, window) + 1_000 - now,
  });
}

/** A robot cannot be patched: one message per storm window, sent when the window ends. */
export async function addToRobotDigest(ctx: Ctx, sink: string, window: number): Promise<void> {
  await ctx.queues.add(
    JOBS.postRobot,
    { sink, digest: { target: robotTarget(sink), window }, seenAt: Date.now() },
    jobIds.robotDelivery(sink, `digest-${window}`),
    { robotSink: sink, delayMs: windowEnd(ctx, window) + 1_000 - Date.now() },
  );
}

async function digestItems(ctx: Ctx, target: string, window: number, page?: number): Promise<IssueSnapshot[]> {
  const ids =
    page === undefined
      ? await ctx.store.storms.lines(target, window)
      : await ctx.store.storms.lines(target, window, page * DIGEST_PAGE_LINES, (page + 1) * DIGEST_PAGE_LINES - 1);
  const snapshots = await Promise.all(ids.map((id) => ctx.store.links.snapshot(id)));
  return snapshots.filter((s): s is IssueSnapshot => s !== null).sort((a, b) => severity(a) - severity(b) || a.createdAt - b.createdAt);
}

const linkOf = (s: IssueSnapshot) => s.link || s.links?.[0]?.url || '';

function digestCard(ctx: Ctx, items: IssueSnapshot[], window: number, page: number): LarkCard {
  const lang = ctx.config.language;
  const from = formatTime((window * ctx.config.stormWindowMs) / 1000, ctx.config.timeZone, lang);
  const to = formatTime(windowEnd(ctx, window) / 1000, ctx.config.timeZone, lang);
  const closed = Date.now() >= windowEnd(ctx, window);
  const rows: IssueListItem[] = items.map((s) => ({
    uuid: s.uuid,
    title: s.title,
    levelName: s.level?.name ?? null,
    statusType: s.statusType,
    createdAt: s.createdAt,
    consoleUrl: linkOf(s),
  }));
  const top = items[0] ? severity(items[0]) : 9;
  const title = t(lang, 'storm.title', { count: items.length });
  return buildListCard(rows, lang, {
    title: page === 0 ? title : `${title} ${t(lang, 'storm.page', { page: page + 1 })}`,
    template: top === 0 ? 'red' : top <= 2 ? 'orange' : 'grey',
    note: closed ? t(lang, 'storm.closed', { count: items.length, from, to }) : t(lang, 'storm.open', { from, to }),
    timeZone: ctx.config.timeZone,
    maxRows: DIGEST_PAGE_LINES,
    maxUrlChars: DIGEST_URL_CHARS,
  });
}

export const postDigest = handle(JOBS.postDigest, async ({ chatId, window, page }, ctx, job) => {
  const existing = await ctx.store.storms.digestMessage(chatId, window, page);
  if (existing) return { messageId: existing, already: true };
  const items = await digestItems(ctx, chatId, window, page);
  const sent = await ctx.lark.sendCard(chatId, digestCard(ctx, items, window, page), job.id ?? jobIds.digest(chatId, window, page));
  await ctx.store.storms.saveDigestMessage(chatId, window, page, sent.messageId);
  // Lines that arrived while the card was on its way had no message to refresh yet (their slot's refresh skipped it).
  const now = await digestItems(ctx, chatId, window, page);
  if (now.length !== items.length) await ctx.lark.patchCard(sent.messageId, digestCard(ctx, now, window, page));
  ctx.metrics.inc('storm_digests_total', { target: 'chat' });
  ctx.log.warn('storm: new cards for this chat go to a digest', { chatId, window, page, lines: items.length });
  return { messageId: sent.messageId, already: false };
});

export const refreshDigest = handle(JOBS.refreshDigest, async ({ chatId, window, page }, ctx) => {
  const messageId = await ctx.store.storms.digestMessage(chatId, window, page);
  // Not posted yet: its post renders every line there is then, and the final refresh comes after it.
  if (!messageId) return { skipped: 'not posted yet' };
  await ctx.lark.patchCard(messageId, digestCard(ctx, await digestItems(ctx, chatId, window, page), window, page));
  return { patched: messageId };
});

/** The robot message of a storm window: every line, most severe first. */
export async function stormDigestView(ctx: Ctx, target: string, window: number): Promise<RobotView | null> {
  const items = await digestItems(ctx, target, window);
  if (items.length === 0) return null;
  const lang = ctx.config.language;
  const from = formatTime((window * ctx.config.stormWindowMs) / 1000, ctx.config.timeZone, lang);
  const to = formatTime(windowEnd(ctx, window) / 1000, ctx.config.timeZone, lang);
  return {
    title: t(lang, 'storm.title', { count: items.length }),
    level: items[0]?.level?.name ?? null,
    status: t(lang, 'storm.closed', { count: items.length, from, to }),
    source: '',
    time: `${from} – ${to}`,
    fields: [],
    excerpt: '',
    links: [],
    lines: items.map((s) => ({ level: s.level?.name ?? null, title: s.title, ...(linkOf(s) ? { url: linkOf(s) } : {}) })),
  };
}
