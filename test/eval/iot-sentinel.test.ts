// Real captures (IoT Sentinel, ../shared/pcaps/iot-sentinel): each labelled device's setup captures
// run through analyze; vendor and category must match labels.json, and identity must be there after
// the device's first DHCP/mDNS exchange and never get worse.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { analyzeFiles } from '../../sensor/analyze.js';
import { openCaptureFile } from '../../sensor/capture/file.js';
import { Pipeline } from '../../sensor/pipeline.js';
import { Inventory } from '../../sensor/inventory/inventory.js';
import { describeShared, pcap, HAVE_SHARED } from '../helpers/shared.js';
import { ensureOuiTable } from '../sensor/inventory/oui-helper.js';

interface Label { dir: string; mac: string; vendor: string; vendor_accept: string[]; model_tokens: string[]; category: string }

/**
 * Devices whose captures carry no evidence of the labelled category (checked with tshark). Their label
 * cannot honestly be reached from the traffic, so the test does not pretend (no it.fails): it asserts
 * that Waakhond claims no more than the evidence says, the kind given here with the reason. The miss
 * against the labels is a figure: `npm run eval:identify` prints category 21/24 against its target.
 * (SmarterCoffee left this list: its app talks to TCP 2081, the Smarter protocol port, see services.yaml.)
 */
const NO_CATEGORY_EVIDENCE: Record<string, { honest: string; why: string }> = {
  EdnetGateway: { honest: 'other', why: 'Hi-Flying module hostname, a Hi-Flying smart_config broadcast (UDP 48899 -> 49999) and a white-label cloud (icomen.yunext.com, TCP 7531/7533): nothing says hub' },
  HomeMaticPlug: { honest: 'hub', why: 'the eQ-3 MAC only keeps a WebSocket (RFC 6455 binary frames) to one cloud server on TCP 9292: Homematic plugs are 868 MHz radio devices, so this is most likely the access point they pair with (a hub, the eQ-3 prior)' },
  iKettle2: { honest: 'other', why: 'only DHCP (ESP_ hostname), ARP, IGMP and EAPOL: no local or cloud traffic at all' },
};

const base = pcap('iot-sentinel');
const labels: Label[] = HAVE_SHARED ? JSON.parse(readFileSync(path.join(base, 'labels.json'), 'utf8')).devices : [];
const captures = (dir: string) => readdirSync(path.join(base, dir)).filter((f) => f.endsWith('.pcap')).sort().map((f) => path.join(base, dir, f));

describeShared('IoT Sentinel devices through analyze', () => {
  ensureOuiTable();
  for (const l of labels) {
    const run = (() => {
      let p: ReturnType<typeof analyzeFiles> | null = null;
      return () => (p ??= analyzeFiles(captures(l.dir), { ruleDirs: [] }));
    })();
    it(`${l.dir}: vendor ${l.vendor}`, async () => {
      const d = (await run()).devices.find((x) => x.mac === l.mac);
      expect(d, `${l.mac} not in the report`).toBeDefined();
      expect(l.vendor_accept.some((a) => (d!.vendor ?? '').toLowerCase().includes(a)), `vendor ${d!.vendor}`).toBe(true);
    });
    const none = NO_CATEGORY_EVIDENCE[l.dir];
    if (none) {
      it(`${l.dir}: no evidence of ${l.category} in the traffic, so no guess beyond it: ${none.honest} (${none.why})`, async () => {
        const d = (await run()).devices.find((x) => x.mac === l.mac);
        expect(d?.category).toBe(none.honest);
      });
    } else {
      it(`${l.dir}: category ${l.category}`, async () => {
        const d = (await run()).devices.find((x) => x.mac === l.mac);
        expect(d?.category).toBe(l.category);
      });
    }
  }

  it('identity is there after the first DHCP or mDNS exchange and never gets worse', async () => {
    const problems: string[] = [];
    for (const l of labels) {
      const inv = new Inventory();
      const ok = (v: string | null) => l.vendor_accept.some((a) => (v ?? '').toLowerCase().includes(a));
      let named = false;
      let firstExchange = false;
      let wasRight = false;
      inv.onChange = (d, change) => {
        if (d.mac !== l.mac || change === 'evicted') return;
        if (d.vendor) named = true;
        if (wasRight && !ok(d.vendor)) problems.push(`${l.dir}: vendor went from right to ${d.vendor}`);
        wasRight ||= ok(d.vendor);
      };
      const pipeline = new Pipeline({
        sinks: [(e) => {
          inv.observe(e);
          const mine = (e.type === 'dhcp' && e.op === 'request' && e.client_mac === l.mac) || (e.type === 'dns' && e.mdns && e.src_mac === l.mac);
          if (mine && !firstExchange) {
            firstExchange = true;
            if (!named) problems.push(`${l.dir}: no identity after its first ${e.type} message`);
          }
        }],
      });
      for await (const batch of openCaptureFile(captures(l.dir)[0])) pipeline.push(batch);
      pipeline.finish();
    }
    expect(problems).toEqual([]);
  });
});
