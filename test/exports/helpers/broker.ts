// Runs a real Debian mosquitto on 127.0.0.1 with a random free port and its own config and persistence directory,
// and an MQTT subscriber that records what arrives; both for the MQTT exporter tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';

export const MOSQUITTO = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export class Broker {
  readonly dir: string;
  readonly port: number;
  proc: ChildProcess | null = null;
  log = '';

  /** extraConfig: more mosquitto.conf lines (TLS listener, password_file, ...). */
  constructor(port: number, readonly extraConfig: string[] = [], readonly listener = true, readonly persistence = true) {
    this.port = port;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'waakhond-mosq-'));
  }

  static async start(opts: { extraConfig?: string[]; listener?: boolean; persistence?: boolean; port?: number } = {}): Promise<Broker> {
    const b = new Broker(opts.port ?? (await freePort()), opts.extraConfig ?? [], opts.listener ?? true, opts.persistence ?? true);
    await b.start();
    return b;
  }

  async start(): Promise<void> {
    const conf = path.join(this.dir, 'mosquitto.conf');
    writeFileSync(conf, [
      ...(this.listener ? [`listener ${this.port} 127.0.0.1`, 'allow_anonymous true'] : []),
      // The Debian default (1000) drops bursts for a slow or offline persistent subscriber.
      'max_queued_messages 1000000',
      'max_inflight_messages 0',
      `persistence ${this.persistence}`,
      `persistence_location ${this.dir}/`,
      // As root (CI) mosquitto would drop to user "mosquitto", which cannot read this private temp dir.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      ...this.extraConfig,
      '',
    ].join('\n'));
    const p = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    p.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    p.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    const exited = new Promise<never>((_, rej) => p.once('exit', (c) => rej(new Error(`mosquitto exited ${c}: ${this.log}`))));
    await Promise.race([exited, this.waitListening()]);
  }

  private async waitListening(): Promise<void> {
    const end = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((r) => {
        const s = net.connect(this.port, '127.0.0.1');
        s.once('connect', () => (s.destroy(), r(true)));
        s.once('error', () => r(false));
      });
      if (ok) return;
      if (Date.now() > end) throw new Error(`mosquitto not listening on ${this.port}: ${this.log}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  /** SIGTERM: mosquitto saves its persistence file (retained messages, sessions) and exits. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const done = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGTERM');
    await done;
    this.proc = null;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  at: number;
}

/** A subscriber that records every message; clean:false + fixed id keeps its session across broker restarts. */
export class Recorder {
  readonly msgs: Received[] = [];
  client!: MqttClient;

  static async connect(url: string, topics: string[], opts: IClientOptions = {}): Promise<Recorder> {
    const r = new Recorder();
    r.client = mqtt.connect(url, { reconnectPeriod: 100, connectTimeout: 5000, ...opts });
    r.client.on('message', (topic, payload, packet) => {
      r.msgs.push({ topic, payload: payload.toString(), retain: packet.retain, at: performance.now() });
    });
    r.client.on('error', () => undefined);
    await new Promise<void>((res, rej) => {
      r.client.once('connect', () => res());
      r.client.once('error', rej);
    });
    await r.client.subscribeAsync(topics, { qos: 1 });
    return r;
  }

  on(topic: string): Received[] {
    return this.msgs.filter((m) => m.topic === topic);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
