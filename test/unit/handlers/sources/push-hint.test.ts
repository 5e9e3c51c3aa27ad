import { describe, expect, it } from 'vitest';
import { issueUuidsIn, topLevelKeys } from '../../../../handlers/sources/push-hint.js';

const A = 'issue_7572b4f7aea4473697e0f0949f4c9035';
const B = 'issue_7b1f8986a7b44d7a987976fb5c7876fc';
const C = 'issue_a3c3f3850d914a0d8ad5dee4f8ac6040';

/** What the route hands over: the parsed body and the raw text it came from. */
const hint = (body: unknown): string[] => issueUuidsIn(body, JSON.stringify(body));

describe('issueUuidsIn', () => {
  it('finds ids in nested JSON of any shape, keys included, in order, deduped', () => {
    const body = { event: { issues: [{ uuid: A }, { uuid: B }], again: A }, [C]: true };
    expect(hint(body)).toEqual([A, B, C]);
  });

  it('finds ids in JSON held in strings and in plain text', () => {
    const nested = { payload: JSON.stringify({ data: { issue: { uuid: B } } }) };
    expect(hint(nested)).toEqual([B]);
    const text = `新 Issue：${A}\n详情 https://console.guance.com/exception/issue?id=${C}`;
    expect(issueUuidsIn(undefined, text)).toEqual([A, C]);
  });

  it('finds ids that only read as ids once the JSON is parsed (\\u escapes, after \\n)', () => {
    const raw = `{"text":"see\\n${A}","other":"\\u0069ssue_${B.slice(6)}"}`;
    expect(raw).not.toContain(`"${B}`);
    expect(issueUuidsIn(JSON.parse(raw), raw)).toEqual([A, B]);
  });

  it('does not take longer hex runs, upper case, or glued prefixes for ids', () => {
    const raw = [
      `${A}0`, // 33 hex
      `issue_${'A'.repeat(32)}`,
      `ISSUE_${A.slice(6)}`,
      `xissue_${B.slice(6)}`,
      `issue_${C.slice(6, 37)}`, // 31 hex
      `${A}_suffix`,
    ].join(' ');
    expect(issueUuidsIn(raw, raw)).toEqual([]);
    expect(hint({ ids: `${A}, ${B}.` })).toEqual([A, B]);
  });

  it('returns at most 200 ids', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `issue_${i.toString(16).padStart(32, '0')}`);
    const found = hint({ ids });
    expect(found).toHaveLength(200);
    expect(found[0]).toBe(ids[0]);
  });

  it('survives deep and odd bodies', () => {
    let deep: unknown = A;
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    expect(issueUuidsIn(deep, '')).toEqual([A]);
    expect(issueUuidsIn(null, '')).toEqual([]);
    expect(issueUuidsIn(42, 'not json')).toEqual([]);
  });
});

describe('topLevelKeys', () => {
  it('lists at most 30 keys of an object, nothing for other shapes', () => {
    expect(topLevelKeys({ a: 1, b: { c: 2 } })).toEqual(['a', 'b']);
    expect(topLevelKeys(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])))).toHaveLength(30);
    expect(topLevelKeys([1, 2])).toEqual([]);
    expect(topLevelKeys('text')).toEqual([]);
    expect(topLevelKeys({ ['x'.repeat(100)]: 1 })[0]).toHaveLength(64);
  });
});
