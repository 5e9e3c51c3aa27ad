import { describe, expect, it } from 'vitest';
import { invalidToast, workingToast } from '../../../../cards/toasts.js';
import type { LarkCard } from '../../../../cards/types.js';
import { callbackAnswer } from '../../../../handlers/ingress/card-clicked.js';

describe('callback answer shapes', () => {
  const card: LarkCard = { schema: '2.0', config: { update_multi: true }, body: { elements: [] } };
  const toast = workingToast('en');

  it('new style: toast and card {type: raw, data}', () => {
    expect(callbackAnswer('v2', toast, card)).toEqual({ toast, card: { type: 'raw', data: card } });
  });

  it('legacy: the 2.0 card at the top level beside the toast', () => {
    expect(callbackAnswer('legacy', toast, card)).toEqual({ toast, schema: '2.0', config: { update_multi: true }, body: { elements: [] } });
  });

  it('toast only when there is no card', () => {
    expect(callbackAnswer('v2', toast)).toEqual({ toast });
    expect(callbackAnswer('legacy', toast)).toEqual({ toast });
  });

  it('toasts carry both Lark locales, content in the bot language', () => {
    expect(invalidToast('zh')).toEqual({ type: 'error', content: '无效的按钮', i18n: { zh_cn: '无效的按钮', en_us: 'Invalid button' } });
    expect(workingToast('en')).toEqual({ type: 'info', content: 'Working on it…', i18n: { zh_cn: '正在处理…', en_us: 'Working on it…' } });
  });
});

