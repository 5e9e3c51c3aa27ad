import type { Config } from '../../src/config.js';
import { startRobotsFake, type RobotHandle, type RobotsFake } from '../fakes/robots-server.js';

/**
 * The three robots, their documented limits on a shorter clock: 20 per 3 s instead of per minute (DingTalk,
 * WeCom), Lark 5/s and 100 per 6 s. The bot is told the same limits with its usual slack, so the pacing logic is
 * the real one, only faster.
 */
export const ROBOT_WINDOW_MS = 3_000;

export interface Robots {
  fake: RobotsFake;
  dingtalk: RobotHandle;
  wecom: RobotHandle;
  lark: RobotHandle;
  /** Settings naming the three robots as the environment's sinks (signed where the robot signs). */
  env: Record<string, string>;
}

export async function startRobots(): Promise<Robots> {
  const fake = await startRobotsFake({ windowMs: ROBOT_WINDOW_MS, throttleMs: ROBOT_WINDOW_MS, larkPerMinuteWindowMs: 2 * ROBOT_WINDOW_MS });
  const dingtalk = fake.addDingTalk({ token: 'ding-token-1', secret: 'SECding0123456789' });
  const wecom = fake.addWeCom({ key: 'wecom-key-1' });
  const lark = fake.addLarkBot({ token: 'lark-hook-token-1', secret: 'lark-bot-secret-1' });
  return {
    fake,
    dingtalk,
    wecom,
    lark,
    env: {
      DINGTALK_WEBHOOK_URL: dingtalk.url,
      DINGTALK_SECRET: dingtalk.secret ?? '',
      WECOM_WEBHOOK_URL: wecom.url,
      LARK_WEBHOOK_URL: lark.url,
      LARK_WEBHOOK_SECRET: lark.secret ?? '',
    },
  };
}

/** Config changes that put the bot on the robots' shorter clock. */
export function robotClock(config: Config): void {
  config.robotLimits = {
    dingtalk: [{ windowMs: ROBOT_WINDOW_MS + 1_000, limit: 20 }],
    wecom: [{ windowMs: ROBOT_WINDOW_MS + 1_000, limit: 20 }],
    'lark-webhook': [
      { windowMs: 1_200, limit: 5 },
      { windowMs: 2 * ROBOT_WINDOW_MS + 1_000, limit: 100 },
    ],
  };
  config.robotMaxWaitMs = 1_500;
}
