// MQTT over TLS with a client certificate and username/password, against a real mosquitto on loopback with
// certificates made by openssl for this test; wrong credentials are refused and nothing is sent.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExports } from '../../ui/server/exports/index.js';
import { mqttTopics } from '../../ui/server/exports/mqtt.js';
import { Broker, Recorder, freePort, waitFor } from './helpers/broker.js';
import { assertValid } from './helpers/validate.js';
import { sampleAlert } from './helpers/samples.js';

const T = mqttTopics('isp/nl', 'cpe-0001');
let dir = '';
let broker: Broker;
const f = (n: string) => path.join(dir, n);

function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { cwd: dir, stdio: 'pipe' });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  sh('openssl', ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=waakhond-test-ca']);
  for (const [name, cn, ext] of [['server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1'], ['client', 'cpe-0001', 'extendedKeyUsage=clientAuth']]) {
    writeFileSync(f(`${name}.ext`), ext + '\n');
    sh('openssl', ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    sh('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`]);
  }
  sh('mosquitto_passwd', ['-b', '-c', f('passwd'), 'cpe-0001', 'correct horse']);
  const port = await freePort();
  broker = await Broker.start({
    port, listener: false, extraConfig: [
      `listener ${port} 127.0.0.1`, `cafile ${f('ca.crt')}`, `certfile ${f('server.crt')}`, `keyfile ${f('server.key')}`,
      'require_certificate true', `password_file ${f('passwd')}`, 'allow_anonymous false',
    ],
  });
});

afterAll(async () => {
  await broker?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tls = () => ({ ca: f('ca.crt'), cert: f('client.crt'), key: f('client.key') });

describe('MQTT over TLS with client certificate and password', () => {
  it('delivers alerts with the right credentials', async () => {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const rec = await Recorder.connect(url, [T.alert], {
      username: 'cpe-0001', password: 'correct horse', ca: [readFileSync(f('ca.crt'))],
      cert: readFileSync(f('client.crt')), key: readFileSync(f('client.key')),
    });
    const ex = startExports({ site_id: 'cpe-0001', mqtt: { url, prefix: 'isp/nl', username: 'cpe-0001', password: 'correct horse', ...tls() } }, () => undefined);
    ex.alert(sampleAlert(7), 'raised');
    await waitFor(() => rec.on(T.alert).length === 1, 10_000, 'alert over TLS');
    const msg = JSON.parse(rec.on(T.alert)[0]!.payload);
    assertValid(msg);
    expect(msg.site).toBe('cpe-0001');
    await ex.close();
    await rec.close();
  });

  it('a wrong password or a missing client certificate is refused and nothing is sent', async () => {
    const url = `mqtts://127.0.0.1:${broker.port}`;
    const badLogs: string[] = [];
    const certLogs: string[] = [];
    const bad = startExports({ site_id: 'cpe-0001', mqtt: { url, prefix: 'isp/nl', username: 'cpe-0001', password: 'wrong', reconnect_ms: 200, homeassistant: { enabled: false }, ...tls() } }, (m) => badLogs.push(m));
    const noCert = startExports({ site_id: 'cpe-0001', mqtt: { url, prefix: 'isp/nl', username: 'cpe-0001', password: 'correct horse', ca: f('ca.crt'), reconnect_ms: 200, homeassistant: { enabled: false } } }, (m) => certLogs.push(m));
    bad.alert(sampleAlert(1), 'raised');
    noCert.alert(sampleAlert(1), 'raised');
    await waitFor(() => badLogs.length >= 1 && certLogs.length >= 1, 10_000, 'errors logged');
    await new Promise((r) => setTimeout(r, 500));
    expect(badLogs.join('\n')).toMatch(/not authori[sz]ed|bad user ?name or password/i);
    expect(certLogs.join('\n')).not.toMatch(/connected/);
    expect(bad.counters().mqtt).toMatchObject({ sent: 0, queued: 1 });
    expect(noCert.counters().mqtt).toMatchObject({ sent: 0, queued: 1 });
    await bad.close();
    await noCert.close();
  });

  it('an unreadable CA file is a clear configuration error', () => {
    expect(() => startExports({ site_id: 'x', mqtt: { url: 'mqtts://127.0.0.1:1', ca: f('nope.crt') } }, () => undefined)).toThrow(/cannot read CA/);
  });
});
