/**
 * The issue card: header coloured by level, compact fields, a plain-text description excerpt, the
 * last change, an optional notice, and the action buttons plus "Open in Guance".
 *
 * Every piece of user text is either `plain_text` (never interpreted) or escaped for markdown, and
 * every piece has a length budget. If a card still comes out too big (or with too many elements)
 * it is rebuilt with smaller budgets, so the result always fits Lark's 30 KB limit.
 */
import { controlElements } from './card-controls.js';
import { t } from './i18n.js';
import {
  actionLabel,
  buttonRow,
  buttonsFor,
  callbackButton,
  cardFits,
  clipLine,
  escapeLarkMd,
  formatTime,
  levelTemplate,
  markdownBlock,
  plainExcerpt,
  plainText,
  safeUrl,
  statusName,
  textBlock,
  truncateText,
  urlButton,
} from './parts.js';
import type {
  ButtonElement,
  CardElement,
  CardLinkKind,
  ColumnSetElement,
  IssueAction,
  IssueCardModel,
  Language,
  LarkCard,
  MarkdownElement,
} from './types.js';

/** Character budgets (code points) for the variable parts of the card. */
interface Budget {
  title: number;
  level: number;
  source: number;
  assigneeName: number;
  assignees: number;
  description: number;
  notice: number;
  actor: number;
}

const SMALLEST: Budget = {
  title: 60,
  level: 20,
  source: 40,
  assigneeName: 32,
  assignees: 60,
  description: 80,
  notice: 80,
  actor: 40,
};

/** Tried in order until the card fits; the last one is small whatever the input. */
const BUDGETS: readonly Budget[] = [
  { title: 150, level: 40, source: 200, assigneeName: 64, assignees: 400, description: 500, notice: 300, actor: 80 },
  { title: 100, level: 30, source: 100, assigneeName: 48, assignees: 150, description: 250, notice: 150, actor: 60 },
  SMALLEST,
];

/** Issue ids longer than this are not real Guance ids; such a card gets no callback buttons. */
const MAX_ISSUE_ID_LENGTH = 128;

const CHANGE_KEYS = {
  lark: { ack: 'change.ack', resolve: 'change.resolve', reopen: 'change.reopen', status: 'change.status' },
  source: {
    ack: 'change.ack.source',
    resolve: 'change.resolve.source',
    reopen: 'change.reopen.source',
    status: 'change.status.source',
  },
  guance: {
    ack: 'change.ack.guance',
    resolve: 'change.resolve.guance',
    reopen: 'change.reopen.guance',
    status: 'change.status.guance',
  },
} as const;

function levelLabel(model: IssueCardModel, lang: Language, budget: Budget): string {
  const name = clipLine(model.level?.name ?? '', budget.level);
  return name === '' ? t(lang, 'level.unknown') : name;
}

/** A compact field: bold label, then the value, escaped unless it is the bot's own text. */
function field(label: string, value: string, own = false): MarkdownElement {
  return markdownBlock(`**${label}**\n${own ? value : escapeLarkMd(value)}`);
}

function fieldRow(left: MarkdownElement, right: MarkdownElement): ColumnSetElement {
  return {
    tag: 'column_set',
    flex_mode: 'bisect',
    horizontal_spacing: 'medium',
    columns: [
      { tag: 'column', width: 'weighted', weight: 1, elements: [left] },
      { tag: 'column', width: 'weighted', weight: 1, elements: [right] },
    ],
  };
}

/** Escaped names joined with commas within the budget, then "+N more". */
function assigneeMarkdown(assignees: readonly string[], lang: Language, budget: Budget): string {
  const all = Array.isArray(assignees) ? assignees : [];
  const shown: string[] = [];
  let used = 0;
  let index = 0;
  for (; index < all.length; index += 1) {
    const name = clipLine(String(all[index] ?? ''), budget.assigneeName);
    if (name === '') continue;
    const cost = [...name].length + (shown.length > 0 ? 2 : 0);
    if (shown.length > 0 && used + cost > budget.assignees) break;
    shown.push(escapeLarkMd(name));
    used += cost;
  }
  if (shown.length === 0) return t(lang, 'card.none');
  const rest = all.slice(index).filter((name) => String(name ?? '').trim() !== '').length;
  const list = shown.join(', ');
  return rest > 0 ? `${list} ${t(lang, 'card.moreAssignees', { count: rest })}` : list;
}

