import type { Ctx } from '../context.js';
import { GuanceRateLimited } from '../errors.js';
import type { SpendKind } from '../store/guance-budget.js';
import { GuanceChannelSchema, GuanceLevelSchema, STATUS, type GuanceChannel, type GuanceIssue, type GuanceLevel } from './schemas.js';
import { z } from 'zod';
import { GUANCE_CHANNELS_SECONDS, GUANCE_LEVELS_SECONDS } from '../store/ttl.js';

async function cached<T>(ctx: Ctx, key: string, ttlSeconds: number, schema: z.ZodType<T>, load: () => Promise<T>): Promise<T> {
  const hit = await ctx.store.cache.get(key, schema);
  if (hit !== null) return hit;
  const fresh = await load();
  await ctx.store.cache.set(key, fresh, ttlSeconds);
  return fresh;
}

/**
 * The workspace's levels (names, colours), cached for an hour. `cache-only` never spends budget (card deliveries:
 * many run at once, and the poller refreshes the cache); empty when unknown, and the built-in names apply.
 */
export async function workspaceLevels(ctx: Ctx, kind: SpendKind | 'cache-only'): Promise<GuanceLevel[]> {
  if (kind === 'cache-only') return (await ctx.store.cache.get('guance:levels', z.array(GuanceLevelSchema))) ?? [];
  try {
    return await cached(ctx, 'guance:levels', GUANCE_LEVELS_SECONDS, z.array(GuanceLevelSchema), () => ctx.guance.listLevels(kind));
  } catch (error) {
    if (error instanceof GuanceRateLimited) return [];
    throw error;
  }
}

export interface WatchedChannel {
  uuid: string;
  name: string;
}

export interface ChannelResolution {
  found: WatchedChannel[];
  unknown: string[];
  known: string[];
  /** True when the list was just fetched from Guance (not from the 10-minute cache). */
  fresh: boolean;
}

/** GUANCE_CHANNELS (names or uuids; `default` is the "All" channel) → live channels, and the names that match none. */
export async function watchedChannels(ctx: Ctx, kind: SpendKind): Promise<ChannelResolution> {
  let fresh = false;
  const channels: GuanceChannel[] = await cached(ctx, 'guance:channels', GUANCE_CHANNELS_SECONDS, z.array(GuanceChannelSchema), () => {
    fresh = true;
    return ctx.guance.listChannels(kind);
  });
  const live = channels.filter((c) => c.deleteAt === undefined || c.deleteAt === -1);
  const found: WatchedChannel[] = [];
  const unknown: string[] = [];
  for (const wanted of ctx.config.guance.channels) {
    const match = live.find((c) => c.uuid === wanted || c.name === wanted);
    if (match) found.push({ uuid: match.uuid, name: match.name });
    else unknown.push(wanted);
  }
  return { found, unknown, known: live.map((c) => c.name), fresh };
}

/**
 * One page of a channel's unfinished issues (not Resolved or Closed), newest first. Exclusion filters are used
 * because Guance does not document whether several `equal: true` filters on one key are OR-ed; the result is
 * filtered again here. `complete` is false when the channel has more than one page.
 */
export async function openIssuesPage(
  ctx: Ctx,
  channelUuid: string,
  pageSize: number,
  kind: SpendKind,
): Promise<{ issues: GuanceIssue[]; totalCount: number; complete: boolean }> {
  const page = await ctx.guance.listIssues(
    {
      channelUUID: channelUuid,
      pageIndex: 1,
      pageSize,
      filters: [
        { key: 'statusType', value: STATUS.resolved, equal: false },
        { key: 'statusType', value: STATUS.closed, equal: false },
      ],
    },
    kind,
  );
  const issues = page.issues.filter((issue) => issue.statusType !== STATUS.resolved && issue.statusType !== STATUS.closed);
  return { issues, totalCount: page.pageInfo.totalCount, complete: page.pageInfo.totalCount <= page.issues.length };
}
