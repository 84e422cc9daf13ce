// WebhookExporter: placeholder so the interface compiles; the real exporter lands in the next commit.
import type { AlertMessage, DeviceMessage, HealthMessage, WebhookConfig } from './schema.js';
import type { ExportSink } from './index.js';

export class WebhookExporter implements ExportSink {
  readonly name: string;
  constructor(readonly cfg: WebhookConfig, readonly site: string, readonly log: (msg: string) => void, name = 'webhook') {
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
