import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normaliseGuanceAlert } from '../../../../handlers/sources/guance-alert.js';
import { notificationSchema, type Normalised, type Notification } from '../../../../handlers/sources/model.js';

/*
 * test/fixtures/guance/alert-webhook-custom-payload.json is a verbatim copy of
 * ../shared/reference/samples/guance/alert-webhook-custom-payload.json: the full event guance-docs publishes
 * for a "Webhook 自定义" object (bodyType json), status critical, non-ASCII sent as \uXXXX escapes.
 */
const rawSample = readFileSync(new URL('../../../fixtures/guance/alert-webhook-custom-payload.json', import.meta.url), 'utf8');
const sample = (): Record<string, unknown> => JSON.parse(rawSample) as Record<string, unknown>;

/** The one notification of a successful result, checked against the model's schema. */
function only(result: Normalised): Notification {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error}`);
  expect(result.notifications).toHaveLength(1);
  const notification = result.notifications[0] as Notification;
  expect(notificationSchema.parse(notification)).toEqual(notification);
  return notification;
}

describe('normaliseGuanceAlert: the published sample', () => {
  it('becomes one open P0 card with title, key, subject, link, fields and time', () => {
    const n = only(normaliseGuanceAlert(sample()));
    expect(n).toMatchObject({
      source: 'guance-alert',
      key: 'guance-alert:event-f20a38aa58b54c6c8d4c9a84e655db1a',
      subject: 'guance-alert:check:rul_c439124e218f4c0c9cb114b5d04eeab4|host=share',
      kind: 'open',
      title: '实例名称为 share 磁盘使用率过高',
      level: 'P0',
      people: [],
      time: 1693034940,
      fingerprint: 'rul_c439124e218f4c0c9cb114b5d04eeab4|host=share',
    });
    expect(n.links).toEqual([
      {
        kind: 'guance-alert',
        url: 'https://console.guance.com/keyevents/monitor?time=1693034040000%2C1693035000000&tags=%7B%22df_event_id%22%3A%22event-f20a38aa58b54c6c8d4c9a84e655db1a%22%7D&w=wksp_968577392a1c4714a464cd2f6ee42a9c',
      },
    ]);
    expect(n.fields).toEqual([
      { name: 'monitor', value: '默认' },
      { name: 'checker', value: '实例名称为 {{host}} 磁盘使用率过高' },
      { name: 'host', value: 'share' },
      { name: 'value', value: '100' },
      { name: 'workspace', value: 'observer' },
      { name: 'status', value: 'critical' },
    ]);
    expect(n.actor).toBeUndefined();
  });

  it('reads the \\uXXXX escapes as sent: the excerpt is plain text without quote markers or padding', () => {
    expect(rawSample).toContain('"df_title":"\\u5b9e\\u4f8b\\u540d\\u79f0');
    const n = only(normaliseGuanceAlert(JSON.parse(rawSample), rawSample));
    expect(n.excerpt).toBe('等级：critical\n实例：share\n内容：磁盘使用率为 100.00%\n建议：登录华为云控制台查看 RDS 是否有异常');
  });

  it('accepts numbers sent as strings', () => {
    const body = { ...sample(), Result: '100', date: '1693034940', timestamp: '1693034940', df_monitor_checker_value: undefined };
    const n = only(normaliseGuanceAlert(body));
    expect(n.time).toBe(1693034940);
    expect(n.fields).toContainEqual({ name: 'value', value: '100' });
    const late = only(normaliseGuanceAlert({ df_event_id: 'e1', df_status: 'error', df_issue_start_time: '1693031100' }));
    expect(late.time).toBe(1693031100);
  });
});

describe('normaliseGuanceAlert: status, level and recovery', () => {
  it.each([
    ['critical', 'P0'],
    ['error', 'P1'],
    ['warning', 'P2'],
    ['nodata', 'P2'],
    ['info', 'P3'],
    ['something-new', 'P2'],
  ])('%s opens a %s card', (status, level) => {
    const n = only(normaliseGuanceAlert({ df_event_id: 'event-1', df_status: status }));
    expect(n).toMatchObject({ kind: 'open', level, title: 'Guance alert' });
  });

  it.each(['ok', 'nodata_ok', 'nodata_as_ok', 'manual_ok', 'OK'])('%s resolves, at P3', (status) => {
    const n = only(normaliseGuanceAlert({ ...sample(), df_status: status }));
    expect(n).toMatchObject({ kind: 'resolve', level: 'P3' });
  });

  it('df_fault_status ok resolves; the fault round is the subject, so the recovery finds the card', () => {
    const open = only(normaliseGuanceAlert({ ...sample(), df_fault_id: 'fault-7', df_fault_status: 'fault' }));
    const done = only(
      normaliseGuanceAlert({ ...sample(), df_event_id: 'event-2', df_status: 'critical', df_fault_id: 'fault-7', df_fault_status: 'ok' }),
    );
    expect(open).toMatchObject({ kind: 'open', subject: 'guance-alert:fault:fault-7' });
    expect(done).toMatchObject({ kind: 'resolve', subject: 'guance-alert:fault:fault-7', key: 'guance-alert:event-2' });
  });

  it('names the person of a manual recovery as actor, and their e-mail', () => {
    const n = only(
      normaliseGuanceAlert({ ...sample(), df_status: 'manual_ok', df_user_name: 'Li Lei', df_user_email: 'LiLei@Example.com' }),
    );
    expect(n).toMatchObject({ kind: 'resolve', actor: 'Li Lei', people: ['lilei@example.com'] });
  });

  it('falls back to the checker name for the title', () => {
    const n = only(normaliseGuanceAlert({ df_event_id: 'e', df_status: 'error', df_monitor_checker_name: 'CPU high' }));
    expect(n.title).toBe('CPU high');
  });
});

describe('normaliseGuanceAlert: people, fields, links', () => {
  it('finds e-mails in undocumented shapes, deduped and lower-cased', () => {
    const n = only(
      normaliseGuanceAlert({
        df_event_id: 'e',
        df_status: 'critical',
        df_at_accounts: ['a@example.com', { email: 'B@example.com', name: 'B' }, 'not an e-mail'],
        df_message_at_accounts: [[{ email: 'c@example.com' }], 'A@EXAMPLE.COM'],
        df_matched_alert_members: [{ members: [{ email: 'd@example.com' }] }, null, 42],
      }),
    );
    expect(n.people).toEqual(['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']);
  });

  it('shows every dimension tag, host first, and builds the fingerprint from sorted tags', () => {
    const n = only(
      normaliseGuanceAlert({
        df_event_id: 'e',
        df_status: 'warning',
        df_monitor_checker_id: 'rul_1',
        df_dimension_tags: '{"service":"pay","host":"web01","environment":"prod","project":"shop"}',
        host: 'ignored-when-tagged',
      }),
    );
    expect(n.fields).toEqual([
      { name: 'host', value: 'web01' },
      { name: 'service', value: 'pay' },
      { name: 'environment', value: 'prod' },
      { name: 'project', value: 'shop' },
      { name: 'status', value: 'warning' },
    ]);
    expect(n.fingerprint).toBe('rul_1|environment=prod,host=web01,project=shop,service=pay');
  });

  it('ignores dimension tags that are not JSON, drops non-http links, cuts long text', () => {
    const n = only(
      normaliseGuanceAlert({
        df_event_id: 'e',
        df_status: 'warning',
        df_dimension_tags: '{not json',
        df_event_link: 'javascript:alert(1)',
        df_message: 'x'.repeat(5_000),
        df_monitor_name: 'm'.repeat(500),
      }),
    );
    expect(n.links).toEqual([]);
    expect(n.excerpt).toHaveLength(2_000);
    expect(n.excerpt.endsWith('…')).toBe(true);
    expect(n.fields[0]?.value).toHaveLength(200);
    expect(n.fingerprint).toBeUndefined();
  });

  it('keeps unknown extra fields out of the way', () => {
    const n = only(normaliseGuanceAlert({ ...sample(), df_future_field: { nested: [1, 2] }, another: 'x' }));
    expect(n.key).toBe('guance-alert:event-f20a38aa58b54c6c8d4c9a84e655db1a');
  });
});

describe('normaliseGuanceAlert: text/plain bodies and refusals', () => {
  it('reads df_title, a blank line, df_message; the text itself is the key', () => {
    const raw = '实例 web01 CPU 过高\n\n>等级：critical   \n>实例：web01\n';
    const n = only(normaliseGuanceAlert(undefined, raw));
    expect(n).toMatchObject({ kind: 'open', level: 'P2', title: '实例 web01 CPU 过高', excerpt: '等级：critical\n实例：web01' });
    expect(n.key).toMatch(/^guance-alert:text:[0-9a-f]{32}$/);
    expect(n.subject).toBe(n.key);
    expect(only(normaliseGuanceAlert(raw, raw)).key).toBe(n.key);
    expect(only(normaliseGuanceAlert(undefined, `${raw} `)).key).not.toBe(n.key);
  });

  it('answers 422 naming the missing field', () => {
    const withoutId = { ...sample(), df_event_id: undefined };
    expect(normaliseGuanceAlert(withoutId)).toEqual({ ok: false, status: 422, error: 'df_event_id is required' });
    expect(normaliseGuanceAlert({ ...sample(), df_event_id: '  ' })).toEqual({ ok: false, status: 422, error: 'df_event_id is required' });
    expect(normaliseGuanceAlert({ df_event_id: 'e' })).toEqual({ ok: false, status: 422, error: 'df_status is required' });
    expect(normaliseGuanceAlert({ df_event_id: 'x'.repeat(300), df_status: 'ok' })).toMatchObject({ status: 422 });
  });

  it('answers 400 to a body that is neither an object nor text', () => {
    expect(normaliseGuanceAlert([1, 2])).toEqual({ ok: false, status: 400, error: 'body must be a JSON object' });
    expect(normaliseGuanceAlert(undefined, '  ')).toMatchObject({ ok: false, status: 400 });
    expect(normaliseGuanceAlert(null)).toMatchObject({ ok: false, status: 400 });
  });
});
