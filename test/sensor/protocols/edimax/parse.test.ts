// Edimax discovery (UDP 20560): an annotated reply and probe, the real plug replies of the IoT Sentinel
// captures against tshark's frame fields, robustness on random bytes and every truncation.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HEADER_LEN, parseEdimaxDiscovery, REPLY_LEN } from '../../../../sensor/protocols/edimax/parse.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

const ascii = (s: string, len: number): string => {
  const b = Buffer.alloc(len);
  b.write(s, 'latin1');
  return b.toString('hex');
};

// A reply laid out as the plugs send it (parse.ts gives the offsets), with other values than the captures.
const REPLY = annotated(`
  02 11 22 33 44 55                  # 0: the device's MAC
  ${ascii('EDIMAX', 12)}             # 6: vendor, NUL-padded to 12
  01 a1 fe 5e                        # 18: not interpreted
  ${ascii('SP2101W', 14)}            # 22: model, 14
  ${ascii('2.08', 8)}                # 36: firmware, 8
  ${ascii('Kitchen plug', 128)}      # 44: device name, 128
  10 27                              # 172: HTTP API port 10000, little-endian
  c0 a8 01 17  ff ff ff 00  c0 a8 01 01   # 174: 192.168.1.23 / 255.255.255.0 / gateway 192.168.1.1
`);

// The probe the EdiPlug app and openHAB's Edimax binding broadcast: any MAC, "EDIMAX", 00 a1 ff 5e.
const PROBE = annotated(`
  ff ff ff ff ff ff                  # any device
  ${ascii('EDIMAX', 12)}
  00 a1 ff 5e
`);

describe('parseEdimaxDiscovery: annotated messages', () => {
  it('reads every field of a reply', () => {
    expect(REPLY.length).toBe(REPLY_LEN);
    expect(parseEdimaxDiscovery(REPLY)).toEqual({
      kind: 'reply', vendor: 'EDIMAX', model: 'SP2101W', firmware: '2.08', name: 'Kitchen plug', device_mac: '02:11:22:33:44:55',
      http_port: 10000, ip: '192.168.1.23', netmask: '255.255.255.0', gateway: '192.168.1.1',
    });
  });
  it('a 22-byte header is a probe, naming no device', () => {
    expect(PROBE.length).toBe(HEADER_LEN);
    expect(parseEdimaxDiscovery(PROBE)).toEqual({
      kind: 'probe', vendor: 'EDIMAX', model: null, firmware: null, name: null, device_mac: null,
      http_port: null, ip: null, netmask: null, gateway: null,
    });
  });
  it('refuses a vendor field that is empty, not text, not NUL-padded or not NUL-ended', () => {
    const full = REPLY.slice();
    full.set(Buffer.from('EDIMAXEDIMAX', 'latin1'), 6); // 12 letters, no NUL: text on the port, not this layout
    expect(parseEdimaxDiscovery(full)).toBeNull();
    for (const [off, v] of [[6, 0x00], [7, 0x01], [9, 0xc3], [17, 0x41]] as const) {
      const bad = REPLY.slice();
      bad[off] = v;
      expect(parseEdimaxDiscovery(bad), `byte ${off} = ${v}`).toBeNull();
    }
  });
  it('cleans control characters out of the text fields', () => {
    const b = REPLY.slice();
    b[44 + 3] = 0x1b; // ESC inside the name
    b[22 + 1] = 0x07; // BEL inside the model
    const f = parseEdimaxDiscovery(b)!;
    expect(f.name).toBe('Kithen plug'); // the 'c' at index 3 was replaced by ESC, which is removed
    expect(f.model).toBe('S2101W');
  });
});

describe('parseEdimaxDiscovery: real plug replies (IoT Sentinel) agree with tshark', () => {
  const fixtures = loadFixtures('edimax');
  const want: Record<string, { model: string; firmware: string }> = {
    'EdimaxPlug1101W': { model: 'SP1101W', firmware: '1.09' },
    'EdimaxPlug2101W': { model: 'SP2101W', firmware: '1.03' },
  };
  it('has a reply of each plug', () => expect(fixtures.map((x) => x.source.split('/')[1]).sort()).toEqual(Object.keys(want)));
  for (const fx of fixtures) {
    it(fx.source, () => {
      const f = parseEdimaxDiscovery(bytes(fx.hex));
      const mac = fx.tshark['eth.src'][0];
      expect(fx.tshark['udp.srcport']).toEqual(['20560']);
      expect(f).toEqual({
        kind: 'reply', vendor: 'EDIMAX', ...want[fx.source.split('/')[1]],
        // The app's default name: "Plug" + the last three bytes of the MAC.
        name: `Plug${mac.split(':').slice(3).join('')}`,
        device_mac: mac,
        http_port: 10000,
        ip: fx.tshark['ip.src'][0],
        netmask: '255.255.255.0',
        gateway: '10.10.10.1',
      });
    });
  }
});

describe('parseEdimaxDiscovery: robustness', () => {
  const bounded = (f: ReturnType<typeof parseEdimaxDiscovery>): boolean => f === null || (
    (f.vendor?.length ?? 0) <= 12 && (f.model?.length ?? 0) <= 14 && (f.firmware?.length ?? 0) <= 8 && (f.name?.length ?? 0) <= 128
    // eslint-disable-next-line no-control-regex
    && [f.vendor, f.model, f.firmware, f.name].every((s) => s === null || (s.length > 0 && !/[\u0000-\u001f\u007f-\u009f]/.test(s)))
    && (f.http_port === null || (f.http_port >= 0 && f.http_port <= 65535)));
  it('random bytes never throw; fields stay bounded and clean', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 260 }), (b) => bounded(parseEdimaxDiscovery(b))), { numRuns: 3000 });
  });
  it('random bytes after a valid header never throw; fields stay bounded and clean', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 240 }), (tail) => {
      const b = new Uint8Array(HEADER_LEN + tail.length);
      b.set(PROBE);
      b.set(tail, HEADER_LEN);
      const f = parseEdimaxDiscovery(b);
      return f !== null && bounded(f) && f.kind === (tail.length > 0 ? 'reply' : 'probe');
    }), { numRuns: 3000 });
  });
  it('every truncation of every reply: null before the header, then the fields wholly present', () => {
    for (const b of [REPLY, PROBE, ...loadFixtures('edimax').map((x) => bytes(x.hex))]) {
      for (let n = 0; n <= b.length; n++) {
        const f = parseEdimaxDiscovery(b.subarray(0, n));
        if (n < HEADER_LEN) { expect(f).toBeNull(); continue; }
        expect(bounded(f)).toBe(true);
        expect(f!.kind).toBe(n > HEADER_LEN ? 'reply' : 'probe');
        expect(f!.model !== null).toBe(n >= 36);
        expect(f!.firmware !== null).toBe(n >= 44);
        expect(f!.name !== null).toBe(n >= 172);
        expect(f!.ip !== null).toBe(n >= 186);
      }
    }
  });
});
