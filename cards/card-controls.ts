/**
 * The controls under an issue card's buttons: snooze presets, the assignee picker and the comment box
 * (../shared/reference/lark-platform.md §4.1 callback fields, §6.7 pickers and inputs).
 */
import { t } from './i18n.js';
import { callbackButton, durationLabel, plainText } from './parts.js';
import type { CardElement, IssueCardModel, Language } from './types.js';

const UNACKNOWLEDGED_STATUSES: ReadonlySet<number> = new Set([10, 30]);
const OPEN_STATUSES: ReadonlySet<number> = new Set([10, 15, 30]);

/** Snooze presets, the assignee picker and the comment box, for the issue's state (lark-platform.md §4.1, §6.7). */
export function controlElements(model: IssueCardModel, lang: Language): CardElement[] {
  const controls = model.controls;
  const issue = String(model.uuid ?? '');
  if (!controls || !/^[a-z]+_[0-9a-f]{32}$/.test(issue)) return [];
  const callback = (action: 'snooze' | 'assign' | 'comment') => [{ type: 'callback' as const, value: { action, issue } }];
  const elements: CardElement[] = [];
  const pickers: CardElement[] = [];
  if (!model.snoozed && UNACKNOWLEDGED_STATUSES.has(model.statusType) && controls.snoozeMinutes.length > 0) {
    pickers.push({
      tag: 'select_static',
      element_id: 'sel_snooze',
      placeholder: plainText(t(lang, 'control.snooze')),
      options: controls.snoozeMinutes.map((minutes) => ({ text: plainText(durationLabel(minutes, lang)), value: String(minutes) })),
      behaviors: callback('snooze'),
    });
  }
  if (controls.assign && OPEN_STATUSES.has(model.statusType)) {
    pickers.push({ tag: 'select_person', element_id: 'sel_assign', placeholder: plainText(t(lang, 'control.assign')), behaviors: callback('assign') });
  }
  if (pickers.length > 0) {
    elements.push({
      tag: 'column_set',
      element_id: 'controls',
      flex_mode: 'bisect',
      horizontal_spacing: 'small',
      columns: pickers.map((picker) => ({ tag: 'column', width: 'weighted', weight: 1, elements: [picker] })),
    });
  }
  if (controls.comment) {
    elements.push({
      tag: 'form',
      element_id: 'form_comment',
      name: 'comment_form',
      elements: [
        { tag: 'input', element_id: 'in_comment', name: 'comment', placeholder: plainText(t(lang, 'control.comment')), max_length: 1000 },
        { ...callbackButton(t(lang, 'button.comment'), { action: 'comment', issue }, { elementId: 'btn_comment' }), name: 'comment_submit', form_action_type: 'submit' },
      ],
    });
  }
  return elements;
}