/** An open_id as Lark issues them; anything else is shown as a name, never put inside an `<at>` tag. */
const OPEN_ID = /^ou_[A-Za-z0-9_-]{1,64}$/;

/** People as mentions where Lark knows them, else by name, within the same budget as plain names. */
function mentionMarkdown(mentions: NonNullable<IssueCardModel['mentions']>, lang: Language, budget: Budget): string {
  const shown: string[] = [];
  let used = 0;
  for (const person of mentions) {
    const text = person.openId && OPEN_ID.test(person.openId) ? `<at id=${person.openId}></at>` : escapeLarkMd(clipLine(person.name, budget.assigneeName));
    const cost = Math.min(text.length, budget.assigneeName) + 2;
    if (shown.length > 0 && used + cost > budget.assignees) break;
    shown.push(text);
    used += cost;
  }
  const rest = mentions.length - shown.length;
  if (shown.length === 0) return t(lang, 'card.none');
  return rest > 0 ? `${shown.join(', ')} ${t(lang, 'card.moreAssignees', { count: rest })}` : shown.join(', ');
}

function escalatedLine(model: IssueCardModel, lang: Language, budget: Budget): string | null {
  const escalated = model.escalated;
  if (!escalated) return null;
  const names = clipLine(escalated.names.join(', '), budget.notice) || t(lang, 'card.none');
  return t(lang, 'card.escalated', { time: formatTime(escalated.at, model.timeZone, lang), kind: escalated.kind, names });
}

function lastChangeLine(model: IssueCardModel, lang: Language, budget: Budget): string | null {
  const change = model.lastChange;
  if (change === undefined || change === null) return null;
  const via = change.by?.via === 'guance' || change.by?.via === 'source' ? change.by.via : 'lark';
  const key = CHANGE_KEYS[via][change.action] ?? CHANGE_KEYS[via].status;
  const name = clipLine(change.by?.name ?? '', budget.actor) || '?';
  return t(lang, key, {
    name,
    time: formatTime(change.by?.at ?? Number.NaN, model.timeZone, lang),
    status: statusName(change.statusType, lang),
  });
}

function actionButtons(model: IssueCardModel, lang: Language): ButtonElement[] {
  const issue = String(model.uuid ?? '').trim();
  const idUsable = issue !== '' && issue.length <= MAX_ISSUE_ID_LENGTH && !/\s/.test(issue);
  const actions: readonly IssueAction[] = idUsable ? buttonsFor(model.statusType) : [];
  const buttons = actions.map((action, index) =>
    callbackButton(actionLabel(action, lang), { action, issue }, {
      type: index === 0 ? 'primary_filled' : 'default',
      elementId: `btn_${action}`,
    }),
  );
  if (idUsable && model.snoozed) buttons.push(callbackButton(t(lang, 'button.unsnooze'), { action: 'unsnooze', issue }, { elementId: 'btn_unsnooze' }));
  if (idUsable && model.controls?.warRoom) buttons.push(callbackButton(t(lang, 'button.warroom'), { action: 'warroom', issue }, { elementId: 'btn_warroom' }));
  const url = safeUrl(model.consoleUrl);
  if (url !== null) buttons.push(urlButton(t(lang, 'button.open'), url, { elementId: 'btn_open' }));
  (model.links ?? []).slice(0, MAX_LINKS).forEach((link, index) => {
    const linkUrl = safeUrl(link.url);
    if (linkUrl !== null) buttons.push(urlButton(t(lang, LINK_LABELS[link.kind]), linkUrl, { elementId: `btn_link_${index}` }));
  });
  return buttons;
}

const LINK_LABELS = {
  sentry: 'button.open.sentry',
  'guance-alert': 'button.open.guance-alert',
  report: 'button.open.report',
} as const satisfies Record<CardLinkKind, string>;
const MAX_LINKS = 3;
const MAX_FIELDS = 8;

/** Source fields (project, environment, host…) two to a row, after the common ones. */
function sourceFieldRows(model: IssueCardModel, budget: Budget): CardElement[] {
  const fields = (model.fields ?? [])
    .slice(0, MAX_FIELDS)
    .map((f) => field(clipLine(f.name, budget.level), clipLine(f.value, budget.source) || '—'));
  const rows: CardElement[] = [];
  for (let index = 0; index < fields.length; index += 2) {
    const [left, right] = [fields[index], fields[index + 1]];
    if (left) rows.push(right ? fieldRow(left, right) : left);
  }
  return rows;
}

