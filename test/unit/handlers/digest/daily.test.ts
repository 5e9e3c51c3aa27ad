import { describe, expect, it } from 'vitest';
import { buildDailyDigestCard } from '../../../../cards/daily-digest-card.js';
import { digestModel, percentileOf } from '../../../../handlers/digest/index.js';
import type { IssueSnapshot } from '../../../../src/store/index.js';

const snap = (uuid: string, level: string, statusType: number, createdAt: number): IssueSnapshot => ({
  uuid,
  title: `Issue ${uuid}`,
  level: { name: level },
  statusType,
  source: '',
  createdAt,
  updatedAt: createdAt,
  assignees: [],
  description: '',
  link: `https://console.example.test/${uuid}`,
});

describe('digestModel', () => {
  it('counts open issues by level (most severe first), lists the unacknowledged oldest first, and yesterday’s times', () => {
    const model = digestModel(
      [snap('a', 'P2', 10, 300), snap('b', 'P0', 15, 200), snap('c', 'P0', 10, 100), snap('d', 'P1', 20, 50), snap('e', 'P2', 30, 400)],
      [60, 120, 600, 30],
      '2026-12-01',
      1_000_000,
      'Asia/Shanghai',
    );
    expect(model.totalOpen).toBe(4);
    expect(model.counts).toEqual([
      { level: 'P0', open: 2, unacknowledged: 1 },
      { level: 'P2', open: 2, unacknowledged: 2 },
    ]);
    expect(model.waiting.map((w) => w.uuid)).toEqual(['c', 'a', 'e']);
    expect(model.ackTimes).toEqual({ count: 4, medianSeconds: 60, p90Seconds: 600 });
    const card = JSON.stringify(buildDailyDigestCard(model, 'en'));
    expect(card).toContain('Daily digest 2026-12-01: 4 open');
    expect(card).toContain('"action":"ack","issue":"c"');
    expect(card).toContain('median 1 min');
  });

  it('says all clear and no acknowledgements when there is nothing', () => {
    const model = digestModel([], [], '2026-12-01', 0, 'UTC');
    expect(model.ackTimes).toBeNull();
    expect(JSON.stringify(buildDailyDigestCard(model, 'en'))).toContain('No open issues');
  });

  it('percentileOf picks the nearest rank', () => {
    expect(percentileOf([5, 1, 3], 50)).toBe(3);
    expect(percentileOf([], 90)).toBe(0);
  });
});
