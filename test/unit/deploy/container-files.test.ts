import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * CI has no Docker daemon, so the container files are linted here for what matters in production: the rules the
 * README promises (multi-stage, production dependencies only, non-root, a health check, no secrets in layers) and
 * a compose file whose settings are real ones.
 */
const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

const settingNames = new Set(
  read('.env.example')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => Boolean(name)),
);

describe('Dockerfile', () => {
  const steps = instructions(read('Dockerfile'));
  const stages = steps.filter((s) => s.op === 'FROM');
  const runtimeStart = steps.lastIndexOf(stages.at(-1) ?? { op: '', args: '' });
  const runtime = steps.slice(runtimeStart);

  it('builds in one stage and runs from another with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.every((s) => /^node:20[\w.-]*\s+AS\s+\w+$/i.test(s.args))).toBe(true);
    expect(runtime.some((s) => s.op === 'RUN' && /npm ci\b.*--omit=dev/.test(s.args))).toBe(true);
    expect(runtime.some((s) => s.op === 'COPY' && /--from=build\s+\S*dist/.test(s.args))).toBe(true);
  });

  it('runs as a non-root user with a health check on /healthz', () => {
    const user = runtime.filter((s) => s.op === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(user?.args).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.find((s) => s.op === 'HEALTHCHECK')?.args).toContain('/healthz');
    expect(runtime.find((s) => s.op === 'CMD')?.args).toContain('dist/src/main.js');
  });

  it('bakes no secret into a layer', () => {
    const secretish = /(SECRET|TOKEN|API_KEY|ENCRYPT_KEY|PASSWORD)/;
    for (const step of steps.filter((s) => s.op === 'ENV' || s.op === 'ARG')) expect(step.args).not.toMatch(secretish);
    for (const step of steps.filter((s) => s.op === 'COPY' || s.op === 'ADD')) expect(step.args).not.toMatch(/(^|\s)\.env\b|\s\.\s/);
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toContain('.env');
    expect(ignored).toContain('.git');
  });
});

const composeSchema = z.object({
  services: z.object({
    redis: z.object({ image: z.string(), command: z.array(z.string()), volumes: z.array(z.string()).min(1) }),
    bot: z.object({
      build: z.unknown(),
      env_file: z.union([z.string(), z.array(z.string())]),
      environment: z.record(z.string(), z.string()),
      depends_on: z.object({ redis: z.object({ condition: z.literal('service_healthy') }) }),
      deploy: z.object({ replicas: z.number().int() }),
    }),
  }),
  volumes: z.record(z.string(), z.unknown()),
});

describe('compose.yaml', () => {
  const compose = composeSchema.parse(parse(read('compose.yaml')));

  it('runs two replicas of the bot against a Redis that keeps its data', () => {
    expect(compose.services.bot.deploy.replicas).toBe(2);
    expect(compose.services.redis.command.join(' ')).toMatch(/--appendonly yes/);
    const volume = compose.services.redis.volumes[0]?.split(':')[0] ?? '';
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('takes settings from .env and names only real settings', () => {
    expect([compose.services.bot.env_file].flat()).toContain('.env');
    for (const name of Object.keys(compose.services.bot.environment)) expect(settingNames.has(name), name).toBe(true);
    expect(compose.services.bot.environment.REDIS_URL).toBe('redis://redis:6379');
  });
});
