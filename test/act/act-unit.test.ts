// The act room without a kernel: the service never half-applies, auto-quarantine waits for a new alert after a lift,
// fleet commands are signed and not replayable, the ruleset refuses to carry hostile text, detection reads /proc right.
import { describe, expect, it } from 'vitest';
import { Act } from '../../ui/server/act/service.js';
import type { ActDeps } from '../../ui/server/act/service.js';
import type { NftRunner } from '../../ui/server/act/nft.js';
import { CommandVerifier, sign } from '../../ui/server/act/command.js';
import { renderRuleset } from '../../ui/server/act/ruleset.js';
import { emptyState, restoreState } from '../../ui/server/act/state.js';
import { defaultRouteOut, detectCapability, hasNetAdmin, inAnyNet } from '../../ui/server/act/capability.js';
import { pickLang, portalPage } from '../../ui/server/act/portal.js';
import { parseActConfig } from '../../ui/server/act/config.js';

const MAC = '02:77:00:00:00:10';

function service(nftOk: () => boolean, over: Partial<ActDeps> = {}) {
  const scripts: string[] = [];
  let saved: unknown;
  const nft: NftRunner = async (s) => { scripts.push(s); return nftOk() ? { ok: true } : { ok: false, error: 'Error: Could not process rule: Operation not permitted' }; };
  const act = new Act({
    nft, portalPort: 8089, onlyKnown: false, log: () => {},
    detect: async () => ({ capable: true, reasons: [], codes: [], lan: ['br0'], router_v4: '10.77.0.1', lan_nets: ['10.77.0.0/24'] }),
    load: () => saved, save: (s) => { saved = structuredClone(s); },
    addresses: () => ({ v4: ['10.77.0.10'], v6: [] }), knownDevices: () => [], ...over,
  });
  return { act, scripts, saved: () => saved as ReturnType<typeof emptyState> | undefined };
}

describe('act service', () => {
  it('changes nothing when nft refuses, and says why', async () => {
    let ok = true;
    const s = service(() => ok);
    await s.act.start();
    ok = false;
    const r = await s.act.quarantine(MAC, 'household', null);
    expect(r).toMatchObject({ ok: false, status: 503 });
    expect(!r.ok && r.error).toContain('Operation not permitted');
    expect(s.act.device(MAC).quarantined).toBeNull();
    expect(Object.keys(s.saved()!.quarantine)).toEqual([]);
    expect(s.saved()!.log.at(-1)).toMatchObject({ action: 'quarantine', ok: false });
    ok = true;
    expect((await s.act.quarantine(MAC, 'household', null)).ok).toBe(true);
    expect(s.scripts.at(-1)).toContain(`elements = { ${MAC} }`);
    expect(Object.keys(s.saved()!.quarantine)).toEqual([MAC]);
  });

  it('refuses a device that is not on the LAN network (its traffic does not pass through us)', async () => {
    const s = service(() => true, { addresses: () => ({ v4: ['192.168.5.20'], v6: [] }) });
    await s.act.start();
    const r = await s.act.quarantine(MAC, 'household', null);
    expect(r).toMatchObject({ ok: false, status: 409 });
    expect(!r.ok && r.error).toContain('not on the LAN network 10.77.0.0/24');
    expect(s.scripts).toHaveLength(1); // the start only
    expect(inAnyNet('10.77.0.254', ['10.77.0.0/24'])).toBe(true);
    expect(inAnyNet('10.77.1.1', ['10.77.0.0/24'])).toBe(false);
    expect(inAnyNet('10.77.1.1', ['10.0.0.0/8'])).toBe(true);
  });

  it('refuses every change when not capable, with the reasons', async () => {
    const s = service(() => true, { detect: async () => ({ capable: false, reasons: ['IP forwarding is off'], codes: ['no-forward'], lan: [], router_v4: null, lan_nets: [] }) });
    await s.act.start();
    const r = await s.act.pause(MAC, Date.now() + 60_000, 'household');
    expect(r).toMatchObject({ ok: false, status: 503 });
    expect(!r.ok && r.error).toContain('IP forwarding is off');
    expect(s.scripts).toEqual([]);
  });

  it('auto-quarantine only when switched on, and not again for an alert older than the household\'s lift', async () => {
    const s = service(() => true);
    await s.act.start();
    await s.act.infected(MAC, 1000, false);
    expect(s.act.device(MAC).quarantined).toBeNull();
    await s.act.infected(MAC, 1000, true);
    expect(s.act.device(MAC).quarantined).toMatchObject({ by: 'auto', reason: 'infected' });
    expect((await s.act.release(MAC, 'household')).ok).toBe(true);
    await s.act.infected(MAC, 1000, true);
    expect(s.act.device(MAC).quarantined).toBeNull();
    await s.act.infected(MAC, Date.now() + 1000, true);
    expect(s.act.device(MAC).quarantined).toMatchObject({ by: 'auto' });
  });

  it('restores the saved state at start (one transaction with the quarantine in it)', async () => {
    const first = service(() => true);
    await first.act.start();
    await first.act.quarantine(MAC, 'household', 'camera');
    const again = service(() => true, { load: () => first.saved() });
    await again.act.start();
    expect(again.scripts).toHaveLength(1);
    expect(again.scripts[0]).toContain(`elements = { ${MAC} }`);
    expect(again.scripts[0]).toContain('elements = { 10.77.0.10 }');
    expect(again.act.device(MAC).quarantined).toMatchObject({ by: 'household', reason: 'camera' });
  });

  it('the boot copy for fw4 keeps quarantines but not pauses (relative nft timeouts would restart them)', async () => {
    const written: string[] = [];
    const s = service(() => true, { writeRuleset: (t) => written.push(t) });
    await s.act.start();
    await s.act.pause(MAC, Date.now() + 3600_000, 'household');
    expect(s.scripts.at(-1)).toContain(`${MAC} timeout`);
    expect(written.at(-1)).not.toContain(MAC);
    await s.act.quarantine('02:77:00:00:00:11', 'household', null);
    expect(written.at(-1)).toContain('elements = { 02:77:00:00:00:11 }');
    expect(written.at(-1)).not.toContain(MAC);
  });

  it('a corrupt saved state is refused, not applied', () => {
    expect(restoreState({ version: 1, quarantine: { 'not a mac': {} } }).refused).toBeTruthy();
    expect(restoreState(undefined)).toEqual({ state: emptyState(), refused: null });
  });
});

