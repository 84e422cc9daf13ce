// Child process for the live-capture test: runs inside the test's network namespace (ip netns exec),
// captures with one backend, and reports what it saw as one JSON line when told to stop on stdin.
import { createInterface } from 'node:readline';
import { openLive } from '../../../sensor/capture/live.js';

interface Args {
  iface: string;
  filter: string;
  backend: 'pcap' | 'tcpdump' | 'auto';
  tcpdump?: string;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as Args;
  let src;
  try {
    src = await openLive({ iface: args.iface, filter: args.filter, backend: args.backend, snaplen: 65535, tcpdump: args.tcpdump });
  } catch (err) {
    console.log(JSON.stringify({ openError: err instanceof Error ? err.message : String(err) }));
    return;
  }
  console.log(JSON.stringify({ ready: true, backend: src.backend }));
  createInterface({ input: process.stdin }).on('line', (l) => {
    if (l.trim() === 'stop') void src.close();
  });
  const ports: Record<string, number> = {};
  let frames = 0;
  let linktype = -1;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for await (const batch of src) {
    for (const f of batch) {
      frames++;
      linktype = f.linktype;
      minTs = Math.min(minTs, f.ts);
      maxTs = Math.max(maxTs, f.ts);
      // Ethernet + IPv4 (IHL) + UDP destination port; the test only sends IPv4 over Ethernet.
      const d = f.data;
      const ihl = (d[14] & 0x0f) * 4;
      const proto = d[14 + 9];
      const key = proto === 17 ? `udp/${(d[14 + ihl + 2] << 8) | d[14 + ihl + 3]}` : `proto/${proto}`;
      ports[key] = (ports[key] ?? 0) + 1;
    }
  }
  console.log(JSON.stringify({ done: true, backend: src.backend, frames, ports, linktype, minTs, maxTs, now: Date.now() * 1000, stats: src.stats }));
}

void main();
