// The act service: the household's (or the ISP's, or auto-quarantine's) decisions -> state -> one nft transaction.
// State changes only when nft accepted the new ruleset; it is saved in the store and re-applied at start.
import type { Capability } from './capability.js';
import { inAnyNet } from './capability.js';
import type { NftRunner } from './nft.js';
import { removeScript, renderRuleset } from './ruleset.js';
import { MAX_ENTRIES, MAX_LOG, clone, emptyState, prunePauses, restoreState } from './state.js';
import type { ActState, By } from './state.js';

export interface DeviceAct {
  mac: string;
  quarantined: { at: number; by: By; reason: string | null } | null;
  paused_until: number | null;
}

export type ActResult = { ok: true; device: DeviceAct } | { ok: false; status: 400 | 409 | 503; error: string };

export interface ActDeps {
  nft: NftRunner;
  detect: () => Promise<Capability>;
  portalPort: number;
  onlyKnown: boolean;
  /** The saved state (store.data.act) and where to save it. */
  load: () => unknown;
  save: (s: ActState) => void;
  addresses: (mac: string) => { v4: string[]; v6: string[] };
  /** Every MAC the store knows: seeds the "known" set when only-known-devices is first switched on. */
  knownDevices: () => string[];
  log: (msg: string) => void;
  /** A device's act state changed (hub, MQTT state). */
  changed?: (d: DeviceAct) => void;
  /** Also write the applied script here (OpenWrt fw4 include), or null. */
  writeRuleset?: (script: string) => void;
  now?: () => number;
}

