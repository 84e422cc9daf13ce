// mDNS questions: probing one's own instance name (QTYPE ANY, RFC 6762 8.1) says what a device offers;
// resolving another device's instance (SRV/TXT questions) does not.
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../../sensor/analyze.js';
import { Inventory } from '../../../sensor/inventory/inventory.js';
import { describeShared, pcap } from '../../helpers/shared.js';
import { dns } from './ev.js';
import { ensureOuiTable } from './oui-helper.js';

const MAC = '00:1a:2b:3c:4d:5e';
const query = (type: string) => dns({
  src_mac: MAC, src_ip: '192.168.1.30', dst_ip: '224.0.0.251', mdns: true, response: false,
  questions: [{ name: 'Chromecast-30bc617699ec543f._googlecast._tcp.local', type }],
});
const services = (inv: Inventory) => inv.get(MAC)!.evidence.filter((e) => e.detail.includes('_googlecast._tcp') && !/query/i.test(e.detail));

describe('mDNS instance questions (synthetic events)', () => {
  it('a TXT question for a Chromecast instance is resolving it, not being it', () => {
    ensureOuiTable();
    const inv = new Inventory();
    inv.observe(query('TXT'));
    expect(services(inv)).toEqual([]);
  });
  it('an ANY question for an instance name is a probe of its own name: the service is the device\'s', () => {
    ensureOuiTable();
    const inv = new Inventory();
    inv.observe(query('ANY'));
    expect(services(inv).length).toBeGreaterThan(0);
  });
});

describeShared('a Mac whose Chrome resolves a Chromecast stays a computer (real capture, Slips)', () => {
  it('hide-and-seek_test7: 68:5b:35:b1:55:93 (Apple, DHCP says macOS) is a computer, with no googlecast service evidence', async () => {
    ensureOuiTable();
    const r = await analyzeFiles([pcap('slips/hide-and-seek_test7-malicious.pcap')], { ruleDirs: [] });
    const d = r.devices.find((x) => x.mac === '68:5b:35:b1:55:93')!;
    expect(d.category).toBe('computer');
    expect(d.evidence.filter((e) => e.source === 'mdns' && e.detail.startsWith('mDNS service _googlecast'))).toEqual([]);
  });
});