describe('ruleset', () => {
  it('writes only validated MACs, addresses and interface names into the script', () => {
    const st = emptyState();
    st.quarantine[MAC] = { at: 1, by: 'household', reason: null };
    (st.quarantine as Record<string, unknown>)['x } ; flush ruleset ; {'] = { at: 1, by: 'household', reason: null };
    const text = renderRuleset({ state: st, lan: ['br0', 'evil"; flush ruleset'], routerV4: '10.77.0.1', portalPort: 8089, onlyKnown: false, addresses: () => ({ v4: ['10.77.0.10', '1.2.3.4 }; flush ruleset'], v6: ['fe80::1%eth0'] }), now: 0 });
    expect(text).not.toContain('flush ruleset');
    expect(text).toContain('iifname { "br0" }');
    expect(text).not.toContain('fe80::1');
    expect(() => renderRuleset({ state: st, lan: ['a b'], routerV4: null, portalPort: 1, onlyKnown: false, addresses: () => ({ v4: [], v6: [] }), now: 0 })).toThrow(/interface/);
  });

  it('gives a paused device its remaining time as the set element timeout, and drops ended pauses', () => {
    const st = emptyState();
    st.pause[MAC] = { at: 0, by: 'household', until: 3_600_000 };
    st.pause['02:77:00:00:00:11'] = { at: 0, by: 'household', until: 500 };
    const text = renderRuleset({ state: st, lan: ['br0'], routerV4: null, portalPort: 8089, onlyKnown: false, addresses: () => ({ v4: [], v6: [] }), now: 1000 });
    expect(text).toContain(`${MAC} timeout 3599s`);
    expect(text).not.toContain('02:77:00:00:00:11');
    expect(text).not.toContain('dnat'); // no router address: no redirect
  });
});

