// `npm start` must run compiled JavaScript; build only when dist is missing or older than the sources.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const entry = 'dist/src/main.js';
function newestMtime(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestMtime(path) : stat.mtimeMs);
  }
  return newest;
}
const sources = ['src', 'handlers', 'cards'].filter(existsSync);
const stale = !existsSync(entry) || sources.some((dir) => newestMtime(dir) > statSync(entry).mtimeMs);
if (stale) execSync('npm run build', { stdio: 'inherit' });
