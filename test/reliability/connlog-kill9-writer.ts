// Child process for the kill -9 loop: a connection log that grows and saves (connlog.bin) as fast as it can until killed.
import { startConnLog } from '../../ui/server/exports/connlog-service.js';

const dir = process.argv[2];
const service = startConnLog({ dataDir: dir, capacity: 100_000, saveEveryS: 0, log: () => {} });
const log = service.connlog;
let i = log.stats.entries + log.stats.overwritten;
process.stdout.write(`ready ${log.stats.entries}\n`);
for (;;) {
  for (let k = 0; k < 2000; k++, i++) {
    log.add({ ts: 1_700_000_000_000_000 + i * 1000, end_ts: 1_700_000_000_000_000 + i * 1000, mac: `02:00:00:00:00:${(i % 200).toString(16).padStart(2, '0')}`,
      local_ip: `192.168.1.${i % 200}`, local_port: 30000 + (i % 30000), remote_ip: `${1 + (i % 200)}.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`,
      remote_port: 443, proto: 'tcp' });
  }
  service.save();
}
