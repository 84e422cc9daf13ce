// The API's shapes as the dashboard sees them (mirrors ui/server/views.ts and rules/advice/book.ts).
export type Status = 'ok' | 'check' | 'update-advised' | 'exposed' | 'infected';
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export type Answer = 'yes' | 'no' | 'partly' | 'setting' | 'unknown';

export interface Action { key: string; advice: string; title: string; priority: number; status: Exclude<Status, 'ok'> }

export interface DeviceSummary {
  mac: string;
  label: string;
  user_name: string | null;
  name: string | null;
  hostname: string | null;
  vendor: string | null;
  model: string | null;
  category: string;
  confidence: number;
  private_mac: boolean;
  ips: string[];
  ipv6: string[];
  status: Status;
  first_seen_ms: number;
  last_seen_ms: number;
  alert_count: number;
  actions: Action[];
}

export interface VendorCard {
  vendor: string | null;
  where: string;
  updates_url: string | null;
  auto_update: Answer;
  security_updates: Answer;
  support_period: string | null;
  works_offline: Answer;
}

export interface AdviceCard {
  key: string;
  advice: string;
  priority: number;
  status: Exclude<Status, 'ok'>;
  title: string;
  why: string;
  steps: string[];
  vendor: VendorCard | null;
  alerts: string[];
  severity: Severity | null;
  state: 'open' | 'done' | 'snoozed';
  snoozed_until: number | null;
}

export interface AlertView {
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  device: string | null;
  device_label: string | null;
  summary: string;
  count: number;
  first_seen_ms: number;
  last_seen_ms: number;
  advice: string | null;
  evidence: { detail: string; ts_ms: number | null }[];
}

export interface Evidence { source: string; detail: string; vendor: string | null; model: string | null; category: string | null; weight: number | null }

export type TrafficPoint = [number, number, number, number, number];

export interface DeviceDetail extends DeviceSummary {
  evidence: Evidence[];
  alerts: AlertView[];
  advice: AdviceCard[];
  traffic: TrafficPoint[];
}
