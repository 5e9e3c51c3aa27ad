import { benchClick } from './click.js';
import { benchIngress } from './ingress.js';
import { benchSources } from './sources.js';
import { benchStorm } from './storm.js';
import { benchTimeToCard } from './time-to-card.js';
import { benchWs } from './ws.js';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = { ingress: benchIngress, 'time-to-card': benchTimeToCard, click: benchClick, sources: benchSources, storm: benchStorm, ws: benchWs };
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}
