import winston from 'winston';

export type Logger = winston.Logger;

const SECRET_KEY = /secret|password|token|encrypt|authorization|api[-_]?key|signature|cookie/i;
const REDACTED = '[redacted]';

/** Removes secrets by key name and by value (the configured secrets wherever they appear in text). */
export function makeRedactor(secretValues: string[]): (value: unknown) => unknown {
  const secrets = secretValues.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const scrubText = (text: string) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
  const walk = (value: unknown, depth: number, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return scrubText(value);
    if (value === null || typeof value !== 'object' || depth > 6) return value;
    if (seen.has(value)) return '[circular]';
    seen.add(value);
    if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
    if (value instanceof Error) return { name: value.name, message: scrubText(value.message) };
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && inner !== '' && inner !== undefined ? REDACTED : walk(inner, depth + 1, seen);
    }
    return out;
  };
  // A fresh seen-set per call: the same object logged twice is not a cycle.
  return (value) => walk(value, 0, new WeakSet<object>());
}

export function createLogger(options: { level: string; secrets: string[]; silent?: boolean }): Logger {
  const redact = makeRedactor(options.secrets);
  const redactFormat = winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key === 'level') continue;
      info[key] = SECRET_KEY.test(key) ? REDACTED : redact(info[key]);
    }
    return info;
  });
  return winston.createLogger({
    level: options.level,
    silent: options.silent ?? false,
    format: winston.format.combine(winston.format.timestamp(), redactFormat(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
}
