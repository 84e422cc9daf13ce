// SyslogExporter: placeholder so the interface compiles; the real exporter lands in the next commit.
import type { AlertMessage, DeviceMessage, HealthMessage, SyslogConfig } from './schema.js';
import type { ExportSink } from './index.js';

export class SyslogExporter implements ExportSink {
  readonly name: string;
  constructor(readonly cfg: SyslogConfig, readonly site: string, readonly log: (msg: string) => void, name = 'syslog') {
    this.name = name;
  }
  device(_msg: DeviceMessage): void {}
  alert(_msg: AlertMessage): void {}
  health(_msg: HealthMessage): void {}
  counters() {
    return { queued: 0, dropped: 0, sent: 0, failed: 0 };
  }
  async close(): Promise<void> {}
}
