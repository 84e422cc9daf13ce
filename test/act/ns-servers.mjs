// Servers the quarantine test runs inside its namespaces: `http PORT TEXT...` (answers TEXT on each port pair) and
// `udp PORT TEXT...` (answers every datagram with TEXT). Plain node, no dependencies, killed by the test.
import http from 'node:http';
import dgram from 'node:dgram';

const [kind, ...rest] = process.argv.slice(2);
for (let i = 0; i < rest.length; i += 2) {
  const port = Number(rest[i]);
  const text = rest[i + 1];
  if (kind === 'http') {
    http.createServer((req, res) => { res.setHeader('content-type', 'text/plain'); res.end(text); }).listen(port, '0.0.0.0');
  } else {
    const s = dgram.createSocket('udp4');
    s.on('message', (_m, from) => s.send(text, from.port, from.address));
    s.bind(port, '0.0.0.0');
  }
}
process.stdout.write('ready\n');
