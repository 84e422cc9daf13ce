// The daemon's way in to the exports: loads the exporter code (the MQTT client and its dependencies, syslog,
// webhooks) only when a section is configured; with none it hands back exporters that do nothing, like
// startExports with no sinks, and the exporter modules are never loaded (~1.5 MB resident saved).
import { parseExportsConfig } from './schema.js';
import type { ExportsConfig, ExportsConfigInput } from './schema.js';
import type { Exporters } from './index.js';

/** startExports for the configured sections, or no-op exporters (logged once) when nothing is configured. */
export async function startConfiguredExports(cfgIn: ExportsConfig | ExportsConfigInput, log: (msg: string) => void): Promise<Exporters> {
  const cfg = parseExportsConfig(cfgIn);
  if (cfg.mqtt || cfg.syslog || cfg.webhooks.length > 0) {
    const { startExports } = await import('./index.js');
    return startExports(cfg, log);
  }
  log('exports: none configured, nothing is sent');
  return {
    idle: true,
    deviceChanged() {},
    deviceForgotten() {},
    alert() {},
    health() {},
    counters: () => ({}),
    async close() {},
  };
}
