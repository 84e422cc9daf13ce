// Printable text of a TCP segment no other parser claimed, and the IRC commands (RFC 2812 3) that start its lines.
import { printableText } from '../bytes.js';
import { mostlyText } from '../file/classify.js';

export interface TcpTextFields {
  text: string;
  irc_commands: string[];
}

export const TCP_TEXT_LIMITS = { text: 512, commands: 16 } as const;

/**
 * RFC 2812 section 3 (client messages) and section 3.7 (PING/PONG/ERROR): the commands IRC bots send
 * (Muhstik, Tsunami/Kaiten: NICK, USER, JOIN #chan, PRIVMSG) and receive from their C2 server.
 */
export const IRC_COMMANDS: ReadonlySet<string> = new Set([
  'PASS', 'NICK', 'USER', 'OPER', 'MODE', 'SERVICE', 'QUIT', 'SQUIT', 'JOIN', 'PART', 'TOPIC', 'NAMES', 'LIST',
  'INVITE', 'KICK', 'PRIVMSG', 'NOTICE', 'MOTD', 'LUSERS', 'VERSION', 'STATS', 'LINKS', 'TIME', 'CONNECT',
  'TRACE', 'ADMIN', 'INFO', 'SERVLIST', 'SQUERY', 'WHO', 'WHOIS', 'WHOWAS', 'KILL', 'PING', 'PONG', 'ERROR',
  'AWAY', 'REHASH', 'DIE', 'RESTART', 'SUMMON', 'USERS', 'WALLOPS', 'USERHOST', 'ISON',
]);

const NONE: string[] = [];

/**
 * Text of a segment if it looks like text (at least 90% of its first 256 bytes printable, TAB, CR, LF),
 * else null. Cheap on binary: the count stops at the 26th unprintable byte.
 */
export function parseTcpText(payload: Uint8Array): TcpTextFields | null {
  if (!mostlyText(payload)) return null;
  const text = printableText(payload, 0, payload.length, TCP_TEXT_LIMITS.text);
  return { text, irc_commands: ircCommands(payload) };
}

/** Commands that start lines: "[:prefix SP] COMMAND ..." (RFC 2812 2.3.1), each once; upper case only, as
 *  clients and servers send them (lower-case words starting lines of other text protocols are not IRC). */
export function ircCommands(b: Uint8Array): string[] {
  let out = NONE;
  let i = 0;
  const end = b.length;
  while (i < end && out.length < TCP_TEXT_LIMITS.commands) {
    let s = i;
    if (b[s] === 0x3a) { // ":prefix " of messages relayed by a server
      while (s < end && b[s] !== 0x20 && b[s] !== 0x0a) s++;
      while (s < end && b[s] === 0x20) s++;
    }
    let e = s;
    while (e < end && e - s <= 8 && b[e] >= 0x41 && b[e] <= 0x5a) e++;
    // The command is a whole word: followed by SP, CR, LF or the end of the segment.
    if (e > s && e - s <= 8 && (e === end || b[e] === 0x20 || b[e] === 0x0d || b[e] === 0x0a)) {
      let w = '';
      for (let k = s; k < e; k++) w += String.fromCharCode(b[k]);
      if (IRC_COMMANDS.has(w) && !out.includes(w)) {
        if (out === NONE) out = [];
        out.push(w);
      }
    }
    const lf = b.indexOf(0x0a, i);
    if (lf < 0) break;
    i = lf + 1;
  }
  return out === NONE ? [] : out;
}
