import type { Ctx } from './context.js';
import { BadRequestError, UnavailableError, errorMessage } from './errors.js';
import type { Inbound } from './lark/envelope.js';

export interface IngressAnswer {
  status: number;
  body: unknown;
}

type Routed = Exclude<Inbound, { type: 'unsupported' }>;
type RoutedType = Routed['type'];
export type IngressHandler<T extends RoutedType> = (
  inbound: Extract<Routed, { type: T }>,
  ctx: Ctx,
) => Promise<IngressAnswer>;

export const ok = (body: unknown = {}): IngressAnswer => ({ status: 200, body });

/**
 * Event types named in `events_ignored_total` before the rest count as `other`. The type is the sender's free
 * text: one series per distinct string would grow /metrics without end (label values must stay bounded,
 * src/metrics.ts). Lark's own type names (`im.chat.member.bot.added_v1`, v1 `add_bot`) fit the pattern.
 */
const MAX_IGNORED_TYPE_LABELS = 50;
const TYPE_LABEL = /^[A-Za-z0-9_.-]{1,64}$/;

/** Event type → ingress handler. Unknown types are acknowledged and ignored; a full queue means 503 so Lark retries. */
export class Router {
  private readonly handlers = new Map<string, IngressHandler<RoutedType>>();
  private readonly ignoredTypeLabels = new Set<string>();

  on<T extends RoutedType>(type: T, handler: IngressHandler<T>): this {
    this.handlers.set(type, handler as unknown as IngressHandler<RoutedType>);
    return this;
  }

  async dispatch(inbound: Inbound, ctx: Ctx): Promise<IngressAnswer> {
    const handler = inbound.type === 'unsupported' ? undefined : this.handlers.get(inbound.type);
    if (!handler || inbound.type === 'unsupported') {
      const eventType = inbound.type === 'unsupported' ? inbound.eventType : inbound.type;
      ctx.log.debug('ignoring event type', { eventType, eventId: inbound.eventId });
      ctx.metrics.inc('events_ignored_total', { type: this.ignoredTypeLabel(eventType) });
      return ok();
    }
    try {
      return await handler(inbound, ctx);
    } catch (error) {
      if (error instanceof UnavailableError) {
        ctx.log.warn('event not stored, asking Lark to retry', { type: inbound.type, eventId: inbound.eventId, error: error.message });
        return { status: 503, body: { error: 'temporarily unavailable, retry later' } };
      }
      // Anything but Redis being away will fail the same way on Lark's retries: a 4xx ends them, and this is the one log line.
      const status = error instanceof BadRequestError ? error.status : 422;
      ctx.log.error('event could not be accepted', { type: inbound.type, eventId: inbound.eventId, status, error: errorMessage(error) });
      return { status, body: { error: 'event could not be accepted' } };
    }
  }

  private ignoredTypeLabel(eventType: string): string {
    if (this.ignoredTypeLabels.has(eventType)) return eventType;
    if (this.ignoredTypeLabels.size >= MAX_IGNORED_TYPE_LABELS || !TYPE_LABEL.test(eventType)) return 'other';
    this.ignoredTypeLabels.add(eventType);
    return eventType;
  }
}
