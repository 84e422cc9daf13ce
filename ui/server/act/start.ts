// The daemon's way in to act: config -> capability -> service restored from the store -> explanation page server
// -> (ISP mode) signed MQTT commands. With act off it only makes sure no table of ours is left behind.
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import type { Lang } from '../../../rules/advice/book.js';
import type { Store } from '../store/store.js';
import type { Views } from '../views.js';
import { detectCapability } from './capability.js';
import type { Capability } from './capability.js';
import { CommandVerifier } from './command.js';
import { parseActConfig } from './config.js';
import type { ActConfig } from './config.js';
import { nftRunner } from './nft.js';
import type { NftRunner } from './nft.js';
import { arpLookup, portalApp } from './portal.js';
import { renderRuleset } from './ruleset.js';
import { Act, removeTables } from './service.js';
import type { DeviceAct } from './service.js';
import { emptyState } from './state.js';

export interface ActHooks {
  /** Tests (the Chromium e2e) replace capability detection, and only that, with a fake. */
  detect?: (real: () => Promise<Capability>) => Promise<Capability>;
  /** Tests replace the nft runner (only together with a faked capability). */
  nft?: NftRunner;
}

export interface ActHandle {
  act: Act;
  cfg: ActConfig;
  portalUrl: string | null;
  /** A signed fleet command arrived (ISP mode); returns why it was refused, or null. */
  command(payload: Buffer | string): Promise<string | null>;
  close(): Promise<void>;
}

export interface StartActOptions {
  raw: unknown;
  defaultLan: string | null;
  store: Store;
  views: Views;
  log: (msg: string) => void;
  changed: (d: DeviceAct) => void;
  hooks?: ActHooks;
}

export async function startAct(o: StartActOptions): Promise<ActHandle> {
  const cfg = parseActConfig(o.raw);
  const nft = o.hooks?.nft ?? nftRunner(cfg.nft);
  const lan = cfg.lan_iface ?? (o.defaultLan ? [o.defaultLan] : null);
  const { store, views } = o;
  const real = () => detectCapability({
    enabled: cfg.enabled, lan, nft,
    probeScript: (l, v4) => renderRuleset({ state: emptyState(), lan: l, routerV4: v4, portalPort: cfg.portal_port, onlyKnown: cfg.only_known_devices, addresses: () => ({ v4: [], v6: [] }), now: Date.now() }),
  });
  const act = new Act({
    nft, portalPort: cfg.portal_port, onlyKnown: cfg.only_known_devices, log: o.log, changed: o.changed,
    detect: o.hooks?.detect ? () => o.hooks!.detect!(real) : real,
    load: () => store.data.act,
    // A quarantine must survive a power cut: written through at once, not with the next coalesced save.
    save: (s) => { store.setAct(s); store.flush(); },
    addresses: (mac) => { const d = store.data.devices[mac]; return { v4: d?.ips ?? [], v6: d?.ipv6 ?? [] }; },
    knownDevices: () => Object.keys(store.data.devices),
    writeRuleset: cfg.ruleset_file ? (script) => writeAtomic(cfg.ruleset_file!, script, o.log) : undefined,
  });
  if (!cfg.enabled && store.data.act !== undefined && !o.hooks?.detect) {
    // Switched off after being on (a saved state says so): leave no table of ours behind. Never on a machine
    // that did not turn act on: the firewall is not ours to touch there.
    const r = await removeTables(nft);
    if (r.ok) o.log('act: off (act.enabled: false); no waakhond nftables tables left');
  }
  await act.start();

  let server: ReturnType<typeof serve> | null = null;
  let portalUrl: string | null = null;
  const cap = act.capability();
  if (cap.capable && cap.router_v4) {
    const byIp = (ip: string) => {
      for (const d of Object.values(store.data.devices)) if (d.ips.includes(ip)) return d.mac;
      return arpLookup(ip);
    };
    const app = portalApp({
      macOf: (ip) => { const m = byIp(ip); return m ? store.keyOf(m) : null; },
      quarantined: (mac) => act.device(mac).quarantined !== null,
      describe: (mac: string, lang: Lang) => {
        const d = views.detail(mac, lang);
        return d ? { label: d.label, cards: d.advice } : null;
      },
    });
    server = await new Promise<ReturnType<typeof serve> | null>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: cap.router_v4!, port: cfg.portal_port }, () => resolve(s));
      s.once('error', (err) => { o.log(`act: explanation page cannot listen on ${cap.router_v4}:${cfg.portal_port}: ${err.message}`); resolve(null); });
    });
    if (server) { portalUrl = `http://${cap.router_v4}:${cfg.portal_port}/`; o.log(`act: explanation page at ${portalUrl}`); }
  }

  const key = process.env.WAAKHOND_ACT_KEY || cfg.mqtt_commands.key;
  const verifier = cfg.mqtt_commands.enabled && key ? new CommandVerifier(key, cfg.mqtt_commands.max_skew_s * 1000) : null;
  if (cfg.mqtt_commands.enabled && !key) o.log('act: mqtt_commands enabled without a key (act.mqtt_commands.key or WAAKHOND_ACT_KEY): commands refused');

  return {
    act, cfg, portalUrl,
    async command(payload) {
      if (!verifier) return 'fleet commands are off';
      const v = verifier.verify(payload, Date.now());
      if (!v.ok) { o.log(`act: fleet command refused: ${v.error}`); return v.error; }
      const c = v.cmd;
      const mac = store.keyOf(c.mac);
      const r = c.action === 'quarantine' ? await act.quarantine(mac, 'isp', c.reason ?? null)
        : c.action === 'release' ? await act.release(mac, 'isp')
          : c.action === 'pause' ? await act.pause(mac, c.until_ms!, 'isp')
            : await act.resume(mac, 'isp');
      return r.ok ? null : r.error;
    },
    async close() {
      await act.close();
      if (server) {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        await new Promise<void>((resolve) => server!.close(() => resolve()));
      }
    },
  };
}

function writeAtomic(file: string, text: string, log: (m: string) => void): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file + '.tmp', text, { mode: 0o644 });
    renameSync(file + '.tmp', file);
  } catch (err) {
    log(`act: cannot write ${file}: ${(err as Error).message}`);
  }
}
