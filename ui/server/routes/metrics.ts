// GET /metrics: Prometheus text exposition format 0.0.4; a bearer token (scrapers cannot log in) or a session.
import { Hono } from 'hono';
import { sameToken } from '../auth/sessions.js';
import { fail } from '../context.js';
import type { Env } from '../context.js';
import { SEVERITIES } from '../../../rules/engine/types.js';
import { loopDelay } from '../loop-delay.js';

export function metricsRoutes(): Hono<Env> {
  const r = new Hono<Env>();
  r.get('/metrics', (c) => {
    const deps = c.var.deps;
    const auth = c.req.header('authorization') ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice(7) : null;
    const tokenOk = deps.metricsToken !== null && sameToken(bearer, deps.metricsToken);
    if (!tokenOk && !c.var.session) {
      c.header('WWW-Authenticate', 'Bearer realm="waakhond"');
      return fail(c, 401, 'bearer token (metrics.token) or login required');
    }
    return c.text(renderMetrics(deps), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
  });
  return r;
}

type Deps = Env['Variables']['deps'];

export function renderMetrics(deps: Deps): string {
  const live = deps.live();
  const out: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Record<string, string> | null, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) {
      const l = labels ? `{${Object.entries(labels).map(([k, x]) => `${k}="${escapeLabel(x)}"`).join(',')}}` : '';
      out.push(`${name}${l} ${Number.isFinite(v) ? v : 0}`);
    }
  };
  metric('waakhond_packets_total', 'counter', 'Packets read from the capture source.', [[null, live.packets]]);
  metric('waakhond_bytes_total', 'counter', 'Bytes read from the capture source.', [[null, live.bytes]]);
  metric('waakhond_dropped_packets_total', 'counter', 'Packets the kernel or libpcap dropped.', [[null, live.dropped]]);
  metric('waakhond_malformed_packets_total', 'counter', 'Packets that did not decode.', [[null, live.malformed]]);
  metric('waakhond_flows_active', 'gauge', 'Flows in the flow table.', [[null, live.flows_active]]);
  metric('waakhond_capture_running', 'gauge', '1 while the capture source is running.', [[null, live.capture_state === 'running' ? 1 : 0]]);
  metric('waakhond_replay_laps_total', 'counter', 'Completed laps of a looping replay.', [[null, live.laps]]);
  // Counted once per store change (views.ts counts), not over every device and alert per scrape.
  const counts = deps.views.counts();
  metric('waakhond_devices', 'gauge', 'Devices known, by status.', Object.entries(counts.devices).map(([s, n]) => [{ status: s }, n]));
  const bySev: Record<string, number> = Object.fromEntries(SEVERITIES.map((s) => [s, counts.alerts[s] ?? 0]));
  metric('waakhond_alerts', 'gauge', 'Stored alerts, by severity.', Object.entries(bySev).map(([s, n]) => [{ severity: s }, n]));
  metric('waakhond_rules_loaded', 'gauge', 'Rules the engine runs.', [[null, live.rules_loaded]]);
  metric('waakhond_rule_errors', 'gauge', 'Rule files refused at load.', [[null, live.rule_errors]]);
  metric('waakhond_rule_engine_warnings', 'gauge', 'Rule engine health warnings (full tables and the like).', [[null, live.rule_health.length]]);
  const rs = Object.entries(live.rule_stats).filter(([, v]) => typeof v === 'number');
  if (rs.length) metric('waakhond_rule_engine', 'gauge', 'Rule engine counters, by name.', rs.map(([k, v]) => [{ counter: k }, v]));
  metric('waakhond_tables_full', 'gauge', 'Bounded sensor tables that are full.', [[null, live.tables_full.length]]);
  const st = deps.store.stats;
  metric('waakhond_store_writes_total', 'counter', 'Store file writes.', [[null, st.writes]]);
  metric('waakhond_store_write_errors_total', 'counter', 'Store file writes that failed.', [[null, st.write_errors]]);
  metric('waakhond_store_bytes', 'gauge', 'Size of the store file at the last write.', [[null, st.bytes]]);
  metric('waakhond_store_evicted_total', 'counter', 'Rows dropped by caps and retention.', [
    [{ table: 'devices', why: 'cap' }, st.evicted_devices], [{ table: 'alerts', why: 'cap' }, st.evicted_alerts],
    [{ table: 'devices', why: 'retention' }, st.pruned_devices], [{ table: 'alerts', why: 'retention' }, st.pruned_alerts],
  ]);
  metric('waakhond_answers', 'gauge', 'Devices the household said what they are ("What is this?").', [[null, Object.keys(deps.store.data.answers).length]]);
  metric('waakhond_answers_refused_total', 'counter', 'Answers refused because the answers table was full.', [[null, st.answers_refused]]);
  metric('waakhond_store_devices_folded_total', 'counter', 'Stored devices folded into another (private MACs of one phone/laptop).', [[null, st.folded_devices]]);
  metric('waakhond_login_refused_total', 'counter', 'Login attempts refused by the rate limit.', [[null, deps.limiter.refused]]);
  metric('waakhond_login_admitted_under_attack_total', 'counter', 'Login attempts let through while the global allowance was spent (clients that had not failed).', [[null, deps.limiter.admittedUnderAttack]]);
  metric('waakhond_sse_clients', 'gauge', 'Open live-update connections.', [[null, deps.hub.subscribers]]);
  metric('waakhond_process_resident_memory_bytes', 'gauge', 'Resident set size.', [[null, residentBytes()]]);
  const delay = loopDelay();
  if (delay) {
    metric('waakhond_event_loop_delay_seconds', 'gauge', 'How late the event loop ran due work since the daemon started listening (p50, p99, max).', [
      [{ stat: 'p50' }, delay.p50_ms / 1000], [{ stat: 'p99' }, delay.p99_ms / 1000], [{ stat: 'max' }, delay.max_ms / 1000],
    ]);
  }
  return out.join('\n') + '\n';
}

let rss = { at: 0, bytes: 0 };

/**
 * memoryUsage.rss() only (memoryUsage() also walks the V8 heap spaces, ~2 ms), and at most once a second:
 * reading /proc/self/stat took ~0.5 ms a scrape here, 4% of the CPU under a load of scrapes.
 */
function residentBytes(now = Date.now()): number {
  if (now - rss.at >= 1000) rss = { at: now, bytes: process.memoryUsage.rss() };
  return rss.bytes;
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
