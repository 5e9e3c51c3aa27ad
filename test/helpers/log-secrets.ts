/**
 * No secret reaches a log (SPEC "Secrets"): every test bot, in process or child process, has every line it
 * logged checked when its stack closes, against the configured secrets and every tenant token the Lark fake
 * issued. The error names which kind leaked, never the value.
 */
export interface NamedSecret {
  name: string;
  value: string;
}

/** Values too short to be secrets would match by chance (an empty verification token, say). */
const MIN_SECRET_LENGTH = 6;

export function leakedSecrets(lines: readonly string[], secrets: readonly NamedSecret[]): string[] {
  const checked = secrets.filter((s) => s.value.length >= MIN_SECRET_LENGTH);
  const leaked = new Set<string>();
  for (const line of lines) for (const secret of checked) if (line.includes(secret.value)) leaked.add(secret.name);
  return [...leaked];
}

export function assertNoSecretsLogged(where: string, lines: readonly string[], secrets: readonly NamedSecret[]): void {
  const leaked = leakedSecrets(lines, secrets);
  if (leaked.length > 0) throw new Error(`${where}: a log line contains ${leaked.join(', ')}`);
}

/** The bot's own secrets by setting name, from the environment a bot was given. */
export function secretsOfEnv(env: Record<string, string | undefined>): NamedSecret[] {
  return [
    'LARK_APP_SECRET',
    'LARK_ENCRYPT_KEY',
    'LARK_VERIFICATION_TOKEN',
    'GUANCE_API_KEY',
    'GUANCE_ALERT_TOKEN',
    'SENTRY_CLIENT_SECRET',
    'ERROR_API_TOKEN',
    'GUANCE_WEBHOOK_TOKEN',
    'DINGTALK_SECRET',
    'LARK_WEBHOOK_SECRET',
    // Robot webhook URLs are credentials: their token is the secret.
    'DINGTALK_WEBHOOK_URL',
    'WECOM_WEBHOOK_URL',
    'LARK_WEBHOOK_URL',
  ]
    .map((name) => ({ name, value: env[name] ?? '' }))
    .filter((s) => s.value !== '');
}

export const tenantTokens = (tokens: readonly string[]): NamedSecret[] => tokens.map((value) => ({ name: 'a tenant token', value }));
