/**
 * Debian's Chromium for the browser test and the README screenshot. Headless, as root in CI (no sandbox), and
 * without background networking: on a machine with no internet Chromium's own calls to Google's hosts are refused,
 * many at a time, and slow every start.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
