// `npm run docs:metrics`: rewrites README.md's metric table (between the metrics:start/end markers) from the
// catalogue in src/metrics.ts, so the documented names, labels and helps are the exported ones.
import { readFile, writeFile } from 'node:fs/promises';
import { readmeWithMetricsTable } from '../src/metrics.js';

const readmeUrl = new URL('../README.md', import.meta.url);
const before = await readFile(readmeUrl, 'utf8');
const after = readmeWithMetricsTable(before); // throws, naming the markers, when README lacks them
if (after === before) {
  console.log('README.md metric table is already up to date');
} else {
  await writeFile(readmeUrl, after);
  console.log('README.md metric table rewritten');
}
