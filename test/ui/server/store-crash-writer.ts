// Child process for the kill -9 tests (test/ui/server/store.test.ts, test/reliability/store-kill9.test.ts):
// writes a growing store as fast as it can until killed; fsync on unless argv[3] is 'nofsync'.
import { Store } from '../../../ui/server/store/store.js';

const dir = process.argv[2];
const store = new Store({ dataDir: dir, saveDelayMs: 1, fsync: process.argv[3] !== 'nofsync' });
store.load();
let i = Object.keys(store.data.devices).length;
process.stdout.write('ready\n');
for (;;) {
  const mac = `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
  store.upsertDevice({
    mac, ips: [`10.0.${(i >> 8) & 255}.${i & 255}`], ipv6: [], vendor: 'Test', model: null, category: 'other', name: `device ${i}`,
    hostname: 'x'.repeat(i % 200), confidence: 0.5, evidence: [{ source: 'dhcp', detail: `lease ${i}` }], first_seen: 1, last_seen: 1_700_000_000_000_000 + i, private_mac: true,
  });
  store.flush();
  i++;
}
