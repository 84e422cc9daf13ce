// Syslog exporter: RFC 5424 messages (structured data + text or JSON) over UDP (RFC 5426), TCP with octet-counting
// framing (RFC 6587 3.4.1), a local unix stream socket, or logger(1) for datagram sockets such as /dev/log.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { BoundedQueue } from './queue.js';
import type { AlertMessage, DeviceMessage, EventMessage, HealthMessage, SyslogConfig } from './schema.js';
import type { ExportSink } from './index.js';

// RFC 5424 6.2.1 table 1.
const FACILITY: Record<SyslogConfig['facility'], number> = {
  kern: 0, user: 1, daemon: 3, auth: 4, syslog: 5,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};
// RFC 5424 6.2.1 table 2 severities.
const SEV_NAME = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
const ALERT_SEVERITY: Record<string, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

/** SD-ID with the documentation enterprise number of RFC 5612 (32473): ours until one is registered. */
export const SD_ID = 'waakhond@32473';

/** The syslog severity (0-7) of a message. */
export function syslogSeverity(msg: EventMessage): number {
  if (msg.kind === 'alert') return msg.change === 'cleared' ? 5 : ALERT_SEVERITY[msg.alert.severity] ?? 4;
  if (msg.kind === 'device') return msg.device.status === 'infected' ? 4 : msg.device.status === 'exposed' ? 5 : 6;
  return msg.health.tables_full.length > 0 || (msg.health.dropped ?? 0) > 0 ? 4 : 6;
}

