import { describe, expect, it } from 'vitest';
import { globMatches, targetsFor } from '../../../../handlers/delivery/route.js';
import { parseRoutes } from '../../../../src/routes-file.js';

const routing = parseRoutes(
  `
sinks:
  ding: { type: dingtalk, url: "https://oapi.dingtalk.com/robot/send?access_token=t" }
routes:
  - match: { level: [P0] }
    to: { chats: [oc_oncall], sinks: [ding] }
    continue: true
  - match: { channel: payments, service: "pay-*" }
    to: { chats: [oc_payments] }
  - match: { source: [sentry, error-api], environment: "prod*" }
    to: { chats: [oc_apps] }
  - to: { chats: [oc_all] }
`,
  'r.yaml',
  [],
);

describe('targetsFor', () => {
  it('first match wins unless it says continue; a route without match catches the rest', () => {
    expect(targetsFor(routing, { source: 'guance-issue', level: 'P0', channel: ['payments', 'chan_1'], fields: { service: 'pay-api' } })).toMatchObject({
      chats: ['oc_oncall', 'oc_payments'],
      sinks: ['ding'],
    });
    expect(targetsFor(routing, { source: 'guance-issue', level: 'P2', channel: ['chan_9', 'payments'], fields: { service: 'pay-api' } }).chats).toEqual(['oc_payments']);
    expect(targetsFor(routing, { source: 'sentry', level: 'P1', fields: { environment: 'production' } }).chats).toEqual(['oc_apps']);
    expect(targetsFor(routing, { source: 'sentry', level: 'P1', fields: { environment: 'staging' } }).chats).toEqual(['oc_all']);
    // A key the card lacks never matches.
    expect(targetsFor(routing, { source: 'guance-alert', level: 'P2', fields: {} }).chats).toEqual(['oc_all']);
  });

  it('goes nowhere when nothing matches and there is no catch-all', () => {
    const narrow = parseRoutes('routes:\n  - match: { level: P0 }\n    to: { chats: [oc_a] }\n', 'n.yaml', []);
    expect(targetsFor(narrow, { source: 'sentry', level: 'P3', fields: {} })).toEqual({ chats: [], sinks: [], matched: [] });
  });
});

describe('globMatches', () => {
  it('has * and ? only, case-insensitive, everything else literal', () => {
    expect(globMatches('pay-*', 'PAY-api')).toBe(true);
    expect(globMatches('pay-?', 'pay-1')).toBe(true);
    expect(globMatches('pay-?', 'pay-12')).toBe(false);
    expect(globMatches('a.b', 'axb')).toBe(false);
    expect(globMatches('(x)+', '(x)+')).toBe(true);
  });
});
