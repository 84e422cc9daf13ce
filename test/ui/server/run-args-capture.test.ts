// `waakhond run --buffer-size` and the config file's capture section: the kernel ring the user sets reaches the live source spec.
import { describe, expect, it } from 'vitest';
import { parseRunArgs, parseSize, UsageError } from '../../../ui/server/config.js';

describe('capture ring size', () => {
  it('--buffer-size takes bytes or K/M/G and reaches the iface source', () => {
    expect(parseRunArgs(['--iface', 'br-lan', '--buffer-size', '32M']).source).toEqual({ kind: 'iface', iface: 'br-lan', filter: null, bufferSize: 32 << 20 });
    expect(parseSize('65536')).toBe(65536);
    expect(parseSize('512K')).toBe(512 * 1024);
    expect(parseSize('1GiB')).toBe(1 << 30);
  });

  it('the config file sets the ring and immediate mode; the flag wins', () => {
    const file = JSON.stringify({ iface: 'eth0', capture: { buffer_size: 16 << 20, immediate: true } });
    expect(parseRunArgs(['--config', 'c.json'], () => file).source).toEqual({ kind: 'iface', iface: 'eth0', filter: null, bufferSize: 16 << 20, immediate: true });
    expect(parseRunArgs(['--config', 'c.json', '--buffer-size', '4m'], () => file).source).toMatchObject({ bufferSize: 4 << 20 });
  });

  it('refuses sizes that are not sizes or out of range', () => {
    expect(() => parseRunArgs(['--iface', 'x', '--buffer-size', 'lots'])).toThrow(UsageError);
    expect(() => parseSize('1K')).toThrow(/outside 64K..1G/);
    expect(() => parseSize('2G')).toThrow(/outside/);
    expect(() => parseRunArgs(['--config', 'c.json'], () => JSON.stringify({ capture: { buffer_size: 10 } }))).toThrow(/capture.buffer_size/);
  });
});
