import { benchIngress } from './ingress.js';

const only = process.argv[2];
const benches: Record<string, () => Promise<void>> = { ingress: benchIngress };
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}
