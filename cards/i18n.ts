/**
 * Every string the cards print and every chat answer the bot gives, in Chinese and English.
 *
 * Placeholders are `{name}`-style. `t()` is typed: a key whose text has placeholders must be
 * given exactly those parameters, a key without placeholders takes none.
 */
import type { Language } from './types.js';

const MESSAGE_TABLE = {
  // Issue status names (Guance statusType)
  'status.open': { en: 'Open', zh: '待处理' },
  'status.working': { en: 'Working', zh: '处理中' },
  'status.resolved': { en: 'Resolved', zh: '已解决' },
  'status.closed': { en: 'Closed', zh: '已关闭' },
  'status.pending': { en: 'Pending', zh: '挂起' },
  'status.other': { en: 'Status {code}', zh: '状态 {code}' },

  // Card texts
  'level.unknown': { en: 'Unknown', zh: '未知' },
  'field.level': { en: 'Level', zh: '等级' },
  'field.source': { en: 'Source', zh: '来源' },
  'field.status': { en: 'Status', zh: '状态' },
  'field.created': { en: 'Created', zh: '创建时间' },
  'field.assignees': { en: 'Assignees', zh: '负责人' },
  'card.none': { en: '—', zh: '—' },
  'card.manualSource': { en: 'Manual', zh: '手动创建' },
  'card.noDescription': { en: 'No description', zh: '无描述' },
  'card.moreAssignees': { en: '+{count} more', zh: '等 {count} 人' },
  'card.escalated': { en: 'Escalated at {time} ({kind}): {names}', zh: '已于 {time} 加急（{kind}）：{names}' },
  'escalation.line': { en: '🚨 Escalated: not acknowledged for {minutes} min. Buzzed ({kind}): {names}', zh: '🚨 已加急：{minutes} 分钟无人确认。已加急（{kind}）：{names}' },
  'escalation.unknown': { en: 'Not found in Lark: {people}', zh: '在飞书中找不到：{people}' },
  'escalation.notInChat': { en: 'Not in this chat, not buzzed: {people}', zh: '不在本群，未加急：{people}' },
  'escalation.refused': { en: 'Lark refused the urgent ({reason})', zh: '飞书拒绝了加急（{reason}）' },
  'escalation.nobody': { en: 'Nobody to buzz: nobody in the on-call list is known to Lark.', zh: '没有可加急的人：值班名单中的人在飞书中都找不到。' },
  'guance.snoozed': { en: '[Lark] {name} snoozed this for {duration}, until {time}', zh: '[飞书] {name} 暂缓 {duration}，至 {time}' },
  'snooze.resurfaced': { en: '{who} the issue you snoozed is back and still not acknowledged: [{level}] {title}', zh: '{who} 你暂缓的问题到期了，仍无人确认：[{level}] {title}' },
  'warroom.opened': { en: '{name} opened a war room for this issue. Join: {link}', zh: '{name} 为此问题开了作战室，加入：{link}' },
  'guance.assigned': { en: '[Lark] {name} assigned this to {assignee}', zh: '[飞书] {name} 将此问题指派给 {assignee}' },
  'warroom.noLink': { en: 'find it in your chat list', zh: '请在会话列表中查找' },
  'card.seen': { en: 'Seen {count} times, last at {time}', zh: '共出现 {count} 次，最近一次 {time}' },
  'source.guance-alert': { en: 'Guance monitor', zh: '观测云监控' },
  'source.sentry': { en: 'Sentry', zh: 'Sentry' },
  'source.error-api': { en: 'Error report', zh: '错误上报' },
  'level.recovered': { en: 'Recovered', zh: '已恢复' },

  // Buttons
  'button.ack': { en: 'Acknowledge', zh: '确认' },
  'button.resolve': { en: 'Resolve', zh: '解决' },
  'button.reopen': { en: 'Reopen', zh: '重新打开' },
  'button.open': { en: 'Open in Guance', zh: '在观测云中查看' },
  'button.unsnooze': { en: 'Un-snooze', zh: '取消暂缓' },
  'button.warroom': { en: 'War room', zh: '作战室' },
  'button.comment': { en: 'Comment', zh: '评论' },
  'control.snooze': { en: 'Snooze…', zh: '暂缓…' },
  'control.assign': { en: 'Assign…', zh: '指派…' },
  'control.comment': { en: 'Add a comment…', zh: '写评论…' },
  'card.snoozed': { en: 'Snoozed until {time} by {name}', zh: '{name} 已暂缓至 {time}' },
  'button.open.sentry': { en: 'Open in Sentry', zh: '在 Sentry 中查看' },
  'button.open.guance-alert': { en: 'Open alert', zh: '查看告警' },
  'button.open.report': { en: 'Open report', zh: '查看详情' },

  // "Last change" line on the card
  'change.ack': { en: 'Acknowledged by {name} at {time}', zh: '{name} 于 {time} 确认' },
  'change.resolve': { en: 'Resolved by {name} at {time}', zh: '{name} 于 {time} 解决' },
  'change.reopen': { en: 'Reopened by {name} at {time}', zh: '{name} 于 {time} 重新打开' },
  'change.status': { en: '{name} set the status to {status} at {time}', zh: '{name} 于 {time} 将状态改为{status}' },
  'change.ack.guance': { en: 'Acknowledged by {name} in Guance at {time}', zh: '{name} 于 {time} 在观测云中确认' },
  'change.resolve.guance': { en: 'Resolved by {name} in Guance at {time}', zh: '{name} 于 {time} 在观测云中解决' },
  'change.reopen.guance': { en: 'Reopened by {name} in Guance at {time}', zh: '{name} 于 {time} 在观测云中重新打开' },
  'change.ack.source': { en: '{name}: acknowledged at {time}', zh: '{name}：{time} 已确认' },
  'change.resolve.source': { en: '{name}: resolved / recovered at {time}', zh: '{name}：{time} 已解决/恢复' },
  'change.reopen.source': { en: '{name}: reopened at {time}', zh: '{name}：{time} 重新打开' },
  'change.status.source': { en: '{name}: {status} at {time}', zh: '{name}：{time} {status}' },
  'thread.ownAction': { en: '{action} by {name} at {time}', zh: '{name} 于 {time} {action}' },
  'answer.noComments': {
    en: 'Comments go to Guance issues only; this card ({source}) keeps its discussion in this thread.',
    zh: '评论只能写到观测云 Issue；这张卡片（{source}）的讨论就留在本话题中。',
  },
  'change.status.guance': {
    en: '{name} set the status to {status} in Guance at {time}',
    zh: '{name} 于 {time} 在观测云中将状态改为{status}',
  },

  // Toasts (answers to a card click)
  'toast.acknowledged': { en: 'Acknowledged', zh: '已确认' },
  'toast.resolved': { en: 'Resolved', zh: '已解决' },
  'toast.reopened': { en: 'Reopened', zh: '已重新打开' },
  'toast.working': { en: 'Working on it…', zh: '正在处理…' },
  'toast.failed': { en: 'Could not change the issue: {reason}', zh: '无法修改 Issue：{reason}' },
  'toast.already': { en: 'Already {status}', zh: '已经是{status}状态' },
  'toast.invalid': { en: 'Invalid button', zh: '无效的按钮' },
  'answer.snoozed': { en: 'Snoozed "{title}" until {time}', zh: '已将「{title}」暂缓至 {time}' },
  'answer.assigned': { en: 'Assigned "{title}" to {name}', zh: '已将「{title}」指派给 {name}' },
  'toast.snoozed': { en: 'Snoozed for {duration}, until {time}', zh: '已暂缓 {duration}，至 {time}' },
  'toast.unsnoozed': { en: 'Snooze cancelled', zh: '已取消暂缓' },
  'toast.notOpen': { en: 'Not open any more: nothing to snooze', zh: '已不是待处理状态，无需暂缓' },
  'toast.assigned': { en: 'Assigned to {name}', zh: '已指派给 {name}' },
  'toast.noGuanceAccount': { en: '{name} has no Guance account with their Lark e-mail; nothing changed', zh: '{name} 没有与飞书邮箱对应的观测云账号，未做修改' },
  'toast.notAUser': { en: 'That is not a Lark user the bot can see; nothing changed', zh: '机器人看不到这个飞书用户，未做修改' },
  'toast.guanceOnly': { en: 'Only for Guance issues', zh: '仅适用于观测云 Issue' },
  'toast.emptyComment': { en: 'Write something first', zh: '请先输入评论内容' },
  'toast.commentTooLong': { en: 'Too long: at most {max} characters', zh: '太长了：最多 {max} 个字符' },
  'toast.commented': { en: 'Comment added', zh: '评论已添加' },
  'toast.warRoomOpened': { en: 'War room opened: {link}', zh: '作战室已创建：{link}' },
  'toast.warRoomExists': { en: 'The war room already exists: {link}', zh: '作战室已存在：{link}' },
  'toast.warRoomRefused': { en: 'Lark refused to create the group ({code}); is im:chat:create granted?', zh: '飞书拒绝创建群（{code}），是否已授予 im:chat:create？' },

  // Chat answers
  'answer.commentAdded': { en: 'Comment added to "{title}" at {time}', zh: '已于 {time} 评论「{title}」' },
  'answer.acknowledged': { en: 'Acknowledged "{title}" at {time}', zh: '已于 {time} 确认「{title}」' },
  'answer.resolved': { en: 'Resolved "{title}" at {time}', zh: '已于 {time} 解决「{title}」' },
  'answer.reopened': { en: 'Reopened "{title}" at {time}', zh: '已于 {time} 重新打开「{title}」' },
  'answer.already': { en: '"{title}" is already {status}', zh: '「{title}」已经是{status}状态' },
  'answer.unknownIssue': { en: 'Unknown issue {issue}', zh: '找不到 Issue {issue}' },
  'answer.guanceRefused': { en: 'Guance refused: {message}', zh: '观测云拒绝了请求：{message}' },
  'answer.rateLimited': {
    en: "Guance's request limit is reached for now. This will be done automatically and this card will show the result.",
    zh: '观测云请求已达上限，稍后将自动完成，结果会更新在此卡片上。',
  },
  'answer.waitingTitle': { en: "Waiting for Guance's limit", zh: '等待观测云限流解除' },
  'answer.title': { en: 'Guance issue bot', zh: '观测云 Issue 机器人' },
  'answer.failed': { en: 'Something went wrong: {reason}', zh: '出错了：{reason}' },
  'answer.whichIssue': {
    en: "Which issue? Reply in the issue card's thread or give the issue id",
    zh: '是哪个 Issue？请在 Issue 卡片的话题中回复，或写明 Issue ID',
  },
  'answer.noOpenIssues': { en: 'No open issues', zh: '没有待处理的 Issue' },

  // List card
  'list.title': { en: 'Open issues ({count})', zh: '待处理的 Issue（{count}）' },
  'list.more': { en: '…and {count} more', zh: '…还有 {count} 个' },
  'digest.title': { en: 'Daily digest {day}: {count} open', zh: '每日摘要 {day}：{count} 个未关闭' },
  'digest.count': { en: '{open} open, {unacknowledged} not acknowledged', zh: '{open} 个未关闭，{unacknowledged} 个未确认' },
  'digest.allClear': { en: 'No open issues in this chat.', zh: '本群没有未关闭的问题。' },
  'digest.oldestWaiting': { en: 'Waiting longest for someone', zh: '等待最久、尚无人确认' },
  'digest.waiting': { en: 'since {time} ({duration})', zh: '自 {time}（{duration}）' },
  'digest.ackTimes': { en: 'Yesterday {count} acknowledged: median {median}, p90 {p90} after the card', zh: '昨天确认 {count} 个：卡片发出后中位 {median}，p90 {p90}' },
  'digest.noAcks': { en: 'Yesterday nothing was acknowledged.', zh: '昨天没有确认任何问题。' },
  'digest.minutes': { en: '{count} min', zh: '{count} 分钟' },
  'digest.hours': { en: '{count} h', zh: '{count} 小时' },
  'digest.days': { en: '{count} d', zh: '{count} 天' },
  'storm.title': { en: '{count} new issues in the last minute', zh: '最近一分钟新增 {count} 个问题' },
  'storm.page': { en: '(part {page})', zh: '（第 {page} 部分）' },
  'storm.open': { en: 'Too many at once for one card each: more are added here as they arrive ({from} – {to}).', zh: '短时间内问题过多，不再逐条发卡片：新问题会陆续加到这里（{from} – {to}）。' },
  'storm.closed': { en: 'Storm over: {count} issues between {from} and {to}.', zh: '告警风暴已结束：{from} 至 {to} 共 {count} 个问题。' },

  // Help card
  'help.title': { en: 'Guance issue bot: commands', zh: '观测云 Issue 机器人：命令说明' },
  'help.intro': {
    en: 'Mention me in a group (or write to me directly) with one of these:',
    zh: '在群里 @我（或私聊我），发送以下任一命令：',
  },
  'help.comment': { en: 'Add a comment to an issue', zh: '给 Issue 添加评论' },
  'help.thread': {
    en: "Reply in an issue card's thread: the text becomes a comment, no issue id needed",
    zh: '在 Issue 卡片的话题中回复：内容即成为评论，无需 Issue ID',
  },
  'help.reply': { en: 'Add a comment', zh: '添加评论' },
  'help.ack': { en: 'Acknowledge: status Working, plus a comment saying who', zh: '确认/认领：状态改为处理中，并评论是谁认领' },
  'help.resolve': { en: 'Resolve, with the note as a comment', zh: '解决，备注作为评论' },
  'help.reopen': { en: 'Reopen (status Open)', zh: '重新打开（状态改为待处理）' },
  'help.list': { en: 'List the open issues', zh: '列出待处理的 Issue' },
  'help.snooze': { en: 'Snooze: no escalation until then; it comes back if still open', zh: '暂缓：到期前不加急，到期仍未处理会重新提醒' },
  'help.assign': { en: 'Make that person the Guance assignee (matched by e-mail)', zh: '指派给该人（按邮箱匹配观测云成员）' },
  'help.warroom': { en: 'Open (or link) the issue’s war-room group', zh: '打开（或链接到）该问题的作战室群' },
  'help.help': { en: 'Show this help', zh: '显示本说明' },
  'help.footer': {
    en: "Commands work in English and Chinese. Inside an issue card's thread the issue can be left out.",
    zh: '中英文命令均可使用。在 Issue 卡片的话题中可省略 Issue ID。',
  },
  // Thread lines for what people do in Guance (sync)
  'sync.reply': { en: '{name} replied in Guance at {time}:\n{text}', zh: '{name} 于 {time} 在观测云中回复：\n{text}' },
  'sync.noText': { en: '(no text)', zh: '（无文字内容）' },
  'sync.someone': { en: 'Someone', zh: '有人' },
  'sync.truncated': { en: 'Full text in Guance: {link}', zh: '观测云中查看全文：{link}' },
  'sync.attachments': { en: 'Attachments: {files} (open in Guance: {link})', zh: '附件：{files}（在观测云中查看：{link}）' },
  'sync.links': { en: 'Links:', zh: '链接：' },

  // Comments the bot writes into Guance on behalf of a Lark user.
  'guance.comment': { en: '[Lark] {name}: {text}', zh: '[飞书] {name}：{text}' },
  'guance.ack': { en: '[Lark] {name} acknowledged this issue.', zh: '[飞书] {name} 认领了此 Issue。' },
  'guance.resolve': { en: '[Lark] {name} resolved this issue.', zh: '[飞书] {name} 解决了此 Issue。' },
  'guance.resolveNote': { en: '[Lark] {name} resolved this issue: {text}', zh: '[飞书] {name} 解决了此 Issue：{text}' },
  'guance.reopen': { en: '[Lark] {name} reopened this issue.', zh: '[飞书] {name} 重新打开了此 Issue。' },

  'help.arg.text': { en: 'text', zh: '内容' },
  'help.arg.note': { en: 'note', zh: '备注' },
  'help.arg.issue': { en: 'issue', zh: 'issue' },
} as const satisfies Readonly<Record<string, Readonly<Record<Language, string>>>>;

