// compareText: the ICU-free order for vendor tie-breaks and destination lists.
import { describe, expect, it } from 'vitest';
import { compareText } from '../../sensor/text-order.js';

describe('compareText', () => {
  it('orders ignoring case first, then by code unit, like a stable localeCompare for ASCII names', () => {
    expect(['Google', 'ecobee', 'TP-Link', 'Amazon', 'iRobot', 'amazon'].sort(compareText)).toEqual(['Amazon', 'amazon', 'ecobee', 'Google', 'iRobot', 'TP-Link']);
    expect(compareText('Tuya', 'Tuya')).toBe(0);
    expect(compareText('a', 'b')).toBeLessThan(0);
    expect(compareText('b', 'A')).toBeGreaterThan(0);
  });
});
