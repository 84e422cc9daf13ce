// `udp-probe.mjs HOST PORT SRCPORT`: one datagram, prints the answer or "timeout" after 1.5 s (DNS/DHCP to the router).
import dgram from 'node:dgram';

const [host, port, src] = process.argv.slice(2);
const s = dgram.createSocket('udp4');
const timer = setTimeout(() => { process.stdout.write('timeout'); s.close(); }, 1500);
s.on('message', (m) => { clearTimeout(timer); process.stdout.write(m.toString()); s.close(); });
s.bind(Number(src), () => s.send('probe', Number(port), host));