/** RFC 5424 6.3.3: inside PARAM-VALUE, '"', '\' and ']' must be escaped with '\'. */
export function sdEscape(v: string): string {
  return v.replace(/[\\"\]]/g, (c) => '\\' + c);
}

function field(s: string | undefined, max: number): string {
  // HOSTNAME, APP-NAME, PROCID, MSGID: PRINTUSASCII (33-126) or NILVALUE "-".
  const clean = (s ?? '').replace(/[^!-~]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** One line of text for people (no newlines). */
export function syslogText(msg: EventMessage): string {
  if (msg.kind === 'alert') {
    const a = msg.alert;
    const head = msg.change === 'cleared' ? `cleared: ${a.title}` : `${a.severity}: ${a.title}`;
    return `${head}: ${a.summary}${a.device ? ` (device ${a.device})` : ''}${a.advice && msg.change !== 'cleared' ? ` advice=${a.advice}` : ''}`;
  }
  if (msg.kind === 'device') {
    const d = msg.device;
    const label = d.name ?? ([d.vendor, d.model].filter(Boolean).join(' ') || 'unknown device');
    return msg.change === 'forgotten' ? `device ${d.mac} forgotten` : `device ${d.mac} ${label} ${d.ips.join(',')} status=${d.status} (${msg.change})`;
  }
  const h = msg.health;
  return `health: ${h.packets} packets, ${h.dropped ?? 0} dropped, ${h.malformed} malformed, ${h.flows_active} flows` +
    `${h.tables_full.length ? `, full: ${h.tables_full.join(',')}` : ''}`;
}

function sdParams(msg: EventMessage): [string, string][] {
  const p: [string, string][] = [['schema', msg.schema], ['site', msg.site], ['kind', msg.kind], ['time', msg.time]];
  if (msg.kind === 'alert') {
    const a = msg.alert;
    p.push(['change', msg.change], ['id', a.id], ['rule', a.rule], ['severity', a.severity], ['count', String(a.count)]);
    if (a.device) p.push(['device', a.device]);
    if (a.advice) p.push(['advice', a.advice]);
  } else if (msg.kind === 'device') {
    p.push(['change', msg.change], ['device', msg.device.mac], ['status', msg.device.status]);
  }
  return p;
}

export interface FormatOptions {
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
  format: 'text' | 'json';
  /** Originator's clock (RFC 5424 6.2.3: when the message was made); the event's own time is in the SD. */
  now?: Date;
}

/** A complete RFC 5424 SYSLOG-MSG (without transport framing). */
export function formatRfc5424(msg: EventMessage, o: FormatOptions): string {
  const pri = o.facility * 8 + syslogSeverity(msg);
  const ts = (o.now ?? new Date()).toISOString();
  const sd = `[${SD_ID}${sdParams(msg).map(([k, v]) => ` ${k}="${sdEscape(v)}"`).join('')}]`;
  const body = o.format === 'json' ? JSON.stringify(msg) : syslogText(msg).replace(/[\r\n]+/g, ' ');
  // RFC 5424 6.4: UTF-8 MSG starts with a BOM; pure ASCII is valid MSG-ANY without one.
  const bom = /^[\x20-\x7e]*$/.test(body) ? '' : '\uFEFF';
  return `<${pri}>1 ${ts} ${field(o.hostname, 255)} ${field(o.appName, 48)} ${field(o.procId, 128)} ${field(msg.kind, 32)} ${sd} ${bom}${body}`;
}

export class SyslogExporter implements ExportSink {
  readonly name: string;
  private queue: BoundedQueue<{ line: string; sev: number }>;
  private sent = 0;
  private failed = 0;
  private closed = false;
  private readonly opts: FormatOptions;
  private mode: 'udp' | 'stream' | 'logger';
  // udp
  private udp: dgram.Socket | null = null;
  // tcp / unix stream
  private sock: net.Socket | null = null;
  private connected = false;
  private blocked = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retries = 0;
  private lastError = '';
  // logger(1) children, one per severity
  private loggers = new Map<number, ChildProcessWithoutNullStreams>();

  constructor(readonly cfg: SyslogConfig, readonly site: string, readonly log: (msg: string) => void, name = 'syslog') {
    this.name = name;
    this.queue = new BoundedQueue(cfg.queue_max);
    this.opts = {
      facility: FACILITY[cfg.facility], hostname: cfg.hostname ?? os.hostname(), appName: cfg.app_name,
      procId: String(process.pid), format: cfg.format,
    };
    if (cfg.transport === 'udp') {
      this.mode = 'udp';
      this.udp = dgram.createSocket(net.isIPv6(cfg.host) ? 'udp6' : 'udp4');
      this.udp.on('error', (err) => this.note(`udp: ${err.message}`));
      this.udp.unref();
    } else if (cfg.transport === 'logger') {
      this.mode = 'logger';
    } else {
      this.mode = 'stream';
      this.connect();
    }
  }

  private note(msg: string): void {
    if (msg !== this.lastError) {
      this.lastError = msg;
      this.log(`${this.name}: ${msg}`);
    }
  }

  private connect(): void {
    if (this.closed) return;
    const where = this.cfg.transport === 'tcp' ? { host: this.cfg.host, port: this.cfg.port } : { path: this.cfg.path };
    const s = net.connect(where);
    this.sock = s;
    s.setNoDelay?.(true);
    s.on('connect', () => {
      this.connected = true;
      this.retries = 0;
      this.lastError = '';
      this.flush();
    });
    s.on('drain', () => {
      this.blocked = false;
      this.flush();
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPROTOTYPE' && this.cfg.transport === 'unix') {
        // A datagram socket (/dev/log): Node has no AF_UNIX SOCK_DGRAM, so lines go through logger(1).
        this.log(`${this.name}: ${this.cfg.path} is a datagram socket; sending through ${this.cfg.logger_path}`);
        this.mode = 'logger';
        this.flush();
        return;
      }
      this.note(`${this.cfg.transport} ${this.cfg.transport === 'tcp' ? `${this.cfg.host}:${this.cfg.port}` : this.cfg.path}: ${err.message}`);
    });
    s.on('close', () => {
      this.connected = false;
      this.blocked = false;
      this.sock = null;
      if (this.closed || this.mode !== 'stream') return;
      const delay = Math.min(this.cfg.reconnect_ms * 2 ** this.retries++, 60_000);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect();
      }, delay);
      this.retryTimer.unref();
    });
  }

  private send(msg: EventMessage): void {
    if (this.closed) return;
    const line = formatRfc5424(msg, this.opts);
    this.queue.push({ line, sev: syslogSeverity(msg) }, null, line.length);
    this.flush();
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const item = this.queue.peek()!;
      if (this.mode === 'udp') {
        this.queue.shift();
        // RFC 5426 3.1: one message per datagram.
        this.udp!.send(Buffer.from(item.line, 'utf8'), this.cfg.port, this.cfg.host, (err) => {
          if (err) {
            this.failed++;
            this.note(`udp: ${err.message}`);
          } else this.sent++;
        });
      } else if (this.mode === 'stream') {
        if (!this.connected || this.blocked || !this.sock) return;
        this.queue.shift();
        const body = Buffer.from(item.line, 'utf8');
        // TCP: RFC 6587 3.4.1 octet counting "LEN SP MSG"; unix stream sockets read one message per line.
        const frame = this.cfg.transport === 'tcp'
          ? Buffer.concat([Buffer.from(`${body.length} `), body])
          : Buffer.concat([body, Buffer.from('\n')]);
        this.sent++;
        if (!this.sock.write(frame)) this.blocked = true; // kernel buffer full: wait for 'drain', keep queueing
      } else {
        this.queue.shift();
        this.toLogger(item.line, item.sev);
      }
    }
  }

  /** Hands the MSG part to a long-lived `logger -p facility.severity` (it writes its own header). */
  private toLogger(line: string, sev: number): void {
    let child = this.loggers.get(sev);
    if (!child || child.exitCode !== null || child.killed) {
      const args = ['-t', this.cfg.app_name, '-p', `${this.cfg.facility}.${SEV_NAME[sev]}`];
      // busybox logger has no -u and always uses /dev/log; util-linux takes -u for any socket path.
      if (this.cfg.path !== '/dev/log') args.push('-u', this.cfg.path);
      try {
        child = spawn(this.cfg.logger_path, args, { stdio: ['pipe', 'ignore', 'pipe'] }) as unknown as ChildProcessWithoutNullStreams;
      } catch (err) {
        this.failed++;
        this.note(`logger: ${(err as Error).message}`);
        return;
      }
      child.on('error', (err) => this.note(`logger: ${err.message}`));
      child.stdin.on('error', () => undefined);
      child.stderr?.on('data', (d: Buffer) => this.note(`logger: ${d.toString().trim()}`));
      this.loggers.set(sev, child);
    }
    // The structured data is lost through logger(1); the MSG after it is what remains, as one line.
    const sdEnd = line.indexOf('] ', line.indexOf(`[${SD_ID}`));
    const msgPart = sdEnd >= 0 ? line.slice(sdEnd + 2).replace(/^\uFEFF/, '') : line;
    child.stdin.write(msgPart.replace(/[\r\n]+/g, ' ') + '\n');
    this.sent++;
  }

  device(msg: DeviceMessage): void {
    if (this.cfg.include.includes('device')) this.send(msg);
  }

  alert(msg: AlertMessage): void {
    if (this.cfg.include.includes('alert')) this.send(msg);
  }

  health(msg: HealthMessage): void {
    if (this.cfg.include.includes('health')) this.send(msg);
  }

  counters() {
    return { queued: this.queue.length, queued_bytes: this.queue.bytes, dropped: this.queue.dropped, sent: this.sent, failed: this.failed };
  }

  async close(timeoutMs = 1000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (this.queue.length > 0 && this.mode === 'stream' && this.connected && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const sock = this.sock;
    if (sock) {
      await new Promise<void>((r) => {
        sock.end(() => r());
        setTimeout(() => { sock.destroy(); r(); }, 500).unref();
      });
    }
    this.udp?.close();
    await Promise.all([...this.loggers.values()].map((c) => new Promise<void>((r) => {
      if (c.exitCode !== null) return r();
      c.once('exit', () => r());
      c.stdin.end();
      setTimeout(() => { c.kill(); r(); }, 1000).unref();
    })));
    if (this.queue.length > 0) this.log(`${this.name}: closing with ${this.queue.length} unsent messages`);
  }
}
