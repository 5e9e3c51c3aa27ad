import { t } from '../../cards/i18n.js';
import { formatTime, plainExcerpt, statusName } from '../../cards/parts.js';
import type { Config } from '../../src/config.js';
import type { RobotView } from '../../src/robots/types.js';
import type { IssueSnapshot } from '../../src/store/index.js';

const LINK_LABELS = { sentry: 'button.open.sentry', 'guance-alert': 'button.open.guance-alert', report: 'button.open.report' } as const;
const EXCERPT_CHARS = 2_000;

/** What a robot shows of a card: the same facts as the Lark card, as text and links (robots cannot call back). */
export function robotViewOf(snapshot: IssueSnapshot, config: Pick<Config, 'language' | 'timeZone'>): RobotView {
  const lang = config.language;
  const level = snapshot.level?.name ?? null;
  const kind = snapshot.kind ?? 'guance-issue';
  const links =
    kind === 'guance-issue'
      ? snapshot.link
        ? [{ label: t(lang, 'button.open'), url: snapshot.link }]
        : []
      : (snapshot.links ?? []).map((link) => ({ label: t(lang, LINK_LABELS[link.kind]), url: link.url }));
  return {
    title: `[${level ?? t(lang, 'level.unknown')}] ${snapshot.title}`,
    level,
    status: statusName(snapshot.statusType, lang),
    source: kind === 'guance-issue' ? snapshot.source || t(lang, 'card.manualSource') : t(lang, `source.${kind}`),
    time: formatTime(snapshot.createdAt, config.timeZone, lang),
    fields: snapshot.fields ?? [],
    excerpt: plainExcerpt(snapshot.description, EXCERPT_CHARS),
    links,
    lines: [],
  };
}
