import { buildApp, secretsOf } from './app.js';
import { loadConfig, readEnvironment, type Config } from './config.js';
import { ConfigError } from './errors.js';
import { createLogger } from './logger.js';

function configOrExit(): Config {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (error instanceof ConfigError) {
      // A newcomer's first `npm start` has no settings at all: point at the way to try it without accounts.
      const hint = error.message.includes(': required (') ? ' (to try the bot without any accounts: npm run demo)' : '';
      console.error(`${error.message}${hint}`);
      process.exit(1);
    }
    throw error;
  }
}

const config = configOrExit();
const log = createLogger({ level: config.logLevel, secrets: secretsOf(config) });
for (const warning of config.warnings) log.warn(warning);
const app = buildApp(config, { log });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info('shutting down', { signal });
  // A last guard: whatever hangs, the process ends.
  setTimeout(() => process.exit(1), 20_000).unref();
  await app.stop();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGHUP', () => void app.reloadRoutes());
process.on('unhandledRejection', (reason) => {
  log.error('unhandled rejection', { error: reason instanceof Error ? reason.message : String(reason) });
});

app.start().catch((error: unknown) => {
  log.error('could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
