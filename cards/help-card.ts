/**
 * The usage card, sent for `help`/`帮助` and for anything the bot does not understand. It shows
 * every command in its English and Chinese forms, explained in the bot's language.
 */
import { interpolate, t, type PlainMessageKey } from './i18n.js';
import { markdownBlock, plainText, textBlock } from './parts.js';
import type { CardElement, Language, LarkCard } from './types.js';

interface CommandHelp {
  description: PlainMessageKey;
  /** Syntax forms; `{text}`, `{note}` and `{issue}` are filled with localised argument names. */
  forms: readonly string[];
}

const COMMANDS: readonly CommandHelp[] = [
  { description: 'help.comment', forms: ['#issue_xxx#{text}'] },
  { description: 'help.thread', forms: [] },
  { description: 'help.reply', forms: ['reply issue_xxx {text}', '回复 issue_xxx {text}'] },
  { description: 'help.ack', forms: ['ack [{issue}]', '确认 [{issue}]', '认领 [{issue}]'] },
  { description: 'help.resolve', forms: ['resolve [{issue}] [{note}]', '解决 [{issue}] [{note}]'] },
  { description: 'help.reopen', forms: ['reopen [{issue}]', '重新打开 [{issue}]'] },
  { description: 'help.snooze', forms: ['snooze [{issue}] 30m|4h|1d', '暂缓 [{issue}] 2小时'] },
  { description: 'help.assign', forms: ['assign [{issue}] @person', '指派 [{issue}] @person'] },
  { description: 'help.warroom', forms: ['warroom [{issue}]', '作战室 [{issue}]'] },
  { description: 'help.list', forms: ['list', '列表'] },
  { description: 'help.help', forms: ['help', '帮助'] },
];

function commandBlock(command: CommandHelp, lang: Language): CardElement {
  const args = {
    text: t(lang, 'help.arg.text'),
    note: t(lang, 'help.arg.note'),
    issue: t(lang, 'help.arg.issue'),
  };
  const description = t(lang, command.description);
  if (command.forms.length === 0) return markdownBlock(`**${description}**`);
  const forms = command.forms.map((form) => `\`${interpolate(form, args)}\``).join('  ·  ');
  return markdownBlock(`**${description}**\n${forms}`);
}

/** The usage card in `lang`. */
export function buildHelpCard(lang: Language): LarkCard {
  const title = t(lang, 'help.title');
  return {
    schema: '2.0',
    config: { update_multi: true, summary: { content: title } },
    header: { title: plainText(title), template: 'blue' },
    body: {
      elements: [
        textBlock(t(lang, 'help.intro')),
        ...COMMANDS.map((command) => commandBlock(command, lang)),
        { tag: 'hr' },
        textBlock(t(lang, 'help.footer'), { size: 'notation', color: 'grey' }),
      ],
    },
  };
}
