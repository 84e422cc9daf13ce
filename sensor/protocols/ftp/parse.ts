// FTP control-connection reader (RFC 959 4.1, 5.3): the client's command lines, PASS arguments hidden.
import type { Endpoints, FtpEvent } from '../../events.js';
import { netText } from '../bytes.js';

export type FtpFields = Omit<FtpEvent, 'type' | 'ts' | keyof Endpoints | 'src_port' | 'dst_port'>;

export const FTP_LIMITS = { arg: 256, commandsPerSegment: 16 } as const;

/**
 * Command lines of one client segment: "COMMAND [SP argument] CRLF" (RFC 959 5.3.1). Commands are 3 or 4
 * letters (RFC 959 5.3.1; RFC 2389 FEAT/OPTS, RFC 3659 MLSD/SIZE have the same shape), upper-cased
 * (RFC 959 5.3: case does not matter). The scan stops at the first line that is not a command (not FTP,
 * or a line cut by the segment end) and after FTP_LIMITS.commandsPerSegment lines. PASS arguments
 * (RFC 959 4.1.1) are replaced by "***": a password must not travel on in events.
 */
export function parseFtpCommands(payload: Uint8Array): FtpFields[] {
  const b = payload;
  const out: FtpFields[] = [];
  let i = 0;
  while (i < b.length && out.length < FTP_LIMITS.commandsPerSegment) {
    const lf = b.indexOf(0x0a, i);
    if (lf < 0) break; // cut by the segment end: the argument may be incomplete
    let end = lf;
    if (end > i && b[end - 1] === 0x0d) end--;
    let e = i;
    let command = '';
    while (e < end && e - i < 5) {
      const c = b[e] & 0xdf; // upper case
      if (c < 0x41 || c > 0x5a) break;
      command += String.fromCharCode(c);
      e++;
    }
    if (command.length < 3 || command.length > 4 || (e < end && b[e] !== 0x20)) break;
    const arg = e < end ? netText(b, e + 1, end, FTP_LIMITS.arg) : '';
    out.push({ command, arg: command === 'PASS' && arg !== '' ? '***' : arg });
    i = lf + 1;
  }
  return out;
}
