/**
 * The HTTP-fake core on its own, through a tiny fake: an echo route that counts what it handled,
 * a `status` fault in a made-up wire format, and an error thrown on `/boom`.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHttpFake, type HttpFake, type Reply } from './http-fake.js';
import type { RecordedRequest } from './request.js';
import type { CoreFault } from './rules.js';

type TestFault = { kind: 'status'; status: number; text?: string } | CoreFault;

let fake: HttpFake<RecordedRequest, TestFault>;
let handled: string[];
let clock: number;

beforeEach(async () => {
  handled = [];
  clock = 1_000;
  fake = await startHttpFake<RecordedRequest, TestFault, unknown>({
    name: 'test-fake',
    now: () => clock,
    maxBodyBytes: 64,
    newRecord: (base) => base,
    handle({ record, invalidJson, tooLarge }): Reply {
      if (record.path === '/boom') throw new Error('kaput');
      handled.push(`${record.method} ${record.path}`);
      return { status: 200, body: { echo: record.body, invalidJson, tooLarge } };
    },
    faultReply: (fault) => ({ status: fault.status, body: { injected: true }, ...(fault.text !== undefined ? { text: fault.text } : {}) }),
    errorReply: (err) => ({ status: 500, body: { error: err instanceof Error ? err.message : String(err) } }),
    replyHeaders: () => ({ 'x-fake': 'yes' }),
  });
});

afterEach(async () => {
  await fake.close();
});

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('recording', () => {
  it('records every request in one shape, before the answer is written', async () => {
    const res = await call('POST', '/a/b?x=1&x=2&y=%20z', '{"k":[1]}', { 'X-Trace': 'abc' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fake')).toBe('yes');
    expect(JSON.parse(res.text)).toEqual({ echo: { k: [1] }, invalidJson: false, tooLarge: false });
    clock = 2_000;
    await call('GET', '/c');
    expect(fake.requests).toEqual([
      expect.objectContaining({ id: 1, at: 1_000, method: 'POST', path: '/a/b', query: { x: '1', y: ' z' }, body: { k: [1] }, status: 200 }),
      expect.objectContaining({ id: 2, at: 2_000, method: 'GET', path: '/c', body: undefined, status: 200 }),
    ]);
    expect(fake.requests[0]?.headers['x-trace']).toBe('abc');
  });

  it('keeps a body that is not JSON as text, and flags one over maxBodyBytes', async () => {
    const bad = JSON.parse((await call('POST', '/t', '{not json')).text) as unknown;
    expect(bad).toEqual({ echo: '{not json', invalidJson: true, tooLarge: false });
    const big = JSON.parse((await call('POST', '/t', JSON.stringify({ s: 'x'.repeat(100) }))).text) as unknown;
    expect(big).toEqual({ invalidJson: false, tooLarge: true });
  });

  it('selects requests by substring, RegExp or predicate; //paths stay paths', async () => {
    await call('POST', '/items', '{"n":1}');
    await call('POST', '/items', '{"n":2}');
    await call('GET', '//items/7');
    expect(fake.requestsMatching('POST /items')).toHaveLength(2);
    expect(fake.requestsMatching(/^GET \/\/items\/\d+$/)).toHaveLength(1);
    expect(fake.requestsMatching((r) => (r.body as { n?: number } | undefined)?.n === 2).map((r) => r.id)).toEqual([2]);
  });

  it('waitForRequest resolves on a later request; waitFor rejects after its timeout', async () => {
    const later = fake.waitForRequest('/later');
    await call('GET', '/later');
    expect((await later).path).toBe('/later');
    await expect(fake.waitFor(() => false, 50)).rejects.toThrow(/test-fake: waitFor timed out after 50 ms/);
  });

  it('answers a thrown error with errorReply', async () => {
    const res = await call('GET', '/boom');
    expect([res.status, JSON.parse(res.text)]).toEqual([500, { error: 'kaput' }]);
    expect(fake.requests[0]?.status).toBe(500);
  });
});

describe('faults', () => {
  it('replace the answer for the next `times` matching requests, first rule first, and change no state', async () => {
    fake.failNext('POST /orders', { kind: 'status', status: 503 }, 2);
    fake.failNext(/orders/, { kind: 'status', status: 429, text: 'slow down' });
    expect((await call('GET', '/other')).status).toBe(200);
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await call('POST', '/orders', '{}');
      answers.push([res.status, res.text]);
    }
    expect(answers).toEqual([[503, '{"injected":true}'], [503, '{"injected":true}'], [429, 'slow down'], [200, expect.any(String)]]);
    expect(fake.requestsMatching('/orders').map((r) => r.status)).toEqual([503, 503, 429, 200]);
    expect(handled).toEqual(['GET /other', 'POST /orders']);
  });

  it('match by predicate, and drop closes the socket without an answer (status 0)', async () => {
    fake.failNext((r) => r.query.fail === 'yes', { kind: 'drop' });
    await expect(call('GET', '/x?fail=yes')).rejects.toThrow();
    expect(fake.requests.at(-1)).toMatchObject({ path: '/x', status: 0 });
    expect((await call('GET', '/x?fail=yes')).status).toBe(200);
  });

  it('dropAfterWork handles the request (state changes), then closes the socket without the answer', async () => {
    fake.failNext('POST /orders', { kind: 'dropAfterWork' });
    await expect(call('POST', '/orders', '{}')).rejects.toThrow();
    expect(handled).toEqual(['POST /orders']);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/orders', status: 0 });
    // A handler error is lost the same way, and the next request is answered again.
    fake.failNext('/boom', { kind: 'dropAfterWork' });
    await expect(call('GET', '/boom')).rejects.toThrow();
    expect((await call('POST', '/orders', '{}')).status).toBe(200);
    expect(handled).toEqual(['POST /orders', 'POST /orders']);
  });

  it('times must be a positive integer', () => {
    expect(() => fake.failNext('x', { kind: 'drop' }, 0)).toThrow(RangeError);
    expect(() => fake.failNext('x', { kind: 'drop' }, 1.5)).toThrow(RangeError);
  });
});

describe('latency', () => {
  it('delays the answer, not the handling', async () => {
    fake.setLatency(300, 'slow');
    let answered = false;
    const t0 = performance.now();
    const pending = call('POST', '/slow', '{}').then((res) => {
      answered = true;
      return res;
    });
    await fake.waitFor(() => handled.includes('POST /slow'));
    expect(fake.requests[0]?.status).toBe(200);
    expect(answered).toBe(false);
    expect((await pending).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('the latest matching setting wins; 0 removes one setting, setLatency(0) all', async () => {
    const timed = async (path: string): Promise<number> => {
      const t0 = performance.now();
      await call('GET', path);
      return performance.now() - t0;
    };
    fake.setLatency(200, '/a');
    fake.setLatency(400);
    expect(await timed('/a')).toBeGreaterThanOrEqual(390); // the catch-all came later
    fake.setLatency(200, '/a');
    const a = await timed('/a');
    expect(a).toBeGreaterThanOrEqual(190);
    expect(a).toBeLessThan(390);
    fake.setLatency(0, '/a');
    expect(await timed('/a')).toBeGreaterThanOrEqual(390);
    fake.setLatency(200, '/a');
    fake.setLatency(0);
    expect(await timed('/a')).toBeLessThan(190);
    expect(() => fake.setLatency(-1)).toThrow(RangeError);
  });

  it('close ends delayed answers at once and is idempotent', async () => {
    fake.setLatency(10_000);
    const pending = call('GET', '/held');
    await fake.waitForRequest('/held');
    const t0 = performance.now();
    await fake.close();
    await expect(pending).rejects.toThrow();
    expect(performance.now() - t0).toBeLessThan(2_000);
    await fake.close();
    await expect(fetch(`${fake.url}/after`)).rejects.toThrow();
  });
});

it('reset forgets requests, faults and latency; the requests array is cleared in place', async () => {
  await call('GET', '/one');
  fake.failNext('/two', { kind: 'status', status: 500 });
  fake.setLatency(5_000);
  const requests = fake.requests;
  fake.reset();
  expect(requests).toBe(fake.requests);
  expect(fake.requests).toHaveLength(0);
  const res = await call('GET', '/two');
  expect(res.status).toBe(200);
  expect(fake.requests.map((r) => r.id)).toEqual([2]);
});
