/** The daily digest card per routed chat (DIGEST_CRON). */
export { dailyDigest, digestModel, percentileOf, postDailyDigest } from './daily.js';