/** Every message key. */
export type MessageKey = keyof typeof MESSAGE_TABLE;

/** The message table, read-only: `MESSAGES[key][lang]`. */
export const MESSAGES: Readonly<Record<MessageKey, Readonly<Record<Language, string>>>> = Object.freeze(MESSAGE_TABLE);

/** All keys, in table order. */
export const MESSAGE_KEYS: readonly MessageKey[] = Object.freeze(Object.keys(MESSAGE_TABLE) as MessageKey[]);

type PlaceholdersIn<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | PlaceholdersIn<Rest> : never;

/** Placeholder names of a key, e.g. `'name' | 'time'`. */
export type MessagePlaceholder<K extends MessageKey> = PlaceholdersIn<(typeof MESSAGE_TABLE)[K]['en']>;

/** Keys whose text has no placeholders. */
export type PlainMessageKey = { [K in MessageKey]: [MessagePlaceholder<K>] extends [never] ? K : never }[MessageKey];

/** The parameters `t()` needs for a key. */
export type MessageParams<K extends MessageKey> = Readonly<Record<MessagePlaceholder<K>, string | number>>;

type ParamsArg<K extends MessageKey> = [MessagePlaceholder<K>] extends [never] ? [] : [params: MessageParams<K>];

/**
 * Replaces `{name}` placeholders with `params.name`. Unknown placeholders are left as they are, so a
 * missing parameter shows up instead of vanishing. Values are inserted once (no re-expansion).
 */
export function interpolate(template: string, params: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : undefined;
    return value === undefined ? whole : String(value);
  });
}

/** The text for `key` in `lang`, with its placeholders filled. */
export function t<K extends MessageKey>(lang: Language, key: K, ...params: ParamsArg<K>): string {
  const entry = MESSAGE_TABLE[key] as Readonly<Record<Language, string>>;
  const template = entry[lang === 'en' ? 'en' : 'zh'];
  const [values] = params;
  return interpolate(template, values as Readonly<Record<string, string | number>> | undefined);
}

/** The text in both Lark locales, e.g. for a callback toast's `i18n` field. */
export function larkLocales<K extends MessageKey>(key: K, ...params: ParamsArg<K>): { zh_cn: string; en_us: string } {
  return { zh_cn: t('zh', key, ...params), en_us: t('en', key, ...params) };
}

/** Normalises any language tag (`en`, `en-US`, `zh_cn`, …) to a supported language; Chinese by default. */
export function toLanguage(value: string | undefined | null): Language {
  return typeof value === 'string' && /^en(?:$|[-_])/i.test(value.trim()) ? 'en' : 'zh';
}
