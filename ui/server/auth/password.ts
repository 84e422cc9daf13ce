// The dashboard password: scrypt salted hashes (RFC 7914), a generated first password, and where it is shown.
import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';

// scrypt (RFC 7914) with Percival's interactive-login parameters (N=2^14, r=8, p=1; "Stronger key
// derivation via sequential memory-hard functions", 2009, section 7): 16 MiB and well under a second
// on a Pi, so a login does not push a 512 MB router. Stored hashes carry their parameters, so they
// can be raised later. maxmem must cover 128*N*r bytes.
const N = 1 << 14;
const R = 8;
const P = 1;
const KEYLEN = 32;
const MAXMEM = 64 * 1024 * 1024;

export function hashPassword(password: string, params = { N, r: R, p: P }): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFC'), salt, KEYLEN, { N: params.N, r: params.r, p: params.p, maxmem: MAXMEM });
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Async so a login (~100 ms of scrypt) does not stall the capture loop. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const want = Buffer.from(parts[5], 'base64');
  if (want.length < 16 || want.length > 64) return false;
  const got = await new Promise<Buffer | null>((resolve) => {
    scrypt(password.normalize('NFC'), salt, want.length, { N: n, r, p, maxmem: MAXMEM }, (err, key) => resolve(err ? null : key));
  });
  if (!got) return false;
  return got.length === want.length && timingSafeEqual(got, want);
}

/** A password a person can type: 4 groups of 5 from an alphabet without look-alikes (~100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (let i = 0; i < 20; i++) {
    if (i > 0 && i % 5 === 0) out += '-';
    out += alphabet[bytes[i] % alphabet.length];
  }
  return out;
}

/** Writes DATA/initial-password readable by the owner only. */
export function writeInitialPassword(dataDir: string, password: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'initial-password');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // mode is only applied on create
  return file;
}