export class Act {
  private state: ActState = emptyState();
  private cap: Capability = { capable: false, reasons: ['starting'], codes: ['starting'], lan: [], router_v4: null, lan_nets: [] };
  /** One change at a time: two clicks must not interleave their nft transactions. */
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly pendingAuto = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly d: ActDeps) {
    this.now = d.now ?? Date.now;
  }

  capability(): Capability { return this.cap; }

  /** Restore at start: detect, then apply the saved state (or remove our tables when we may not act). */
  async start(): Promise<void> {
    const { state, refused } = restoreState(this.d.load());
    if (refused) this.d.log(`act: saved state refused (${refused}): starting empty`);
    this.state = state;
    prunePauses(this.state, this.now());
    this.cap = await this.d.detect();
    if (!this.cap.capable) {
      this.d.log(`act: quarantine and pause unavailable: ${this.cap.reasons.join('; ')}`);
      return;
    }
    if (this.d.onlyKnown && this.state.known.length === 0) this.state.known = this.d.knownDevices().slice(0, MAX_ENTRIES * 4);
    const r = await this.d.nft(this.render(this.state));
    if (!r.ok) {
      this.cap = { ...this.cap, capable: false, reasons: [`nftables refused the saved ruleset: ${r.error}`], codes: ['nft-refused'] };
      this.d.log(`act: restore failed, nothing applied: ${r.error}`);
      return;
    }
    this.writeBootRuleset(this.state);
    const n = Object.keys(this.state.quarantine).length;
    const p = Object.keys(this.state.pause).length;
    this.d.log(`act: ruleset applied on ${this.cap.lan.join(', ')} (${n} quarantined, ${p} paused${this.d.onlyKnown ? `, ${this.state.known.length} known` : ''})`);
    this.timer = setInterval(() => this.expire(), 30_000);
    this.timer.unref();
  }

  device(mac: string): DeviceAct {
    const q = this.state.quarantine[mac];
    const p = this.state.pause[mac];
    return { mac, quarantined: q ? { ...q } : null, paused_until: p && p.until > this.now() ? p.until : null };
  }

  all(): DeviceAct[] {
    const macs = new Set([...Object.keys(this.state.quarantine), ...Object.keys(this.state.pause)]);
    return [...macs].sort().map((m) => this.device(m));
  }

  log(): ActState['log'] { return this.state.log.slice(-50); }

  /**
   * A device whose known IPv4 addresses all lie outside the LAN networks does not route through us (another
   * router's network, a static address elsewhere): acting on it would promise what the firewall cannot do.
   */
  private offLan(mac: string): string | null {
    const v4 = this.d.addresses(mac).v4;
    if (v4.length === 0 || this.cap.lan_nets.length === 0 || v4.some((ip) => inAnyNet(ip, this.cap.lan_nets))) return null;
    return `this device (${v4.join(', ')}) is not on the LAN network ${this.cap.lan_nets.join(', ')}: its traffic does not pass through this router`;
  }

  quarantine(mac: string, by: By, reason: string | null): Promise<ActResult> {
    return this.change(mac, 'quarantine', by, (s) => {
      if (s.quarantine[mac]) return 'already in quarantine';
      const off = this.offLan(mac);
      if (off) return off;
      if (Object.keys(s.quarantine).length >= MAX_ENTRIES) return `at most ${MAX_ENTRIES} devices in quarantine`;
      s.quarantine[mac] = { at: this.now(), by, reason };
      return null;
    });
  }

  release(mac: string, by: By): Promise<ActResult> {
    return this.change(mac, 'release', by, (s) => {
      if (!s.quarantine[mac]) return 'not in quarantine';
      delete s.quarantine[mac];
      if (by !== 'auto') s.lifted[mac] = this.now();
      return null;
    });
  }

  pause(mac: string, until: number, by: By): Promise<ActResult> {
    return this.change(mac, 'pause', by, (s) => {
      if (until <= this.now()) return 'the end of a pause must be in the future';
      const off = this.offLan(mac);
      if (off) return off;
      if (!s.pause[mac] && Object.keys(s.pause).length >= MAX_ENTRIES) return `at most ${MAX_ENTRIES} devices paused`;
      s.pause[mac] = { at: this.now(), by, until };
      return null;
    }, new Date(until).toISOString());
  }

  resume(mac: string, by: By): Promise<ActResult> {
    return this.change(mac, 'resume', by, (s) => {
      if (!s.pause[mac]) return 'not paused';
      delete s.pause[mac];
      return null;
    });
  }

  /** Auto-quarantine: an `infected` device, when the household turned it on; a lifted one waits for a new alert. */
  async infected(mac: string, alertStoredAt: number, enabled: boolean): Promise<void> {
    if (!enabled || !this.cap.capable || this.state.quarantine[mac] || this.pendingAuto.has(mac)) return;
    const lifted = this.state.lifted[mac];
    if (lifted !== undefined && alertStoredAt <= lifted) return;
    // Every alert of an infected device lands here; one quarantine per device is queued, not one per alert.
    this.pendingAuto.add(mac);
    try {
      const r = await this.quarantine(mac, 'auto', 'infected');
      if (!r.ok) this.d.log(`act: auto-quarantine of ${mac} failed: ${r.error}`);
    } finally {
      this.pendingAuto.delete(mac);
    }
  }

  /** Approve a device for only-known-devices mode. */
  approve(mac: string, by: By): Promise<ActResult> {
    return this.change(mac, 'approve', by, (s) => {
      if (s.known.includes(mac)) return 'already approved';
      if (s.known.length >= MAX_ENTRIES * 4) return 'too many approved devices';
      s.known.push(mac);
      return null;
    });
  }

  /** The household's change as one transaction: the state moves only when nft accepted the whole new ruleset. */
  private change(mac: string, action: string, by: By, edit: (s: ActState) => string | null, detail: string | null = null): Promise<ActResult> {
    const run = async (): Promise<ActResult> => {
      if (!this.cap.capable) return { ok: false, status: 503, error: `not available here: ${this.cap.reasons.join('; ')}` };
      const next = clone(this.state);
      prunePauses(next, this.now());
      const why = edit(next);
      if (why) return { ok: false, status: 409, error: why };
      const script = this.render(next);
      const r = await this.d.nft(script);
      this.record(mac, action, by, r.ok, r.ok ? detail : r.error);
      if (!r.ok) {
        this.d.log(`act: ${action} ${mac} by ${by} refused by nftables, nothing changed: ${r.error}`);
        this.d.save(this.state);
        return { ok: false, status: 503, error: `the firewall refused the change, nothing was changed: ${r.error}` };
      }
      this.state = next;
      this.state.log = this.state.log.slice(-MAX_LOG);
      this.d.save(this.state);
      this.writeBootRuleset(next);
      this.d.log(`act: ${action} ${mac} by ${by}${detail ? ` until ${detail}` : ''}`);
      const dev = this.device(mac);
      this.d.changed?.(dev);
      return { ok: true, device: dev };
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private record(mac: string, action: string, by: By, ok: boolean, detail: string | null): void {
    this.state.log.push({ at: this.now(), mac, action, by, ok, detail: detail?.slice(0, 300) ?? null });
    if (this.state.log.length > MAX_LOG) this.state.log.splice(0, this.state.log.length - MAX_LOG);
  }

  /**
   * The copy fw4 loads at boot and on `fw4 reload` leaves pauses out: nft timeouts are relative, so a stale copy
   * would restart every pause from its full length. Pauses come back when the daemon applies its state.
   */
  private writeBootRuleset(s: ActState): void {
    if (this.d.writeRuleset) this.d.writeRuleset(this.render({ ...s, pause: {} }));
  }

  private render(s: ActState): string {
    return renderRuleset({
      state: s, lan: this.cap.lan, routerV4: this.cap.router_v4, portalPort: this.d.portalPort,
      onlyKnown: this.d.onlyKnown, addresses: this.d.addresses, now: this.now(),
    });
  }

  /** Pauses ended (nft already let the device out by the element's timeout): forget them and tell the dashboard. */
  private expire(): void {
    const before = Object.keys(this.state.pause);
    if (!prunePauses(this.state, this.now())) return;
    this.d.save(this.state);
    for (const m of before) if (!this.state.pause[m]) { this.d.log(`act: pause of ${m} ended`); this.d.changed?.(this.device(m)); }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.chain;
  }
}

/** `waakhond uninstall-firewall` and act.enabled: false: remove our tables, whether or not they are there. */
export async function removeTables(nft: NftRunner): Promise<{ ok: true } | { ok: false; error: string }> {
  return nft(removeScript());
}
