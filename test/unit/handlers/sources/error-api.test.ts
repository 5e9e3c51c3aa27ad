import { describe, expect, it } from 'vitest';
import { normaliseErrorReport } from '../../../../handlers/sources/error-api.js';
import { notificationSchema, type Normalised, type Notification } from '../../../../handlers/sources/model.js';

const NOW = 1_700_000_000;
const WINDOW = 600;

function only(result: Normalised): Notification {
  if (!result.ok) throw new Error(`expected ok, got ${result.status} ${result.error}`);
  expect(result.notifications).toHaveLength(1);
  const notification = result.notifications[0] as Notification;
  expect(notificationSchema.parse(notification)).toEqual(notification);
  return notification;
}

const report = (extra: Record<string, unknown> = {}): Normalised =>
  normaliseErrorReport({ service: 'pay-api', message: 'Timeout calling bank\nat step 3', ...extra }, NOW, WINDOW);

describe('normaliseErrorReport', () => {
  it('opens one occurrence on the fingerprint subject, with the window, time and default level error', () => {
    const n = only(report());
    expect(n).toMatchObject({
      source: 'error-api',
      kind: 'open',
      title: 'Timeout calling bank',
      level: 'P1',
      excerpt: 'Timeout calling bank\nat step 3',
      fields: [{ name: 'service', value: 'pay-api' }],
      links: [],
      people: [],
      windowSeconds: WINDOW,
      time: NOW,
    });
    expect(n.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(n.subject).toBe(`error-api:${n.fingerprint}`);
    expect(n.key).toMatch(new RegExp(`^error-api:${n.fingerprint}:[0-9a-f-]{36}$`));
  });

  it('derives the same fingerprint for the same service and message, but every report is its own key', () => {
    const a = only(report());
    const b = only(report({ level: 'warning', environment: 'prod' }));
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(b.subject).toBe(a.subject);
    expect(b.key).not.toBe(a.key);
    expect(only(report({ service: 'other' })).fingerprint).not.toBe(a.fingerprint);
  });

  it('uses a given fingerprint', () => {
    const n = only(report({ fingerprint: 'bank-timeout' }));
    expect(n).toMatchObject({ fingerprint: 'bank-timeout', subject: 'error-api:bank-timeout' });
  });

  it.each([
    ['P0', 'P0'],
    ['p2', 'P2'],
    ['FATAL', 'P0'],
    ['critical', 'P0'],
    ['Error', 'P1'],
    ['warning', 'P2'],
    ['warn', 'P2'],
    ['info', 'P3'],
    ['debug', 'P3'],
  ])('level %s is %s', (level, expected) => {
    expect(only(report({ level })).level).toBe(expected);
  });

  it('shows environment and at most 10 tags as fields, links the url, appends the stack', () => {
    const tags = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`t${i}`, i % 2 === 0 ? i : true]));
    const n = only(report({ environment: 'prod', tags, url: 'https://example.com/r/1', stack: 'at a()\nat b()', extra: 'ignored' }));
    expect(n.fields.slice(0, 4)).toEqual([
      { name: 'service', value: 'pay-api' },
      { name: 'environment', value: 'prod' },
      { name: 't0', value: '0' },
      { name: 't1', value: 'true' },
    ]);
    expect(n.fields).toHaveLength(12);
    expect(n.links).toEqual([{ kind: 'report', url: 'https://example.com/r/1' }]);
    expect(n.excerpt).toBe('Timeout calling bank\nat step 3\n\nat a()\nat b()');
  });

  it('cuts the title to 200 and the excerpt to 2,000 characters', () => {
    const n = only(report({ message: 'y'.repeat(300), stack: 'z'.repeat(3_000) }));
    expect(n.title).toHaveLength(200);
    expect(n.excerpt).toHaveLength(2_000);
    expect(n.excerpt.endsWith('…')).toBe(true);
  });

  it.each([
    ['service', { message: 'm' }],
    ['service', { service: '', message: 'm' }],
    ['message', { service: 's' }],
    ['message', { service: 's', message: 7 }],
    ['message', { service: 's', message: 'm'.repeat(10_001) }],
    ['level', { service: 's', message: 'm', level: 'loud' }],
    ['fingerprint', { service: 's', message: 'm', fingerprint: 'f'.repeat(201) }],
    ['url', { service: 's', message: 'm', url: 'javascript:alert(1)' }],
    ['environment', { service: 's', message: 'm', environment: 3 }],
    ['stack', { service: 's', message: 'm', stack: ['a'] }],
    ['tags', { service: 's', message: 'm', tags: { a: { nested: 1 } } }],
    ['tags', { service: 's', message: 'm', tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) }],
  ])('a bad %s is refused with 422 naming it', (field, body) => {
    const result = normaliseErrorReport(body, NOW, WINDOW);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(422);
    expect(result.error.startsWith(field)).toBe(true);
  });

  it('answers 400 to a body that is not an object', () => {
    expect(normaliseErrorReport('boom', NOW, WINDOW)).toEqual({ ok: false, status: 400, error: 'body must be a JSON object' });
    expect(normaliseErrorReport([{ service: 's', message: 'm' }], NOW, WINDOW)).toMatchObject({ status: 400 });
  });
});