describe('fleet commands (ISP mode)', () => {
  const KEY = 'k'.repeat(40);
  const base = { action: 'quarantine' as const, mac: MAC, ts: 1_000_000, nonce: 'a1b2c3d4e5f60718' };

  it('accepts a signed command once; refuses a replay, a stale one, a forged one', () => {
    const v = new CommandVerifier(KEY, 300_000);
    const cmd = sign(base, KEY);
    expect(v.verify(JSON.stringify(cmd), 1_000_500)).toMatchObject({ ok: true });
    expect(v.verify(JSON.stringify(cmd), 1_000_600)).toEqual({ ok: false, error: 'nonce already used (replay)' });
    const stale = sign({ ...base, nonce: 'ffffffffffffffff' }, KEY);
    expect(v.verify(JSON.stringify(stale), 1_000_000 + 301_000)).toMatchObject({ ok: false, error: expect.stringContaining('window') });
    const forged = { ...sign({ ...base, nonce: 'eeeeeeeeeeeeeeee' }, 'x'.repeat(40)) };
    expect(v.verify(JSON.stringify(forged), 1_000_000)).toEqual({ ok: false, error: 'bad signature' });
    const changed = { ...sign({ ...base, nonce: 'dddddddddddddddd' }, KEY), mac: '02:77:00:00:00:11' };
    expect(v.verify(JSON.stringify(changed), 1_000_000)).toEqual({ ok: false, error: 'bad signature' });
    expect(v.verify('{nope', 0)).toEqual({ ok: false, error: 'not JSON' });
  });

  it('keeps a bounded nonce memory and refuses rather than forgets', () => {
    const v = new CommandVerifier(KEY, 300_000, 2);
    for (const n of ['1111111111111111', '2222222222222222']) expect(v.verify(JSON.stringify(sign({ ...base, nonce: n }, KEY)), 1_000_000).ok).toBe(true);
    expect(v.verify(JSON.stringify(sign({ ...base, nonce: '3333333333333333' }, KEY)), 1_000_000)).toMatchObject({ ok: false, error: 'too many commands in the window' });
    // Once the window moved on, old nonces are dropped and there is room again.
    expect(v.verify(JSON.stringify(sign({ ...base, ts: 1_400_000, nonce: '4444444444444444' }, KEY)), 1_400_000).ok).toBe(true);
  });
});

describe('capability detection', () => {
  it('reads CAP_NET_ADMIN from CapEff and a default route from /proc/net/route', () => {
    expect(hasNetAdmin('Name:\tnode\nCapEff:\t000001ffffffffff\n')).toBe(true);
    expect(hasNetAdmin('CapEff:\t0000000000000000\n')).toBe(false);
    expect(hasNetAdmin('CapEff:\t0000000000001000\n')).toBe(true);
    const routes = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nwan0\t00000000\t0264330A\t0003\t0\t0\t0\t00000000\t0\t0\t0\nbr0\t00004D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n';
    expect(defaultRouteOut(routes, ['br0'])).toBe('wan0');
    expect(defaultRouteOut(routes, ['wan0'])).toBeNull();
  });

  it('says every reason it cannot act, and never probes nft then', async () => {
    let probed = false;
    const cap = await detectCapability({
      enabled: true, lan: ['br0'], nft: async () => { probed = true; return { ok: true }; }, probeScript: () => '',
      readFile: (p) => ({ '/proc/self/status': 'CapEff:\t0000000000000000\n', '/proc/sys/net/ipv4/ip_forward': '0\n', '/proc/net/route': 'Iface\n' } as Record<string, string>)[p],
      interfaces: () => ({}),
    });
    expect(cap.capable).toBe(false);
    expect(cap.reasons.join('\n')).toMatch(/CAP_NET_ADMIN[\s\S]*forwarding is off[\s\S]*br0 not found[\s\S]*no default route/);
    expect(probed).toBe(false);
    const off = await detectCapability({ enabled: false, lan: ['br0'], nft: async () => ({ ok: true }), probeScript: () => '' });
    expect(off.reasons).toEqual(['switched off in the config (act.enabled: false)']);
  });
});

describe('explanation page and config', () => {
  it('speaks the browser\'s language and escapes the advice text', () => {
    expect(pickLang('nl-NL,nl;q=0.9,en;q=0.8')).toBe('nl');
    expect(pickLang('en-GB,nl;q=0.5')).toBe('en');
    expect(pickLang('de-DE,nl;q=0.3')).toBe('nl');
    expect(pickLang('fr')).toBe('en');
    expect(pickLang(undefined)).toBe('en');
    const html = portalPage('en', '<script>x</script>', []);
    expect(html).not.toContain('<script>x');
    expect(html).toContain('&#60;script&#62;');
  });

  it('is off by default and refuses a short fleet key', () => {
    expect(parseActConfig(undefined)).toMatchObject({ enabled: false, auto_quarantine: false, only_known_devices: false });
    expect(() => parseActConfig({ mqtt_commands: { enabled: true, key: 'short' } })).toThrow(/key/);
    expect(() => parseActConfig({ lan_iface: ['br-lan; rm'] })).toThrow(/interface/);
  });
});