function sourceLabel(model: IssueCardModel, lang: Language, budget: Budget): string {
  if (model.sourceKind && model.sourceKind !== 'guance-issue') return t(lang, `source.${model.sourceKind}`);
  return clipLine(model.source ?? '', budget.source) || t(lang, 'card.manualSource');
}

/** A card of another source that the source says is over: green, whatever its level. */
function isRecovered(model: IssueCardModel): boolean {
  return model.sourceKind !== undefined && model.sourceKind !== 'guance-issue' && (model.statusType === 20 || model.statusType === 25);
}

function render(model: IssueCardModel, lang: Language, budget: Budget): LarkCard {
  const title = clipLine(model.title ?? '', budget.title) || clipLine(model.uuid ?? '', budget.title) || '—';
  const level = levelLabel(model, lang, budget);
  const status = statusName(model.statusType, lang);
  const source = sourceLabel(model, lang, budget);
  const ownSource = model.sourceKind !== undefined && model.sourceKind !== 'guance-issue';

  const elements: CardElement[] = [
    fieldRow(field(t(lang, 'field.level'), level), field(t(lang, 'field.status'), status, true)),
    fieldRow(
      field(t(lang, 'field.source'), source),
      field(t(lang, 'field.created'), formatTime(model.createdAt, model.timeZone, lang), true),
    ),
    ...sourceFieldRows(model, budget),
  ];
  // Guance issues always say who is on it; other sources only when they name someone.
  const mentions = model.mentions ?? [];
  if (mentions.length > 0) elements.push(field(t(lang, 'field.assignees'), mentionMarkdown(mentions, lang, budget), true));
  else if (!ownSource || model.assignees.length > 0) {
    elements.push(field(t(lang, 'field.assignees'), assigneeMarkdown(model.assignees, lang, budget), true));
  }
  elements.push({ tag: 'hr' });

  const excerpt = plainExcerpt(model.description ?? '', budget.description);
  elements.push(excerpt === '' ? textBlock(t(lang, 'card.noDescription'), { color: 'grey' }) : textBlock(excerpt));

  if ((model.count ?? 1) > 1) {
    const seen = t(lang, 'card.seen', { count: String(model.count), time: formatTime(model.lastSeenAt ?? model.createdAt, model.timeZone, lang) });
    elements.push(textBlock(seen, { size: 'notation', color: 'grey' }));
  }

  const change = lastChangeLine(model, lang, budget);
  if (change !== null) elements.push(textBlock(change, { size: 'notation', color: 'grey' }));

  const escalated = escalatedLine(model, lang, budget);
  if (escalated !== null) elements.push(textBlock(escalated, { color: 'red' }));
  if (model.snoozed) {
    const by = clipLine(model.snoozed.by, budget.actor) || '?';
    elements.push(textBlock(t(lang, 'card.snoozed', { time: formatTime(model.snoozed.until, model.timeZone, lang), name: by }), { color: 'orange' }));
  }

  const notice = clipLine(model.notice ?? '', budget.notice);
  if (notice !== '') elements.push(textBlock(notice, { color: 'orange' }));

  const buttons = actionButtons(model, lang);
  if (buttons.length > 0) elements.push(buttonRow(buttons, 'actions'));
  elements.push(...controlElements(model, lang));

  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: truncateText(`[${level}] ${title}`, 120) } },
    header: {
      title: plainText(title),
      subtitle: plainText(`${level} · ${status}`),
      template: isRecovered(model) ? 'green' : levelTemplate(model.level),
    },
    body: { elements },
  };
}

/** The interactive card for one issue of any source (Guance issue, alert, Sentry, error report), in `lang`, always within Lark's size and element limits. */
export function buildIssueCard(model: IssueCardModel, lang: Language): LarkCard {
  for (const budget of BUDGETS) {
    const card = render(model, lang, budget);
    if (cardFits(card)) return card;
  }
  // Not reached with the budgets above (the smallest card is a few KB); kept as a hard guarantee.
  return render({ ...model, description: '', assignees: [], mentions: [], notice: '', consoleUrl: '', fields: [], links: [] }, lang, SMALLEST);
}
