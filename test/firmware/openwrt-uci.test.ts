// /etc/config/waakhond -> the daemon's JSON config (uci2json under busybox ash), checked against the
// daemon's own config schema and the exports schema, and every bad option named in the error.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../ui/server/config.js';
import { parseExportsConfig } from '../../ui/server/exports/schema.js';
import { parseActConfig } from '../../ui/server/act/config.js';
import { FIXTURES, OPENWRT_FILES, ash, cleanTmp, run, tmpDir } from './helpers.js';

const UCI2JSON = path.join(OPENWRT_FILES, 'uci2json.sh');
const SHIM = path.join(FIXTURES, 'openwrt', 'functions.sh');

/** Runs the translator on one fixture file (as /etc/config/waakhond). */
function translate(fixture: string, env: Record<string, string> = {}) {
  const dir = tmpDir('uci');
  mkdirSync(dir, { recursive: true });
  copyFileSync(fixture, path.join(dir, 'waakhond'));
  const [sh, ...pre] = ash();
  return run(sh, [...pre, UCI2JSON], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', UCI_CONFIG_DIR: dir, WAAKHOND_FUNCTIONS: SHIM, WAAKHOND_HOSTNAME: 'Test Router.lan', ...env },
  });
}

const fx = (name: string) => path.join(FIXTURES, 'uci', name);

describe('uci2json', () => {
  afterAll(cleanTmp);

  it('translates a full configuration, escaping strings', () => {
    const r = translate(fx('full'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      iface: 'br-lan',
      port: 8443,
      host: '192.168.1.1',
      data: '/tmp/wk',
      metrics: { token: 'scrape-me-0123456789' },
      exports: {
        site_id: 'home-01',
        mqtt: { url: 'mqtts://broker.isp.example:8883', prefix: 'isp/waakhond', username: 'cpe', password: 'p"a\\ss', homeassistant: { enabled: false } },
        syslog: { transport: 'tcp', host: '192.168.1.2', port: 6514, format: 'json' },
        webhooks: [
          { url: 'https://ntfy.example/waakhond', format: 'ntfy' },
          { url: 'http://192.168.1.3:8123/api/webhook/x', format: 'json', secret: '0123456789abcdef0123' },
        ],
      },
    });
  });

  it('output is accepted by the daemon config schema and the exports schema', () => {
    const cfg = JSON.parse(translate(fx('full')).stdout);
    const parsed = ConfigSchema.parse(cfg);
    expect(parsed.port).toBe(8443);
    const ex = parseExportsConfig(parsed.exports);
    expect(ex.mqtt?.password).toBe('p"a\\ss');
    expect(ex.webhooks).toHaveLength(2);
  });

  it('fills defaults from a minimal file: br-lan, 8080, data in RAM, nothing exported', () => {
    const r = translate(fx('minimal'));
    expect(r.status).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg).toEqual({ iface: 'br-lan', port: 8080, data: '/tmp/waakhond' });
    expect(ConfigSchema.parse(cfg).exports).toEqual({});
  });

  it('act (quarantine from the router): translated only when enabled, on the watched LAN, accepted by the act schema', () => {
    const r = translate(fx('act'));
    expect(r.stderr).toBe('');
    const cfg = JSON.parse(r.stdout);
    expect(cfg.act).toEqual({
      enabled: true, lan_iface: ['br-lan'], auto_quarantine: true, only_known_devices: false, portal_port: 8090,
      ruleset_file: '/etc/waakhond/act.nft', mqtt_commands: { enabled: true, key: 'isp-shared-key-0123456789abcdef0123' },
    });
    expect(parseActConfig(ConfigSchema.parse(cfg).act)).toMatchObject({ enabled: true, lan_iface: ['br-lan'] });
  });

  it('the shipped /etc/config/waakhond translates, with every export off', () => {
    const r = translate(path.join(OPENWRT_FILES, 'waakhond.config'));
    expect(r.stderr).toBe('');
    const cfg = JSON.parse(r.stdout);
    expect(cfg).toEqual({ iface: 'br-lan', port: 8080, data: '/tmp/waakhond' });
    ConfigSchema.parse(cfg);
  });

  it('derives a topic-safe site_id from the hostname when exporting', () => {
    const r = translate(fx('site-from-hostname'));
    expect(r.status).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg.exports.site_id).toBe('Test-Router-lan');
    expect(cfg.exports.syslog).toEqual({ transport: 'unix', path: '/dev/log', format: 'text' });
    parseExportsConfig(cfg.exports);
  });

  it.each([
    ['bad-port', 'waakhond.main.port', 'not a number'],
    ['bad-port-range', 'waakhond.main.port', 'outside 1..65535'],
    ['bad-iface', 'waakhond.main.interface', 'not an interface name'],
    ['bad-mqtt-url', 'waakhond.mqtt.url', 'not an mqtt://'],
    ['bad-bool', 'waakhond.mqtt.enabled', 'not a boolean'],
    ['bad-data-dir', 'waakhond.main.data_dir', 'not an absolute path'],
    ['bad-control-char', '.url', 'control characters'],
    ['bad-secret', 'waakhond.hook1.secret', 'at least 16'],
    ['bad-metrics-token', 'waakhond.main.metrics_token', 'at least 16'],
  ])('%s: refused, naming %s', (name, option, why) => {
    const r = translate(fx(name));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(option);
    expect(r.stderr).toContain(why);
  });
});
