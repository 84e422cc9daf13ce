// MAC address helpers: normalisation and the IEEE 802 address bits that decide what is a device.

/** "AA-BB-CC-DD-EE-FF" / "aabb.ccdd.eeff" / "aa:bb:cc:dd:ee:ff" -> "aa:bb:cc:dd:ee:ff", or null if not a MAC. */
export function normalizeMac(mac: string | null | undefined): string | null {
  if (!mac) return null;
  // Fast path: the pipeline already writes canonical MACs; this runs for nearly every event.
  if (mac.length === 17 && isCanonical(mac)) return mac;
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || mac.length > 17) return null;
  return hex.match(/../g)!.join(':');
}

/** First octet of a normalised MAC. */
function firstOctet(mac: string): number {
  return parseInt(mac.slice(0, 2), 16);
}

/** IEEE 802-2014 8.2: the I/G bit (LSB of the first octet) marks group (multicast/broadcast) addresses. */
export function isGroupMac(mac: string): boolean {
  return (firstOctet(mac) & 0x01) === 1;
}

/** IEEE 802-2014 8.2: the U/L bit marks locally administered addresses (randomised "private" MACs). */
export function isLocallyAdministered(mac: string): boolean {
  return (firstOctet(mac) & 0x02) === 2;
}

/** A MAC that cannot be one device: group addresses (incl. ff:ff:ff:ff:ff:ff) and all zeros. */
export function isNonDeviceMac(mac: string): boolean {
  return isGroupMac(mac) || mac === '00:00:00:00:00:00';
}

/** "aa:bb:cc:dd:ee:ff" exactly: lower-case hex pairs separated by colons. */
function isCanonical(mac: string): boolean {
  for (let i = 0; i < 17; i++) {
    const c = mac.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}
