import { describe, expect, it } from 'vitest';
import { defaultRouting, parseRoutes, RoutesFileError } from '../../../src/routes-file.js';
import type { RobotSink } from '../../../src/robots/types.js';

const ENV_SINKS: RobotSink[] = [{ name: 'wecom', kind: 'wecom', url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1' }];

const YAML = `
sinks:
  ops-dingtalk:
    type: dingtalk
    url: https://oapi.dingtalk.com/robot/send?access_token=abc
    secret: SEC123
routes:
  - match:
      source: [guance-issue, guance-alert]
      channel: [payments]
      level: [P0, P1]
      service: "pay-*"
    to:
      chats: [oc_payments]
      sinks: [ops-dingtalk]
    continue: true
  - to: { chats: [oc_all], sinks: [wecom] }
`;

function problem(text: string, file = 'routes.yaml'): string {
  try {
    parseRoutes(text, file, ENV_SINKS);
  } catch (error) {
    expect(error).toBeInstanceOf(RoutesFileError);
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('parseRoutes', () => {
  it('reads the SPEC example: named sinks besides the environment ones, lists, globs, continue, a catch-all', () => {
    const routing = parseRoutes(YAML, 'routes.yaml', ENV_SINKS);
    expect([...routing.sinks.keys()]).toEqual(['wecom', 'ops-dingtalk']);
    expect(routing.sinks.get('ops-dingtalk')).toMatchObject({ kind: 'dingtalk', secret: 'SEC123' });
    expect(routing.routes).toHaveLength(2);
    expect(routing.routes[0]).toMatchObject({ match: { level: ['P0', 'P1'], service: ['pay-*'] }, chats: ['oc_payments'], sinks: ['ops-dingtalk'], continue: true });
    expect(routing.routes[1]).toMatchObject({ match: {}, chats: ['oc_all'], sinks: ['wecom'], continue: false });
    expect(routing.routes[0]?.place).toContain('routes.yaml:');
  });

  it('reads JSON too', () => {
    const json = JSON.stringify({ routes: [{ match: { source: 'sentry' }, to: { chats: ['oc_sentry'] } }] });
    expect(parseRoutes(json, 'routes.json', ENV_SINKS).routes[0]?.match.source).toEqual(['sentry']);
  });

  it('names the file, the line and column, the place and the problem in one line', () => {
    expect(problem('routes:\n  - to: { chats: [oc_a }\n')).toMatch(/^routes\.yaml:2:\d+: /);
    expect(problem(YAML.replace('sinks: [ops-dingtalk]', 'sinks: [ops-dingtak]'))).toMatch(/^routes\.yaml:15:\d+: routes\[0\]\.to\.sinks\[0\]: unknown sink "ops-dingtak"/);
    expect(problem(YAML.replace('chats: [oc_payments]', 'chats: [payments-chat]'))).toMatch(/^routes\.yaml:14:\d+: routes\[0\]\.to\.chats\[0\]: a Lark chat id starts with oc_/);
    expect(problem(YAML.replace('"pay-*"', '"pay-[a-z]"'))).toMatch(/routes\[0\]\.match\.service\[0\]: a pattern is/);
    expect(problem(YAML.replace('type: dingtalk', 'type: slack'))).toMatch(/sinks\.ops-dingtalk\.type/);
    expect(problem(YAML.replace('?access_token=abc', ''))).toMatch(/sinks\.ops-dingtalk\.url: must have an access_token/);
    expect(problem(YAML.replace('source: [guance-issue, guance-alert]', 'source: [jira]'))).toMatch(/source is one of/);
    expect(problem('routes: []\n')).toMatch(/name at least one route/);
    expect(problem('routes:\n  - to: {}\n')).toMatch(/routes\[0\]\.to: send to at least one chat or sink/);
    expect(problem('routes:\n  - to: { chats: [oc_a] }\n    colour: red\n')).toMatch(/routes\[0\]/);
    for (const text of [YAML, 'routes:\n  - to: { chats: [oc_a }\n']) expect(problem(text.replace(/oc_payments|oc_a/, 'x')).split('\n')).toHaveLength(1);
  });

  it('without a file: LARK_CHAT_ID and every sink from the environment', () => {
    const routing = defaultRouting('oc_main', ENV_SINKS);
    expect(routing.routes).toEqual([expect.objectContaining({ match: {}, chats: ['oc_main'], sinks: ['wecom'] })]);
  });
});
