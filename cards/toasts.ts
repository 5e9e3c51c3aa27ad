/** Toasts: the short answer Lark shows the person who clicked a card button, in both of Lark's locales. */
import { t } from './i18n.js';
import type { Language } from './types.js';

export interface Toast {
  type: 'info' | 'success' | 'error' | 'warning';
  content: string;
  i18n: { zh_cn: string; en_us: string };
}

/** A toast in the bot's language with both Lark locales; `text(lang)` renders one language. */
export function toast(type: Toast['type'], text: (lang: Language) => string, lang: Language): Toast {
  return { type, content: text(lang), i18n: { zh_cn: text('zh'), en_us: text('en') } };
}

export const workingToast = (lang: Language): Toast => toast('info', (l) => t(l, 'toast.working'), lang);
export const invalidToast = (lang: Language): Toast => toast('error', (l) => t(l, 'toast.invalid'), lang);
/** "Could not …: <reason>"; `reason` may itself be translated. */
export const failedToast = (reason: string | ((lang: Language) => string), lang: Language): Toast =>
  toast('error', (l) => t(l, 'toast.failed', { reason: typeof reason === 'string' ? reason : reason(l) }), lang);
