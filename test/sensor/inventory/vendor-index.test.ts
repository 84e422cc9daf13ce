// VendorIndex.fromOui keeps its answers per organisation name: the kept answer must be the one it works out.
import { describe, expect, it } from 'vitest';
import { loadFingerprints } from '../../../sensor/inventory/fingerprints.js';
import { cleanOrg, VendorIndex } from '../../../sensor/inventory/identity.js';

describe('VendorIndex.fromOui', () => {
  const vendors = loadFingerprints().vendors;

  it('answers a name the same the first time, again, and after many other names pushed it out', () => {
    const index = new VendorIndex(vendors);
    const fresh = () => new VendorIndex(vendors);
    const names = ['Espressif Inc.', 'Hon Hai Precision Ind. Co.,Ltd.', 'Shenzhen Bilian Electronic Co.，Ltd', 'TP-LINK TECHNOLOGIES CO.,LTD.', 'Unknown Maker GmbH'];
    const first = names.map((n) => index.fromOui(n));
    expect(first).toEqual(names.map((n) => fresh().fromOui(n)));
    expect(names.map((n) => index.fromOui(n))).toEqual(first);
    for (let i = 0; i < 5000; i++) index.fromOui(`Maker ${i} Ltd.`);
    expect(names.map((n) => index.fromOui(n))).toEqual(first);
    expect(index.fromOui('Maker 4999 Ltd.')).toEqual({ vendor: cleanOrg('Maker 4999 Ltd.'), module_maker: false });
  });

  it('names a known brand and a module maker from its OUI organisation', () => {
    const index = new VendorIndex(vendors);
    const espressif = index.fromOui('Espressif Inc.');
    expect(espressif.module_maker).toBe(true);
    // The kept answer cannot be changed by one caller for the next.
    expect(() => { (espressif as { vendor: string }).vendor = 'x'; }).toThrow();
    expect(index.fromOui('Espressif Inc.').vendor).not.toBe('x');
  });
});
