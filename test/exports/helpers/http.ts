// A local HTTP receiver on 127.0.0.1 for the webhook tests: records requests and answers as each test scripts it.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export class Receiver {
  readonly hits: Hit[] = [];
  /** Decides the answer for the n-th request (0-based); default 200. */
  answer: (n: number, hit: Hit) => Answer = () => ({ status: 200 });
  private server!: http.Server;
  private hanging: http.ServerResponse[] = [];
  url = '';

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    r.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const hit = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: performance.now() };
        const n = r.hits.length;
        r.hits.push(hit);
        const a = r.answer(n, hit);
        if (a === 'hang') {
          r.hanging.push(res);
          return;
        }
        res.writeHead(a.status, a.headers ?? {});
        res.end('ok');
      });
    });
    await new Promise<void>((ok) => r.server.listen(0, '127.0.0.1', ok));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}/hook`;
    return r;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
