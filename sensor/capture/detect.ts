// Picks the capture parser from the file's first 4 bytes (pcap magic in either order, or pcapng's SHB).
import { emptyBatch, newSourceStats, type FrameBatch, type SourceStats } from './frame.js';
import type { CaptureParser } from './chunked.js';
import { isPcapMagic, PcapParser } from './pcap.js';
import { PcapngParser, PCAPNG_SHB } from './pcapng.js';

/** Parser for a capture of unknown format: delegates to pcap or pcapng once 4 bytes have arrived. */
export class AutoParser implements CaptureParser {
  private inner: CaptureParser | null = null;
  private head: Uint8Array | null = null;
  private own: SourceStats = newSourceStats();
  private ownFailed = false;

  get stats(): SourceStats {
    return this.inner === null ? this.own : this.inner.stats;
  }

  get failed(): boolean {
    return this.inner === null ? this.ownFailed : this.inner.failed;
  }

  /** 'pcap', 'pcapng', or null until known. */
  get format(): 'pcap' | 'pcapng' | null {
    return this.inner instanceof PcapParser ? 'pcap' : this.inner instanceof PcapngParser ? 'pcapng' : null;
  }

  push(chunk: Uint8Array): FrameBatch {
    if (this.inner !== null) return this.inner.push(chunk);
    if (this.ownFailed) return emptyBatch();
    let buf = chunk;
    if (this.head !== null) {
      buf = new Uint8Array(this.head.length + chunk.length);
      buf.set(this.head, 0);
      buf.set(chunk, this.head.length);
      this.head = null;
    }
    if (buf.length < 4) {
      this.head = buf.slice();
      return emptyBatch();
    }
    const inner = this.detect(buf);
    return inner === null ? emptyBatch() : inner.push(buf);
  }

  pushWhole(buf: Uint8Array, into?: FrameBatch): { frames: FrameBatch; used: number } {
    if (this.inner !== null) return this.inner.pushWhole(buf, into);
    if (this.ownFailed || buf.length < 4) return { frames: emptyBatch(), used: 0 };
    const inner = this.detect(buf);
    return inner === null ? { frames: emptyBatch(), used: 0 } : inner.pushWhole(buf, into);
  }

  endWhole(leftover: number): void {
    if (this.inner !== null) {
      this.inner.endWhole(leftover);
      return;
    }
    if (!this.ownFailed) {
      this.ownFailed = true;
      this.own.error = leftover === 0 ? 'empty capture: no file header' : `truncated file header: only ${leftover} bytes`;
    }
  }

  /** Choose the parser from the first 4 bytes; null (and stats.error) for an unknown magic. */
  private detect(buf: Uint8Array): CaptureParser | null {
    const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
    if (isPcapMagic(magic)) this.inner = new PcapParser();
    else if (magic === PCAPNG_SHB) this.inner = new PcapngParser();
    else {
      this.ownFailed = true;
      this.own.error = `not a pcap or pcapng capture: bad magic 0x${magic.toString(16).padStart(8, '0')}`;
    }
    return this.inner;
  }

  end(): void {
    if (this.inner !== null) {
      this.inner.end();
      return;
    }
    if (!this.ownFailed) {
      this.ownFailed = true;
      const n = this.head === null ? 0 : this.head.length;
      this.own.error = n === 0 ? 'empty capture: no file header' : `truncated file header: only ${n} bytes`;
    }
  }
}
