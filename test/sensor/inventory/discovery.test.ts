// Vendor discovery replies in the inventory: the Edimax plugs of the IoT Sentinel captures answer the
// EdiPlug app on UDP 20560 with their own model, which names the model and (models.yaml) the kind.
import { describe, expect, it } from 'vitest';
import { analyzeFiles } from '../../../sensor/analyze.js';
import type { DiscoveryEvent } from '../../../sensor/events.js';
import { observationsOf } from '../../../sensor/inventory/observe.js';
import { describeShared, pcap } from '../../helpers/shared.js';
import { ensureOuiTable } from './oui-helper.js';

ensureOuiTable();

describeShared('Edimax discovery replies name the plug (real captures)', () => {
  const cases = [
    { file: 'iot-sentinel/EdimaxPlug1101W/Setup-C-2-STA.pcap', mac: '74:da:38:4a:76:49', model: 'SP-1101W',
      line: 'Edimax discovery reply (UDP 20560, firmware 1.09): vendor EDIMAX, model SP1101W' },
    { file: 'iot-sentinel/EdimaxPlug2101W/Setup-C-1-STA.pcap', mac: '74:da:38:23:22:7b', model: 'SP-2101W',
      line: 'Edimax discovery reply (UDP 20560, firmware 1.03): vendor EDIMAX, model SP2101W' },
  ];
  for (const c of cases) {
    it(`${c.file}: ${c.model} smart plug from its reply`, async () => {
      const d = (await analyzeFiles([pcap(c.file)], { ruleDirs: [] })).devices.find((x) => x.mac === c.mac);
      expect(d, `${c.mac} not in the report`).toBeDefined();
      expect(d!.vendor).toBe('Edimax');
      expect(d!.model).toBe(c.model);
      expect(d!.category).toBe('smart-plug');
      const ev = d!.evidence.find((e) => e.source === 'discovery' && e.detail === c.line);
      expect(ev, d!.evidence.map((e) => e.detail).join('\n')).toBeDefined();
      expect(ev!.model).toBe(c.model);
      expect(ev!.vendor).toBe('Edimax');
      expect(ev!.weight).toBe(0.9);
      // models.yaml's Edimax SP line reads the model the reply named as a smart plug.
      expect(d!.evidence.find((e) => e.source === 'discovery' && e.detail === `Discovery model ${c.model}, vendor Edimax`)?.category).toBe('smart-plug');
      // No other evidence in this capture names the model: the reply is where it comes from.
      expect(d!.evidence.filter((e) => e.model && e.source !== 'discovery')).toEqual([]);
    });
  }
});

describe('discovery observations', () => {
  const reply: DiscoveryEvent = {
    type: 'discovery', ts: 1, src_mac: '74:da:38:4a:76:49', dst_mac: '38:0b:40:ef:85:41', src_ip: '10.10.10.186', dst_ip: '10.10.10.30',
    direction: 'internal', src_port: 20560, dst_port: 57510, protocol: 'edimax', kind: 'reply', vendor: 'EDIMAX', model: 'SP1101W',
    firmware: '1.09', name: 'Plug4a7649', device_mac: '74:da:38:4a:76:49',
  };
  it('a LAN reply speaks for its sender', () => {
    const [o, ...rest] = observationsOf(reply);
    expect(rest).toEqual([]);
    expect(o).toMatchObject({ kind: 'discovery', source: 'discovery', mac: reply.src_mac, ip: reply.src_ip,
      label: 'Edimax discovery reply (UDP 20560, firmware 1.09):' });
    expect([...o.fields]).toEqual([['protocol', ['edimax']], ['vendor', ['EDIMAX']], ['model', ['SP1101W']], ['firmware', ['1.09']], ['name', ['Plug4a7649']]]);
  });
  it('probes and replies from outside the home give none', () => {
    expect(observationsOf({ ...reply, kind: 'probe', vendor: 'EDIMAX', model: null, firmware: null, name: null, device_mac: null })).toEqual([]);
    expect(observationsOf({ ...reply, direction: 'inbound' })).toEqual([]);
  });
});
